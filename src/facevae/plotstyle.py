"""One look for every figure: sizes for a printed A4 page, readable fonts, grey faces."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
import numpy as np  # noqa: E402

from facevae.files import save_figure, write_text  # noqa: E402

TEXT_WIDTH = 6.3  # inches: the report's text width, so figures are not scaled down in print
STYLE = {
    "font.size": 9,
    "axes.titlesize": 9,
    "axes.labelsize": 9,
    "legend.fontsize": 8,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.dpi": 150,
    "savefig.bbox": "tight",
    "pdf.fonttype": 42,  # embed TrueType, so text stays text in the PDF
}


def figure(nrows=1, ncols=1, height=2.6, width=TEXT_WIDTH, **kwargs):
    """A figure of the report's width with the shared style applied."""
    plt.rcParams.update(STYLE)
    return plt.subplots(nrows, ncols, figsize=(width, height), **kwargs)


def show_face(ax, image, title=None):
    """Draw one 48x48 face (uint8 or [0, 1] float) in grey, without axes."""
    image = np.asarray(image)
    vmax = 255 if image.dtype == np.uint8 or image.max() > 1.5 else 1
    ax.imshow(image, cmap="gray", vmin=0, vmax=vmax, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    if title is not None:
        ax.set_title(title, fontsize=7, pad=2)


def save(fig, path, log=None) -> None:
    """Save as PDF (or by suffix, atomically) and close; with ``log``, note there what was
    drawn (size and panels), so a figure rule's log says more than nothing."""
    width, height = fig.get_size_inches()
    panels = sum(ax.get_visible() for ax in fig.axes)
    save_figure(fig, path)
    plt.close(fig)
    if log is not None:
        write_text(log, f"{path}: {width:.2f} x {height:.2f} in, {panels} visible panels\n")


def face_rows(rows, left: float, space: float = 0.05, label_size=None):
    """Rows of faces across the text width, each labelled on its left: ``rows`` holds
    (label, images), and every row shows as many faces as the shortest row has. ``left`` is
    the fraction of the width kept for the labels, ``space`` the gap between faces as a
    fraction of a face. The height makes every face cell square, so imshow leaves no white
    margins between the faces."""
    n = min(len(images) for _, images in rows)
    face = (1 - left) * TEXT_WIDTH / (n + (n - 1) * space)
    fig, axes = figure(
        len(rows),
        n,
        height=face * (len(rows) + (len(rows) - 1) * space),
        squeeze=False,
        gridspec_kw={
            "hspace": space,
            "wspace": space,
            "left": left,
            "right": 1,
            "bottom": 0,
            "top": 1,
        },
    )
    size = {} if label_size is None else {"fontsize": label_size}
    for ax_row, (label, images) in zip(axes, rows):
        for ax, image in zip(ax_row, images):
            show_face(ax, image)
        ax_row[0].set_ylabel(label, rotation=0, ha="right", va="center", labelpad=4, **size)
    return fig
