"""Chapter 3's clauses on the CNN variants: the imbalance remedies, the improved recipe, its
ablation, and how evenly the classifiers serve each group."""

from __future__ import annotations

from facevae.better import higher_is_better
from facevae.latex import escape_latex, format_percent, with_interval
from facevae.names import ablation_name, group_label
from facevae.report import readable

# The score each task is judged by: (metric without its split, what it is called, unit).
HEADLINE = {
    "gender": ("accuracy", "accuracy", "points"),
    "ethnicity": ("accuracy", "accuracy", "points"),
    "age": ("mae", "mean absolute error", "years"),
}


def words(name: str) -> str:
    """An identifier as words in LaTeX: south_asian -> "south asian"."""
    return escape_latex(name.replace("_", " "))


def group_words(key: str) -> str:
    """A group of faces as the text names it: an ethnicity or gender by its name (South
    Asian), anything else (an age bucket) as words."""
    return escape_latex(group_label(key))


def smallest_class(tree: dict) -> str:
    """The ethnicity key with the fewest faces in the table (``tree["data"]``)."""
    counts = tree["data"]["ethnicity"]
    return min(counts, key=counts.get)


def change_phrase(versus: dict, key: str, what: str, unit: str = "points") -> str:
    """How a variant moved one metric from its reference, read from its paired difference
    (facevae.metrics.paired_differences): "raised the macro F1 by 3.10 points (95 % interval
    1.20 to 5.00)" when the interval excludes zero, the interval being that of the rise (or
    of the fall, after "lowered"); otherwise "brought no clear change to the macro F1: +0.500
    points (95 % interval -1.00 to +2.00)". Fractions are shown in points (x100), anything
    else as it is."""
    value, low, high = (versus[f"{key}_diff{end}"] for end in ("", "_ci95_low", "_ci95_high"))
    options = {"text": True, "percent": unit == "points", "unit": unit}
    if low > 0 or high < 0:
        if value > 0:
            return f"raised the {what} by {with_interval(value, low, high, **options)}"
        return f"lowered the {what} by {with_interval(-value, -high, -low, **options)}"
    change = with_interval(value, low, high, signed=True, **options)
    return f"brought no clear change to the {what}: {change}"


# How the text states a variant's setting ({} is its value); others read "<name>: <value>".
SETTING_PHRASES = {
    "multitask": "one shared trunk with a head per task",
    "class_weights": "classes weighted by their inverse frequency",
    "augment": "augmented training faces",
    "age_weight": "the age loss weighted by {}",
    "channels": "{} channels in the three blocks",
    "epochs": "{} epochs",
    "batch_size": "batches of {}",
    "label_smoothing": "label smoothing of {}",
    "age_loss": "an {} loss for age",
}


def recipe_phrase(variant: dict) -> str:
    """The settings a variant changes, as prose (its ``tasks`` apart)."""
    parts = []
    for key, value in variant.items():
        if key in ("tasks", "lr", "warmup"):
            continue
        if key == "lr_schedule" and value == "onecycle":
            peak, warmup = variant.get("lr", 3e-3), variant.get("warmup", 0.3)
            parts.append(
                f"a one-cycle learning rate peaking at {peak:g} after {100 * warmup:g}\\,\\% of"
                " the batches"
            )
            continue
        shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        shown = escape_latex(shown.upper() if key == "age_loss" else shown)
        phrase = SETTING_PHRASES.get(key)
        if value is True:
            parts.append(escape_latex(phrase.format()) if phrase else words(key))
        elif phrase:
            parts.append(phrase.format(shown))
        else:
            parts.append(f"{words(key)}: {shown}")
    return "; ".join(parts)


def _goals(versus: dict, smallest: str) -> str:
    """Whether the chosen remedy meets the three goals set for it."""
    goals = {
        "macro F1 up by at least 3 points": versus["test_macro_f1_diff"] >= 0.03,
        "recall of the smallest class up by at least 10 points": (
            versus[f"test_recall_{smallest}_diff"] >= 0.10
        ),
        "no clear loss of accuracy": versus["test_accuracy_diff_ci95_high"] >= 0,
    }
    met = [goal for goal, ok in goals.items() if ok]
    missed = [goal for goal, ok in goals.items() if not ok]
    if not missed:
        return "it meets all three goals set for it (" + "; ".join(met) + ")"
    text = "it misses the goals " + " and ".join(f"({goal})" for goal in missed)
    return text + (f", and meets {' and '.join(f'({goal})' for goal in met)}" if met else "")


