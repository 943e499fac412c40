"""Restore the damaged test faces (rule damage_faces) with the best VAE and the classical
methods, and score each restoration (facevae.restore.run_protocol); the best method is chosen
on damaged validation faces. Every restored face of the first noise level and of the erased
block is kept for chapter 3."""

import logging

from facevae.files import load_npz, save_npz, write_json
from facevae.restore import from_grey, run_protocol, split_damage
from facevae.runtime import autocast, start_job
from facevae.stats import DESCRIBE, part_groups
from facevae.vae import load_vae

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
params = snakemake.params
job = start_job(snakemake.threads, params.seed, params.device, params.precision, params.gpu_locks)
model = load_vae(snakemake.input.model, job.device)
faces, split = load_npz(snakemake.input.faces), load_npz(snakemake.input.split)
clean = from_grey(faces["images"][split["test"]])
damaged, mask = split_damage(load_npz(snakemake.input.damaged), params.protocol["noise_sigmas"])
near = part_groups(load_npz(snakemake.input.groups), split, "test")  # near-copy groups
protocol = params.protocol | {"bootstrap": params.protocol["bootstrap"] | {"groups": near}}
# The choice of the best classical restorer is made on validation faces damaged alike.
val_damaged, val_mask = split_damage(
    load_npz(snakemake.input.val_damaged), protocol["noise_sigmas"]
)
val_clean = from_grey(faces["images"][split["val"][: len(val_mask)]])
protocol["validation"] = (val_clean, val_damaged, val_mask)

with autocast(job.device, job.precision):
    metrics, examples, restored = run_protocol(model, clean, damaged, mask, **protocol)
metrics["interval"] = DESCRIBE["groups"]  # what the intervals resampled
for corruption, scores in metrics.items():
    logging.info("%s: %s", corruption, scores)
write_json(snakemake.output.metrics, metrics)
save_npz(snakemake.output.examples, **examples)
save_npz(snakemake.output.restored, **restored)
