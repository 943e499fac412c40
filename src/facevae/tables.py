"""The report's generated LaTeX tables, each built from the stages' JSON and the settings.

Every function takes the loaded results (dictionaries as the stages write them) and returns
the body of a booktabs tabular for ``\\input`` (facevae.latex.latex_table); the scripts
table_*.py only read the files and write what these return. Scores are printed with their
95 % intervals by facevae.latex.with_interval, and a VAE setting is named by
facevae.names.vae_label.
"""

from __future__ import annotations

from facevae.better import is_best
from facevae.data import ETHNICITY_KEYS
from facevae.latex import (
    escape_latex,
    estimate_of,
    format_number,
    format_setting,
    interval_of,
    latex_table,
    with_interval,
)
from facevae.names import (
    ERASE,
    ablation_name,
    damage_keys,
    group_name,
    method_key,
    noise_key,
    noise_sigma,
    parse_method_key,
    vae_label,
    vae_point,
)
from facevae.report import baseline_label, best_classical, method_name, readable
from facevae.vae_recipe import INGREDIENT_NAMES

NONE = "---"  # a cell with nothing to show


def cell(scores: dict, key: str, **options) -> str:
    """One score of ``scores`` with its interval, when it has one (options: with_interval's)."""
    return with_interval(*interval_of(scores, key), **options)


# --- chapter 1 -------------------------------------------------------------------------------

CNN_ROWS = [  # task, key, label, shown in percent
    ("gender", "test_accuracy", r"gender accuracy (\%)", True),
    ("ethnicity", "test_accuracy", r"ethnicity accuracy (\%)", True),
    ("ethnicity", "test_macro_f1", "ethnicity macro F1", False),
    ("age", "test_mae", "age MAE (years)", False),
    ("age", "test_rmse", "age RMSE (years)", False),
]


def cnn_table(metrics: dict[str, dict], paper: dict[str, dict]) -> str:
    """Every task's test metrics (mean over training seeds with its 95 % interval, spread
    across seeds) beside the original's published numbers (``paper``: {task: {key: value}},
    a dash where the original gives none). ``metrics``: each task's metrics.json."""
    rows = []
    for task, key, label, percent in CNN_ROWS:
        scores, published = metrics[task], paper.get(task, {}).get(key)
        rows.append(
            [
                label,
                cell(scores, key, percent=percent),
                with_interval(scores[f"{key}_seed_sd"], percent=percent),
                NONE if published is None else with_interval(published, percent=percent),
            ]
        )
    header = ["", r"mean over seeds [95\,\% interval]", "s.d. across seeds", "original"]
    return latex_table(header, rows, "lrrr")


# --- chapter 2 -------------------------------------------------------------------------------


def vae_table(metrics: dict[str, dict], points: dict, best: str, baselines: dict) -> str:
    """The VAE grid's test metrics, one row per grid point (``metrics``: each point's
    metrics.json by name; ``points``: the grid points by name; ``best``: the name of the one
    chosen on validation, marked), below the yardsticks of ``baselines``."""

    def row(label: str, scores: dict, seconds: str = NONE) -> list[str]:
        # MSE per pixel in thousandths, so that its interval stays short (a spread over a
        # single seed is missing: null in the JSON).
        scores = scores | {
            k.replace("test_mse", "mse_milli"): None if v is None else 1000 * v
            for k, v in scores.items()
            if "test_mse" in k
        }
        spread = scores.get("test_psnr_seed_sd")
        cells = [cell(scores, key) for key in ("test_psnr", "test_ssim", "mse_milli")]
        return [label, *cells, NONE if spread is None else format_number(spread), seconds]

    rows = [row(baseline_label(name), scores) for name, scores in baselines.items()]
    for name, scores in metrics.items():
        label = vae_label(points[name]) + (" (chosen)" if name == best else "")
        rows.append(row(label, scores, format_number(round(scores["train_seconds"]))))
    header = ["model", "PSNR (dB)", "SSIM", r"MSE ($10^{-3}$)", "PSNR s.d.", "time (s)"]
    return latex_table(header, rows, "lrrrrr")


