"""Package code of the face CNN / beta-VAE reproduction workflow (see README.md)."""

SIDE = 48  # every face is SIDE x SIDE grey pixels; the networks halve it three times
