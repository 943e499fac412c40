"""Chapter 3: restore the damaged test faces of the restoration protocol (rule damage_faces)
by searching a VAE's latent space (chapter 2's chosen one, or the improved VAE), the rate
chosen per damage on validation faces, scored as chapter 2 scores its restorers and against
each of them face by face (facevae.restore.search_protocol)."""

import logging

from facevae.files import load_npz, save_npz, write_json
from facevae.generation import decoder_variance
from facevae.names import ERASE
from facevae.restore import by_damage, from_grey, search_protocol, split_damage, to_grey
from facevae.runtime import autocast, image_tensor, start_job
from facevae.stats import DESCRIBE, part_groups
from facevae.vae import load_vae

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
params, inputs, settings = snakemake.params, snakemake.input, dict(snakemake.params.search)
job = start_job(
    snakemake.threads, settings["seed"], params.device, params.precision, params.gpu_locks
)
model = load_vae(inputs.model, job.device)
faces, split = load_npz(inputs.faces), load_npz(inputs.split)
val = faces["images"][split["val"]]
variance = decoder_variance(model, image_tensor(val, job.device), precision=job.precision)
clean = from_grey(faces["images"][split["test"]])
validation = from_grey(val[: params.validation_faces])
damaged, mask = split_damage(load_npz(inputs.damaged), settings["noise_sigmas"])
near = part_groups(load_npz(inputs.groups), split, "test")  # near-copy groups of test faces
settings["bootstrap"] = settings["bootstrap"] | {"groups": near}
# compared face by face with chapter 2's restorers and with the damaged input itself
settings["versus"] = chapter2 = by_damage(load_npz(inputs.restored), damaged)
# Inpainting starts from chapter 2's encode-decode passes, or from the VAE's own.
settings["start"] = chapter2[ERASE]["vae"] if params.start_from_chapter2 else None
with autocast(job.device, job.precision):
    metrics, restored = search_protocol(
        model, clean, damaged, mask, validation, variance=variance, **settings
    )
write_json(snakemake.output.metrics, metrics | {"interval": DESCRIBE["groups"]})
grey = {key: to_grey(faces) for key, faces in restored.items()}  # for the attribute check
save_npz(snakemake.output.restored, **grey)
