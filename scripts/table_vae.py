"""LaTeX table of the VAE grid's test metrics (one row per model, the one chosen on the
validation split marked), below the yardsticks: the mean face and PCA."""

import logging

from facevae.files import read_json, write_text
from facevae.report import format_number, latex_table, model_label, with_interval

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
params = snakemake.params
best = read_json(snakemake.input.best)["name"]
KEYS = ("test_psnr", "test_ssim", "test_mse")


def row(label: str, m: dict, parameters="---", seconds="---") -> list[str]:
    return [label, *(with_interval(m, key) for key in KEYS), parameters, seconds]


baselines = read_json(snakemake.input.baselines)
rows = []
for name, m in baselines.items():
    label = "mean training face" if name == "mean_face" else f"PCA, {name[3:]} components"
    rows.append(row(label, m))
for name, path in zip(params.names, snakemake.input.metrics, strict=True):
    m = read_json(path)
    label = model_label(params.points[name]) + (" (chosen)" if name == best else "")
    rows.append(
        row(label, m, format_number(m["parameters"]), format_number(round(m["train_seconds"])))
    )
header = ["model", "PSNR (dB)", "SSIM", "MSE", "weights", "training (s)"]
write_text(snakemake.output[0], latex_table(header, rows, "lrrrrr"))
logging.info("%d baselines, %d models, chosen %s", len(baselines), len(params.names), best)
