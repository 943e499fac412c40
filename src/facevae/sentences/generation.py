"""Chapter 3's clauses on the VAE: how well each model and prior explains the test faces
(likelihood bounds, learned mixture against standard prior, what its samples look like to the
classifiers), restoration by latent search, and how often a restorer changes the predicted
gender or ethnicity of a face."""

from __future__ import annotations

from facevae.latex import format_number, format_percent, format_setting, interval_of, with_interval
from facevae.names import ERASE, is_noise_key, method_key, noise_sigma, vae_label, vae_point
from facevae.report import best_classical, method_name
from facevae.sentences.beyond import group_words
from facevae.sentences.vae import versus_paired

PRIORS = ("own", "fitted")  # the prior each VAE samples from: its own, a mixture fitted later


def run_label(point: dict, prior: str) -> str:
    """A VAE and one of its priors: "$z=256$, $\\beta=0.01$, with its standard normal prior"."""
    if prior == "fitted":
        kind = "with a mixture fitted to its codes"
    elif vae_point(point)["prior"] == "gmm":
        kind = "with its own prior"  # vae_label has already named the mixture
    else:
        kind = "with its standard normal prior"
    return f"{vae_label(point)}, {kind}"


def _short_label(point: dict, prior: str) -> str:
    return f"{vae_label(point)}, {'fitted mixture' if prior == 'fitted' else 'own prior'}"


# The parts of a difference of bounds (facevae.generation.BOUND_PARTS), in words.
BOUND_PARTS = {
    "recon": "the reconstruction term",
    "variance": "the decoder-variance constant",
    "minus_kl": "the KL term",
    "iw_gap": "the importance-weighting gap",
}
VERDICTS = {"higher": "a clear gain", "lower": "a clear loss", "unclear": "no clear difference"}


def twin_sentence(paired: dict, points: dict) -> str:
    """A learned mixture against its standard-prior twin (``paired``: one entry of
    beyond/generation/prior_twins.json): the mean difference of their bounds with its
    interval and verdict, its four parts, and the part that carries it."""
    change, low, high = interval_of(paired, "difference")
    size = (change, low, high) if change > 0 else (-change, -high, -low)
    seeds = len(paired["seeds"])
    over = "on one seed" if seeds == 1 else f"seed by seed over {seeds} seeds"
    parts = [
        f"{words} {with_interval(paired[key], signed=True)}" for key, words in BOUND_PARTS.items()
    ]
    largest = paired["carried_by"]
    if paired[largest] * change > 0:
        carried = f"{BOUND_PARTS[largest]} carries most of it"
    else:
        carried = f"the largest part, {BOUND_PARTS[largest]}, runs against it"
    if paired["verdict"] == "unclear":  # no direction claimed: the signed difference
        moved = "changes the bound"
        amount = with_interval(change, low, high, text=True, signed=True, unit="nats")
    else:
        moved = f"{'raises' if change > 0 else 'lowers'} the bound"
        amount = with_interval(*size, text=True, unit="nats")
    return (
        f"at {vae_label(points[paired['twin']])} the learned mixture {moved} with"
        f" $k={paired['k']}$, {over} and face by face, by {amount},"
        f" {VERDICTS[paired['verdict']]}; of the difference, "
        + ", ".join(parts[:-1])
        + f" and {parts[-1]}~nats, so {carried}"
    )


def generation_sentences(tree: dict, points: dict) -> dict[str, str]:
    """Clauses on generation (``tree``: the stage results by prefix, with
    ``beyond.generation.<vae>`` and ``beyond.prior_twins``; ``points``: every VAE's grid
    point by name)."""
    found = {name: tree[f"beyond.generation.{name}"] for name in points}
    if not found:
        return {}
    key = f"k{max(next(iter(found.values()))['bound_samples'])}"  # the tightest bound
    runs = [(name, prior) for name in found for prior in PRIORS]
    best = max(runs, key=lambda run: found[run[0]][run[1]][key])
    bound = interval_of(found[best[0]][best[1]], key)
    text = {
        "beyond.generation.best_bound": (
            f"{run_label(points[best[0]], best[1])}: "
            + with_interval(*bound, text=True, unit="nats per face")
        )
    }
    text["beyond.generation.mixture"] = (
        "; ".join(
            twin_sentence(paired, points) for paired in tree.get("beyond.prior_twins", {}).values()
        )
        or "no learned mixture has a standard-prior twin"
    )
    text["beyond.generation.fitted_to"] = next(iter(found.values()))["fitted_to"]
    confidence = {run: found[run[0]][run[1]]["ethnicity_confidence"] for run in runs}
    low, high = min(confidence, key=confidence.get), max(confidence, key=confidence.get)
    real = next(iter(found.values()))["real"]["ethnicity_confidence"]
    text["beyond.generation.confidence"] = (
        f"from {format_number(confidence[low])} ({_short_label(points[low[0]], low[1])})"
        f" to {format_number(confidence[high])} ({_short_label(points[high[0]], high[1])}),"
        f" against {format_number(real)} on real test faces"
    )
    for task in ("gender", "ethnicity"):
        name, prior = min(runs, key=lambda run: found[run[0]][run[1]][f"{task}_tv"])
        distance = with_interval(*interval_of(found[name][prior], f"{task}_tv"), text=True)
        text[f"beyond.generation.{task}_tv"] = (
            f"{distance}, from the VAE with {run_label(points[name], prior)}"
        )
    return text


