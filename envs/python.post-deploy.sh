#!/usr/bin/env bash
# Run by Snakemake (--sdm conda) once, inside the new environment of envs/python.yaml, from
# the workflow directory: installs the workflow's own package (src/facevae) editable, so the
# rules import the code of this checkout. Its dependencies are all in envs/python.yaml.
set -euo pipefail
if ! grep -qs '^name = "facevae"$' pyproject.toml; then
  echo "python.post-deploy.sh: $PWD is not the facevae repository (no pyproject.toml naming" \
    "facevae); run snakemake from the repository root." >&2
  exit 1
fi
python -m pip install --no-deps -e "$PWD"
