"""Chapter 1's clauses: each network's test score against the original's published one."""

from __future__ import annotations

from facevae.latex import format_number, format_percent


def position(low: float, high: float, value: float) -> str:
    """Where ``value`` lies against the interval [low, high]: "above", "within" or "below"."""
    if value > high:
        return "above"
    if value < low:
        return "below"
    return "within"


def versus_published(scores: dict, key: str, published: float, percent: bool = False) -> str:
    """How our 95 % interval of ``key`` relates to the original's published value."""
    shown = format_percent(published) if percent else format_number(published)
    where = position(scores[f"{key}_ci95_low"], scores[f"{key}_ci95_high"], published)
    return {
        "above": rf"lower than the original's {shown} (which lies above our 95\,\% interval)",
        "below": rf"higher than the original's {shown} (which lies below our 95\,\% interval)",
        "within": (
            rf"consistent with the original's {shown} (which lies inside our 95\,\% interval)"
        ),
    }[where]


def supervised_sentences(tree: dict, paper: dict) -> dict[str, str]:
    """``cnn.<task>.<metric>``: each published number of ``paper["cnn"]`` against ours."""
    text = {}
    for task, published in paper["cnn"].items():
        scores = tree[f"cnn.{task}"]
        for metric, value in published.items():
            percent = metric.endswith("accuracy")
            text[f"cnn.{task}.{metric}"] = versus_published(scores, metric, value, percent)
    return text
