"""Numbers for the report: merge per-stage JSON into one flat summary, write LaTeX macros.

The report never contains a typed number. It writes ``\\val{data.rows}``, and the macro file
made here defines one control sequence per summary key, so the key in the text is the key in
``results/summary.json``. An unknown key stops the LaTeX run (see report/report.tex).
"""

from __future__ import annotations

import math

_LATEX_SPECIAL = {c: "\\" + c for c in "&%$#_{}"} | {
    "~": r"\~{}",
    "^": r"\^{}",
    "\\": r"\textbackslash{}",
}


def flatten(tree: dict, prefix: str = "") -> dict:
    """{"a": {"b": 1}} -> {"prefix.a.b": 1}; leaves must be numbers, strings or booleans
    (a list of them, such as channel widths, becomes one string: "32, 64, 128")."""
    flat = {}
    for key, value in tree.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            flat.update(flatten(value, name))
        elif isinstance(value, (bool, int, float, str)):
            flat[name] = value
        elif isinstance(value, list) and all(isinstance(v, (int, float, str)) for v in value):
            flat[name] = ", ".join(map(str, value))
        else:
            raise TypeError(f"summary key {name!r} holds a {type(value).__name__}, not a number")
    return flat


def merge_parts(parts: dict[str, dict]) -> dict:
    """Flatten each stage's JSON under its prefix and merge, refusing duplicate keys."""
    summary = {}
    for prefix, tree in parts.items():
        for key, value in flatten(tree, prefix).items():
            if key in summary:
                raise ValueError(f"summary key {key!r} is written by two stages")
            summary[key] = value
    return dict(sorted(summary.items()))


def escape_latex(text: str) -> str:
    return "".join(_LATEX_SPECIAL.get(c, c) for c in text)


SIGNIFICANT = 3  # significant figures of every number in the report's text and tables


def format_number(value, digits: int = SIGNIFICANT) -> str:
    """LaTeX text of one number, the one formatter of macros and tables.

    Integers are grouped by thousands (23{,}705). Other numbers keep ``digits`` significant
    figures (6.03, 0.0122, 0.001), except that from 100 up they are rounded to whole units
    (1{,}235), and below 0.001 they are written as a power of ten (1.5 x 10^-5), so a small
    number never prints as 0.00.
    """
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}".replace(",", "{,}")
    if not math.isfinite(value):
        return r"\textemdash{}"
    size = abs(value)
    if size >= 100:
        return f"{round(value):,}".replace(",", "{,}")
    if size == 0 or size >= 1e-3:
        return f"{value:.{digits}g}"
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return rf"\ensuremath{{{mantissa}\times10^{{{int(exponent)}}}}}"


def with_interval(scores: dict, key: str, bold: bool = False) -> str:
    """Table cell of one score and its 95 % interval: 19.6 [19.4, 19.8] (interval smaller)."""
    text = format_number(scores[key])
    if bold:
        text = rf"\textbf{{{text}}}"
    low, high = scores.get(f"{key}_ci95_low"), scores.get(f"{key}_ci95_high")
    if low is None or high is None:
        return text
    return rf"{text} {{\scriptsize[{format_number(low)}, {format_number(high)}]}}"


def latex_macros(summary: dict) -> str:
    """One ``\\fv@<key>`` definition per key; fractions (keys naming an accuracy or a share,
    with their intervals and spreads) also get ``<key>.pct`` in percent."""
    lines = ["% Written by the workflow from results/summary.json; do not edit."]
    for key, value in summary.items():
        text = escape_latex(value) if isinstance(value, str) else format_number(value)
        lines.append(rf"\expandafter\def\csname fv@{key}\endcsname{{{text}}}")
        last = key.rsplit(".", 1)[-1]  # test_accuracy, test_accuracy_ci95_low, ...
        if isinstance(value, float) and ("accuracy" in last or "fraction" in last):
            pct = rf"{100 * value:.1f}\,\%" if math.isfinite(value) else r"\textemdash{}"
            lines.append(rf"\expandafter\def\csname fv@{key}.pct\endcsname{{{pct}}}")
    return "\n".join(lines) + "\n"


