"""Figure 1.9: confusion matrices of the gender and ethnicity CNNs on the test split."""

from facevae import plotstyle
from facevae.figures import supervised
from facevae.files import load_npz

predictions = {task: load_npz(path) for task, path in zip(snakemake.params.tasks, snakemake.input)}
fig = supervised.confusion_matrices(predictions)
plotstyle.save(fig, snakemake.output[0], log=snakemake.log[0])
