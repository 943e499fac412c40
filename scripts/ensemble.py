"""Chapter 3: the improved recipe's seeds as one classifier, without and with flipped faces,
scored against the single models on the same faces (facevae.ensemble.ensemble_protocol)."""

import logging

from facevae.cnn import load_cnn
from facevae.ensemble import ensemble_protocol
from facevae.files import load_npz, read_json, split_by, write_json
from facevae.runtime import start_job

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s")
params, inputs = snakemake.params, snakemake.input
job = start_job(snakemake.threads, 0, params.device, params.precision, params.gpu_locks)
loaded = {path: load_cnn(path, job.device) for path in dict.fromkeys(inputs.models)}
tasks = params.tasks  # every input list is task-major, a file per seed


def per_task(paths, load):
    return {task: [load(path) for path in found] for task, found in split_by(paths, tasks).items()}


val, test = per_task(inputs.val, load_npz), per_task(inputs.test, load_npz)
metrics = ensemble_protocol(
    per_task(inputs.models, loaded.get),
    load_npz(inputs.faces),
    load_npz(inputs.split),
    {task: {"val": val[task], "test": test[task]} for task in tasks},
    per_task(inputs.histories, read_json),
    reference=params.improved,
    device=job.device,
    batch_size=params.eval_batch_size,
    precision=job.precision,
    bootstrap=params.bootstrap | {"groups": load_npz(inputs.groups)["group"]},
)
write_json(snakemake.output[0], metrics)