def latex_table(header: list, rows: list[list[str]], align: str) -> str:
    """Body of a booktabs tabular (cells already LaTeX), to \\input inside a table float.
    ``header`` is one row of cells or a list of rows."""
    header_rows = header if isinstance(header[0], list) else [header]
    lines = [rf"\begin{{tabular}}{{{align}}}", r"\toprule"]
    lines += [" & ".join(row) + r" \\" for row in header_rows]
    lines.append(r"\midrule")
    lines += [" & ".join(row) + r" \\" for row in rows]
    lines += [r"\bottomrule", r"\end{tabular}"]
    return "\n".join(lines) + "\n"


def model_label(point: dict) -> str:
    """LaTeX label of a VAE grid point: {latent: 256, beta: 0.01} -> $z=256$, $\\beta=0.01$,
    followed by the prior when it is a mixture (", mixture of $K=10$")."""
    label = rf"$z={point['latent']}$, $\beta={point['beta']:g}$"
    if point.get("prior", "normal") == "gmm":
        label += rf", mixture of $K={point['components']}$"
    return label


def baseline_label(name: str) -> str:
    """Name of a reconstruction yardstick of facevae.baselines: mean_face, pca<k>."""
    return "the mean training face" if name == "mean_face" else f"PCA with {name[3:]} components"


def schedule_phrase(vae: dict) -> str:
    """How the text describes the VAE's learning rate (settings ``lr``, ``lr_schedule`` and
    ``warmup``), to follow "trained with Adam using"."""
    if vae["lr_schedule"] == "constant":
        return f"a constant learning rate of {vae['lr']:g}"
    return (
        f"a one-cycle learning-rate schedule that rises from {vae['lr'] / 25:.2g} to"
        f" {vae['lr']:g} over the first {100 * vae['warmup']:g} % of the batches,"
        " then falls along a cosine almost to zero"
    )


# How the text names each restoration method (facevae.restore's method ids).
METHOD_NAMES = {
    "vae": "the VAE",
    "mean_filter": "the mean filter",
    "median": "the median filter",
    "gaussian": "Gaussian smoothing",
    "tv": "total-variation denoising",
    "nl_means": "non-local means",
    "wavelet": "wavelet shrinkage",
    "biharmonic": "biharmonic inpainting",
}


def best_classical(scores: dict[str, dict[str, float]], metric: str = "psnr") -> str:
    """The classical restorer (neither the damaged input nor the VAE) with the highest mean
    ``metric`` among one corruption's ``scores`` (facevae.restore.run_protocol)."""
    # Like facevae.restore.best_method, which the Snakefile cannot import cheaply (torch).
    return max(
        (m for m in scores if m not in ("corrupted", "vae")), key=lambda m: scores[m][metric]
    )


def method_name(method: str) -> str:
    return METHOD_NAMES.get(method, method.replace("_", " "))


# --- sentences whose truth depends on a result ---------------------------------------------
# The report never types "better" or "within the original's": it prints these, chosen from
# the numbers in results/summary.json.


def position(low: float, high: float, value: float) -> str:
    """Where ``value`` lies against the interval [low, high]: "above", "within" or "below"."""
    if value > high:
        return "above"
    if value < low:
        return "below"
    return "within"


def versus_published(scores: dict, key: str, published: float, percent: bool = False) -> str:
    """How our 95 % interval of ``key`` relates to the original's published value."""
    shown = f"{100 * published:.1f} %" if percent else f"{published:g}"
    where = position(scores[f"{key}_ci95_low"], scores[f"{key}_ci95_high"], published)
    return {
        "above": f"lower than the original's {shown} (which lies above our 95 % interval)",
        "below": f"higher than the original's {shown} (which lies below our 95 % interval)",
        "within": f"consistent with the original's {shown} (which lies inside our 95 % interval)",
    }[where]


def versus_method(ours: dict, theirs: dict, key: str, name: str) -> str:
    """Compare two methods' means of ``key`` by their 95 % intervals."""
    if ours[f"{key}_ci95_low"] > theirs[f"{key}_ci95_high"]:
        return f"higher than that of {name} (the 95 % intervals do not overlap)"
    if ours[f"{key}_ci95_high"] < theirs[f"{key}_ci95_low"]:
        return f"lower than that of {name} (the 95 % intervals do not overlap)"
    return f"not clearly different from that of {name} (the 95 % intervals overlap)"


