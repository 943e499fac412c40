"""One grid point's numbers over its training seeds: test metrics (mean over seeds, spread
across seeds, two-level bootstrap interval of the mean: seeds, then near-copy groups of the
test faces), validation means, size and training time."""

import logging

import numpy as np

from facevae.files import load_npz, read_json, write_json
from facevae.metrics import seed_summary
from facevae.stats import describe, part_groups

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
keys = ("psnr", "ssim", "mse")
per_seed = [{k: load_npz(path)[k] for k in keys} for path in snakemake.input.test]
groups = part_groups(load_npz(snakemake.input.groups), load_npz(snakemake.input.split), "test")
metrics = seed_summary(per_seed, prefix="test_", **snakemake.params.bootstrap, groups=groups)
metrics["interval"] = describe(len(per_seed))
val = [read_json(path) for path in snakemake.input.val]
metrics |= {f"val_{k}": float(np.mean([v[f"val_{k}"] for v in val])) for k in keys}
histories = [read_json(path) for path in snakemake.input.histories]
metrics |= {
    "parameters": histories[0]["parameters"],
    "train_seconds": float(np.mean([sum(h["epoch_seconds"]) for h in histories])),
    "epochs": len(histories[0]["epoch_seconds"]),  # every model after its last epoch
    "seeds": len(per_seed),
}
write_json(snakemake.output[0], metrics)
logging.info("%s", metrics)
