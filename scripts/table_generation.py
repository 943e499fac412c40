"""LaTeX table of chapter 3's generation measures: per VAE and prior, the ELBO and the
importance-weighted bound on the test faces, and how far the labels the chapter-1
classifiers give its samples are from those they give real faces (the ELBO's interval is
about as wide as the bound's, so only the bound's is shown)."""

import logging

from facevae.files import read_json, write_text
from facevae.report import format_number, latex_table, model_label, with_interval

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
params = snakemake.params
PRIORS = {"own": "own", "fitted": "fitted"}


def percent(scores, key):
    """A distance in percentage points with its interval: 3.9 [0.4, 6.9]."""
    low, high = (100 * scores[f"{key}_ci95_{end}"] for end in ("low", "high"))
    return rf"{100 * scores[key]:.1f} {{\scriptsize[{low:.1f}, {high:.1f}]}}"


rows = []
for name, path in zip(params.names, snakemake.input, strict=True):
    m = read_json(path)
    k = max(m["bound_samples"])
    for prior, label in PRIORS.items():
        s = m[prior]
        own_label = "mixture" if params.points[name]["prior"] == "gmm" else "normal"
        rows.append(
            [
                model_label(params.points[name]) if prior == "own" else "",
                own_label if prior == "own" else label,
                format_number(s["elbo"]),
                with_interval(s, f"k{k}"),
                percent(s, "gender_tv"),
                percent(s, "ethnicity_tv"),
            ]
        )
header = [
    "model",
    "prior",
    "ELBO (nats)",
    f"bound, $k={k}$ (nats)",
    r"gender TV (\%)",
    r"ethnicity TV (\%)",
]
write_text(snakemake.output[0], latex_table(header, rows, "llrrrr"))
logging.info("%d models", len(params.names))