def result_sentences(tree: dict, paper: dict) -> dict:
    """Text of every result-dependent clause of the report, keyed like the summary.

    ``tree`` holds the stage results by prefix ("cnn.gender", "restore", ...), ``paper``
    the original's published numbers ({"cnn": {task: {metric: value}}}).
    """
    text = {}
    for task, published in paper["cnn"].items():
        scores = tree[f"cnn.{task}"]
        for metric, value in published.items():
            percent = metric.endswith("accuracy")
            text[f"cnn.{task}.{metric}"] = versus_published(scores, metric, value, percent)
    best, clauses = tree["vae.best"], []
    for name, scores in tree.get("vae.baseline", {}).items():
        compared = versus_method(best, scores, "test_psnr", baseline_label(name))
        clauses.append(f"{compared} at {scores['test_psnr']:.3g} dB")
    if clauses:
        text["vae.versus_baselines"] = "; ".join(clauses)
    restore = tree["restore"]
    noise, erase = restore["noise"], restore["erase"]
    if "mean_filter" in noise:
        text["restore.noise.vae_vs_mean_filter"] = versus_method(
            noise["vae"], noise["mean_filter"], "psnr", "the mean filter"
        )
    text["restore.erase.vae_vs_biharmonic"] = versus_method(
        erase["vae"], erase["biharmonic"], "region_psnr", "biharmonic inpainting"
    )
    return text


# --- chapter 3 -------------------------------------------------------------------------------


def change_phrase(versus: dict, key: str, what: str, unit: str = "points") -> str:
    """How a variant moved one metric from its reference, read from its paired difference
    (facevae.metrics.paired_differences): "raised the macro F1 by 3.1 points (95 % interval
    of the change: 1.2 to 5.0)", or "left ... unchanged within noise (...)" when the
    interval includes zero. Fractions are shown in points (x100), anything else as is."""
    scale = 100 if unit == "points" else 1
    value, low, high = (
        scale * versus[f"{key}_diff{end}"] for end in ("", "_ci95_low", "_ci95_high")
    )
    interval = f"95 % interval of the change: {low:+.2g} to {high:+.2g}"
    if low > 0 or high < 0:
        verb = "raised" if value > 0 else "lowered"
        return f"{verb} the {what} by {abs(value):.2g} {unit} ({interval})"
    return f"left the {what} unchanged within noise ({value:+.2g} {unit}; {interval})"


def readable(name: str) -> str:
    """A variant or ingredient name as prose: reweight_augment -> "reweight + augment"."""
    return name.replace("_without_", " without ").replace("_", " + ")


def recipe_phrase(variant: dict) -> str:
    """The settings a variant changes, as prose (its ``tasks`` apart)."""
    parts = []
    for key, value in variant.items():
        if key in ("tasks", "lr", "warmup"):
            continue
        if key == "lr_schedule" and value == "onecycle":
            peak, warmup = variant.get("lr", 3e-3), variant.get("warmup", 0.3)
            parts.append(
                f"a one-cycle learning rate peaking at {peak:g} after {100 * warmup:g} % of"
                " the batches"
            )
        elif value is True:
            parts.append(key.replace("_", " "))
        elif isinstance(value, list):
            parts.append(f"{key.replace('_', ' ')} {', '.join(str(v) for v in value)}")
        else:
            parts.append(f"{key.replace('_', ' ')} {value}")
    return "; ".join(parts)


