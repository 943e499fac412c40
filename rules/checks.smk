# Checks of settings that the schema cannot express. They run while the Snakefile is parsed,
# so a bad setting stops the run (even `snakemake --dry-run`) before any job starts.
# raw_csv is checked where it is resolved (facevae.runs.resolve_raw_csv, from rules/common.smk).

# The oldest age a face can have: LABEL_RANGES["age"] in src/facevae/data.py. Kept here so
# that parsing the Snakefile never imports the package (and torch with it).
OLDEST_AGE = 116


def check_age_edges(edges):
    """The age buckets [e0, e1), [e1, e2), ... must be in order and hold every age."""
    for low, high in zip(edges, edges[1:]):
        if high <= low:
            raise WorkflowError(
                f"figures.age_edges: {edges} is not strictly increasing ({high} comes"
                f" after {low}).\n"
                "  Each edge must be larger than the one before it,"
                f" e.g. [0, 10, 20, 30, 40, 50, 60, 70, {OLDEST_AGE + 1}]."
            )
    if edges[-1] <= OLDEST_AGE:
        raise WorkflowError(
            f"figures.age_edges: the last edge of {edges} is {edges[-1]}, but faces can be"
            f" up to {OLDEST_AGE} years old.\n"
            f"  Buckets include their lower edge only, so the last edge must be at least"
            f" {OLDEST_AGE + 1}; otherwise the oldest faces fall in no bucket."
        )


def check_vae_grid(grids):
    """Every VAE of the grids (setting name -> list of entries) must get a results folder
    of its own."""
    entries = {}
    for setting, grid in grids.items():
        for number, point in enumerate(grid, start=1):
            shown = ", ".join(f"{key}: {value!r}" for key, value in point.items())
            entries.setdefault(names.vae_name(point), []).append(
                f"{setting} #{number} {{{shown}}}"
            )
    for name, same in entries.items():
        if len(same) > 1:
            raise WorkflowError(
                f"VAE grid: entries {' and '.join(same)} both map to the results folder"
                f" {out(f'vae/{name}/')}.\n"
                "  Folder names keep 6 significant digits of beta; give every entry"
                " a different latent size, prior or a beta that differs within those digits."
            )


def jobs_run_on_this_machine():
    """Whether this is the main Snakemake process and it runs the jobs itself.

    Jobs re-parse the Snakefile in processes of their own (workflow.exec_mode is subprocess
    for local jobs, remote for jobs on a cluster node): never there. Snakemake picks the
    executor only after the Snakefile is parsed (workflow.executor_plugin is still None
    here, so workflow.local_exec is always True), but every cluster or cloud executor needs
    --jobs, which is resource_settings.nodes (profiles/slurm sets jobs: 20). A local run
    leaves nodes unset unless --jobs is given next to --cores (profiles/default sets cores:
    all, so `snakemake -j 2` counts as maybe remote): then the check is skipped and the
    training job reports the missing GPU instead.
    """
    return workflow.is_main_process and workflow.resource_settings.nodes is None


def check_device(device):
    """device: cuda must have a GPU where the training jobs run."""
    if device != "cuda" or not jobs_run_on_this_machine():
        return
    import torch  # only here: importing torch takes seconds

    if not torch.cuda.is_available():
        raise WorkflowError(
            "device: cuda, but torch sees no CUDA device on this machine"
            f" (torch {torch.__version__}, CUDA build: {torch.version.cuda or 'none'}).\n"
            "  Use device: auto (the GPU when there is one, else the CPU) or device: cpu,"
            " e.g. --config device=auto."
        )


check_age_edges(config["figures"]["age_edges"])
check_vae_grid(
    {"vae.grid": config["vae"]["grid"]}
    | (
        {"beyond.generation.grid": config["beyond"]["generation"]["grid"]}
        if config["beyond"]["enabled"]
        else {}
    )
)
check_device(config["device"])
