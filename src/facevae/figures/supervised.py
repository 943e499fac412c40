"""Figures of the supervised chapter: the CNN's layout, what it sees, how it trained and how
well it predicts gender, ethnicity and age on the test split."""

from __future__ import annotations

import re

import numpy as np
import torch
from matplotlib import colormaps, colors
from matplotlib.cm import ScalarMappable
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch
from matplotlib.ticker import MaxNLocator
from torch import nn

from facevae import SIDE, plotstyle
from facevae.cnn import TASKS, CNNConfig, FaceCNN, build_cnn
from facevae.data import ETHNICITY_KEYS, ETHNICITY_NAMES, GENDER_KEYS, GENDER_NAMES
from facevae.figures import shared_index
from facevae.figures.data import age_bucket_labels, age_buckets
from facevae.layers import count_parameters
from facevae.metrics import confusion

CLASSES = {"gender": (GENDER_KEYS, GENDER_NAMES), "ethnicity": (ETHNICITY_KEYS, ETHNICITY_NAMES)}


# --- the network ----------------------------------------------------------------------------


def _describe(layer: nn.Module) -> str:
    """Text of one layer of a feature block, as its box in the layout shows it."""
    if isinstance(layer, nn.Conv2d):
        return f"conv {layer.kernel_size[0]}×{layer.kernel_size[1]}\n{layer.out_channels} ch"
    if isinstance(layer, nn.MaxPool2d):
        return f"max-pool {layer.kernel_size}×{layer.kernel_size}"
    return {nn.ReLU: "ReLU", nn.BatchNorm2d: "batch norm"}[type(layer)]


def cnn_columns(model_args: dict) -> list[tuple[str, str, float]]:
    """The boxes of the CNN layout from the input face to the dense layer, as (text, shape
    below the box, box width). The network is built from ``model_args`` (the settings of
    facevae.cnn.CNNConfig) and the shapes come from a forward pass, so the drawing follows the
    code rather than a copy of it."""
    args = dict(model_args, channels=tuple(model_args["channels"]))
    net = FaceCNN(CNNConfig(**args)).eval()
    config = net.config
    with torch.no_grad():
        maps = net.features.feature_maps(torch.zeros(1, 1, SIDE, SIDE))
    columns = [("input\nface", f"1 × {SIDE} × {SIDE}", 0.6)]
    for k, (block, out) in enumerate(zip(net.features.blocks, maps), start=1):
        layers = "\n".join(_describe(layer) for layer in block)  # in the block's own order
        columns.append((f"block {k}\n\n{layers}", " × ".join(map(str, out.shape[1:])), 1.15))
    columns.append(("flatten", f"{net.features.out_features:,}\nfeatures", 0.7))
    dropout = f"\ndropout {config.dropout:g}" if config.dropout > 0 else ""
    text = f"dense\n\n{config.hidden} units\nLeakyReLU\n(slope {config.leaky_slope:g}){dropout}"
    columns.append((text, f"{config.hidden}", 0.95))
    return columns


