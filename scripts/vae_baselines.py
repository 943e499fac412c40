"""Reconstruction yardsticks for the VAE table: the mean face and PCA, fitted on the training
faces and scored on the test faces like every VAE, with intervals over near-copy groups, and
on the validation faces (their means, for the training curves). The per-face test PSNR of
each goes to an .npz for the paired comparison with the chosen VAE."""

import logging

import numpy as np

from facevae.baselines import yardsticks
from facevae.files import load_npz, save_npz, write_json
from facevae.metrics import image_metrics, mean_intervals, summarise
from facevae.stats import DESCRIBE, part_groups

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
params = snakemake.params
faces, split = load_npz(snakemake.input.faces), load_npz(snakemake.input.split)
train, test = (faces["images"][split[p]].astype(np.float32) / 255 for p in ("train", "test"))
bootstrap = params.bootstrap | {
    "groups": part_groups(load_npz(snakemake.input.groups), split, "test")
}

parts = {"test": test, "val": faces["images"][split["val"]].astype(np.float32) / 255}
metrics, psnr = {}, {}
for name, recon in yardsticks(train, parts, params.pca).items():
    per_image = image_metrics(test, recon["test"], **params.image_metrics)
    metrics[name] = summarise(per_image) | mean_intervals(per_image, **bootstrap)
    val = summarise(image_metrics(parts["val"], recon["val"], **params.image_metrics), "val_")
    metrics[name] |= val | {"interval": DESCRIBE["groups"]}
    psnr[name] = per_image["psnr"]
    logging.info("%s: %s", name, metrics[name])
write_json(snakemake.output.metrics, metrics)
save_npz(snakemake.output.psnr, **psnr)