def beyond_sentences(tree: dict, beyond: dict, smallest_class: str) -> dict:
    """Text of chapter 3's result-dependent clauses (``tree`` as in ``result_sentences``;
    ``beyond`` the settings; ``smallest_class``: the ethnicity key with fewest training faces)."""
    text = {}
    remedies = beyond["imbalance"]
    for name in remedies:
        versus = tree[f"beyond.{name}.ethnicity"]["versus"]
        text[f"beyond.{name}.effect"] = "; ".join(
            [
                change_phrase(versus, "test_macro_f1", "macro F1"),
                change_phrase(
                    versus, f"test_recall_{smallest_class}", "recall of the smallest class"
                ),
                change_phrase(versus, "test_accuracy", "accuracy"),
            ]
        )
    if remedies:
        chosen = max(remedies, key=lambda n: tree[f"beyond.{n}.ethnicity"]["val_macro_f1"])
        text["beyond.imbalance.chosen"] = readable(chosen)
        versus = tree[f"beyond.{chosen}.ethnicity"]["versus"]
        goals = {
            "macro F1 up by at least 3 points": versus["test_macro_f1_diff"] >= 0.03,
            "recall of the smallest class up by at least 10 points": versus[
                f"test_recall_{smallest_class}_diff"
            ]
            >= 0.10,
            "no clear loss of accuracy": versus["test_accuracy_diff_ci95_high"] >= 0,
        }
        met = [goal for goal, ok in goals.items() if ok]
        missed = [goal for goal, ok in goals.items() if not ok]
        text["beyond.imbalance.goals"] = (
            "it meets all three goals set for it (" + "; ".join(met) + ")"
            if not missed
            else "it misses the goals "
            + " and ".join(f"({g})" for g in missed)
            + (f", and meets {' and '.join(f'({g})' for g in met)}" if met else "")
        )
    improved = beyond["improved"]
    text["beyond.improved.settings"] = recipe_phrase(beyond["variants"][improved])
    headline = {
        "gender": ("test_accuracy", "accuracy", "points"),
        "ethnicity": ("test_accuracy", "accuracy", "points"),
        "age": ("test_mae", "mean absolute error", "years"),
    }
    for task, (key, what, unit) in headline.items():
        scores = tree.get(f"beyond.{improved}.{task}")
        if scores is not None:
            text[f"beyond.improved.{task}"] = change_phrase(scores["versus"], key, what, unit)
    helped, idle = [], []
    for ingredient in beyond["ablation"]:
        worse = []
        for task, (key, _, _) in headline.items():
            scores = tree.get(f"beyond.{improved}_without_{ingredient}.{task}")
            if scores is None:
                continue
            change = scores["versus"]["val_" + key.removeprefix("test_") + "_diff"]
            worse.append(change > 0 if key == "test_mae" else change < 0)
        (helped if any(worse) else idle).append(ingredient.replace("_", " "))
    if beyond["ablation"]:
        text["beyond.ablation.helped"] = ", ".join(helped) if helped else "none of them"
        text["beyond.ablation.idle"] = ", ".join(idle) if idle else "none"
    fairness = tree.get("beyond.fairness", {})
    for model, tasks in fairness.items():
        for task, groupings in tasks.items():
            for by, groups in groupings.items():
                cells = {g: c for g, c in groups.items() if g != "gap" and c["faces"] > 0}
                worst = min(cells, key=lambda g: cells[g]["accuracy"])
                best = max(cells, key=lambda g: cells[g]["accuracy"])
                gap = {k: 100 * v for k, v in groups["gap"].items()}
                text[f"beyond.fairness.{model}.{task}.{by}"] = (
                    f"from {100 * cells[worst]['accuracy']:.1f} % ({worst.replace('_', ' ')})"
                    f" to {100 * cells[best]['accuracy']:.1f} % ({best.replace('_', ' ')}),"
                    f" a gap of {gap['accuracy']:.1f} points (95 % interval"
                    f" {gap['accuracy_ci95_low']:.1f} to {gap['accuracy_ci95_high']:.1f})"
                )
    return text


def _prior_label(point: dict, prior: str) -> str:
    """A VAE and one of its priors in prose: "latent 256, beta 0.01, learned mixture"."""
    if prior == "fitted":
        kind = "with a mixture fitted to its codes"
    elif point.get("prior", "normal") == "gmm":
        kind = f"with its learned mixture of {point['components']}"
    else:
        kind = "with its standard normal prior"
    return f"latent {point['latent']}, beta {point['beta']:g}, {kind}"


