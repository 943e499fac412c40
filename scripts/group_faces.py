"""Join exact copies and near-copies into the groups that the split keeps together."""

import logging
import time

from facevae.files import load_npz, save_npz, write_json
from facevae.groups import group_report, join_groups, near_pairs

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
max_mse = snakemake.params.near_max_mse
faces = load_npz(snakemake.input.faces)
start = time.perf_counter()
pairs, mse = near_pairs(faces["images"], max_mse)
group = join_groups(faces["group"], pairs)
report = group_report(faces, group, pairs, mse, max_mse)
logging.info("%d pairs within MSE %g in %.1f s", len(pairs), max_mse, time.perf_counter() - start)
save_npz(snakemake.output.groups, group=group, pairs=pairs, pair_mse=mse)
write_json(snakemake.output.report, report)
logging.info("%s", report)
