"""LaTeX tables of chapter 3: the imbalance remedies against the paper model (ethnicity), the
improved recipe against the paper model (all tasks), and the ablation of the recipe."""

import logging

from facevae.data import ETHNICITY_KEYS
from facevae.files import read_json, write_text
from facevae.report import format_number, latex_table

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
params = snakemake.params
paper = {task: read_json(path) for task, path in zip(params.tasks, snakemake.input.paper)}
variants = {}
for (name, task), path in zip(params.variant_tasks, snakemake.input.variants):
    variants.setdefault(name, {})[task] = read_json(path)

PERCENT = ("accuracy", "macro_f1", "recall")  # metrics shown in percent
LABELS = {
    "gender": [("test_accuracy", "gender accuracy (\\%)")],
    "ethnicity": [
        ("test_accuracy", "ethnicity accuracy (\\%)"),
        ("test_macro_f1", "ethnicity macro F1 (\\%)"),
    ],
    "age": [("test_mae", "age MAE (years)"), ("test_rmse", "age RMSE (years)")],
}


def shown(value, key):
    return format_number(100 * value if any(p in key for p in PERCENT) else value)


def cell(m, key, interval_of=None):
    """value [low, high]; the interval of `interval_of` (default: of `key`)."""
    base = interval_of or key
    low, high = m.get(f"{base}_ci95_low"), m.get(f"{base}_ci95_high")
    text = shown(m[key], key)
    if low is None:
        return text
    return rf"{text} {{\scriptsize[{shown(low, key)}, {shown(high, key)}]}}"


def change(m, key):
    """Signed change from the reference with its paired interval, e.g. +3.1 [1.0, 5.2]."""
    versus = m["versus"]
    value = versus[f"{key}_diff"]
    sign = "+" if value > 0 else ""
    low, high = versus[f"{key}_diff_ci95_low"], versus[f"{key}_diff_ci95_high"]
    return rf"{sign}{shown(value, key)} {{\scriptsize[{shown(low, key)}, {shown(high, key)}]}}"


# Imbalance: one column per model, per-class recall as rows.
models = {"paper model": paper["ethnicity"]} | {
    name.replace("_", " + "): variants[name]["ethnicity"] for name in params.imbalance
}
rows = [
    ["accuracy (\\%)"] + [cell(m, "test_accuracy") for m in models.values()],
    ["macro F1 (\\%)"] + [cell(m, "test_macro_f1") for m in models.values()],
]
rows += [
    [f"recall: {key.replace('_', ' ')} (\\%)"]
    + [cell(m, f"test_recall_{key}") for m in models.values()]
    for key in ETHNICITY_KEYS
]
rows.append(
    ["validation macro F1 (\\%)"] + [shown(m["val_macro_f1"], "macro_f1") for m in models.values()]
)
header = [""] + list(models)
write_text(snakemake.output.imbalance, latex_table(header, rows, "l" + "r" * len(models)))

# The improved recipe against the paper model, task by task.
improved = variants[params.improved]
rows = []
for task, labels in LABELS.items():
    if task not in improved:
        continue
    for key, label in labels:
        ours, theirs = improved[task], paper[task]
        rows.append(
            [
                label,
                cell(theirs, key),
                shown(theirs[f"{key}_seed_sd"], key),
                cell(ours, key),
                shown(ours[f"{key}_seed_sd"], key),
                change(ours, key),
            ]
        )
header = ["", "paper model", "s.d.", "improved", "s.d.", "change"]
write_text(snakemake.output.improved, latex_table(header, rows, "lrrrrr"))

# Ablation: the recipe without one ingredient at a time, against the full recipe.
HEADLINE = {"gender": "test_accuracy", "ethnicity": "test_accuracy", "age": "test_mae"}
tasks = [task for task in HEADLINE if task in improved]
rows = [
    ["full recipe"]
    + [
        f"{shown(improved[t]['val_' + HEADLINE[t][5:]], HEADLINE[t])} / "
        f"{shown(improved[t][HEADLINE[t]], HEADLINE[t])}"
        for t in tasks
    ]
]
for ingredient in params.ablation:
    runs = variants[f"{params.improved}_without_{ingredient}"]
    row = [f"without {ingredient.replace('_', ' ')}"]
    for t in tasks:
        if t not in runs:
            row.append("---")
            continue
        key = HEADLINE[t]
        val_change = runs[t]["versus"]["val_" + key[5:] + "_diff"]
        sign = "+" if val_change > 0 else ""
        row.append(f"{sign}{shown(val_change, key)} / {change(runs[t], key)}")
    rows.append(row)
units = {"gender": "accuracy, \\%", "ethnicity": "accuracy, \\%", "age": "MAE, years"}
header = [""] + [f"{t} ({units[t]})" for t in tasks]
write_text(snakemake.output.ablation, latex_table(header, rows, "l" + "r" * len(tasks)))
logging.info("tables written")
