"""Chapter 3: does restoring a face change who the classifiers think it is? For every VAE
(reconstruction, denoising, inpainting), the latent search and the classical restorers, the
share of test faces whose predicted gender or ethnicity differs from that of the clean face,
overall and per (true) ethnicity, with bootstrap intervals."""

import logging

import numpy as np

from facevae.cnn import load_cnn
from facevae.cnn_train import predict
from facevae.data import ETHNICITY_KEYS
from facevae.files import load_npz, write_json
from facevae.metrics import intervals
from facevae.restore import DENOISERS, corrupt, inpaint_biharmonic, vae_inpaint, vae_restore
from facevae.runtime import autocast, image_tensor, start_job
from facevae.vae import load_vae

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
params, inputs = snakemake.params, snakemake.input
protocol = params.protocol
job = start_job(
    snakemake.threads, protocol["seed"], params.device, params.precision, params.gpu_locks
)
faces, split = load_npz(inputs.faces), load_npz(inputs.split)
clean = faces["images"][split["test"]].astype(np.float32) / 255
ethnicity = faces["ethnicity"][split["test"]]
damaged, mask = corrupt(
    clean,
    protocol["seed"],
    protocol["noise_sigmas"],
    protocol["erase_size"],
    protocol["erase_position"],
)
noise = next(iter(damaged))  # the first noise level, the one the text discusses
noisy, erased = damaged[noise], damaged["erase"]

# Every restoration, by method: "<restorer>.<what it undid>".
outputs = {"corrupted.noise": noisy, "corrupted.erase": erased}
options = protocol["denoiser_options"] or {}
for name in protocol["denoisers"]:
    outputs[f"{name}.noise"] = DENOISERS[name](noisy, **options.get(name, {}))
outputs["biharmonic.erase"] = inpaint_biharmonic(erased, mask)
for name, path in zip(params.vaes, inputs.vaes):
    model = load_vae(path, job.device)
    with autocast(job.device, job.precision):
        outputs[f"{name}.reconstruction"] = vae_restore(model, clean)
        outputs[f"{name}.noise"] = vae_restore(model, noisy)
        outputs[f"{name}.erase"] = vae_inpaint(model, erased, mask, protocol["inpaint_iterations"])
search = load_npz(inputs.search)
outputs["search.noise"] = search[noise].astype(np.float32) / 255
outputs["search.erase"] = search["erase"].astype(np.float32) / 255

classifiers = {task: load_cnn(path, job.device) for task, path in zip(params.tasks, inputs.cnn)}


def labels(images):
    x = image_tensor(np.round(images * 255).astype(np.uint8), job.device)
    return {
        task: predict(cnn, x, 1024, job.precision).argmax(1).numpy()
        for task, cnn in classifiers.items()
    }


original = labels(clean)
groups = {key: np.flatnonzero(ethnicity == code) for code, key in enumerate(ETHNICITY_KEYS)}
result = {"noise": noise, "methods": {}}
for method, images in outputs.items():
    predicted = labels(images)
    scores = {}
    for task in classifiers:
        changed = (predicted[task] != original[task]).astype(float)
        cell = {"changed": float(changed.mean())}
        cell |= intervals(
            {"changed": lambda i, c=changed: c[i].mean()}, len(changed), **params.bootstrap
        )
        for group, index in groups.items():
            part = changed[index]
            cell[group] = {
                "faces": len(index),
                "changed": float(part.mean()) if len(index) else None,
            }
            if len(index):
                cell[group] |= intervals(
                    {"changed": lambda i, c=part: c[i].mean()}, len(index), **params.bootstrap
                )
        scores[task] = cell
    result["methods"][method] = scores
    logging.info("%s: %s", method, {t: round(s["changed"], 4) for t, s in scores.items()})
write_json(snakemake.output[0], result)
