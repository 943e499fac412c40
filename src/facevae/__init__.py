"""Package code of the face CNN / beta-VAE reproduction workflow (see README.md)."""
