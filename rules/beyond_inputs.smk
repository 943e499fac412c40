# What the rules of rules/beyond.smk take from the settings: input functions and params.

from facevae.variants import compared_seeds


def names_pattern(choices):
    """A wildcard constraint that matches exactly these names (nothing when there are none)."""
    return "|".join(re.escape(name) for name in choices) or "(?!)"


# Multi-task variants train one network per seed (rule train_multitask), the others one per
# task and seed (train_variant); both leave the same per-task files behind.
MULTITASK = names_pattern([name for name, v in VARIANTS.items() if v.multitask])


SINGLE_TASK = names_pattern([name for name, v in VARIANTS.items() if not v.multitask])


IMPROVED = VARIANTS.get(config["beyond"]["improved"])


# The fairness view: the classifiers the improved recipe trains.
FAIRNESS_TASKS = [t for t in CNN_CLASSIFIERS if IMPROVED and t in IMPROVED.tasks]


def variant_file(name, task, file, seed):
    """A file of one chapter-3 training run, or of the chapter-1 model for name "paper"."""
    if name == "paper":
        return run_file("cnn", task, file, seed)
    return out(f"beyond/{name}/{task}/seed{seed}/{file}")


def variant_model(name, task, seed):
    """The model behind a variant's task: its own, or a multi-task variant's shared one."""
    if name != "paper" and VARIANTS[name].multitask:
        task = "all"
    return variant_file(name, task, "model.pt", seed)


def variant_history(name, task, seed):
    """The training history behind a variant's task: its own, or the shared one of a
    multi-task variant (in beyond/<variant>/all/)."""
    if name != "paper" and VARIANTS[name].multitask:
        task = "all"
    return variant_file(name, task, "history.json", seed)


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


def variant_seeds(reference=False):
    """Params function: the seed numbers of a variant's predictions files or, with
    `reference`, of its reference's, in the order of variant_predictions; the intervals pair
    the two sides seed by seed when these agree."""

    def seeds(wildcards):
        variant = get_variant(wildcards)
        if reference:
            return compared_seeds(variant, VARIANTS, CNN_SEEDS)
        return list(variant.seeds)

    return seeds


# The generation files the twin comparison (prior_twins) pairs, both VAEs of each pair on
# every seed.
TWIN_RUNS = [(name, seed) for name in sorted(TWINNED) for seed in GENERATION_SEEDS]


def recipe_files(file, names, seeds):
    """One file of each (grid point, seed) run: vae/<name>/seed<seed>/<file>, name-major."""
    return [out(f"vae/{name}/seed{seed}/{file}") for name in names for seed in seeds]


RECIPE_ABLATION = [name for name in RECIPE_GRID if name != RECIPE_NAME]


def recipe_histories():
    """The first seed's training history of the recipe's twin, the recipe and its ablation."""
    first = {RECIPE_TWIN: RECIPE["seeds"][0]} | {
        name: vae_recipe.seeds(RECIPE, point)[0] for name, point in RECIPE_GRID.items()
    }
    return [out(f"vae/{name}/seed{seed}/history.json") for name, seed in first.items()]


def improved_files(kind):
    """Every (task, seed) file of the improved recipe, task-major: its models, histories or
    `part` predictions (kind "model", "history", "val", "test")."""
    tasks, seeds = IMPROVED.tasks if IMPROVED else [], (
        IMPROVED.seeds if IMPROVED else []
    )
    find = {
        "model": variant_model,
        "history": variant_history,
        "val": lambda n, t, s: variant_file(n, t, "val_predictions.npz", s),
        "test": lambda n, t, s: variant_file(n, t, "test_predictions.npz", s),
    }[kind]
    return [find(IMPROVED.name, task, seed) for task in tasks for seed in seeds]
