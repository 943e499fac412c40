"""Chapter 3: how often restorers change the predicted gender or ethnicity of a test face, each
VAE against a blur and PCA at its PSNR (facevae.attributes); chapter 2's faces are reused."""

import logging

from facevae import attributes
from facevae.cnn import load_cnn
from facevae.files import load_npz, read_json, write_json
from facevae.names import noise_key
from facevae.restore import from_grey, split_damage, vae_restore
from facevae.runtime import autocast, start_job
from facevae.vae import load_vae

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
params, inputs, protocol = snakemake.params, snakemake.input, snakemake.params.protocol
job = start_job(
    snakemake.threads, protocol["seed"], params.device, params.precision, params.gpu_locks
)
faces, split = load_npz(inputs.faces), load_npz(inputs.split)
clean = from_grey(faces["images"][split["test"]])
damaged, mask = split_damage(load_npz(inputs.damaged), protocol["noise_sigmas"])
noise, chapter2 = noise_key(protocol["noise_sigmas"][0]), load_npz(inputs.restored)
chosen = read_json(inputs.best)["name"]  # the VAE whose restorations chapter 2 made
outputs = attributes.chapter_two_restorations(damaged, chapter2, noise, protocol["denoisers"])
val, val_reconstructions = from_grey(faces["images"][split["val"]]), {}
for name, path in zip(params.vaes, inputs.vaes):
    model, reuse = load_vae(path, job.device), chapter2 if name == chosen else None
    with autocast(job.device, job.precision):
        outputs |= attributes.vae_restorations(
            name, model, clean, damaged, mask, noise, protocol["inpaint_iterations"], reuse
        )
        val_reconstructions[name] = vae_restore(model, val)
outputs |= attributes.search_restorations(load_npz(inputs.search), noise)
classifiers = {task: load_cnn(path, job.device) for task, path in zip(params.tasks, inputs.cnn)}
near = load_npz(inputs.groups)["group"][split["test"]]  # near-copy groups of the test faces
found = attributes.attribute_study(
    classifiers, faces, split, near, outputs, val_reconstructions, params.bootstrap, job.precision
)
write_json(snakemake.output[0], {"noise": noise} | found)
