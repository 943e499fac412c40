"""Figures of the VAE chapter: how the grid of VAEs trained, and how well each reconstructs
the test faces.

Models come as dicts keyed by their grid point's folder name (facevae.names.vae_name), in the
order they are drawn; ``points`` maps the same names to the grid points, which name the
models in the figures (facevae.names.vae_label). An ``evals`` entry is a model's
test_eval.npz: ``index`` (the test faces whose reconstructions were kept, as indices into all
faces), ``recon`` (those reconstructions) and the per-face scores ``psnr``, ``ssim``, ``mse``.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from facevae import plotstyle
from facevae.better import higher_is_better
from facevae.figures import shared_index
from facevae.names import vae_label

# Axis label of each score of vae_metrics, in the order of its panels.
SCORE_LABELS = {
    "psnr": "PSNR (dB)",
    "ssim": "SSIM (at most 1)",
    "mse": "MSE (pixel values in [0, 1])",
}


def vae_training(histories: dict[str, dict], points: dict[str, dict]) -> Figure:
    """Validation reconstruction error (left, log scale) and KL term (right) per epoch, one
    line per model (``histories``: name -> its history.json, with val_recon and val_kl)."""
    fig, (ax_recon, ax_kl) = plotstyle.figure(1, 2, height=2.4, layout="constrained")
    for name, history in histories.items():
        epoch = np.arange(1, len(history["val_recon"]) + 1)
        label = vae_label(points[name])
        ax_recon.plot(epoch, history["val_recon"], marker="o", ms=3, label=label)
        ax_kl.plot(epoch, history["val_kl"], marker="o", ms=3, label=label)
    ax_recon.set_ylabel("reconstruction error per face")
    ax_recon.set_title("validation reconstruction")
    ax_recon.set_yscale("log")
    ax_kl.set_ylabel("KL divergence per face (nats)")
    ax_kl.set_title("validation KL term")
    ax_kl.legend(frameon=False, fontsize="small")
    for ax in (ax_recon, ax_kl):
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
    return fig


def vae_reconstructions(
    images, evals: dict[str, dict], points: dict[str, dict], n_cols: int = 10
) -> Figure:
    """The test faces each model reconstructed (``images``: all faces), then one titled block
    of ``n_cols`` faces per row for each model's reconstructions of them."""
    gap, space = 0.4, 0.04  # title strip above each block (in face heights); space between faces
    index = shared_index(evals)
    # The originals are the same for every model, so they are shown once, on top, rather than
    # above each block: one copy per model would not fit on a page at a readable face size.
    blocks = [("original test faces", images[index])]
    blocks += [(vae_label(points[name]), e["recon"]) for name, e in evals.items()]
    rows = -(-len(index) // n_cols)

    # Per block: a thin strip for its title, then its rows of faces. The height makes the face
    # cells square, so imshow leaves no white margins around the grid.
    ratios = ([gap] + [1] * rows) * len(blocks)
    face = plotstyle.TEXT_WIDTH / (n_cols + (n_cols - 1) * space)
    height = face * (sum(ratios) + (len(ratios) - 1) * space * np.mean(ratios))
    fig, axes = plotstyle.figure(
        len(ratios),
        n_cols,
        height=height,
        squeeze=False,
        gridspec_kw={
            "height_ratios": ratios,
            "hspace": space,
            "wspace": space,
            "left": 0,
            "right": 1,
            "bottom": 0,
            "top": 1,
        },
    )
    for b, (title, faces) in enumerate(blocks):
        strip = axes[b * (rows + 1)]
        for ax in strip:
            ax.remove()
        fig.text(0.5, strip[0].get_position().y0, title, ha="center", va="bottom", fontsize=9)
        for i, ax in enumerate(axes[b * (rows + 1) + 1 : (b + 1) * (rows + 1)].ravel()):
            if i < len(faces):
                plotstyle.show_face(ax, faces[i])
            else:
                ax.remove()
    return fig


def vae_comparison(images, evals: dict[str, dict], points: dict[str, dict], n_faces: int) -> Figure:
    """The first ``n_faces`` reconstructed test faces (``images``: all faces) as columns, and
    as rows the originals and each model's reconstructions of them."""
    index = shared_index(evals)
    n = min(n_faces, len(index))
    # Models as rows, faces as columns: each column reads top-down as one face through all
    # models. The label goes on several lines, one per setting, to fit beside the faces.
    rows = [("original", images[index[:n]])]
    rows += [
        (vae_label(points[name]).replace(", ", "\n"), e["recon"][:n]) for name, e in evals.items()
    ]
    return plotstyle.face_rows(rows, left=0.13)


def vae_metrics(evals: dict[str, dict], points: dict[str, dict]) -> Figure:
    """PSNR, SSIM and MSE of every model's reconstructions of the test faces, one box per
    model and score."""
    names = list(evals)
    n_test = len(evals[names[0]]["psnr"])
    # Models on the vertical axis: their labels are too long to sit side by side under a third
    # of the page's width, and this way they are written once for all three panels.
    fig, axes = plotstyle.figure(
        1, len(SCORE_LABELS), height=0.45 * len(names) + 0.9, sharey=True, layout="constrained"
    )
    y = np.arange(len(names))
    for ax, (metric, axis_label) in zip(axes, SCORE_LABELS.items()):
        # Whiskers at the 5th and 95th percentiles and no outlier dots: with thousands of test
        # faces the dots would merge into a smear that hides the boxes.
        ax.boxplot(
            [evals[name][metric] for name in names],
            positions=y,
            orientation="horizontal",
            widths=0.55,
            whis=(5, 95),
            showfliers=False,
            showmeans=True,
            patch_artist=True,
            boxprops={"facecolor": "C0", "alpha": 0.35},
            medianprops={"color": "C0"},
            meanprops={
                "marker": "D",
                "markerfacecolor": "black",
                "markeredgecolor": "none",
                "ms": 4,
            },
        )
        better = "higher" if higher_is_better(metric) else "lower"
        ax.set_title(f"{better} is better")
        ax.set_xlabel(axis_label)
        ax.grid(axis="x", lw=0.4, color="0.85")
        ax.set_axisbelow(True)
    axes[0].set_yticks(y, [vae_label(points[name]) for name in names])
    axes[0].invert_yaxis()  # the first model on top
    fig.suptitle(
        f"{n_test:,} test faces per model. Box: quartiles and median; whiskers: 5th to 95th"
        " percentile; ◆: mean.",
        fontsize=8,
    )
    return fig