def restore_table(metrics: dict, columns: list[tuple[str, str, str]]) -> str:
    """Every restorer on some damages of restore/metrics.json (``metrics``: {damage: {method:
    scores}}); ``columns``: (damage, score key, header) each. One row per method seen in
    those damages, in the order first seen; the best restorer of each column (not the
    damaged input) in bold, a dash where a method did not run."""
    methods = list(dict.fromkeys(m for damage, _, _ in columns for m in metrics[damage]))
    restored = {
        (damage, key): [v[key] for m, v in metrics[damage].items() if m != "corrupted"]
        for damage, key, _ in columns
    }
    rows = []
    for method in methods:
        cells = ["VAE" if method == "vae" else escape_latex(method.replace("_", " "))]
        for damage, key, _ in columns:
            scores = metrics[damage].get(method)
            if scores is None:
                cells.append(NONE)
                continue
            best = method != "corrupted" and is_best(scores[key], restored[(damage, key)], key)
            cells.append(cell(scores, key, bold=best))
        rows.append(cells)
    header = ["method"] + [title for _, _, title in columns]
    return latex_table(header, rows, "l" + "r" * len(columns))


def restore_noise_table(metrics: dict, noise_sigmas: list[float]) -> str:
    """PSNR and SSIM of every restorer at every noise level."""
    columns = [
        (noise_key(sigma), key, rf"{name} ($\sigma={format_setting(sigma)}$)")
        for sigma in noise_sigmas
        for key, name in (("psnr", "PSNR"), ("ssim", "SSIM"))
    ]
    return restore_table(metrics, columns)


def restore_erase_table(metrics: dict) -> str:
    """Every inpainting method on the erased block: whole faces and the block alone."""
    columns = [
        (ERASE, "psnr", "PSNR, face"),
        (ERASE, "region_psnr", "PSNR, block"),
        (ERASE, "region_ssim", "SSIM, block"),
        (ERASE, "region_mse", "MSE, block"),
    ]
    return restore_table(metrics, columns)


# --- chapter 3: the CNN variants -----------------------------------------------------------

PERCENT = ("accuracy", "macro_f1", "recall")  # metrics shown in percent
IMPROVED_ROWS = {  # task: (key, label) each
    "gender": [("test_accuracy", r"gender accuracy (\%)")],
    "ethnicity": [
        ("test_accuracy", r"ethnicity accuracy (\%)"),
        ("test_macro_f1", r"ethnicity macro F1 (\%)"),
    ],
    "age": [("test_mae", "age MAE (years)"), ("test_rmse", "age RMSE (years)")],
}
# The score each task is judged by in the ablation, and its unit in the header.
ABLATION = {
    "gender": ("accuracy", r"accuracy, \%"),
    "ethnicity": ("accuracy", r"accuracy, \%"),
    "age": ("mae", "MAE, years"),
}


def _in_percent(key: str) -> bool:
    return any(name in key for name in PERCENT)


def _change(scores: dict, key: str) -> str:
    """A variant's paired change of ``key`` from its reference, with its interval."""
    return cell(scores["versus"], f"{key}_diff", signed=True, percent=_in_percent(key))


def imbalance_table(paper: dict, variants: dict[str, dict], imbalance: list[str]) -> str:
    """The imbalance remedies against the paper model on ethnicity: one column per model, the
    test scores and each class's recall as rows (``paper``: the paper model's ethnicity
    metrics; ``variants``: {variant: {task: metrics}}; ``imbalance``: the remedies' names)."""
    models = {"paper model": paper} | {
        escape_latex(readable(name)): variants[name]["ethnicity"] for name in imbalance
    }
    keys = [
        ("test_accuracy", r"accuracy (\%)"),
        ("test_macro_f1", r"macro F1 (\%)"),
        *[
            (f"test_recall_{group}", rf"recall: {group_name(group)} (\%)")
            for group in ETHNICITY_KEYS
        ],
    ]
    rows = [[label] + [cell(m, key, percent=True) for m in models.values()] for key, label in keys]
    rows.append(
        [r"validation macro F1 (\%)"]
        + [with_interval(m["val_macro_f1"], percent=True) for m in models.values()]
    )
    return latex_table([""] + list(models), rows, "l" + "r" * len(models))


