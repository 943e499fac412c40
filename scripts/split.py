"""Seeded 7:2:1 split that keeps pixel-identical duplicates inside one part."""

import json
import logging

from facevae.data import load_npz, save_npz, split_indices

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
group = load_npz(snakemake.input[0])["group"]
parts = split_indices(group, snakemake.params.fractions, snakemake.params.seed)
save_npz(snakemake.output.split, **parts)
sizes = {name: len(index) for name, index in parts.items()}
with open(snakemake.output.sizes, "w") as handle:
    json.dump(sizes, handle, indent=2)
logging.info("split sizes: %s", sizes)
