# What the rules of rules/report.smk take from the settings: input functions and params.

from facevae.sentences.vae import schedule_phrase

# Per-stage JSON files merged into results/summary.json, by the key prefix they get there.
SUMMARY_PARTS = {
    "data": out("data/quality.json"),
    "data.groups": out("data/groups.json"),
    "data.split": out("data/split.json"),
    **{f"cnn.{task}": out(f"cnn/{task}/metrics.json") for task in CNN_TASKS},
    **{f"vae.{name}": out(f"vae/{name}/metrics.json") for name in VAE_NAMES},
    "vae.best": out("vae/best.json"),
    "vae.baseline": out("vae/baselines.json"),
    "vae.versus": out("vae/versus_baselines.json"),
    "restore": out("restore/metrics.json"),
    **{
        f"beyond.{name}.{task}": out(f"beyond/{name}/{task}/metrics.json")
        for name, task in VARIANT_TASKS
    },
    **({"beyond.fairness": out("beyond/fairness.json")} if BEYOND_ON else {}),
    **{
        f"beyond.generation.{name}": generation_file(name, "json")
        for name in GENERATION_NAMES
    },
    **(
        {
            "beyond.restore_search": out("beyond/restore_search.json"),
            "beyond.recipe_search": out("beyond/recipe/restore_search.json"),
            "beyond.prior_twins": out("beyond/generation/prior_twins.json"),
            "beyond.attribute_change": out("beyond/attribute_change.json"),
            "beyond.vae_recipe": out("beyond/vae_recipe.json"),
            "beyond.ensemble": out("beyond/ensemble.json"),
        }
        if BEYOND_ON
        else {}
    ),
}


def get_data_source():
    """How the title page names the data."""
    if is_synthetic():
        return (
            f"synthetic demo data ({config['synthetic']['n_faces']:,} generated faces)"
        )
    return f"UTKFace table {Path(RAW_CSV).name}"


def get_report_sections():
    return sorted(str(p) for p in Path("report/sections").glob("*.tex"))


def get_summary_settings():
    """Settings the report quotes (epochs, batch size, ...) and the original's published
    numbers, so that no number in the LaTeX is typed by hand."""
    return {
        "config.cnn": config["cnn"] | {"first_seed": CNN_SEEDS[0]},
        "config.bootstrap": config["bootstrap"],
        "config.image_metrics": config["image_metrics"],
        "config.split": config["split"],
        "config.vae": {k: v for k, v in config["vae"].items() if k != "grid"}
        | {
            "first_seed": VAE_SEEDS[0],
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
            if key not in ("variants", "ablation", "generation", "vae_recipe")
        }
        | {
            "vae_recipe": RECIPE | {"seed_count": len(RECIPE["seeds"])},
            "generation": {k: v for k, v in GENERATION.items() if k != "grid"}
            | {
                "largest_k": max(GENERATION["bound_samples"]),
                "first_seed": GENERATION_SEEDS[0],
            },
        },
        "paper": config["paper"],
    }


def get_training_jobs():
    """Every training job of the run by name (cnn.<task>.seed<n>, vae.<point>.seed<n>), with
    its history, which says where it trained and what it cost: what the provenance in
    summary.json reads."""
    jobs = {}
    for task in CNN_TASKS:
        for seed in CNN_SEEDS:
            jobs[f"cnn.{task}.seed{seed}"] = run_file("cnn", task, "history.json", seed)
    for name, seed in vae_training_runs():
        jobs[f"vae.{name}.seed{seed}"] = run_file("vae", name, "history.json", seed)
    for name, variant in VARIANTS.items():
        for task in ["all"] if variant.multitask else variant.tasks:
            for seed in variant.seeds:
                jobs[f"beyond.{name}.{task}.seed{seed}"] = variant_history(
                    name, task, seed
                )
    return jobs
