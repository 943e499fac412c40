"""Damage every test face once, the same way for every job that restores them: each noise
level, then an erased block per face, all from one seed (facevae.restore.corrupt). The first
validation faces are damaged the same way from the next seed: what choices are made on."""

import logging

from facevae.files import load_npz, save_npz
from facevae.restore import corrupt, damage_arrays, from_grey

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
faces, split = load_npz(snakemake.input.faces), load_npz(snakemake.input.split)
damage = snakemake.params.damage
clean = from_grey(faces["images"][split["test"]])
damaged, mask = corrupt(clean, **damage)
save_npz(snakemake.output.test, **damage_arrays(damaged, mask))
logging.info("%d test faces damaged: %s", len(clean), ", ".join(damaged))
val = from_grey(faces["images"][split["val"][: snakemake.params.validation_faces]])
val_damaged, val_mask = corrupt(val, **damage | {"seed": damage["seed"] + 1})
save_npz(snakemake.output.val, **damage_arrays(val_damaged, val_mask))
logging.info("%d validation faces damaged with seed %d", len(val), damage["seed"] + 1)
