"""Figure 1.5: the CNN layout (feature extractor, dense layer, one output head per task)."""

import torch
from matplotlib.patches import FancyBboxPatch
from torch import nn

from facevae import SIDE, plotstyle
from facevae.cnn import TASKS, CNNConfig, FaceCNN, build_cnn
from facevae.layers import count_parameters


def describe(layer: nn.Module) -> str:
    if isinstance(layer, nn.Conv2d):
        return f"conv {layer.kernel_size[0]}×{layer.kernel_size[1]}\n{layer.out_channels} ch"
    if isinstance(layer, nn.MaxPool2d):
        return f"max-pool {layer.kernel_size}×{layer.kernel_size}"
    return {nn.ReLU: "ReLU", nn.BatchNorm2d: "batch norm"}[type(layer)]


args = snakemake.params.model
net = FaceCNN(CNNConfig(**dict(args, channels=tuple(args["channels"])))).eval()
config = net.config
# Shapes come from a forward pass, so the drawing follows the code rather than a copy of it.
maps = net.features.feature_maps(torch.zeros(1, 1, SIDE, SIDE))

columns = [("input\nface", f"1 × {SIDE} × {SIDE}", 0.6)]  # (text, shape below, box width)
for k, (block, out) in enumerate(zip(net.features.blocks, maps), start=1):
    layers = "\n".join(describe(layer) for layer in block)  # in the order models.conv_block has
    text = f"block {k}\n\n{layers}"
    columns.append((text, " × ".join(map(str, out.shape[1:])), 1.15))
columns.append(("flatten", f"{net.features.out_features:,}\nfeatures", 0.7))
dropout = f"\ndropout {config.dropout:g}" if config.dropout > 0 else ""
text = f"dense\n\n{config.hidden} units\nLeakyReLU\n(slope {config.leaky_slope:g}){dropout}"
columns.append((text, f"{config.hidden}", 0.95))

fig, ax = plotstyle.figure(height=2.3)
fig.subplots_adjust(left=0, right=1, bottom=0, top=1)  # the drawing uses the full text width
ax.set_axis_off()
box = dict(boxstyle="round,pad=0,rounding_size=0.06", fc="0.93", ec="0.3", lw=0.8)
arrow = dict(arrowstyle="-|>", color="0.3", lw=0.8, shrinkA=0, shrinkB=0)
gap, height, x = 0.3, 1.8, 0.0
for i, (text, shape, width) in enumerate(columns):
    if i:
        ax.annotate("", (x, 0), (x - gap, 0), arrowprops=arrow)
    ax.add_patch(FancyBboxPatch((x, -height / 2), width, height, **box))
    ax.text(x + width / 2, 0, text, ha="center", va="center", fontsize=7, linespacing=1.3)
    ax.text(x + width / 2, -height / 2 - 0.1, shape, ha="center", va="top", fontsize=7, color="0.3")
    x += width + gap

# One output layer per task, fanning out from the dense layer; each task is its own model.
x_head = x + 0.25
for j, (task, spec) in enumerate(TASKS.items()):
    y = 0.62 * (1 - j)
    act = "softmax" if spec["classify"] else "linear"
    ax.add_patch(FancyBboxPatch((x_head, y - 0.24), 1.1, 0.48, **box))
    text = f"{task}\n{spec['outputs']} ({act})"
    ax.text(x_head + 0.55, y, text, ha="center", va="center", fontsize=7)
    ax.annotate("", (x_head, y), (x - gap, 0), arrowprops=arrow)

counts = ",   ".join(f"{task} {count_parameters(build_cnn(task, **args)):,}" for task in TASKS)
ax.text(0, -1.45, f"parameters per task model:   {counts}", fontsize=7, color="0.3")
ax.set_xlim(-0.02, x_head + 1.12)
ax.set_ylim(-1.5, height / 2 + 0.02)
plotstyle.save(fig, snakemake.output[0], log=snakemake.log[0])
