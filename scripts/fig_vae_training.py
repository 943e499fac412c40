"""Training curves of the VAE grid: validation reconstruction error and KL term per epoch,
one line per grid point (the first seed's run)."""

import numpy as np
from matplotlib.ticker import MaxNLocator

from facevae import plotstyle
from facevae.files import read_json
from facevae.report import model_label

fig, (ax_recon, ax_kl) = plotstyle.figure(1, 2, height=2.4, layout="constrained")
for name, path in zip(snakemake.params.names, snakemake.input):
    history = read_json(path)
    epoch = np.arange(1, len(history["val_recon"]) + 1)
    label = model_label(snakemake.params.points[name])
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
plotstyle.save(fig, snakemake.output[0], log=snakemake.log[0])
