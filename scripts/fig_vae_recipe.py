"""What an hour of training buys on this machine: the validation PSNR of the improved VAE, of
its ablation variants and of the chapter-2 model of the same latent size and beta after each
epoch, against the minutes spent (first seed), with PCA of as many components as a line."""

from facevae import plotstyle
from facevae.figures import beyond
from facevae.files import read_json
from facevae.names import vae_label

params = snakemake.params
histories = {name: read_json(path) for name, path in zip(params.names, snakemake.input.histories)}
labels = {name: vae_label(params.points[name]) for name in params.names}
labels[params.twin] += ", original architecture"
pca = read_json(snakemake.input.yardsticks)[f"pca{params.latent}"]
yardstick = (f"PCA, {params.latent} components", pca["val_mse"])
fig = beyond.recipe_training(histories, labels, yardstick)
plotstyle.save(fig, snakemake.output[0], log=snakemake.log[0])
