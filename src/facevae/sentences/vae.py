"""Chapter 2's clauses: the chosen VAE against the reconstruction yardsticks, and the VAE
against the classical restorers; and how the text describes the VAE's learning rate."""

from __future__ import annotations

from facevae.latex import format_number
from facevae.report import baseline_label


def schedule_phrase(vae: dict) -> str:
    """How the text describes the VAE's learning rate (settings ``lr``, ``lr_schedule`` and
    ``warmup``), to follow "trained with Adam using". Plain text: it is a setting
    (config.vae.schedule), escaped like every string outside ``text.*``."""
    if vae["lr_schedule"] == "constant":
        return f"a constant learning rate of {vae['lr']:g}"
    return (
        f"a one-cycle learning-rate schedule that rises from {vae['lr'] / 25:.2g} to"
        f" {vae['lr']:g} over the first {100 * vae['warmup']:g} % of the batches,"
        " then falls along a cosine almost to zero"
    )


def versus_method(ours: dict, theirs: dict, key: str, name: str) -> str:
    """Compare two methods' means of ``key`` by their 95 % intervals."""
    if ours[f"{key}_ci95_low"] > theirs[f"{key}_ci95_high"]:
        return rf"higher than that of {name} (the 95\,\% intervals do not overlap)"
    if ours[f"{key}_ci95_high"] < theirs[f"{key}_ci95_low"]:
        return rf"lower than that of {name} (the 95\,\% intervals do not overlap)"
    return rf"not clearly different from that of {name} (the 95\,\% intervals overlap)"


def vae_sentences(tree: dict) -> dict[str, str]:
    """``vae.versus_baselines`` (the chosen VAE's test PSNR against each yardstick) and the
    restoration clauses ``restore.noise.vae_vs_mean_filter`` (when the mean filter ran) and
    ``restore.erase.vae_vs_biharmonic``."""
    text = {}
    best, clauses = tree["vae.best"], []
    for name, scores in tree.get("vae.baseline", {}).items():
        compared = versus_method(best, scores, "test_psnr", baseline_label(name))
        clauses.append(f"{compared} at {format_number(scores['test_psnr'])} dB")
    if clauses:
        text["vae.versus_baselines"] = "; ".join(clauses)
    noise, erase = tree["restore"]["noise"], tree["restore"]["erase"]
    if "mean_filter" in noise:
        text["restore.noise.vae_vs_mean_filter"] = versus_method(
            noise["vae"], noise["mean_filter"], "psnr", "the mean filter"
        )
    text["restore.erase.vae_vs_biharmonic"] = versus_method(
        erase["vae"], erase["biharmonic"], "region_psnr", "biharmonic inpainting"
    )
    return text
