"""Figure 1.7: training loss per batch of the three CNNs, coloured by epoch, with a running mean."""

import numpy as np
from matplotlib import colormaps, colors
from matplotlib.cm import ScalarMappable
from matplotlib.ticker import MaxNLocator

from facevae import plotstyle
from facevae.cnn import TASKS
from facevae.files import read_json

WINDOW = 50  # batches in the running mean
histories = [read_json(path) for path in snakemake.input]
n_epochs = max(max(h["batch_epoch"]) + 1 for h in histories)
# One colour per epoch (shown 1-based, as in the validation curves), shared by all panels.
cmap = colormaps["viridis"].resampled(n_epochs)
norm = colors.BoundaryNorm(np.arange(n_epochs + 1) + 0.5, n_epochs)

fig, axes = plotstyle.figure(1, len(histories), height=2.4, layout="constrained")
for ax, task, history in zip(np.atleast_1d(axes), snakemake.params.tasks, histories):
    loss = np.asarray(history["batch_loss"])
    batch = np.arange(1, len(loss) + 1)
    epoch = np.asarray(history["batch_epoch"]) + 1
    # Rasterized: thousands of points would make the PDF large and slow to display.
    ax.scatter(batch, loss, c=epoch, cmap=cmap, norm=norm, s=2, lw=0, rasterized=True)
    # Running mean over the last WINDOW batches; the first ones average what exists so far.
    running = [loss[max(0, i - WINDOW) : i].mean() for i in batch]
    ax.plot(batch, running, color="black", lw=1, label=f"mean of {WINDOW} batches")
    ax.set_title(task)
    ax.set_xlabel("batch")
    if TASKS[task]["classify"]:
        ax.set_ylabel("cross-entropy")
    else:
        ax.set_ylabel("MSE (years²)")
fig.legend(handles=ax.get_lines(), loc="outside upper right", frameon=False)
bar = fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=axes, aspect=30, label="epoch")
bar.ax.yaxis.set_major_locator(MaxNLocator(integer=True))
plotstyle.save(fig, snakemake.output[0], log=snakemake.log[0])
