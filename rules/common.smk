# Helpers shared by all rules (where the input table is, which figures the report needs).
from pathlib import Path

from snakemake.exceptions import WorkflowError

# Lock files that give each GPU job a device of its own on a multi-GPU workstation.
GPU_LOCKS = ".snakemake/gpu_locks"
DEFAULT_RAW_CSV = ["data/age_gender.csv", "data/age_gender.csv.gz"]
SYNTHETIC_CSV = "results/data/synthetic.csv.gz"
KAGGLE_URL = (
    "https://www.kaggle.com/datasets/nipunarora8/age-gender-and-ethnicity-face-data-csv"
)

# Exploratory figures of the data chapter, each made by scripts/fig_<name>.py.
DATA_FIGURES = ["mean_faces_ethnicity", "mean_faces_age", "label_distributions"]

CNN_TASKS = ["gender", "ethnicity", "age"]  # facevae.cnn.TASKS
CNN_CLASSIFIERS = [task for task in CNN_TASKS if task != "age"]
# Chapter 1 figures (PAPER.md 1.5-1.13), each made by scripts/fig_<name>.py.
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


def vae_name(point):
    """Folder name of one grid point, e.g. z256_b0.01."""
    return f"z{point['latent']}_b{point['beta']:g}"


VAE_GRID = {vae_name(point): point for point in config["vae"]["grid"]}
VAE_NAMES = list(VAE_GRID)
# Chapter 2 figures (PAPER.md 2.3-2.5).
VAE_FIGURES = ["vae_reconstructions", "vae_comparison", "vae_metrics"]
# Restoration and interpolation figures (PAPER.md 2.6, 2.7).
RESTORE_FIGURES = ["restoration", "interpolation"]

# Per-stage JSON files merged into results/summary.json, by the key prefix they get there.
SUMMARY_PARTS = {
    "data": "results/data/quality.json",
    "data.groups": "results/data/groups.json",
    "data.split": "results/data/split.json",
    **{f"cnn.{task}": f"results/cnn/{task}/metrics.json" for task in CNN_TASKS},
    **{f"vae.{name}": f"results/vae/{name}/metrics.json" for name in VAE_NAMES},
    "vae.best": "results/vae/best.json",
    "vae.baseline": "results/vae/baselines.json",
    "restore": "results/restore/metrics.json",
}


def raw_csv_problem(path):
    """Why `path`, which is present (or a dangling link), cannot be the face table; None if
    it can (a regular file, or a link to one) or if nothing is there."""
    path = Path(path)
    if path.is_symlink() and not path.exists():
        target = path.readlink()
        try:
            end = path.resolve()
        except (OSError, RuntimeError):  # the links form a loop
            return f"is a symbolic link to {target}, part of a loop of links"
        where = "" if end == target else f" (that is {end})"
        return f"is a symbolic link to {target}{where}, which does not exist"
    if path.is_dir():
        inside = [path / name for name in ("age_gender.csv", "age_gender.csv.gz")]
        found = [str(p) for p in inside if p.is_file()]
        hint = f"; did you mean {found[0]!r}?" if found else ""
        return (
            "is a directory, but a file is expected: the face table itself"
            f" (.csv or .csv.gz){hint}"
        )
    if path.exists() and not path.is_file():
        return "is not a regular file; the face table must be a .csv or .csv.gz file"
    return None


def resolve_raw_csv(value):
    """The table the workflow reads: a path, or SYNTHETIC_CSV for the demo data."""
    if value == "auto":
        for path in DEFAULT_RAW_CSV:
            problem = raw_csv_problem(path)
            if problem:
                raise WorkflowError(
                    f"raw_csv: auto found {path}, but it {problem}.\n"
                    "  Put the face table there or remove it (without it, auto uses the"
                    " synthetic demo faces)."
                )
        found = [p for p in DEFAULT_RAW_CSV if Path(p).exists()]
        return found[0] if found else SYNTHETIC_CSV
    if value == "synthetic":
        return SYNTHETIC_CSV
    problem = raw_csv_problem(value)
    if problem:
        raise WorkflowError(
            f"raw_csv: {value!r} {problem}.\n"
            "  raw_csv must name the face table file: --config raw_csv=PATH/age_gender.csv"
        )
    if not Path(value).is_file():
        raise WorkflowError(
            f"raw_csv: the file {value!r} does not exist.\n"
            f"  The face table is the Kaggle file age_gender.csv from {KAGGLE_URL}\n"
            "  (download it, then pass --config raw_csv=PATH, or put it at data/age_gender.csv).\n"
            "  To run the demo on generated faces instead: make demo, or\n"
            "  snakemake --cores all --resources gpu=1 --configfile configs/demo.yaml"
        )
    return value


RAW_CSV = resolve_raw_csv(str(config["raw_csv"]))


def is_synthetic():
    return RAW_CSV == SYNTHETIC_CSV


def get_raw_csv():
    return RAW_CSV


def get_data_source():
    """How the title page names the data."""
    if is_synthetic():
        return (
            f"synthetic demo data ({config['synthetic']['n_faces']:,} generated faces)"
        )
    return f"UTKFace table {Path(RAW_CSV).name}"


def get_figures():
    names = DATA_FIGURES + CNN_FIGURES + VAE_FIGURES + RESTORE_FIGURES
    return expand("report/figures/{name}.pdf", name=names)


def get_tables():
    names = ["cnn", "vae", "restore_noise", "restore_erase"]
    return expand("report/generated/table_{name}.tex", name=names)


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
        },
        "config.restore": config["restore"],
        "config.interpolation": config["interpolation"],
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
    keys = ("channels", "hidden", "leaky_slope")
    return {"latent": VAE_GRID[wildcards.vae]["latent"]} | {
        k: config["vae"][k] for k in keys
    }


def get_vae_train_args(wildcards):
    keys = ("epochs", "batch_size", "lr", "recon", "eval_batch_size", "log_every")
    return {
        "beta": VAE_GRID[wildcards.vae]["beta"],
        "seed": int(wildcards.seed),
    } | {k: config["vae"][k] for k in keys}


VAE_SEEDS = config["vae"]["seeds"]


def run_file(kind, name, file, seed=None):
    """A file of one training run: results/<kind>/<name>/seed<seed>/<file>, kind "cnn"
    (name: the task) or "vae" (name: the grid point). Without a seed, the first of that
    kind's seeds: the run whose model the figures and restoration use."""
    seed = config[kind]["seeds"][0] if seed is None else seed
    return f"results/{kind}/{name}/seed{seed}/{file}"
