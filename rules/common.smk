# Helpers shared by all rules (where the input table is, which figures the report needs).
import gzip
import json
import re
import sys
from pathlib import Path
from types import SimpleNamespace

from snakemake.exceptions import WorkflowError

from facevae import names, runs
from facevae.report import schedule_phrase
from facevae.variants import compared_seeds, expand as expand_variants

# Lock files that give each GPU job a device of its own on a multi-GPU workstation.
GPU_LOCKS = ".snakemake/gpu_locks"

# Exploratory figures of the data chapter, each made by scripts/fig_<name>.py.
DATA_FIGURES = ["mean_faces_ethnicity", "mean_faces_age", "label_distributions"]

CNN_TASKS = ["gender", "ethnicity", "age"]  # facevae.cnn.TASKS
CNN_CLASSIFIERS = [task for task in CNN_TASKS if task != "age"]
# Chapter 1 figures (the original's 1.5-1.13, see docs/original_study.md), by scripts/fig_<name>.py.
CNN_FIGURES = [
    "cnn_architecture",
    "feature_maps",
    "training_loss",
    "validation_curves",
    "confusion_matrices",
    "class_metrics",
    "age_histogram",
    "gender_by_age",
    "prediction_grid",
]


VAE_GRID = names.vae_grid(config["vae"]["grid"])  # chapter 2
VAE_NAMES = list(VAE_GRID)
# Chapter 2 figures (the original's figures 2.3-2.5).
VAE_FIGURES = ["vae_training", "vae_reconstructions", "vae_comparison", "vae_metrics"]
# Restoration and interpolation figures (the original's figures 2.6, 2.7).
RESTORE_FIGURES = ["restoration", "interpolation"]

# Chapter 3: every CNN variant (config.yaml, beyond), the ablation's included.
try:
    VARIANTS = expand_variants(config["beyond"])
except ValueError as err:
    raise WorkflowError(f"settings, beyond: {err}")
BEYOND_ON = bool(VARIANTS)
# Chapter 3, generation: the mixture-prior VAEs, trained like the chapter-2 grid, and every
# VAE of both grids, whose samples and likelihood bounds are measured.
GENERATION = config["beyond"]["generation"]
BEYOND_VAE_GRID = names.vae_grid(GENERATION["grid"]) if BEYOND_ON else {}
ALL_VAE_GRID = VAE_GRID | BEYOND_VAE_GRID
GENERATION_NAMES = list(ALL_VAE_GRID) if BEYOND_ON else []
# Each learned-mixture VAE and its standard-prior twin (same latent size and beta), if any.
PRIOR_TWINS = names.prior_twins(ALL_VAE_GRID)
BEYOND_FIGURES = ["fairness", "generation", "attribute_change"] if BEYOND_ON else []
BEYOND_TABLES = (
    [
        "table_imbalance",
        "table_improved",
        "table_ablation",
        "table_generation",
        "table_restore_search",
        "table_attribute_change",
    ]
    if BEYOND_ON
    else []
)
VARIANT_TASKS = [(name, task) for name, v in VARIANTS.items() for task in v.tasks]


def names_pattern(names):
    """A wildcard constraint that matches exactly these names (nothing when there are none)."""
    return "|".join(re.escape(name) for name in names) or "(?!)"


# Multi-task variants train one network per seed (rule train_multitask), the others one per
# task and seed (train_variant); both leave the same per-task files behind.
MULTITASK = names_pattern([name for name, v in VARIANTS.items() if v.multitask])
SINGLE_TASK = names_pattern([name for name, v in VARIANTS.items() if not v.multitask])
IMPROVED = VARIANTS.get(config["beyond"]["improved"])
# The fairness view: the classifiers the improved recipe trains.
FAIRNESS_TASKS = [t for t in CNN_CLASSIFIERS if IMPROVED and t in IMPROVED.tasks]


# The face table: a path, or None for the synthetic demo faces (facevae.runs).
try:
    RAW_TABLE = runs.resolve_raw_csv(str(config["raw_csv"]))
except ValueError as err:
    raise WorkflowError(str(err))
