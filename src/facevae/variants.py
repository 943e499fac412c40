"""The CNN variants of chapter 3, spelled out from the settings (config.yaml, ``beyond``).

A variant is the chapter-1 CNN of some tasks with some settings changed. The ablation adds
one variant per ingredient of the improved recipe, ``improved_without_<ingredient>``: the
recipe with that setting back to the paper's. Each variant knows what it is compared with:
the paper model, or the improved recipe for an ablation.

The Snakefile imports this module while it is parsed, so it imports no numerical library.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from facevae.names import ablation_name

CLASSIFIERS = ("gender", "ethnicity")
MODEL_KEYS = ("channels", "hidden", "leaky_slope", "dropout")
TRAIN_KEYS = ("epochs", "batch_size", "optimizer", "lr_scale", "eval_batch_size", "log_every")
# Settings the chapter-1 models do not have, with the value that trains as the original did.
NEW_INGREDIENTS = {
    "class_weights": False,
    "augment": False,
    "label_smoothing": 0.0,
    "lr_schedule": "paper",
    "lr": 3e-3,
    "warmup": 0.3,
    "age_loss": "mse",
    "age_weight": 1.0,
}
# Ingredients that only touch some tasks: the ablation of a recipe of separate networks
# trains only those.
ONLY_FOR = {"class_weights": CLASSIFIERS, "label_smoothing": CLASSIFIERS, "age_loss": ("age",)}
PAPER = "paper"  # the name of the chapter-1 models when a variant is compared with them


@dataclass
class Variant:
    name: str
    tasks: list[str]
    seeds: list[int]
    reference: str  # "paper" or the name of another variant
    settings: dict = field(default_factory=dict)  # the changed settings, as configured

    @property
    def multitask(self) -> bool:
        """One network with a head per task, trained on all of them at once."""
        return bool(self.settings.get("multitask", False))

    def model_args(self, cnn: dict) -> dict:
        return {key: self.settings.get(key, cnn[key]) for key in MODEL_KEYS}

    def train_args(self, cnn: dict, augment: dict) -> dict:
        """facevae.cnn_train.TrainConfig fields (the seed apart)."""
        args = {key: self.settings.get(key, cnn[key]) for key in TRAIN_KEYS}
        args |= {key: self.settings.get(key, value) for key, value in NEW_INGREDIENTS.items()}
        args["augment"] = dict(augment) if args["augment"] else None
        return args


def expand(beyond: dict) -> dict[str, Variant]:
    """Every variant of chapter 3 by name, the ablation's included; {} when it is off.
    Raises ValueError for settings that name a variant or ingredient that is not there."""
    if not beyond["enabled"]:
        return {}
    configured = beyond["variants"]
    for key in ("imbalance", "improved"):
        names = beyond[key] if isinstance(beyond[key], list) else [beyond[key]]
        for name in names:
            if name not in configured:
                raise ValueError(
                    f"beyond.{key} names {name!r}, which is not one of beyond.variants"
                    f" ({', '.join(configured)})"
                )
    variants = {}
    for name, spec in configured.items():
        settings = {key: value for key, value in spec.items() if key != "tasks"}
        variants[name] = Variant(name, list(spec["tasks"]), list(beyond["seeds"]), PAPER, settings)
    improved = variants[beyond["improved"]]
    for ingredient in beyond["ablation"]:
        if ingredient not in improved.settings:
            raise ValueError(
                f"beyond.ablation lists {ingredient!r}, which the improved recipe"
                f" {improved.name!r} does not change"
            )
        settings = {k: v for k, v in improved.settings.items() if k != ingredient}
        companions = {"lr_schedule": ("lr", "warmup"), "multitask": ("age_weight",)}
        settings = {k: v for k, v in settings.items() if k not in companions.get(ingredient, ())}
        tasks = improved.tasks
        if not improved.multitask:  # a shared trunk learns from every task: retrain them all
            tasks = [t for t in tasks if t in ONLY_FOR.get(ingredient, tasks)]
        name = ablation_name(improved.name, ingredient)
        variants[name] = Variant(
            name, tasks, list(beyond["ablation_seeds"]), improved.name, settings
        )
    return variants


def compared_seeds(variant: Variant, variants: dict[str, Variant], paper_seeds: list) -> list:
    """The seeds of the reference that a variant is set against: all of them, except for an
    ablation, which meets the improved recipe on the seeds both have (paired by seed)."""
    if variant.reference == PAPER:
        return list(paper_seeds)
    reference = variants[variant.reference]
    shared = [seed for seed in reference.seeds if seed in variant.seeds]
    return shared or list(reference.seeds)
