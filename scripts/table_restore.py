"""LaTeX table: PSNR / SSIM of every restoration method on every corruption of the test faces
(best method per column in bold, the corrupted input itself as the first row)."""

import logging

from facevae.files import read_json, write_text
from facevae.report import escape_latex, format_number, latex_table
from facevae.restore import noise_key

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
metrics = read_json(snakemake.input[0])
sigmas = snakemake.params.noise_sigmas
corruptions = [noise_key(s) for s in sigmas] + ["erase"]
headers = {noise_key(s): rf"noise $\sigma={s:g}$" for s in sigmas}
headers["erase"] = "erased block"
methods = list(dict.fromkeys(m for c in corruptions for m in metrics[c]))  # first-seen order

best = {  # the top score among the restorers (not the corrupted input) per column
    (c, k): max(v[k] for m, v in metrics[c].items() if m != "corrupted")
    for c in corruptions
    for k in ("psnr", "ssim")
}
rows = []
for method in methods:
    cells = [escape_latex(method.replace("_", " ")) if method != "vae" else "VAE"]
    for c in corruptions:
        for key in ("psnr", "ssim"):
            value = metrics[c].get(method, {}).get(key)
            text = "---" if value is None else format_number(value)
            is_best = value is not None and method != "corrupted" and value == best[(c, key)]
            cells.append(rf"\textbf{{{text}}}" if is_best else text)
    rows.append(cells)
header = ["method"] + [rf"\multicolumn{{2}}{{c}}{{{headers[c]}}}" for c in corruptions]
sub = [""] + ["PSNR", "SSIM"] * len(corruptions)
table = latex_table([header, sub], rows, "l" + "rr" * len(corruptions))
write_text(snakemake.output[0], table)
logging.info("%d methods x %d corruptions", len(methods), len(corruptions))
