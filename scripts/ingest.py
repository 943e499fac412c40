"""Parse and validate the raw table into results/data/faces.npz and quality.json."""

import logging
import sys
import time
from pathlib import Path

from facevae.data import DataError, check_class_counts, load_faces, quality_report
from facevae.files import file_sha256, save_npz, write_json

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
start = time.perf_counter()
try:
    faces = load_faces(snakemake.input[0], snakemake.threads, snakemake.params.max_table_mb)
    check_class_counts(snakemake.input[0], faces)
except DataError as err:
    # A clean one-line reason for the user (snakemake prints the log of a failed job).
    logging.error("%s", err)
    print(f"ERROR: {err}", file=sys.stderr)
    sys.exit(1)
logging.info(
    "parsed %d rows in %.1f s on %d threads",
    len(faces["age"]),
    time.perf_counter() - start,
    snakemake.threads,
)

quality = quality_report(faces)
# Which table this was: its name and checksum, for the data chapter.
table = Path(snakemake.input[0])
quality |= {"file": table.name, "path": str(table.resolve()), "sha256": file_sha256(table)}
save_npz(snakemake.output.faces, **faces)
write_json(snakemake.output.quality, quality)
logging.info("quality: %s", quality)