def improved_table(paper: dict[str, dict], improved: dict[str, dict]) -> str:
    """The improved recipe against the paper model, task by task: each with its interval and
    spread across seeds, and the paired change (``paper``, ``improved``: {task: metrics})."""
    rows = []
    for task, labels in IMPROVED_ROWS.items():
        if task not in improved:
            continue
        ours, theirs = improved[task], paper[task]
        for key, label in labels:
            percent = _in_percent(key)
            rows.append(
                [
                    label,
                    cell(theirs, key, percent=percent),
                    with_interval(theirs[f"{key}_seed_sd"], percent=percent),
                    cell(ours, key, percent=percent),
                    with_interval(ours[f"{key}_seed_sd"], percent=percent),
                    _change(ours, key),
                ]
            )
    header = ["", "paper model", "s.d.", "improved", "s.d.", "change"]
    return latex_table(header, rows, "lrrrrr")


def ensemble_table(improved: dict[str, dict], ensemble: dict[str, dict]) -> str:
    """The improved recipe's single models (mean over seeds) beside their ensemble, without
    and with flipped faces (``ensemble``: beyond/ensemble.json), and the change from the
    single models to the ensemble with flips (paired by face)."""
    plain, flipped = ensemble["ensemble"], ensemble["ensemble_flip"]
    rows = []
    for task, labels in IMPROVED_ROWS.items():
        if task not in flipped:
            continue
        for key, label in labels:
            percent = _in_percent(key)
            rows.append(
                [label]
                + [
                    cell(scores[task], key, percent=percent)
                    for scores in (improved, plain, flipped)
                ]
                + [_change(flipped[task], key)]
            )
    header = ["", "single models", "ensemble", "ensemble, flips", "change"]
    return latex_table(header, rows, "lrrrr")


def ablation_table(variants: dict[str, dict], improved: str, ablation: list[str]) -> str:
    """The improved recipe without one ingredient at a time, against the full recipe: the
    change of the validation score / of the test score with its paired interval, a dash
    where the ingredient does not touch the task (``variants``: {variant: {task: metrics}};
    ``improved``: the recipe's name; ``ablation``: the ingredients)."""
    full = variants[improved]
    tasks = [task for task in ABLATION if task in full]
    headline = {task: ABLATION[task][0] for task in tasks}
    rows = [
        ["full recipe"]
        + [
            f"{with_interval(full[t][f'val_{m}'], percent=_in_percent(m))} / "
            f"{with_interval(full[t][f'test_{m}'], percent=_in_percent(m))}"
            for t, m in headline.items()
        ]
    ]
    for ingredient in ablation:
        runs = variants[ablation_name(improved, ingredient)]
        row = [f"without {escape_latex(ingredient.replace('_', ' '))}"]
        for task, metric in headline.items():
            if task not in runs:
                row.append(NONE)
                continue
            val = runs[task]["versus"][f"val_{metric}_diff"]
            shown = with_interval(val, signed=True, percent=_in_percent(metric))
            row.append(f"{shown} / {_change(runs[task], f'test_{metric}')}")
        rows.append(row)
    header = [""] + [f"{task} ({ABLATION[task][1]})" for task in tasks]
    return latex_table(header, rows, "l" + "r" * len(tasks))


# --- chapter 3: the VAE ---------------------------------------------------------------------


