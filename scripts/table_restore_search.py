"""LaTeX tables of chapter 3's restoration results: the latent search against the best
classical restorer and the VAE's encode-decode passes (chapter 2's scores, same damaged
faces), and the share of faces whose predicted gender or ethnicity a restorer changes."""

import logging

from facevae.files import read_json, write_text
from facevae.names import noise_key
from facevae.report import best_classical, latex_table, method_name, with_interval

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
params = snakemake.params
search, restore = read_json(snakemake.input.search), read_json(snakemake.input.restore)

rows = []
for corruption in [noise_key(s) for s in params.noise_sigmas] + ["erase"]:
    # The erased block decides inpainting: outside it every method returns the input.
    key = "region_psnr" if corruption == "erase" else "psnr"
    classical = best_classical(restore[corruption], key)
    label = (
        "erased block"
        if corruption == "erase"
        else rf"noise $\sigma={corruption.removeprefix('noise_s')}$"
    )
    rows.append(
        [
            label,
            with_interval(restore[corruption]["corrupted"], key),
            f"{with_interval(restore[corruption][classical], key)} ({method_name(classical)})",
            with_interval(restore[corruption]["vae"], key),
            with_interval(search[corruption], key),
        ]
    )
header = ["damage", "damaged input", "best classical", "VAE passes", "latent search"]
write_text(snakemake.output.search, latex_table(header, rows, "lrrrr"))

# Attribute change: one row per restorer and what it undid.
attributes = read_json(snakemake.input.attributes)
best = read_json(snakemake.input.best)["name"]
WHAT = {"reconstruction": "clean faces", "noise": "noisy faces", "erase": "erased faces"}


def restorer(name: str) -> str:
    if name == "corrupted":
        return "none (the damaged face itself)"
    if name == "search":
        return "latent search"
    if name in params.points:
        point = params.points[name]
        prior = f", mixture of {point['components']}" if point["prior"] == "gmm" else ""
        mark = " (chosen)" if name == best else ""
        return rf"VAE $z={point['latent']}$, $\beta={point['beta']:g}${prior}{mark}"
    return method_name(name)


def percent(cell: dict) -> str:
    """The share of changed faces of all test faces, in percent, with its interval."""
    overall = {k: 100 * v for k, v in cell.items() if k.startswith("changed")}
    return with_interval(overall, "changed")


rows = []
for method, scores in attributes["methods"].items():
    name, what = method.rsplit(".", 1)
    rows.append(
        [restorer(name), WHAT[what], percent(scores["gender"]), percent(scores["ethnicity"])]
    )
header = ["restorer", "applied to", r"gender changed (\%)", r"ethnicity changed (\%)"]
write_text(snakemake.output.attributes, latex_table(header, rows, "llrr"))
logging.info("%d corruptions, %d restorers", len(params.noise_sigmas) + 1, len(rows))