def _with_interval(scores: dict, key: str, digits: str = ".1f") -> str:
    low, high = scores[f"{key}_ci95_low"], scores[f"{key}_ci95_high"]
    return f"{scores[key]:{digits}} (95 % interval {low:{digits}} to {high:{digits}})"


def generation_sentences(tree: dict, points: dict) -> dict:
    """Text of chapter 3's generation results (``tree``: parts by prefix, with
    ``beyond.generation.<vae>``; ``points``: every VAE's grid point by name)."""
    found = {name: tree[f"beyond.generation.{name}"] for name in points}
    if not found:
        return {}
    k = max(next(iter(found.values()))["bound_samples"])
    key = f"k{k}"
    runs = [(name, prior) for name in found for prior in ("own", "fitted")]
    best = max(runs, key=lambda run: found[run[0]][run[1]][key])
    text = {
        "beyond.generation.best_bound": (
            f"{_prior_label(points[best[0]], best[1])}: "
            f"{_with_interval(found[best[0]][best[1]], key)} nats per face"
        )
    }
    # Each learned mixture against its standard-prior twin (same latent size and beta), face
    # by face on the same test faces (rule prior_twins).
    compared = []
    for name, paired in tree.get("beyond.prior_twins", {}).items():
        point, change = points[name], paired["difference"]
        low, high = paired["difference_ci95_low"], paired["difference_ci95_high"]
        clear = "a clear difference" if low > 0 or high < 0 else "no clear difference"
        compared.append(
            f"at latent {point['latent']} and beta {point['beta']:g} the learned mixture "
            f"{'raises' if change > 0 else 'lowers'} the bound by {abs(change):.1f} nats"
            f" (paired 95 % interval {low:+.1f} to {high:+.1f}, {clear})"
        )
    text["beyond.generation.mixture"] = (
        "; ".join(compared) if compared else "no learned mixture has a standard-prior twin"
    )
    confidence = {run: found[run[0]][run[1]]["ethnicity_confidence"] for run in runs}
    low, high = min(confidence, key=confidence.get), max(confidence, key=confidence.get)
    real = next(iter(found.values()))["real"]["ethnicity_confidence"]
    text["beyond.generation.confidence"] = (
        f"from {confidence[low]:.2f} (latent {points[low[0]]['latent']}, beta "
        f"{points[low[0]]['beta']:g}, {'fitted mixture' if low[1] == 'fitted' else 'own prior'})"
        f" to {confidence[high]:.2f} (latent {points[high[0]]['latent']}, beta "
        f"{points[high[0]]['beta']:g}, {'fitted mixture' if high[1] == 'fitted' else 'own prior'}),"
        f" against {real:.2f} on real test faces"
    )
    for task in ("gender", "ethnicity"):
        closest = min(runs, key=lambda run: found[run[0]][run[1]][f"{task}_tv"])
        text[f"beyond.generation.{task}_tv"] = (
            f"{_with_interval(found[closest[0]][closest[1]], f'{task}_tv', '.2f')}, from the"
            f" VAE with {_prior_label(points[closest[0]], closest[1])}"
        )
    return text


