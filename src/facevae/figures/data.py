"""Figures of the data chapter: mean faces per group and how the labels are distributed."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from facevae import SIDE, plotstyle
from facevae.data import ETHNICITY_NAMES, GENDER_NAMES, LABEL_RANGES


def age_bucket_labels(edges) -> list[str]:
    """Names of the age buckets [edges[i], edges[i + 1]): [0, 10, 20] -> ['0-9', '10-19']."""
    return [f"{lo}-{hi - 1}" for lo, hi in zip(edges[:-1], edges[1:])]


def age_buckets(ages, edges) -> np.ndarray:
    """Index of each age's bucket among [edges[i], edges[i + 1])."""
    return np.digitize(ages, edges) - 1


def _mean_face_grid(images, gender, columns, headers, height, header_y, header_size) -> Figure:
    """One row per gender and one column per group (``columns``: each face's group number),
    each cell the mean of its faces with their count; ``headers`` name the groups."""
    fig, axes = plotstyle.figure(len(GENDER_NAMES), len(headers), height=height, squeeze=False)
    for g, gender_name in enumerate(GENDER_NAMES):
        for c, header in enumerate(headers):
            ax = axes[g, c]
            cell = (gender == g) & (columns == c)
            if cell.any():
                plotstyle.show_face(ax, images[cell].mean(axis=0) / 255, f"n = {cell.sum():,}")
            else:
                plotstyle.show_face(ax, np.zeros((SIDE, SIDE)), "no faces")
            if g == 0:
                ax.text(
                    0.5, header_y, header, transform=ax.transAxes, ha="center", fontsize=header_size
                )
            if c == 0:
                ax.set_ylabel(gender_name, fontsize=9)
    return fig


def mean_faces_by_ethnicity(images, gender, ethnicity) -> Figure:
    """The mean face of every gender x ethnicity cell (uint8 ``images`` with their labels)."""
    return _mean_face_grid(
        images, gender, ethnicity, ETHNICITY_NAMES, height=3.0, header_y=1.25, header_size=9
    )


def mean_faces_by_age(images, gender, age, age_edges) -> Figure:
    """The mean face of every gender x age bucket, the buckets bounded by ``age_edges``."""
    headers = [f"age {label}" for label in age_bucket_labels(age_edges)]
    return _mean_face_grid(
        images,
        gender,
        age_buckets(age, age_edges),
        headers,
        height=2.4,
        header_y=1.3,
        header_size=8,
    )


def label_distributions(ethnicity, gender, age) -> Figure:
    """Faces per ethnicity and per gender (bars with their counts) and per year of age."""
    fig, (ax_eth, ax_gen, ax_age) = plotstyle.figure(
        1, 3, height=2.4, gridspec_kw={"width_ratios": [2.2, 1, 2.6]}
    )
    for ax, key, labels, names in (
        (ax_eth, "ethnicity", ethnicity, ETHNICITY_NAMES),
        (ax_gen, "gender", gender, GENDER_NAMES),
    ):
        counts = np.bincount(labels, minlength=len(names))
        bars = ax.bar(range(len(names)), counts, color="0.45")
        ax.bar_label(bars, [f"{c:,}" for c in counts], fontsize=7)
        ax.set_xticks(range(len(names)), names, rotation=30, ha="right")
        ax.set_ylabel("faces")
        ax.set_title(key)

    low, high = LABEL_RANGES["age"]
    ax_age.hist(age, bins=np.arange(low, high + 2) - 0.5, color="0.45")  # one bin per year
    median = np.median(age)
    ax_age.axvline(median, color="C3", lw=1, label=f"median {median:g}")
    ax_age.set_xlabel("age (years)")
    ax_age.set_ylabel("faces")
    ax_age.set_title("age")
    ax_age.legend(frameon=False)
    return fig
