"""LaTeX table of the VAE grid's test metrics (one row per model, best marked)."""

import json

from facevae.report import format_number, latex_table, model_label, write_text

with open(snakemake.input.best) as handle:
    best = json.load(handle)["name"]
rows = []
for name, path in zip(snakemake.params.names, snakemake.input.metrics, strict=True):
    with open(path) as handle:
        m = json.load(handle)
    cells = [model_label(name) + (" (best)" if name == best else "")]
    for key, digits in (("psnr", 2), ("ssim", 3), ("mse", 4)):
        cells.append(rf"{m[f'test_{key}']:.{digits}f} $\pm$ {m[f'test_{key}_std']:.{digits}f}")
    cells += [format_number(m["parameters"]), format_number(round(m["train_seconds"]))]
    rows.append(cells)
header = ["model", "PSNR (dB)", "SSIM", "MSE", "parameters", "training (s)"]
write_text(snakemake.output[0], latex_table(header, rows, "lrrrrr"))
with open(snakemake.log[0], "w") as log:
    print(f"{len(rows)} models, best {best}", file=log)
