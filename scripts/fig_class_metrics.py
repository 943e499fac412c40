"""Figure 1.10: precision, recall and F1 per class of the gender and ethnicity CNNs."""

from facevae import plotstyle
from facevae.figures import supervised
from facevae.files import read_json

tasks = snakemake.params.tasks
per_class = {task: read_json(path)["class"] for task, path in zip(tasks, snakemake.input)}
fig = supervised.class_metrics(per_class)
plotstyle.save(fig, snakemake.output[0], log=snakemake.log[0])
