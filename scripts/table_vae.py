"""LaTeX table of the VAE grid's test metrics (one row per model, best marked)."""

import logging

from facevae.files import read_json, write_text
from facevae.report import format_number, latex_table, model_label

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
params = snakemake.params
best = read_json(snakemake.input.best)["name"]
rows = []
for name, path in zip(params.names, snakemake.input.metrics, strict=True):
    m = read_json(path)
    cells = [model_label(params.points[name]) + (" (best)" if name == best else "")]
    for key in ("psnr", "ssim", "mse"):
        mean, sd = (format_number(m[f"test_{key}{end}"]) for end in ("", "_std"))
        cells.append(rf"{mean} $\pm$ {sd}")
    cells += [format_number(m["parameters"]), format_number(round(m["train_seconds"]))]
    rows.append(cells)
header = ["model", "PSNR (dB)", "SSIM", "MSE", "parameters", "training (s)"]
write_text(snakemake.output[0], latex_table(header, rows, "lrrrrr"))
logging.info("%d models, best %s", len(rows), best)
