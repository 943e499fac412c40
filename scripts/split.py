"""Seeded 7:2:1 split that keeps pixel-identical duplicates inside one part."""

import logging
import sys

from facevae.data import DataError, check_every_class_in_every_part, split_indices
from facevae.files import load_npz, save_npz, write_json
from facevae.groups import faces_with_copy_elsewhere

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
group = load_npz(snakemake.input[0])["group"]
try:
    parts = split_indices(group, snakemake.params.fractions, snakemake.params.seed)
    check_every_class_in_every_part(load_npz(snakemake.input.faces), parts)
except DataError as err:
    logging.error("%s", err)
    print(f"ERROR: {err}", file=sys.stderr)
    sys.exit(1)
save_npz(snakemake.output.split, **parts)
sizes = {name: len(index) for name, index in parts.items()}
sizes["test_faces_with_copy_elsewhere"] = faces_with_copy_elsewhere(group, parts, "test")
write_json(snakemake.output.sizes, sizes)
logging.info("split sizes: %s", sizes)