def cnn_architecture(model_args: dict) -> Figure:
    """The CNN layout: feature blocks, dense layer and one output layer per task, with the
    parameter count of each task's model (``model_args``: settings of facevae.cnn.CNNConfig)."""
    fig, ax = plotstyle.figure(height=2.3)
    fig.subplots_adjust(left=0, right=1, bottom=0, top=1)  # the drawing uses the full width
    ax.set_axis_off()
    box = dict(boxstyle="round,pad=0,rounding_size=0.06", fc="0.93", ec="0.3", lw=0.8)
    arrow = dict(arrowstyle="-|>", color="0.3", lw=0.8, shrinkA=0, shrinkB=0)
    gap, height, x = 0.3, 1.8, 0.0
    for i, (text, shape, width) in enumerate(cnn_columns(model_args)):
        if i:
            ax.annotate("", (x, 0), (x - gap, 0), arrowprops=arrow)
        ax.add_patch(FancyBboxPatch((x, -height / 2), width, height, **box))
        ax.text(x + width / 2, 0, text, ha="center", va="center", fontsize=7, linespacing=1.3)
        ax.text(
            x + width / 2, -height / 2 - 0.1, shape, ha="center", va="top", fontsize=7, color="0.3"
        )
        x += width + gap

    # One output layer per task, fanning out from the dense layer; each task is its own model.
    x_head = x + 0.25
    for j, (task, spec) in enumerate(TASKS.items()):
        y = 0.62 * (1 - j)
        activation = "softmax" if spec["classify"] else "linear"
        ax.add_patch(FancyBboxPatch((x_head, y - 0.24), 1.1, 0.48, **box))
        text = f"{task}\n{spec['outputs']} ({activation})"
        ax.text(x_head + 0.55, y, text, ha="center", va="center", fontsize=7)
        ax.annotate("", (x_head, y), (x - gap, 0), arrowprops=arrow)

    counts = ",   ".join(
        f"{task} {count_parameters(build_cnn(task, **model_args)):,}" for task in TASKS
    )
    ax.text(0, -1.45, f"parameters per task model:   {counts}", fontsize=7, color="0.3")
    ax.set_xlim(-0.02, x_head + 1.12)
    ax.set_ylim(-1.5, height / 2 + 0.02)
    return fig


def strongest_channels(block_maps: np.ndarray, n: int) -> np.ndarray:
    """The ``n`` channels of one block's feature maps (channels, height, width) with the
    highest mean activation, strongest first.

    Maps that are (nearly) flat for this face, with a spread under 5 % of the block's largest,
    come last: a dead channel keeps a constant batch-norm offset that can have a high mean but
    shows a blank tile."""
    block_maps = np.asarray(block_maps, dtype=np.float64)
    spread = block_maps.std(axis=(1, 2), ddof=1)
    score = np.where(spread < 0.05 * spread.max(), -np.inf, block_maps.mean(axis=(1, 2)))
    return np.argsort(-score, kind="stable")[:n]


def feature_maps(image: np.ndarray, maps: list[np.ndarray], n_maps: int = 8) -> Figure:
    """One face and, per block of a CNN, the ``n_maps`` strongest of its feature maps
    (``maps``: one (channels, height, width) array per block, for this face)."""
    # Column 0 holds the input face (spanning all rows), column 1 the row labels, then the maps.
    fig, axes = plotstyle.figure(
        len(maps),
        n_maps + 2,
        height=2.5,
        squeeze=False,
        gridspec_kw={"width_ratios": [3.0, 2.1] + [1] * n_maps},
    )
    fig.subplots_adjust(left=0, right=1, wspace=0.15)  # the full text width; tight bbox trims
    grid = axes[0, 0].get_gridspec()
    for ax in axes[:, :2].ravel():
        ax.remove()
    ax_input = fig.add_subplot(grid[:, 0], anchor="W")  # left-aligned, leaving room for labels
    plotstyle.show_face(ax_input, image, f"input\n1 × {image.shape[0]} × {image.shape[1]}")

    for k, (block_maps, row) in enumerate(zip(maps, axes[:, 2:]), start=1):
        for ax, c in zip(row, strongest_channels(block_maps, n_maps)):
            fmap = block_maps[c]
            # Scaled per map to [0, 1]: each map's own contrast, not comparable brightness.
            fmap = (fmap - fmap.min()) / max(fmap.max() - fmap.min(), 1e-8)
            plotstyle.show_face(ax, fmap, f"ch {c}")
        label = f"block {k}\n({' × '.join(map(str, block_maps.shape))})"
        row[0].set_ylabel(label, rotation=0, ha="right", va="center", fontsize=8, labelpad=6)
    return fig


# --- training -------------------------------------------------------------------------------


