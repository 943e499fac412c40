"""Chapter 1's clauses: each network's test score against the original's published one."""

from __future__ import annotations

from facevae.latex import format_number, format_percent, with_interval
from facevae.names import group_name

Z95 = 1.959964  # the normal quantile of a two-sided 95 % interval


def versus_published(
    scores: dict, key: str, published: float, published_faces: int, percent: bool = False
) -> str:
    """Our ``key`` against the original's published value, as the interval of the difference.

    Both numbers carry sampling error: ours is read off our 95 % interval, the original's is
    taken as ours scaled to its test split of ``published_faces`` faces (the same spread per
    face, which the original does not report). The difference is "consistent" when its
    interval, with both errors added in quadrature, contains zero."""
    ours, low, high = (scores[f"{key}{end}"] for end in ("", "_ci95_low", "_ci95_high"))
    error = (high - low) / (2 * Z95)
    error *= (1 + scores["test_faces"] / published_faces) ** 0.5
    diff = ours - published
    shown = format_percent(published) if percent else format_number(published)
    options = {"text": True, "signed": True, "percent": percent}
    options["unit"] = "points" if percent else ""
    change = with_interval(diff, diff - Z95 * error, diff + Z95 * error, **options)
    where = (
        "higher than"
        if diff - Z95 * error > 0
        else "lower than"
        if diff + Z95 * error < 0
        else "consistent with"
    )
    return (
        f"{where} the original's {shown} (difference {change}, counting the sampling error"
        f" of both test splits)"
    )


SYNTHETIC = "not comparable with the original's: these are synthetic faces"


def supervised_sentences(tree: dict, paper: dict, synthetic: bool = False) -> dict[str, str]:
    """``cnn.<task>.<metric>``: each published number of ``paper["cnn"]`` against ours (on
    the synthetic demo faces, no verdict at all)."""
    text = {}
    for task, published in paper["cnn"].items():
        scores = tree[f"cnn.{task}"]
        for metric, value in published.items():
            percent = metric.endswith("accuracy")
            text[f"cnn.{task}.{metric}"] = (
                SYNTHETIC
                if synthetic
                else versus_published(scores, metric, value, paper["test_faces"], percent)
            )
    if "cnn.ethnicity" in tree and "data" in tree:
        text["cnn.ethnicity.recall_by_size"] = recall_by_size(tree)
    return text


def recall_by_size(tree: dict) -> str:
    """The ethnicity network's recall of the smallest group of the table against that of
    the largest, and what the difference suggests."""
    counts, classes = tree["data"]["ethnicity"], tree["cnn.ethnicity"]["class"]
    small, large = min(counts, key=counts.get), max(counts, key=counts.get)
    recall = {key: classes[key]["recall"] for key in (small, large)}
    text = (
        f"the smallest group, {group_name(small)}, has a recall of"
        f" {format_percent(recall[small])} against {format_percent(recall[large])} for the"
        f" largest, {group_name(large)}"
    )
    if recall[small] < recall[large]:
        return text + (
            "; a gap the imbalance of the training data leads one to expect, and which the"
            " original suggests countering with re-weighting or augmentation"
        )
    return text + ", so the imbalance of the training data costs the smallest group nothing here"
