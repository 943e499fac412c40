"""Chapter 2's clauses: the chosen VAE against the reconstruction yardsticks, and the VAE
against the classical restorers; and how the text describes the VAE's learning rate."""

from __future__ import annotations

from facevae.latex import estimate_of, format_number, with_interval
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


def versus_paired(difference: dict, name: str, unit: str = "dB") -> str:
    """Ours against another method on the same faces, from the paired difference of their
    per-face scores (facevae.stats.paired): "higher than that of X by 1.20 dB (95 % interval
    0.900 to 1.50)", or "close to that of X, with no clear difference" and the signed interval."""
    value, low, high = estimate_of(difference)
    if low > 0:
        return (
            f"higher than that of {name} by {with_interval(value, low, high, text=True, unit=unit)}"
        )
    if high < 0:
        size = with_interval(-value, -high, -low, text=True, unit=unit)
        return f"lower than that of {name} by {size}"
    change = with_interval(value, low, high, text=True, signed=True, unit=unit)
    return f"close to that of {name}, with no clear difference: {change}"


def _versus(scores: dict, method: str) -> str:
    """The VAE against ``method`` on one damage, from the paired difference of their per-face
    scores (restore/metrics.json, vae.versus)."""
    name = {"mean_filter": "the mean filter", "biharmonic": "biharmonic inpainting"}[method]
    return versus_paired(scores["vae"]["versus"][method], name)


def vae_sentences(tree: dict) -> dict[str, str]:
    """``vae.versus_baselines`` (the chosen VAE's test PSNR against each yardstick's, paired
    face by face: vae/versus_baselines.json) and the
    restoration clauses ``restore.noise.vae_vs_mean_filter`` (when the mean filter ran) and
    ``restore.erase.vae_vs_biharmonic``."""
    text = {}
    clauses = []
    for name, scores in tree.get("vae.baseline", {}).items():
        label = f"{baseline_label(name)} ({format_number(scores['test_psnr'])}\\,dB)"
        clauses.append(versus_paired(tree["vae.versus"][name], label))
    if clauses:
        text["vae.versus_baselines"] = "; ".join(clauses)
    noise, erase = tree["restore"]["noise"], tree["restore"]["erase"]
    if "mean_filter" in noise:
        text["restore.noise.vae_vs_mean_filter"] = _versus(noise, "mean_filter")
    text["restore.erase.vae_vs_biharmonic"] = _versus(erase, "biharmonic")
    # What the VAE can give back at best: its reconstruction of the clean faces.
    ceiling, denoised = tree["vae.best"]["test_psnr"], noise["vae"]["psnr"]
    text["restore.noise.vae_ceiling"] = (
        f"stay below the {format_number(ceiling, 4)}\\,dB at which it reconstructs clean test"
        " faces, the most a decoded face can reach"
        if denoised < ceiling
        else f"are no worse than the {format_number(ceiling, 4)}\\,dB of its reconstructions of"
        " clean test faces"
    )
    return text