# Every run keeps all its outputs (data, models, logs, figures, its PDF) in a folder of its
# own, named after the settings and the data: results/<run>-<table>/, e.g. results/cpu-age_gender/
# or results/demo-synthetic/. Switching between configurations never overwrites another
# run's models, and switching back finds them up to date.
RUN = runs.run_name(config["run"], RAW_TABLE)
RUN_DIR = f"results/{RUN}"


def out(path):
    """Where this run keeps `path` (relative to its folder); wildcards pass through."""
    return f"{RUN_DIR}/{path}"


SYNTHETIC_CSV = out("data/synthetic.csv.gz")
RAW_CSV = SYNTHETIC_CSV if RAW_TABLE is None else RAW_TABLE


def is_synthetic():
    return RAW_TABLE is None


# Per-stage JSON files merged into results/summary.json, by the key prefix they get there.
SUMMARY_PARTS = {
    "data": out("data/quality.json"),
    "data.groups": out("data/groups.json"),
    "data.split": out("data/split.json"),
    **{f"cnn.{task}": out(f"cnn/{task}/metrics.json") for task in CNN_TASKS},
    **{f"vae.{name}": out(f"vae/{name}/metrics.json") for name in VAE_NAMES},
    "vae.best": out("vae/best.json"),
    "vae.baseline": out("vae/baselines.json"),
    "restore": out("restore/metrics.json"),
    **{
        f"beyond.{name}.{task}": out(f"beyond/{name}/{task}/metrics.json")
        for name, task in VARIANT_TASKS
    },
    **({"beyond.fairness": out("beyond/fairness.json")} if BEYOND_ON else {}),
    **{
        f"beyond.generation.{name}": out(f"beyond/generation/{name}.json")
        for name in GENERATION_NAMES
    },
    **(
        {
            "beyond.restore_search": out("beyond/restore_search.json"),
            "beyond.prior_twins": out("beyond/generation/prior_twins.json"),
            "beyond.attribute_change": out("beyond/attribute_change.json"),
        }
        if BEYOND_ON
        else {}
    ),
}


def get_raw_csv():
    return RAW_CSV


def get_data_source():
    """How the title page names the data."""
    if is_synthetic():
        return (
            f"synthetic demo data ({config['synthetic']['n_faces']:,} generated faces)"
        )
    return f"UTKFace table {Path(RAW_CSV).name}"


FIGURES = DATA_FIGURES + CNN_FIGURES + VAE_FIGURES + RESTORE_FIGURES + BEYOND_FIGURES
TABLES = ["table_cnn", "table_vae", "table_restore_noise", "table_restore_erase"]
TABLES += BEYOND_TABLES
# Chapters of `snakemake --report`, in the order of the PDF.
CHAPTER = (
    {name: "1. The data" for name in DATA_FIGURES}
    | {name: "2. Supervised networks" for name in CNN_FIGURES + ["table_cnn"]}
    | {name: "3. Beta-VAEs" for name in VAE_FIGURES + ["table_vae"]}
    | {
        name: "4. Restoration and interpolation"
        for name in RESTORE_FIGURES + ["table_restore_noise", "table_restore_erase"]
    }
    | {name: "5. Beyond the original" for name in BEYOND_FIGURES + BEYOND_TABLES}
)


def get_figures():
    return expand(out("figures/{name}.pdf"), name=FIGURES)


def get_tables():
    return expand(out("generated/{name}.tex"), name=TABLES)


def caption_file(name):
    """The caption of figure or table `name` for `snakemake --report`: written by the rule
    html_parts from the caption in the LaTeX sections (the path is relative to rules/).
    """
    return f"../{out(f'captions/{name}.rst')}"


def figure(name):
    """The output of one figure rule: the PDF, marked for `snakemake --report`."""
    return report(
        out(f"figures/{name}.pdf"), caption=caption_file(name), category=CHAPTER[name]
    )


def get_package_modules(*names):
    """Package modules that a job runs, listed as its inputs so that editing one reruns
    exactly the jobs that depend on it."""
    return [f"src/facevae/{name}.py" for name in names]


