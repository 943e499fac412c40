"""Figure 1.8: validation accuracy (classifiers) and validation MSE (age) after every epoch."""

import numpy as np
from matplotlib.ticker import MaxNLocator

from facevae import plotstyle
from facevae.cnn import TASKS
from facevae.files import read_json

fig, (ax_acc, ax_mse) = plotstyle.figure(1, 2, height=2.4, layout="constrained")
for task, path in zip(snakemake.params.tasks, snakemake.input):
    history = read_json(path)
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
plotstyle.save(fig, snakemake.output[0], log=snakemake.log[0])