def _search_sentences(tree: dict) -> dict[str, str]:
    """The latent search against chapter 2's restorers, and the learning rates it chose."""
    restore, search = tree["restore"], tree["beyond.restore_search"]
    dB = lambda scores, key: with_interval(*interval_of(scores, key), text=True, unit="dB")
    found = search[ERASE]
    # Each comparison is the paired difference on the same faces (search minus restorer).
    versus = lambda scores, method, name: versus_paired(scores["versus"][method], name)
    beats = found["versus"]["biharmonic"]["ci95_low"] > 0
    text = {
        "beyond.search.erase": (
            f"the latent search scores {dB(found, 'region_psnr')} on the erased block, "
            + versus(found, "biharmonic", "biharmonic inpainting")
            + " and "
            + versus(found, "vae", "the encode-decode passes")
            + ", so it "
            + ("beats" if beats else "does not clearly beat")
            + " biharmonic inpainting, the goal set for it"
        )
    }
    prior = found.get("from_prior")
    if prior is not None:  # the same search started from the prior's mean code
        text["beyond.search.prior"] = (
            f"started from the prior's mean code instead, it scores {dB(prior, 'region_psnr')}"
            " on the erased block, " + versus(prior, "biharmonic", "biharmonic inpainting")
        )
    noise = tree["beyond.attribute_change"]["noise"]
    scores, found = restore[noise], search[noise]
    classical = best_classical(scores)
    gap = scores[classical]["psnr"] - scores["vae"]["psnr"]
    compared = (
        versus(found, "vae", "the encode-decode passes")
        + " and "
        + versus(found, classical, f"the best classical denoiser ({method_name(classical)})")
    )
    if gap <= 0:
        verdict = "the encode-decode passes already match the best classical denoiser"
    else:
        share = (found["psnr"] - scores["vae"]["psnr"]) / gap
        verdict = (
            f"it closes {format_percent(share)} of the {format_number(gap)}\\,dB gap between the"
            " two (a point estimate: the paired differences carry the intervals), "
            + ("at least half" if share >= 0.5 else "less than half")
            + ", the goal set for it"
        )
    text["beyond.search.noise"] = (
        f"at noise level {format_setting(noise_sigma(noise))} the latent search scores "
        f"{dB(found, 'psnr')}, {compared}: {verdict}"
    )
    # What a restorer that returns a decoded face is up against: how well the VAE renders
    # the clean faces themselves.
    clean = tree["vae.best"]["test_psnr"]
    # One more figure than elsewhere: the two numbers compared here can lie within 0.1 dB.
    half = format_number(scores["vae"]["psnr"] + gap / 2, 4)
    text["beyond.search.ceiling"] = (
        f"the chosen VAE renders the clean test faces themselves at {format_number(clean, 4)}\\,dB,"
        " so "
        + (
            f"halving the gap ({half}\\,dB) would take codes that render noisy faces better than"
            " the encoder's codes render clean ones"
            if clean < scores["vae"]["psnr"] + gap / 2
            else f"halving the gap ({half}\\,dB) is within what its decoder can render"
        )
    )
    chosen = [
        f"{format_setting(search[key]['rate'])} "
        + ("for inpainting" if key == ERASE else f"at noise {format_setting(noise_sigma(key))}")
        for key in [key for key in search if is_noise_key(key)] + [ERASE]
    ]
    text["beyond.search.rates"] = (
        f"of {', '.join(format_setting(rate) for rate in search['rates'])}, validation chose "
        + ", ".join(chosen[:-1])
        + f" and {chosen[-1]}"
    )
    return text


def _attribute_sentences(tree: dict) -> dict[str, str]:
    """How often the chosen VAE, the best classical denoiser, biharmonic inpainting and the
    damage itself change the predicted gender or ethnicity of a test face."""
    attributes = tree["beyond.attribute_change"]
    methods, best = attributes["methods"], tree["vae.best"]["name"]
    classical = best_classical(tree["restore"][attributes["noise"]])

    def share(key: str, task: str) -> str:
        cell = methods[key][task]
        return with_interval(*interval_of(cell, "changed"), text=True, percent=True, unit=r"\%")

    text = {}
    done = {
        "reconstruction": "reconstructions",
        "noise": "denoised faces",
        ERASE: "inpainted faces",
    }
    text["beyond.attributes.best"] = ", ".join(
        f"its {label} {share(method_key(best, what), 'ethnicity')}" for what, label in done.items()
    )
    cells = {
        group: cell
        for group, cell in methods[method_key(best, "reconstruction")]["ethnicity"].items()
        if isinstance(cell, dict) and cell["faces"] > 0
    }
    worst = max(cells, key=lambda group: cells[group]["changed"])
    text["beyond.attributes.worst_group"] = (
        f"faces labelled {group_words(worst)}, {format_percent(cells[worst]['changed'])} of which"
        " change ethnicity in the reconstruction"
    )
    text["beyond.attributes.classical"] = (
        f"{method_name(classical)} changes the predicted ethnicity of "
        f"{share(method_key(classical, 'noise'), 'ethnicity')} of the noisy faces it restores,"
        f" and biharmonic inpainting {share(method_key('biharmonic', ERASE), 'ethnicity')} of"
        " the erased ones"
    )
    text["beyond.attributes.gender"] = (
        f"{share(method_key(best, 'reconstruction'), 'gender')} for the reconstructions and "
        f"{share(method_key(best, ERASE), 'gender')} for the inpainted faces"
    )
    damaged = method_key("corrupted", "noise")
    text["beyond.attributes.damaged"] = (
        "the noisy faces themselves, unrestored, change the predicted ethnicity of "
        f"{share(damaged, 'ethnicity')} and the predicted gender of {share(damaged, 'gender')}"
    )
    return text