def training_loss(histories: dict[str, dict], window: int = 50) -> Figure:
    """Training loss per batch of each task's CNN (``histories``: task -> its history.json,
    with batch_loss and 0-based batch_epoch), coloured by epoch, with the running mean over
    the last ``window`` batches."""
    n_epochs = max(max(h["batch_epoch"]) + 1 for h in histories.values())
    # One colour per epoch (shown 1-based, as in the validation curves), shared by all panels.
    cmap = colormaps["viridis"].resampled(n_epochs)
    norm = colors.BoundaryNorm(np.arange(n_epochs + 1) + 0.5, n_epochs)

    fig, axes = plotstyle.figure(1, len(histories), height=2.4, layout="constrained")
    for ax, (task, history) in zip(np.atleast_1d(axes), histories.items()):
        loss = np.asarray(history["batch_loss"])
        batch = np.arange(1, len(loss) + 1)
        epoch = np.asarray(history["batch_epoch"]) + 1
        # Rasterized: thousands of points would make the PDF large and slow to display.
        ax.scatter(batch, loss, c=epoch, cmap=cmap, norm=norm, s=2, lw=0, rasterized=True)
        # The first batches average what exists so far.
        running = [loss[max(0, i - window) : i].mean() for i in batch]
        ax.plot(batch, running, color="black", lw=1, label=f"mean of {window} batches")
        ax.set_title(task)
        ax.set_xlabel("batch")
        ax.set_ylabel("cross-entropy" if TASKS[task]["classify"] else "MSE (years²)")
    fig.legend(handles=ax.get_lines(), loc="outside upper right", frameon=False)
    bar = fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=axes, aspect=30, label="epoch")
    bar.ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    return fig


def validation_curves(histories: dict[str, dict]) -> Figure:
    """Validation accuracy of the classifiers (left) and validation MSE of the age model
    (right) after every epoch (``histories``: task -> its history.json, with val_metric)."""
    fig, (ax_acc, ax_mse) = plotstyle.figure(1, 2, height=2.4, layout="constrained")
    for task, history in histories.items():
        metric = np.asarray(history["val_metric"])
        epoch = np.arange(1, len(metric) + 1)
        if TASKS[task]["classify"]:
            ax_acc.plot(epoch, 100 * metric, marker="o", ms=3, label=task)
        else:
            ax_mse.plot(epoch, metric, marker="o", ms=3, color="0.3", label=task)
    ax_acc.set_ylabel("validation accuracy (%)")
    ax_acc.set_title("classifiers")
    ax_acc.legend(frameon=False)
    ax_mse.set_ylabel("validation MSE (years²)")
    ax_mse.set_title("age")
    for ax in (ax_acc, ax_mse):
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
    return fig


# --- test results ---------------------------------------------------------------------------


def confusion_matrices(predictions: dict[str, dict]) -> Figure:
    """Confusion matrix of each classifier on the test split (``predictions``: task -> its
    test_predictions.npz, with y_true and y_pred), each cell its count and row share."""
    tasks = list(predictions)
    # Panel widths follow the class counts, so the 5 x 5 matrix gets the room its cells need.
    fig, axes = plotstyle.figure(
        1,
        len(tasks),
        height=3.0,
        squeeze=False,
        layout="constrained",
        gridspec_kw={"width_ratios": [len(CLASSES[t][1]) for t in tasks]},
    )
    for ax, (task, pred) in zip(axes[0], predictions.items()):
        names = CLASSES[task][1]
        counts = confusion(pred["y_true"], pred["y_pred"], len(names))
        # Row shares (recall): an empty true class gives a row of zeros, not NaN.
        share = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
        image = ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
        for (i, j), n in np.ndenumerate(counts):
            colour = "white" if share[i, j] > 0.55 else "black"  # legible on dark cells
            text = f"{n:,}\n{share[i, j]:.0%}"
            ax.text(j, i, text, ha="center", va="center", fontsize=7, color=colour)
        ticks = range(len(names))
        tilt = len(names) > 2  # long names side by side would collide
        ax.set_xticks(ticks, names, rotation=30 if tilt else 0, ha="right" if tilt else "center")
        ax.set_yticks(ticks, names)
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        ax.set_title(f"{task} (accuracy {np.trace(counts) / counts.sum():.1%})")
        for spine in ax.spines.values():
            spine.set_visible(False)
    fig.colorbar(image, ax=axes[0].tolist(), shrink=0.8, label="share of true class")
    return fig


