# Helpers shared by all rules (where the input table is, which figures the report needs).
import re
from pathlib import Path

from snakemake.exceptions import WorkflowError

from facevae import names, runs, vae_recipe
from facevae.report import section_headings
from facevae.variants import expand as expand_variants

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
# Chapter 3's improved VAE (facevae.vae_recipe): the recipe first, then its ablation variants.
RECIPE = config["beyond"]["vae_recipe"]
try:
    RECIPE_GRID = vae_recipe.grid(RECIPE) if BEYOND_ON else {}
except ValueError as err:
    raise WorkflowError(f"settings, {err}")
RECIPE_NAME = next(iter(RECIPE_GRID), None)
RECIPE_TWIN = vae_recipe.paper_twin(RECIPE)  # the chapter-2 model it is set against
ALL_VAE_GRID = VAE_GRID | BEYOND_VAE_GRID | RECIPE_GRID
# Every VAE whose likelihood and samples chapter 3 measures: both grids and the recipe.
GENERATION_NAMES = list(VAE_GRID | BEYOND_VAE_GRID) + [RECIPE_NAME] if BEYOND_ON else []
# Each learned-mixture VAE and its standard-prior twin (same latent size and beta), if any.
PRIOR_TWINS = names.prior_twins(ALL_VAE_GRID)
# Both VAEs of each such pair are trained and scored on every seed of beyond.generation.seeds,
# to be compared seed by seed; every other VAE is scored on the first of them only, the seed
# whose results the generation table and figure show.
GENERATION_SEEDS = GENERATION["seeds"]
TWINNED = set(PRIOR_TWINS) | set(PRIOR_TWINS.values())


def generation_seeds(name):
    """The training seeds on which chapter 3 scores VAE `name`."""
    return GENERATION_SEEDS if name in TWINNED else GENERATION_SEEDS[:1]


def generation_file(name, ext, seed=None):
    """A generation job's .json or .npz (`ext`); without a seed, that of the first seed."""
    seed = GENERATION_SEEDS[0] if seed is None else seed
    return out(f"beyond/generation/{name}/seed{seed}.{ext}")


def vae_training_runs():
    """Every VAE training job of the run as (grid point, seed): chapter 2's grid on each of
    vae.seeds and, with chapter 3, each VAE on the seeds it is scored on, the improved
    recipe's included."""
    jobs = [(name, seed) for name in VAE_GRID for seed in config["vae"]["seeds"]]
    jobs += [
        (name, seed) for name in GENERATION_NAMES for seed in generation_seeds(name)
    ]
    if (
        BEYOND_ON
    ):  # the recipe, its ablation, and its chapter-2 twin on the recipe's seeds
        jobs += [
            (name, seed)
            for name, point in RECIPE_GRID.items()
            for seed in vae_recipe.seeds(RECIPE, point)
        ]
        jobs += [(RECIPE_TWIN, seed) for seed in RECIPE["seeds"]]
    return list(dict.fromkeys(jobs))


BEYOND_FIGURES = (
    ["fairness", "vae_recipe", "generation", "attribute_change"] if BEYOND_ON else []
)
BEYOND_TABLES = (
    [
        "table_imbalance",
        "table_improved",
        "table_ablation",
        "table_ensemble",
        "table_generation",
        "table_prior_twins",
        "table_restore_search",
        "table_attribute_change",
        "table_attribute_control",
        "table_vae_recipe",
        "table_vae_ablation",
    ]
    if BEYOND_ON
    else []
)
VARIANT_TASKS = [(name, task) for name, v in VARIANTS.items() for task in v.tasks]


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
try:  # another table of the same file name must not reuse this run's folder
    runs.check_same_table(RUN_DIR, RAW_TABLE)
except ValueError as err:
    raise WorkflowError(str(err))


def cache_key(wildcards):
    """A `cache: True` rule's wildcards, as one of its params. Snakemake's output cache keys
    a job by its script, params and inputs, not by the wildcards the script reads: without
    them, the gender and age CNNs of one seed would share one entry."""
    return dict(wildcards.items())


def out(path):
    """Where this run keeps `path` (relative to its folder); wildcards pass through."""
    return f"{RUN_DIR}/{path}"


SYNTHETIC_CSV = out("data/synthetic.csv.gz")
RAW_CSV = SYNTHETIC_CSV if RAW_TABLE is None else RAW_TABLE


def is_synthetic():
    return RAW_TABLE is None


def get_raw_csv():
    return RAW_CSV


FIGURES = DATA_FIGURES + CNN_FIGURES + VAE_FIGURES + RESTORE_FIGURES + BEYOND_FIGURES
TABLES = ["table_cnn", "table_vae", "table_restore_noise", "table_restore_erase"]
TABLES += BEYOND_TABLES
# The figures and tables each section of the PDF shows, in the order of facevae.report's
# SECTIONS: `snakemake --report` groups them under the same numbered headings, and every
# number of the summary comes last.
SHOWN_IN_SECTION = [
    DATA_FIGURES,
    CNN_FIGURES + ["table_cnn"],
    VAE_FIGURES + ["table_vae"],
    RESTORE_FIGURES + ["table_restore_noise", "table_restore_erase"],
    BEYOND_FIGURES + BEYOND_TABLES,
]
*SECTION_HEADINGS, EVERY_NUMBER = section_headings()
CHAPTER = {
    name: heading
    for heading, shown in zip(SECTION_HEADINGS, SHOWN_IN_SECTION, strict=True)
    for name in shown
}


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


def run_file(kind, name, file, seed=None):
    """A file of one training run: results/<kind>/<name>/seed<seed>/<file>, kind "cnn"
    (name: the task) or "vae" (name: the grid point). Without a seed, the first of that
    kind's seeds: the run whose model the figures and restoration use."""
    seed = config[kind]["seeds"][0] if seed is None else seed
    return out(f"{kind}/{name}/seed{seed}/{file}")