def generation_table(metrics: dict[str, dict], points: dict) -> str:
    """Per VAE (``metrics``: each one's beyond/generation JSON by name; ``points``: the grid
    points by name) and prior (its own, a mixture fitted to its codes): the ELBO and the
    tightest importance-weighted bound on the test faces, and the total variation distance,
    in points, between the labels the classifiers give its samples and real faces. Only the
    bound's interval is shown; the ELBO's is about as wide."""
    rows, k = [], None
    for name, found in metrics.items():
        k = max(found["bound_samples"])
        point = vae_point(points[name])
        for prior in ("own", "fitted"):
            scores = found[prior]
            own = "mixture" if point["prior"] == "gmm" else "normal"
            rows.append(
                [
                    vae_label(point) if prior == "own" else "",
                    own if prior == "own" else "fitted",
                    format_number(scores["elbo"]),
                    cell(scores, f"k{k}"),
                    cell(scores, "gender_tv", percent=True),
                    cell(scores, "ethnicity_tv", percent=True),
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
    return latex_table(header, rows, "llrrrr")


# The columns of the twin table: the difference of the bounds and its parts
# (facevae.generation.BOUND_PARTS), which sum to it.
TWIN_COLUMNS = [
    ("difference", "difference"),
    ("recon", "reconstruction"),
    ("variance", "variance constant"),
    ("minus_kl", "$-$KL"),
    ("iw_gap", "IW gap"),
]


def prior_twins_table(twins: dict[str, dict], points: dict) -> str:
    """Each learned-mixture VAE against its standard-prior twin (``twins``: prior_twins.json
    by the mixture's name; ``points``: the grid points by name): the mean difference of their
    bounds, seed by seed and face by face, and its four parts (which sum to it), each with
    its 95 % interval, in nats per face. A positive value favours the mixture."""
    rows = [
        [vae_label(points[name]), str(len(paired["seeds"]))]
        + [cell(paired, key, signed=True) for key, _ in TWIN_COLUMNS]
        for name, paired in twins.items()
    ]
    if not rows:
        rows = [["no learned mixture has a standard-prior twin", ""] + [NONE] * len(TWIN_COLUMNS)]
    header = ["mixture VAE", "seeds"] + [label for _, label in TWIN_COLUMNS]
    return latex_table(header, rows, "lr" + "r" * len(TWIN_COLUMNS))


def restore_search_table(
    search: dict, restore: dict, noise_sigmas: list[float], recipe: dict | None = None
) -> str:
    """One column per damage, one row per restorer: the damaged input, the best classical
    restorer (named in the row below it) and the chosen VAE's encode-decode passes (chapter
    2's scores, ``restore``: restore/metrics.json), the latent search in its latent space
    (``search``: beyond/restore_search.json), from its encoder's code and from the prior's
    mean, and the same for the improved VAE (``recipe``: beyond/recipe/restore_search.json,
    with that model's own passes) when it ran. The erased block decides inpainting: outside
    it every method returns the input."""
    damages = damage_keys(noise_sigmas)
    key = {damage: "region_psnr" if damage == ERASE else "psnr" for damage in damages}
    best = {damage: best_classical(restore[damage], key[damage]) for damage in damages}

    def row(label: str, scores_of) -> list[str]:
        """A restorer's scores per damage; ``scores_of(damage)`` is None where it did not run."""
        found = [scores_of(damage) for damage in damages]
        return [label] + [NONE if f is None else cell(f, key[d]) for f, d in zip(found, damages)]

    prior = lambda found: lambda d: found[ERASE].get("from_prior") if d == ERASE else None  # noqa: E731
    rows = [
        row("damaged input", lambda d: restore[d]["corrupted"]),
        row("best classical restorer", lambda d: restore[d][best[d]]),
        [r"\quad which"] + [method_name(best[d]) for d in damages],
        row("chosen VAE: encode-decode passes", lambda d: restore[d]["vae"]),
        row(r"\quad latent search", lambda d: search[d]),
        row(r"\quad latent search from the prior's mean", prior(search)),
    ]
    if recipe:
        passes = "passes" in recipe[ERASE]
        if passes:
            rows.append(row("improved VAE: encode-decode passes", lambda d: recipe[d]["passes"]))
        search_label = r"\quad latent search" if passes else "improved VAE: latent search"
        rows.append(row(search_label, lambda d: recipe[d]))
        rows.append(row(r"\quad latent search from the prior's mean", prior(recipe)))
    header = ["restorer"] + [
        "erased block" if d == ERASE else rf"noise $\sigma={format_setting(noise_sigma(d))}$"
        for d in damages
    ]
    return latex_table(header, rows, "l" + "r" * len(damages))


APPLIED_TO = {"reconstruction": "clean faces", "noise": "noisy faces", ERASE: "erased faces"}


def attribute_change_table(attributes: dict, points: dict, best: str) -> str:
    """The share of test faces whose predicted gender or ethnicity a restorer changes, one row
    per restorer and what it undid (``attributes``: beyond/attribute_change.json; ``points``:
    the VAE grid points by name; ``best``: the chosen VAE's name, marked)."""

    def restorer(name: str) -> str:
        if name == "corrupted":
            return "none (the damaged face itself)"
        if name == "search":
            return "latent search"
        if name in points:
            return f"VAE {vae_label(points[name])}" + (" (chosen)" if name == best else "")
        return method_name(name)

    rows = []
    for method, scores in attributes["methods"].items():
        name, what = parse_method_key(method)
        rows.append(
            [
                restorer(name),
                APPLIED_TO[what],
                cell(scores["gender"], "changed", percent=True),
                cell(scores["ethnicity"], "changed", percent=True),
            ]
        )
    header = ["restorer", "applied to", r"gender changed (\%)", r"ethnicity changed (\%)"]
    return latex_table(header, rows, "llrr")


CONTROLLED = ("vae", "blur", "pca")  # the columns of the control table, the VAE first


def attribute_control_table(attributes: dict, points: dict, best: str) -> str:
    """Each VAE's reconstruction of the clean test faces against a blur and a PCA projection
    tuned to the same validation PSNR (``attributes``: beyond/attribute_change.json, its
    ``controls``; ``points``: the VAE grid points by name; ``best``: the chosen VAE, first and
    marked). Per VAE: the test PSNR of each, the blur's sigma and PCA's number of components,
    then per task the share of correctly labelled faces whose label changes and the VAE's
    paired difference from each control, in percentage points, with 95 % intervals."""
    controls = attributes["controls"]
    chosen = method_key(best, "reconstruction")
    keys = sorted(controls, key=lambda key: key != chosen)  # stable: the chosen VAE first
    rows = []
    for key in keys:
        result, (name, _) = controls[key], parse_method_key(key)
        label = f"{vae_label(points[name])}" + (" (chosen)" if key == chosen else "")
        psnr = [cell(result[w], "test_psnr") for w in CONTROLLED]
        rows.append([label, "test PSNR (dB)", *psnr, NONE, NONE])
        rows.append(
            [
                "",
                "setting matched on validation",
                NONE,
                rf"$\sigma={format_number(result['blur']['sigma'])}$ px",
                rf"$k={result['pca']['components']}$",
                NONE,
                NONE,
            ]
        )
        for task in ("gender", "ethnicity"):
            shares = result[task]
            measure = rf"{task} changed (\%), {shares['faces']} faces"
            if not shares["faces"]:
                rows.append(["", measure] + [NONE] * 5)
                continue
            changed = [cell(shares[w], "changed", percent=True) for w in CONTROLLED]
            paired = [
                cell(shares["paired"][w], "difference", percent=True, signed=True)
                for w in CONTROLLED[1:]
            ]
            rows.append(["", measure, *changed, *paired])
    header = ["VAE", "", "VAE", "blur", "PCA", r"VAE $-$ blur", r"VAE $-$ PCA"]
    return latex_table(header, rows, "llrrrrr")


# --- chapter 3: the improved VAE -------------------------------------------------------------


def _minutes(value) -> str:
    return NONE if value is None else format_number(value)


def _mean(scores: dict, **options) -> str:
    """A mean and its interval as facevae.stats.mean_interval and paired write them."""
    return with_interval(*estimate_of(scores), **options)


def vae_recipe_table(recipe: dict, points: dict, twin: str) -> str:
    """The improved VAE beside the chapter-2 model of the same latent size and beta and PCA
    with as many components (``recipe``: beyond/vae_recipe.json; ``points``: grid points by
    name): mean test PSNR over the recipe's seeds, the recipe minus each (paired by face and
    seed), and the CPU minutes of one training run. Intervals: 95 %."""
    minutes = recipe["minutes"]
    rows = []
    if "pca" in recipe:
        rows.append(
            [
                f"PCA, {recipe['yardstick']} components",
                _mean(recipe["pca"]),
                _mean(recipe["versus_pca"], signed=True),
                NONE,
            ]
        )
    rows.append(
        [
            f"original architecture, {vae_label(points[twin])}",
            _mean(recipe["paper"]),
            _mean(recipe["versus_paper"], signed=True),
            _minutes(minutes["paper"]),
        ]
    )
    rows.append(
        [
            f"improved recipe, {vae_label(points[twin])}",  # the same latent size and beta
            _mean(recipe["improved"]),
            NONE,
            _minutes(minutes["improved"]),
        ]
    )
    header = ["model", "test PSNR (dB)", "improved minus it (dB)", "CPU minutes"]
    return latex_table(header, rows, "lrrr")


def vae_ablation_table(recipe: dict) -> str:
    """The improved VAE without one ingredient at a time: its validation PSNR minus the full
    recipe's (paired by face and seed; negative: the ingredient helps) and the CPU minutes
    of one training run, beside the full recipe's."""
    rows = [["full recipe", NONE, _minutes(recipe["minutes"]["improved"])]]
    for ingredient, found in recipe["ablation"].items():
        rows.append(
            [
                f"without the {escape_latex(INGREDIENT_NAMES[ingredient])}",
                _mean(found["difference"], signed=True),
                _minutes(found["minutes"]),
            ]
        )
    header = ["", "validation PSNR change (dB)", "CPU minutes"]
    return latex_table(header, rows, "lrr")
