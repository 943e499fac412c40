"""Chapter 3, generation, for one VAE and training seed: likelihood bounds on the test faces
under its own prior and under a mixture fitted to samples of its aggregate posterior, and
faces drawn from each prior, labelled by the chapter-1 classifiers
(facevae.generation.generation_protocol)."""

import logging

from facevae.cnn import load_cnn
from facevae.files import load_npz, save_npz, write_json
from facevae.generation import generation_protocol
from facevae.runtime import image_tensor, start_job
from facevae.vae import load_vae

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
params, inputs = snakemake.params, snakemake.input
job = start_job(snakemake.threads, params.seed, params.device, params.precision, params.gpu_locks)
model = load_vae(inputs.model, job.device)
faces, split = load_npz(inputs.faces), load_npz(inputs.split)
x = {p: image_tensor(faces["images"][split[p]], job.device) for p in ("train", "val", "test")}
truth = {task: faces[task][split["test"]] for task in params.tasks}
classifiers = {task: load_cnn(path, job.device) for task, path in zip(params.tasks, inputs.cnn)}
result, arrays = generation_protocol(
    model,
    x,
    truth,
    classifiers,
    ks=params.ks,
    fitted_components=params.fitted_components,
    generated_faces=params.generated_faces,
    seed=params.seed,
    n_examples=params.n_examples,
    bootstrap=params.bootstrap,
    groups=load_npz(inputs.groups)["group"][split["test"]],  # near-copy groups of test faces
    model_seed=int(snakemake.wildcards.seed),
    precision=job.precision,
)
write_json(snakemake.output.metrics, result)
# A few samples of each prior, and each test face's bound with the most samples and its parts
# (for comparisons between models seed by seed and face by face, rule prior_twins).
save_npz(snakemake.output.examples, **arrays)
