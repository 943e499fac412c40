"""Generate the synthetic demo table in the same CSV format as the real one."""

import logging

from facevae.synthetic import make_faces, write_csv

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
params = snakemake.params
faces = make_faces(params.n_faces, params.seed, params.duplicate_fraction)
write_csv(snakemake.output[0], faces)
logging.info("wrote %d synthetic faces to %s", params.n_faces, snakemake.output[0])
