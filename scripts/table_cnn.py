"""LaTeX table of chapter 1: every task's test metrics (mean over training seeds, spread
across seeds, 95 % bootstrap interval) beside the original's published numbers."""

import logging

from facevae.files import read_json, write_text
from facevae.report import format_number, latex_table

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
params = snakemake.params
metrics = {task: read_json(path) for task, path in zip(params.tasks, snakemake.input)}
ROWS = [  # task, key, label, shown in percent
    ("gender", "test_accuracy", "gender accuracy (\\%)", True),
    ("ethnicity", "test_accuracy", "ethnicity accuracy (\\%)", True),
    ("ethnicity", "test_macro_f1", "ethnicity macro F1", False),
    ("age", "test_mae", "age MAE (years)", False),
    ("age", "test_rmse", "age RMSE (years)", False),
]


def shown(value, percent):
    return format_number(100 * value if percent else value)


rows = []
for task, key, label, percent in ROWS:
    m = metrics[task]
    interval = f"[{shown(m[f'{key}_ci95_low'], percent)}, {shown(m[f'{key}_ci95_high'], percent)}]"
    published = params.paper.get(task, {}).get(key)
    rows.append(
        [
            label,
            shown(m[key], percent),
            shown(m[f"{key}_seed_sd"], percent),
            interval,
            "---" if published is None else shown(published, percent),
        ]
    )
header = ["", "mean over seeds", "s.d. across seeds", "95\\,\\% interval", "original"]
write_text(snakemake.output[0], latex_table(header, rows, "lrrcr"))
logging.info("%d rows", len(rows))