def class_metrics(per_class: dict[str, dict]) -> Figure:
    """Precision, recall and F1 per class of each classifier (``per_class``: task -> the
    "class" entry of its metrics.json, class key -> precision, recall, f1 and support)."""
    scores, width = ("precision", "recall", "f1"), 0.26  # three bars fill most of a class slot
    tasks = list(per_class)
    # Panel widths follow the class counts, so bars are equally wide in both panels.
    fig, axes = plotstyle.figure(
        1,
        len(tasks),
        height=2.8,
        sharey=True,
        squeeze=False,
        layout="constrained",
        gridspec_kw={"width_ratios": [len(CLASSES[t][0]) for t in tasks]},
    )
    for ax, task in zip(axes[0], tasks):
        keys, names = CLASSES[task]
        found = per_class[task]
        x = np.arange(len(keys))
        for k, score in enumerate(scores):
            values = [found[key][score] for key in keys]
            label = "F1" if score == "f1" else score
            bars = ax.bar(x + (k - 1) * width, values, width, color=f"C{k}", label=label)
            # A zero bar is invisible; label it so it does not read as a missing value.
            ax.bar_label(bars, ["0" if v == 0 else "" for v in values], fontsize=7, color=f"C{k}")
        # Support under each name: a score on 10 faces is far noisier than on 1,000.
        labels = [f"{name}\nn = {found[key]['support']:,}" for key, name in zip(keys, names)]
        ax.set_xticks(x, labels)
        ax.set_ylim(0, 1)
        ax.set_xlim(-0.6, len(keys) - 0.4)
        ax.grid(axis="y", lw=0.4, color="0.85")
        ax.set_axisbelow(True)
        ax.set_title(task)
    axes[0, 0].set_ylabel("score")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, frameon=False, ncols=3, loc="outside upper center")
    return fig


def age_histogram(y_true, y_pred) -> Figure:
    """True and predicted ages of the test faces: histograms (left) and one against the other
    (right), with the mean absolute error."""
    true, guess = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    fig, (ax_hist, ax_scatter) = plotstyle.figure(
        1, 2, height=2.6, gridspec_kw={"width_ratios": [1.8, 1]}
    )
    # Same 5-year bins for both, wide enough to cover predictions outside the label range.
    top = max(true.max(), guess.max())
    bins = np.arange(min(0, np.floor(guess.min() / 5) * 5), top + 5, 5)
    ax_hist.hist(true, bins=bins, color="0.6", label="true")
    ax_hist.hist(guess, bins=bins, histtype="step", lw=1.5, color="C3", label="predicted")
    ax_hist.set_xlabel("age (years)")
    ax_hist.set_ylabel("faces")
    ax_hist.set_title(f"test split, {len(true):,} faces")
    ax_hist.legend(frameon=False)

    mae = np.mean(np.abs(guess - true))
    ax_scatter.scatter(true, guess, s=4, alpha=0.4, color="C0", linewidths=0)
    limits = (bins[0], bins[-1])
    ax_scatter.plot(limits, limits, color="0.3", lw=0.8, ls="--", label="identity")
    ax_scatter.set(xlim=limits, ylim=limits, aspect="equal")
    ax_scatter.set_xlabel("true age (years)")
    ax_scatter.set_ylabel("predicted age (years)")
    ax_scatter.set_title(f"MAE {mae:.1f} years")
    ax_scatter.legend(frameon=False, loc="upper left")
    return fig