def get_cnn_model_args():
    keys = ("channels", "hidden", "leaky_slope", "dropout")
    return {key: config["cnn"][key] for key in keys}


def get_cnn_train_args(wildcards):
    keys = (
        "epochs",
        "batch_size",
        "optimizer",
        "lr_scale",
        "eval_batch_size",
        "log_every",
    )
    return {"seed": int(wildcards.seed)} | {key: config["cnn"][key] for key in keys}


CNN_SEEDS = config["cnn"]["seeds"]


def get_report_sections():
    return sorted(str(p) for p in Path("report/sections").glob("*.tex"))


def get_summary_settings():
    """Settings the report quotes (epochs, batch size, ...) and the original's published
    numbers, so that no number in the LaTeX is typed by hand."""
    return {
        "config.cnn": config["cnn"],
        "config.bootstrap": config["bootstrap"],
        "config.image_metrics": config["image_metrics"],
        "config.split": config["split"],
        "config.vae": {k: v for k, v in config["vae"].items() if k != "grid"}
        | {
            "grid_size": len(VAE_GRID),
            "latents": sorted({p["latent"] for p in VAE_GRID.values()}),
            "betas": sorted({p["beta"] for p in VAE_GRID.values()}, reverse=True),
            "schedule": schedule_phrase(config["vae"]),
        },
        "config.restore": config["restore"],
        "config.interpolation": config["interpolation"],
        "config.beyond": {
            key: value
            for key, value in config["beyond"].items()
            if key not in ("variants", "ablation", "generation")
        }
        | {
            "generation": {k: v for k, v in GENERATION.items() if k != "grid"}
            | {"largest_k": max(GENERATION["bound_samples"])}
        },
        "paper": config["paper"],
    }


def get_restore_protocol():
    """Keyword arguments of facevae.restore.run_protocol (see config.yaml, restore)."""
    keys = (
        "seed",
        "noise_sigmas",
        "denoisers",
        "denoiser_options",
        "erase_size",
        "erase_position",
        "inpaint_iterations",
        "n_examples",
    )
    return {key: config["restore"][key] for key in keys} | {
        "image_metrics": config["image_metrics"],
        "bootstrap": config["bootstrap"],
    }


def get_vae_model_args(wildcards):
    point = ALL_VAE_GRID[wildcards.vae]
    keys = ("channels", "hidden", "leaky_slope")
    return {k: point[k] for k in ("latent", "prior", "components")} | {
        k: config["vae"][k] for k in keys
    }


def get_vae_train_args(wildcards):
    keys = (
        "epochs",
        "batch_size",
        "lr",
        "lr_schedule",
        "warmup",
        "recon",
        "eval_batch_size",
        "log_every",
    )
    return {
        "beta": ALL_VAE_GRID[wildcards.vae]["beta"],
        "seed": int(wildcards.seed),
    } | {k: config["vae"][k] for k in keys}


VAE_SEEDS = config["vae"]["seeds"]


def run_file(kind, name, file, seed=None):
    """A file of one training run: results/<kind>/<name>/seed<seed>/<file>, kind "cnn"
    (name: the task) or "vae" (name: the grid point). Without a seed, the first of that
    kind's seeds: the run whose model the figures and restoration use."""
    seed = config[kind]["seeds"][0] if seed is None else seed
    return out(f"{kind}/{name}/seed{seed}/{file}")


def get_training_jobs():
    """Every training job of the run by name (cnn.<task>.seed<n>, vae.<point>.seed<n>), with
    its history and its benchmark file: what the provenance in summary.json reads."""
    jobs = {}
    for task in CNN_TASKS:
        for seed in CNN_SEEDS:
            jobs[f"cnn.{task}.seed{seed}"] = (
                run_file("cnn", task, "history.json", seed),
                out(f"benchmarks/cnn/train_{task}_seed{seed}.tsv"),
            )
    for name in ALL_VAE_GRID:
        for seed in VAE_SEEDS:
            jobs[f"vae.{name}.seed{seed}"] = (
                run_file("vae", name, "history.json", seed),
                out(f"benchmarks/vae/train_{name}_seed{seed}.tsv"),
            )
    for name, variant in VARIANTS.items():
        for task in ["all"] if variant.multitask else variant.tasks:
            for seed in variant.seeds:
                jobs[f"beyond.{name}.{task}.seed{seed}"] = (
                    variant_history(name, task, seed),
                    out(f"benchmarks/beyond/train_{name}_{task}_seed{seed}.tsv"),
                )
    return jobs