def _fairness(groups: dict) -> str:
    """The range of accuracy across one grouping's groups, and the gap with its interval."""
    cells = {g: c for g, c in groups.items() if g != "gap" and c["faces"] > 0}
    worst = min(cells, key=lambda g: cells[g]["accuracy"])
    best = max(cells, key=lambda g: cells[g]["accuracy"])
    gap = groups["gap"]
    return (
        f"from {format_percent(cells[worst]['accuracy'])} ({group_words(worst)})"
        f" to {format_percent(cells[best]['accuracy'])} ({group_words(best)}), a gap of "
        + with_interval(
            gap["accuracy"],
            gap["accuracy_ci95_low"],
            gap["accuracy_ci95_high"],
            text=True,
            percent=True,
            unit="points",
        )
    )


def beyond_sentences(tree: dict, beyond: dict, smallest: str) -> dict[str, str]:
    """Chapter 3's clauses on the CNN variants (``tree``: the stage results by prefix, with
    ``beyond.<variant>.<task>`` and ``beyond.fairness``; ``beyond``: the chapter's settings;
    ``smallest``: the ethnicity key with the fewest faces, see ``smallest_class``)."""
    text = {}
    remedies = beyond["imbalance"]
    for name in remedies:
        versus = tree[f"beyond.{name}.ethnicity"]["versus"]
        text[f"beyond.{name}.effect"] = "; ".join(
            [
                change_phrase(versus, "test_macro_f1", "macro F1"),
                change_phrase(versus, f"test_recall_{smallest}", "recall of the smallest class"),
                change_phrase(versus, "test_accuracy", "accuracy"),
            ]
        )
    if remedies:
        chosen = max(remedies, key=lambda n: tree[f"beyond.{n}.ethnicity"]["val_macro_f1"])
        text["beyond.imbalance.chosen"] = escape_latex(readable(chosen))
        text["beyond.imbalance.goals"] = _goals(
            tree[f"beyond.{chosen}.ethnicity"]["versus"], smallest
        )
    improved = beyond["improved"]
    text["beyond.improved.settings"] = recipe_phrase(beyond["variants"][improved])
    for task, (metric, what, unit) in HEADLINE.items():
        scores = tree.get(f"beyond.{improved}.{task}")
        if scores is not None:
            text[f"beyond.improved.{task}"] = change_phrase(
                scores["versus"], f"test_{metric}", what, unit
            )
    # The recipe's seeds as one classifier that also sees each face mirrored, against the
    # single models (beyond/ensemble.json).
    flipped = tree.get("beyond.ensemble", {}).get("ensemble_flip", {})
    count = max((scores["models"] for scores in flipped.values()), default=0)
    text["beyond.ensemble.models"] = (
        f"the recipe's {count} networks, one per training seed,"
        if count > 1
        else "the recipe's single network (one training seed), alone,"
    )
    for task, (metric, what, unit) in HEADLINE.items():
        if task in flipped:
            text[f"beyond.ensemble.{task}"] = change_phrase(
                flipped[task]["versus"], f"test_{metric}", what, unit
            )
    # An ingredient helped when removing it clearly cost some task its test score: the paired
    # interval of the change excludes zero. Which ingredients the recipe keeps was decided on
    # the validation faces; this is only what the test faces say of each one's effect.
    effects = {"helped": [], "hurt": [], "unclear": []}
    for ingredient in beyond["ablation"]:
        seen = set()
        for task, (metric, _, _) in HEADLINE.items():
            scores = tree.get(f"beyond.{ablation_name(improved, ingredient)}.{task}")
            if scores is None:
                continue
            versus = scores["versus"]
            low, high = (versus[f"test_{metric}_diff_ci95_{end}"] for end in ("low", "high"))
            worse, better = (high < 0, low > 0) if higher_is_better(metric) else (low > 0, high < 0)
            seen |= {"helped"} if worse else {"hurt"} if better else set()
        for effect in ("helped", "hurt"):
            if effect in seen:
                effects[effect].append(words(ingredient))
        if not seen:
            effects["unclear"].append(words(ingredient))
    if beyond["ablation"]:
        for effect, found in effects.items():
            text[f"beyond.ablation.{effect}"] = ", ".join(found) if found else "none"
    for model, tasks in tree.get("beyond.fairness", {}).items():
        if model == "interval":  # what the intervals resampled, in words
            continue
        for task, groupings in tasks.items():
            for by, groups in groupings.items():
                text[f"beyond.fairness.{model}.{task}.{by}"] = _fairness(groups)
    return text
