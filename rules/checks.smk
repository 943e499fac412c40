# Checks of settings that the schema cannot express. They run while the Snakefile is parsed,
# so a bad setting stops the run (even `snakemake --dry-run`) before any job starts.
# raw_csv is checked where it is resolved (facevae.runs.resolve_raw_csv, from rules/common.smk).

import gzip
import json
import sys
from types import SimpleNamespace

SIDE = 48  # facevae.SIDE: every face is SIDE x SIDE pixels
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


def check_image_settings(ssim_window, erase_size, erase_position, fractions):
    """Settings that pass the schema but would only fail in a job, after training: an SSIM
    window needs a centre pixel, the erased block must lie on the image, and the split's
    fractions must add up to the whole table."""
    if ssim_window % 2 == 0:
        raise WorkflowError(
            f"image_metrics.ssim_window: {ssim_window} is even; the SSIM window needs a centre"
            f" pixel, so it must be odd (e.g. {ssim_window + 1})."
        )
    if erase_position != "random":
        (row, col), (height, width) = erase_position, erase_size
        if row + height > SIDE or col + width > SIDE:
            raise WorkflowError(
                f"restore.erase_position: a {height}x{width} block (restore.erase_size) with"
                f" its top-left corner at {erase_position} runs past the {SIDE}x{SIDE} face"
                f" (to row {row + height}, column {col + width}).\n"
                f"  The corner can be at most [{SIDE - height}, {SIDE - width}], or use random."
            )
    total = sum(fractions)
    if abs(total - 1) > 1e-6:  # data.FRACTION_TOLERANCE, kept here: no package import
        raise WorkflowError(
            f"split.fractions: {fractions} add up to {total:.10g}; the train, validation and"
            " test fractions must add up to 1 (e.g. [0.7, 0.2, 0.1])."
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


def check_generation_seeds(generation_seeds, vae_seeds):
    """The generation table and figure show the VAEs of the first of beyond.generation.seeds,
    the rest of chapters 2 and 3 those of the first of vae.seeds: they must be the same
    models, or the report would describe two sets of models as one."""
    if generation_seeds[0] != vae_seeds[0]:
        raise WorkflowError(
            f"beyond.generation.seeds: {generation_seeds} starts with {generation_seeds[0]},"
            f" but vae.seeds {vae_seeds} starts with {vae_seeds[0]}.\n"
            "  The generation table and figure show the models of the first seed, the rest of"
            f" the report those of seed {vae_seeds[0]}; put it first, e.g. beyond.generation.seeds:"
            f" {[vae_seeds[0]] + [s for s in generation_seeds if s != vae_seeds[0]]}."
        )


def check_recipe_twin(recipe, grid, vae_seeds):
    """The improved VAE is compared with the chapter-2 model of its latent size and beta,
    and chapter 3 shows its first seed's model beside the others' (the first of vae.seeds).
    """
    for key in ("seeds", "ablation_seeds"):
        if recipe[key][0] != vae_seeds[0]:
            raise WorkflowError(
                f"beyond.vae_recipe.{key}: {recipe[key]} starts with {recipe[key][0]}, but"
                f" vae.seeds {vae_seeds} starts with {vae_seeds[0]}.\n"
                "  Chapter 3 shows the models of that first seed side by side; put it first."
            )
    if RECIPE_TWIN not in grid:
        raise WorkflowError(
            f"beyond.vae_recipe: latent {recipe['latent']} and beta {recipe['beta']} are no"
            f" point of vae.grid ({', '.join(grid)}).\n"
            "  The improved VAE is compared with the grid point of its latent size and beta;"
            " set them to those of one of the points, or add that point to vae.grid."
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


# Above this many hours of VAE training on a CPU, the run says so before its first job.
LONG_CPU_HOURS = 1.0


def training_faces():
    """Faces in the training part, from the split if it exists, else from the table's rows."""
    sizes = Path(out("data/split.json"))
    if sizes.is_file():
        return json.loads(sizes.read_text())["train"]
    if is_synthetic():
        rows = config["synthetic"]["n_faces"]
    else:
        with (gzip.open if RAW_CSV.endswith(".gz") else open)(RAW_CSV, "rb") as table:
            rows = sum(1 for _ in table) - 1
    return round(rows * config["split"]["fractions"][0])


def warn_before_long_cpu_training():
    """If VAEs are still to train, torch sees no GPU and one step measured here says the grid
    will take hours, print the expected time and the command of the CPU-budget settings.
    """
    # Chapter 2's grid on every seed, chapter 3's learned-mixture pairs on theirs.
    pending = [
        (name, seed)
        for name, seed in vae_training_runs()
        if not Path(run_file("vae", name, "model.pt", seed)).exists()
    ]
    if not pending or config["device"] == "cuda":
        return
    import torch

    if config["device"] == "auto" and torch.cuda.is_available():
        return
    from facevae.progress import duration, vae_seconds_per_face
    from facevae.precision import device_name

    vae = config["vae"]
    per_face, seconds = {}, 0.0  # measured once per model: the seeds train alike
    for name, seed in pending:
        wildcards = SimpleNamespace(vae=name, seed=seed)
        args, train = get_vae_model_args(wildcards), get_vae_train_args(wildcards)
        key = json.dumps(args, sort_keys=True)
        if key not in per_face:
            per_face[key] = vae_seconds_per_face(
                args, train["batch_size"], workflow.cores, config["precision"]
            )
        seconds += per_face[key] * train["epochs"] * training_faces()
    if seconds < LONG_CPU_HOURS * 3600:
        return
    budget = "configs/demo.yaml" if is_synthetic() else "configs/cpu.yaml"
    table = "" if is_synthetic() else f" --config raw_csv={RAW_CSV}"
    print(
        f"\n*** {len(pending)} VAE training job(s) of run {RUN} are about to run on the CPU"
        f" ({device_name(torch.device('cpu'))}).\n"
        f"*** At their epochs ({vae['epochs']} for the grid), one training step timed here per"
        " model puts them at about"
        f" {duration(seconds, coarse=True)} (CNNs and evaluation not counted).\n"
        f"*** {budget} trains the same grid for fewer epochs:\n"
        f"***   snakemake --cores all --resources gpu=1 --configfile {budget}{table}\n"
        "*** Stop with Ctrl-C; finished models are kept, a VAE resumes from its last epoch.\n",
        file=sys.stderr,
    )


check_age_edges(config["figures"]["age_edges"])
check_image_settings(
    config["image_metrics"]["ssim_window"],
    config["restore"]["erase_size"],
    config["restore"]["erase_position"],
    config["split"]["fractions"],
)
check_vae_grid(
    {"vae.grid": config["vae"]["grid"]}
    | (
        {"beyond.generation.grid": config["beyond"]["generation"]["grid"]}
        if config["beyond"]["enabled"]
        else {}
    )
)
if config["beyond"]["enabled"]:
    check_generation_seeds(
        config["beyond"]["generation"]["seeds"], config["vae"]["seeds"]
    )
    check_recipe_twin(RECIPE, VAE_GRID, config["vae"]["seeds"])
check_device(config["device"])
