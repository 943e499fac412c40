"""Chapter 3: test accuracy of each classifier per age bucket and per ethnicity, the paper
model beside the improved recipe, with 95 % intervals."""

from facevae import plotstyle
from facevae.figures import beyond
from facevae.files import read_json

fig = beyond.fairness(read_json(snakemake.input[0]))
plotstyle.save(fig, snakemake.output[0], log=snakemake.log[0])