def variant_history(name, task, seed):
    """The training history behind a variant's task: its own, or the shared one of a
    multi-task variant (in beyond/<variant>/all/)."""
    if name != "paper" and VARIANTS[name].multitask:
        task = "all"
    return variant_file(name, task, "history.json", seed)


def variant_file(name, task, file, seed):
    """A file of one chapter-3 training run, or of the chapter-1 model for name "paper"."""
    if name == "paper":
        return run_file("cnn", task, file, seed)
    return out(f"beyond/{name}/{task}/seed{seed}/{file}")


def get_variant(wildcards):
    variant = VARIANTS.get(wildcards.variant)
    task = getattr(wildcards, "task", None)
    if variant is None or (task is not None and task not in variant.tasks):
        raise WorkflowError(
            f"no chapter-3 variant {wildcards.variant!r} for {wildcards.task}; there are:"
            f" {', '.join(f'{n}/{t}' for n, t in VARIANT_TASKS)}"
        )
    return variant


def get_variant_model_args(wildcards):
    return get_variant(wildcards).model_args(config["cnn"])


def get_variant_train_args(wildcards):
    args = get_variant(wildcards).train_args(config["cnn"], config["beyond"]["augment"])
    return args | {"seed": int(wildcards.seed)}


def variant_predictions(part, reference=False):
    """Input function: the `part` ("val" or "test") predictions of every seed of a variant,
    or, with `reference`, of what it is compared with (the paper model or the improved
    recipe, on the seeds they share)."""

    def files(wildcards):
        variant = get_variant(wildcards)
        name, seeds = variant.name, variant.seeds
        if reference:
            name = variant.reference
            seeds = compared_seeds(variant, VARIANTS, CNN_SEEDS)
        return [
            variant_file(name, wildcards.task, f"{part}_predictions.npz", s)
            for s in seeds
        ]

    return files


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
    # Chapter 2's grid trains every seed; the generation grid only the first.
    runs = [(name, seed) for name in VAE_GRID for seed in VAE_SEEDS]
    runs += [(name, VAE_SEEDS[0]) for name in BEYOND_VAE_GRID]
    pending = [
        (name, seed)
        for name, seed in runs
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
    per_face = {}  # measured once per latent size: the rest of the model is the same
    for name, _ in pending:
        args = get_vae_model_args(SimpleNamespace(vae=name))
        if args["latent"] not in per_face:
            per_face[args["latent"]] = vae_seconds_per_face(
                args, vae["batch_size"], workflow.cores, config["precision"]
            )
    seconds = sum(per_face[ALL_VAE_GRID[name]["latent"]] for name, _ in pending)
    seconds *= vae["epochs"] * training_faces()
    if seconds < LONG_CPU_HOURS * 3600:
        return
    budget = "configs/demo.yaml" if is_synthetic() else "configs/cpu.yaml"
    table = "" if is_synthetic() else f" --config raw_csv={RAW_CSV}"
    print(
        f"\n*** {len(pending)} VAE training job(s) of run {RUN} are about to run on the CPU"
        f" ({device_name(torch.device('cpu'))}).\n"
        f"*** At {vae['epochs']} epochs, one training step timed here puts them at about"
        f" {duration(seconds, coarse=True)} (CNNs and evaluation not counted).\n"
        f"*** {budget} trains the same grid for fewer epochs:\n"
        f"***   snakemake --cores all --resources gpu=1 --configfile {budget}{table}\n"
        "*** Stop with Ctrl-C; finished models are kept, a VAE resumes from its last epoch.\n",
        file=sys.stderr,
    )