# What the VAE's reconstruction is set against (facevae.controls), in words.
CONTROL_WORDS = {"blur": ("the blur", "the blur's"), "pca": ("PCA", "PCA's")}
# A VAE-minus-control difference of changed shares, by its verdict (facevae.stats.verdict).
CONTROL_VERDICTS = {
    "higher": "so the VAE changes more labels than {}",
    "lower": "so the VAE changes fewer labels than {}",
    "unclear": "no clear difference",
}


def _percent(cell: dict, key: str, **options) -> str:
    return with_interval(*interval_of(cell, key), text=True, percent=True, **options)


def _controlled(shares: dict, task: str) -> str:
    """The VAE's share of changed labels among correctly labelled faces beside both
    controls' (``shares``: a task cell of attribute_change.json's controls)."""
    if not shares["faces"]:
        return f"no test face has its {task} labelled correctly, so nothing can be compared"
    share = lambda which: _percent(shares[which], "changed", unit=r"\%")  # noqa: E731
    return (
        f"the VAE changes the predicted {task} of {share('vae')} of the {shares['faces']}"
        f" correctly labelled faces, against {share('blur')} for a blur and {share('pca')} for"
        " PCA at the same PSNR"
    )


def _paired(shares: dict) -> str:
    """The VAE-minus-control differences, face by face, each with its interval first and then
    what the interval says."""
    if not shares["faces"]:
        return "no face to compare"
    parts = []
    for which, (name, its) in CONTROL_WORDS.items():
        cell = shares["paired"][which]
        size = _percent(cell, "difference", signed=True, unit="points")
        parts.append(f"minus {its} is {size}, {CONTROL_VERDICTS[cell['verdict']].format(name)}")
    return "face by face, the VAE's share " + "; its share ".join(parts)


def _control_sentences(tree: dict) -> dict[str, str]:
    """The chosen VAE's reconstruction against a blur and PCA at the same PSNR: the PSNR each
    reached, and, among correctly labelled test faces, how often each changes the predicted
    gender and ethnicity, overall and in the group the VAE changes most."""
    controls = tree["beyond.attribute_change"]["controls"]
    result = controls[method_key(tree["vae.best"]["name"], "reconstruction")]
    dB = lambda which: with_interval(  # noqa: E731
        *interval_of(result[which], "test_psnr"), text=True, unit="dB"
    )
    val = {which: format_number(result[which]["val_psnr"]) for which in ("vae", "blur", "pca")}
    text = {
        "beyond.attributes.controls.psnr": (
            f"a Gaussian blur of $\\sigma={format_number(result['blur']['sigma'])}$\\,px and PCA"
            f" with {result['pca']['components']}"
            f" component{'' if result['pca']['components'] == 1 else 's'}"
            f" reach {val['blur']} and {val['pca']}\\,dB on the validation faces,"
            f" against {val['vae']}\\,dB for the VAE; on the test faces they score"
            f" {dB('blur')} and {dB('pca')}, the VAE {dB('vae')}"
        )
    }
    for task in ("gender", "ethnicity"):
        text[f"beyond.attributes.controls.{task}"] = _controlled(result[task], task)
        text[f"beyond.attributes.controls.{task}_paired"] = _paired(result[task])
    groups = {
        group: cell
        for group, cell in result["ethnicity"].items()
        if isinstance(cell, dict) and cell.get("faces")
    }
    if groups:
        worst = max(groups, key=lambda group: groups[group]["vae"]["changed"])
        text["beyond.attributes.controls.group"] = (
            f"faces whose true ethnicity is {group_words(worst)}, where"
            f" {_controlled(groups[worst], 'ethnicity')}; {_paired(groups[worst])}"
        )
    else:
        text["beyond.attributes.controls.group"] = "no group has a correctly labelled face"
    return text


def restoration_sentences(tree: dict) -> dict[str, str]:
    """Clauses on restoration (``tree``: the stage results by prefix, with ``restore``,
    ``vae.best``, ``beyond.restore_search`` and ``beyond.attribute_change``)."""
    return _search_sentences(tree) | _attribute_sentences(tree) | _control_sentences(tree)
