"""LaTeX table of the VAE grid's test metrics (one row per grid point, the one chosen on the
validation split marked), below the yardsticks: the mean face and PCA."""

import logging

from facevae.files import read_json, write_text
from facevae.report import baseline_label, format_number, latex_table, model_label, with_interval

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
params = snakemake.params
best = read_json(snakemake.input.best)["name"]


def row(label: str, m: dict, seconds="---") -> list[str]:
    # MSE per pixel in thousandths, so that its interval stays short.
    m = m | {k.replace("test_mse", "mse_milli"): 1000 * v for k, v in m.items() if "test_mse" in k}
    spread = m.get("test_psnr_seed_sd")
    spread = "---" if spread is None else format_number(spread)
    cells = [with_interval(m, key) for key in ("test_psnr", "test_ssim", "mse_milli")]
    return [label, *cells, spread, seconds]


baselines = read_json(snakemake.input.baselines)
rows = []
for name, m in baselines.items():
    rows.append(row(baseline_label(name), m))
for name, path in zip(params.names, snakemake.input.metrics, strict=True):
    m = read_json(path)
    label = model_label(params.points[name]) + (" (chosen)" if name == best else "")
    rows.append(row(label, m, format_number(round(m["train_seconds"]))))
header = ["model", "PSNR (dB)", "SSIM", r"MSE ($10^{-3}$)", "PSNR s.d.", "time (s)"]
write_text(snakemake.output[0], latex_table(header, rows, "lrrrrr"))
logging.info("%d baselines, %d models, chosen %s", len(baselines), len(params.names), best)
