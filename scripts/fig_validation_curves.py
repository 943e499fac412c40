"""Figure 1.8: validation accuracy (classifiers) and validation MSE (age) after every epoch."""

from facevae import plotstyle
from facevae.figures import supervised
from facevae.files import read_json

histories = {task: read_json(path) for task, path in zip(snakemake.params.tasks, snakemake.input)}
fig = supervised.validation_curves(histories)
plotstyle.save(fig, snakemake.output[0], log=snakemake.log[0])