def gender_by_age(ages, y_true, y_pred, age_edges) -> Figure:
    """Gender accuracy per age bucket (bounded by ``age_edges``) of the test faces with these
    ``ages``, over the number of faces per bucket, with the accuracy over all ages."""
    labels = age_bucket_labels(age_edges)
    bucket = age_buckets(ages, age_edges)
    correct = np.asarray(y_true) == np.asarray(y_pred)
    n = np.bincount(bucket, minlength=len(labels))
    hits = np.bincount(bucket, weights=correct, minlength=len(labels))
    # NaN for empty buckets, so the line shows a gap instead of a misleading 0 %.
    accuracy = np.where(n > 0, 100 * hits / np.maximum(n, 1), np.nan)

    fig, ax = plotstyle.figure(height=2.6)
    x = np.arange(len(labels))
    # Counts go behind, on their own axis: accuracy is the subject, counts say how far to trust it.
    ax_n = ax.twinx()
    ax_n.bar(x, n, width=0.6, color="0.85", label="test faces")
    ax_n.set_ylabel("test faces", color="0.4")
    ax_n.tick_params(axis="y", colors="0.4")
    ax_n.spines["right"].set_visible(True)
    ax.set_zorder(ax_n.get_zorder() + 1)  # line above the bars
    ax.patch.set_visible(False)
    # clip_on=False: a point at 100 % is drawn whole, not cut at the top of the axes.
    ax.plot(x, accuracy, "o-", color="C0", clip_on=False, label="gender accuracy")
    overall = 100 * correct.mean()
    ax.axhline(overall, color="C0", lw=0.8, ls=":", label=f"all ages ({overall:.1f} %)")
    ax.set_xticks(x, labels, rotation=30 if len(labels) > 8 else 0)  # many buckets collide
    ax.set_xlabel("age (years)")
    ax.set_ylabel("accuracy (%)")
    ax.set_ylim(0, 100)
    handles = ax.get_legend_handles_labels()[0] + ax_n.get_legend_handles_labels()[0]
    ax.legend(
        handles=handles, frameon=False, ncols=3, loc="lower center", bbox_to_anchor=(0.5, 1.02)
    )
    return fig


def prediction_grid(images, predictions: dict[str, dict], n_faces: int, n_cols: int = 6) -> Figure:
    """The first ``n_faces`` test faces with true / predicted gender, age and ethnicity above
    each, wrong classes in red. ``images`` are all faces; ``predictions`` map gender,
    ethnicity and age to their test_predictions.npz (index into ``images``, y_true, y_pred)."""
    index = shared_index(predictions)
    n = min(n_faces, len(index))
    # Short forms keep each title within its face: M/F, and "South Asian" -> "S. Asian".
    short = [name[0].upper() for name in GENDER_NAMES]
    ethnicity = [re.sub(r"\b(\w)\w* ", r"\1. ", name) for name in ETHNICITY_NAMES]

    n_rows = -(-n // n_cols)
    fig, axes = plotstyle.figure(n_rows, n_cols, height=1.2 * n_rows + 0.3, squeeze=False)
    for i, ax in enumerate(axes.ravel()):
        if i >= n:
            ax.remove()
            continue
        (g, g_hat), (e, e_hat), (a, a_hat) = (
            (predictions[t]["y_true"][i], predictions[t]["y_pred"][i])
            for t in ("gender", "ethnicity", "age")
        )
        plotstyle.show_face(ax, images[index[i]])
        # One line per classifier, so a wrong gender and a wrong ethnicity are each marked.
        lines = [
            (f"{short[g]}/{short[g_hat]}   {a}/{a_hat:.0f}", g != g_hat),
            (f"{ethnicity[e]}/{ethnicity[e_hat]}", e != e_hat),
        ]
        for k, (text, wrong) in enumerate(lines):
            style = {"color": "C3", "fontweight": "bold"} if wrong else {}
            y = 1.03 + 0.14 * (1 - k)
            ax.text(
                0.5, y, text, transform=ax.transAxes, ha="center", va="bottom", fontsize=7, **style
            )
    fig.suptitle(
        f"true / predicted: gender ({short[0]} = {GENDER_NAMES[0]},"
        f" {short[1]} = {GENDER_NAMES[1]}), age in years; ethnicity. Red: wrong class.",
        fontsize=8,
    )
    return fig
