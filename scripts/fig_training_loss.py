"""Figure 1.7: training loss per batch of the three CNNs, coloured by epoch, with a running mean."""

from facevae import plotstyle
from facevae.figures import supervised
from facevae.files import read_json

histories = {task: read_json(path) for task, path in zip(snakemake.params.tasks, snakemake.input)}
fig = supervised.training_loss(histories)
plotstyle.save(fig, snakemake.output[0], log=snakemake.log[0])
