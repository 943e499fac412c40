"""One task's validation and test predictions out of a multi-task network's single file."""

from facevae.files import load_npz, save_npz
from facevae.names import unpack_predictions

combined = load_npz(snakemake.input[0])
task = snakemake.wildcards.task
for part in ("val", "test"):
    arrays = unpack_predictions(combined, part, task)
    if not arrays:
        raise ValueError(f"{snakemake.input[0]}: no {part} predictions for {task}")
    save_npz(snakemake.output[f"{part}_predictions"], **arrays)
