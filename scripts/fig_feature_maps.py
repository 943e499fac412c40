"""Figure 1.6: one test face and the strongest feature maps of each block of the gender CNN."""

import torch

from facevae import plotstyle
from facevae.cnn import load_cnn
from facevae.figures import supervised
from facevae.files import load_npz
from facevae.runtime import image_tensor

faces = load_npz(snakemake.input.faces)
image = faces["images"][load_npz(snakemake.input.split)["test"][:1]]  # the first test face
model = load_cnn(snakemake.input.model)
with torch.no_grad():
    maps = [m[0].numpy() for m in model.features.feature_maps(image_tensor(image, "cpu"))]
fig = supervised.feature_maps(image[0], maps)
plotstyle.save(fig, snakemake.output[0], log=snakemake.log[0])
