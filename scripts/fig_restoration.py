"""Figure 2.6: noisy faces restored by the mean filter, the best classical method and the VAE;
faces with an erased block filled by biharmonic inpainting and by the VAE."""

from facevae import plotstyle
from facevae.figures import restore
from facevae.files import load_npz, read_json

examples = load_npz(snakemake.input.examples)
metrics = read_json(snakemake.input.metrics)
params = snakemake.params
fig = restore.restoration(examples, metrics, params.sigma, params.n_faces)
plotstyle.save(fig, snakemake.output[0], log=snakemake.log[0])
