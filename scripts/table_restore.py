"""LaTeX tables of the restoration chapter: every method on every noise level, and on the
erased block (whole faces and the block alone). Scores with 95 % intervals; the best restorer
of each column (not the damaged input) in bold."""

import logging

from facevae.files import read_json, write_text
from facevae.names import noise_key
from facevae.report import escape_latex, latex_table, with_interval

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
metrics = read_json(snakemake.input[0])


def table(columns: list[tuple[str, str, str]]) -> str:
    """columns: (corruption, score key, header); one row per method seen in those runs."""
    runs = dict.fromkeys(c for c, _, _ in columns)
    methods = list(dict.fromkeys(m for c in runs for m in metrics[c]))  # first-seen order
    top = {
        (c, k): max(v[k] for m, v in metrics[c].items() if m != "corrupted") for c, k, _ in columns
    }
    rows = []
    for method in methods:
        cells = ["VAE" if method == "vae" else escape_latex(method.replace("_", " "))]
        for c, key, _ in columns:
            scores = metrics[c].get(method)
            is_best = method != "corrupted" and scores is not None and scores[key] == top[(c, key)]
            cells.append("---" if scores is None else with_interval(scores, key, is_best))
        rows.append(cells)
    return latex_table(["method"] + [h for _, _, h in columns], rows, "l" + "r" * len(columns))


noise = [
    (noise_key(s), key, rf"{name} ($\sigma={s:g}$)")
    for s in snakemake.params.noise_sigmas
    for key, name in (("psnr", "PSNR"), ("ssim", "SSIM"))
]
erase = [
    ("erase", key, name)
    for key, name in (
        ("psnr", "PSNR, face"),
        ("region_psnr", "PSNR, block"),
        ("region_ssim", "SSIM, block"),
        ("region_mse", "MSE, block"),
    )
]
write_text(snakemake.output.noise, table(noise))
write_text(snakemake.output.erase, table(erase))
logging.info("restoration tables: %d noise columns, %d erase columns", len(noise), len(erase))
