"""Choose the VAE that later chapters use, by the configured test metric."""

import json

from facevae.metrics import choose_best

metrics = {}
for name, path in zip(snakemake.params.names, snakemake.input, strict=True):
    with open(path) as handle:
        metrics[name] = json.load(handle)
metric = snakemake.params.metric
best = choose_best(metrics, metric)
scores = {k: v for k, v in metrics[best].items() if k.startswith("test_") or k == "parameters"}
choice = {"name": best, "metric": metric} | scores
with open(snakemake.output[0], "w") as handle:
    json.dump(choice, handle, indent=2)
with open(snakemake.log[0], "w") as log:
    print(json.dumps(choice), file=log)
