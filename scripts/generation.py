"""Chapter 3, generation, for one VAE: likelihood bounds on the test faces under its own
prior and under a mixture fitted to its posterior means, and faces drawn from each prior,
labelled by the chapter-1 classifiers (see facevae.generation)."""

import logging

import numpy as np
import torch

from facevae.cnn import load_cnn
from facevae.cnn_train import predict
from facevae.data import ETHNICITY_KEYS
from facevae.files import load_npz, save_npz, write_json
from facevae.generation import (
    decoder_variance,
    fit_mixture,
    generate,
    label_shares,
    likelihood_bounds,
    posterior_means,
    total_variation,
)
from facevae.metrics import intervals, mean_intervals
from facevae.runtime import image_tensor, start_job
from facevae.vae import load_vae

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
params, inputs = snakemake.params, snakemake.input
job = start_job(snakemake.threads, params.seed, params.device, params.precision, params.gpu_locks)
model = load_vae(inputs.model, job.device)
faces, split = load_npz(inputs.faces), load_npz(inputs.split)
x = {p: image_tensor(faces["images"][split[p]], job.device) for p in ("train", "val", "test")}
bootstrap = params.bootstrap

# One Gaussian decoder variance per model, fitted on the validation faces.
variance = decoder_variance(model, x["val"], seed=params.seed, precision=job.precision)
codes = posterior_means(model, x["train"], precision=job.precision)
priors = {"own": model.prior, "fitted": fit_mixture(codes, params.fitted_components, params.seed)}
priors["fitted"].to(job.device)
logging.info("decoder variance %.5f; mixture of %d fitted", variance, params.fitted_components)
bounds = likelihood_bounds(
    model, x["test"], params.ks, variance, priors, seed=params.seed, precision=job.precision
)

# The classifiers' view: predicted labels and confidence on real test faces and on samples.
classifiers = {task: load_cnn(path, job.device) for task, path in zip(params.tasks, inputs.cnn)}
n_classes = {"gender": 2, "ethnicity": len(ETHNICITY_KEYS)}


def judge(images):
    """Per task: predicted classes and the probability of the predicted class."""
    out = {}
    for task, cnn in classifiers.items():
        prob = torch.softmax(predict(cnn, images, 1024, job.precision), dim=1).numpy()
        out[task] = (prob.argmax(1), prob.max(1))
    return out


real = judge(x["test"])
result = {
    "decoder_variance": variance,
    "bound_samples": sorted(params.ks),
    "generated_faces": params.generated_faces,
    "real": {
        f"{task}_confidence": float(confidence.mean()) for task, (_, confidence) in real.items()
    },
}
examples = {}
for name, prior in priors.items():
    scores = {key: float(np.mean(values)) for key, values in bounds[name].items()}
    scores |= mean_intervals(bounds[name], prefix="", **bootstrap)
    images = generate(model, prior, params.generated_faces, params.seed, precision=job.precision)
    examples[name] = images[: params.n_examples]
    judged = judge(image_tensor((images * 255).round().astype(np.uint8), job.device))
    for task, (labels, confidence) in judged.items():
        reference = label_shares(real[task][0], n_classes[task])
        truth = label_shares(faces[task][split["test"]], n_classes[task])
        scores[f"{task}_tv"] = total_variation(label_shares(labels, n_classes[task]), reference)
        scores[f"{task}_tv_truth"] = total_variation(label_shares(labels, n_classes[task]), truth)
        scores[f"{task}_shares"] = label_shares(labels, n_classes[task]).tolist()
        scores[f"{task}_confidence"] = float(confidence.mean())
        scores |= intervals(
            {
                f"{task}_tv": lambda i, y=labels, r=reference, k=n_classes[task]: total_variation(
                    label_shares(y[i], k), r
                ),
                f"{task}_confidence": lambda i, c=confidence: c[i].mean(),
            },
            len(labels),
            **bootstrap,
        )
    result[name] = scores
    logging.info("%s prior: %s", name, {k: v for k, v in scores.items() if "ci95" not in k})
write_json(snakemake.output.metrics, result)
# A few samples of each prior, and each test face's bound with the most samples (for paired
# comparisons between models on the same faces).
k = f"k{max(params.ks)}"
save_npz(
    snakemake.output.examples,
    **examples,
    **{f"bound_{name}": bounds[name][k].astype(np.float32) for name in priors},
)