def restoration_sentences(tree: dict) -> dict:
    """Text of chapter 3's restoration results: the latent search against chapter 2's
    restorers, and how often a restorer changes the predicted gender or ethnicity
    (``tree``: parts by prefix, with ``restore``, ``vae.best``, ``beyond.restore_search``
    and ``beyond.attribute_change``)."""
    restore, search = tree["restore"], tree["beyond.restore_search"]
    attributes = tree["beyond.attribute_change"]
    text = {}

    def dB(scores, key):
        low, high = scores[f"{key}_ci95_low"], scores[f"{key}_ci95_high"]
        return f"{scores[key]:.2f} dB ({low:.2f} to {high:.2f})"

    erase = restore["erase"]
    found = search["erase"]
    beats = found["region_psnr_ci95_low"] > erase["biharmonic"]["region_psnr_ci95_high"]
    text["beyond.search.erase"] = (
        f"the latent search scores {dB(found, 'region_psnr')} on the erased block, against "
        f"{dB(erase['biharmonic'], 'region_psnr')} for biharmonic inpainting and "
        f"{dB(erase['vae'], 'region_psnr')} for the encode-decode passes, so it "
        + (
            "beats biharmonic inpainting, the goal set for it"
            if beats
            else "does not clearly beat biharmonic inpainting, the goal set for it"
        )
    )
    noise = attributes["noise"]
    scores = restore[noise]
    classical = best_classical(scores)
    gap = scores[classical]["psnr"] - scores["vae"]["psnr"]
    closed = search[noise]["psnr"] - scores["vae"]["psnr"]
    share = closed / gap if gap > 0 else float("nan")
    if gap <= 0:
        verdict = "the encode-decode passes already match the best classical denoiser"
    else:
        verdict = (
            f"it closes {100 * share:.0f} % of the {gap:.2f} dB gap between the encode-decode "
            f"passes and the best classical denoiser ({method_name(classical)}), "
            + (
                "at least half, the goal set for it"
                if share >= 0.5
                else "less than half, the goal set for it"
            )
        )
    text["beyond.search.noise"] = (
        f"at noise level {noise.removeprefix('noise_s')} the latent search scores "
        f"{dB(search[noise], 'psnr')}: {verdict}"
    )
    # What a restorer that returns a decoded face is up against: how well the VAE renders
    # the clean faces themselves.
    clean = tree["vae.best"]["test_psnr"]
    half = scores["vae"]["psnr"] + gap / 2
    text["beyond.search.ceiling"] = (
        f"the chosen VAE renders the clean test faces themselves at {clean:.2f} dB, so "
        + (
            f"halving the gap ({half:.2f} dB) would take codes that render noisy faces "
            f"better than the encoder's codes render clean ones"
            if clean < half
            else f"halving the gap ({half:.2f} dB) is within what its decoder can render"
        )
    )
    damages = [key for key in search if key.startswith("noise_s")] + ["erase"]
    chosen = [
        f"{search[key]['rate']:g} "
        + ("for inpainting" if key == "erase" else f"at noise {key.removeprefix('noise_s')}")
        for key in damages
    ]
    text["beyond.search.rates"] = (
        f"of {', '.join(f'{rate:g}' for rate in search['rates'])}, validation chose "
        + ", ".join(chosen[:-1])
        + f" and {chosen[-1]}"
    )
    best = tree["vae.best"]["name"]
    methods = attributes["methods"]

    def share_of(method, task):
        cell = methods[method][task]
        return (
            f"{100 * cell['changed']:.1f} % ({100 * cell['changed_ci95_low']:.1f} to "
            f"{100 * cell['changed_ci95_high']:.1f})"
        )

    parts = []
    for what, label in (
        ("reconstruction", "reconstructions"),
        ("noise", "denoised faces"),
        ("erase", "inpainted faces"),
    ):
        parts.append(f"its {label} {share_of(f'{best}.{what}', 'ethnicity')}")
    text["beyond.attributes.best"] = ", ".join(parts)
    cells = {
        g: c
        for g, c in methods[f"{best}.reconstruction"]["ethnicity"].items()
        if isinstance(c, dict) and c["faces"] > 0
    }
    worst = max(cells, key=lambda g: cells[g]["changed"])
    text["beyond.attributes.worst_group"] = (
        f"faces labelled {worst.replace('_', ' ')}, {100 * cells[worst]['changed']:.1f} % of which "
        "change ethnicity in the reconstruction"
    )
    text["beyond.attributes.classical"] = (
        f"{method_name(classical)} changes the predicted ethnicity of "
        f"{share_of(f'{classical}.noise', 'ethnicity')} of the noisy faces it restores, and "
        f"biharmonic inpainting {share_of('biharmonic.erase', 'ethnicity')} of the erased ones"
    )
    text["beyond.attributes.gender"] = (
        f"{share_of(f'{best}.reconstruction', 'gender')} for the reconstructions and "
        f"{share_of(f'{best}.erase', 'gender')} for the inpainted faces"
    )
    text["beyond.attributes.damaged"] = (
        f"the noisy faces themselves, unrestored, change the predicted ethnicity of "
        f"{share_of('corrupted.noise', 'ethnicity')} and the predicted gender of "
        f"{share_of('corrupted.noise', 'gender')}"
    )
    return text
