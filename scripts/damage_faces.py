"""Damage every test face once, the same way for every job that restores them: each noise
level, then an erased block per face, all from one seed (facevae.restore.corrupt)."""

import logging

from facevae.files import load_npz, save_npz
from facevae.restore import corrupt, damage_arrays, from_grey

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
faces, split = load_npz(snakemake.input.faces), load_npz(snakemake.input.split)
clean = from_grey(faces["images"][split["test"]])
damaged, mask = corrupt(clean, **snakemake.params.damage)
save_npz(snakemake.output[0], **damage_arrays(damaged, mask))
logging.info("%d test faces damaged: %s", len(clean), ", ".join(damaged))
