"""Figure 1.5: the CNN layout (feature extractor, dense layer, one output head per task)."""

from facevae import plotstyle
from facevae.figures import supervised

fig = supervised.cnn_architecture(snakemake.params.model)
plotstyle.save(fig, snakemake.output[0], log=snakemake.log[0])
