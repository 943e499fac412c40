"""Chapter 3's improved VAE, spelled out from the settings (config.yaml, ``beyond.vae_recipe``).

The recipe is a ResVAE (facevae.vae) at one latent size and beta, trained with the loss of
chapter 2 and the training settings of ``vae:`` except those the recipe sets itself. It is
compared with the chapter-2 model of the same latent size and beta (the original's
architecture under this run's settings), trained on the same seeds. Its ablation trains it
once more without each listed ingredient, that setting set back to what leaves it out:

* ``linear_path``: no linear (PCA) path, the convolutions alone;
* ``blocks``: no residual blocks, the strided convolutions alone;
* ``epochs`` / ``lr_schedule``: the training length / schedule of ``vae:``;
* ``denoise``: no noise on the faces the model sees in training (a denoising objective
  shows it noisy faces and scores it against the clean ones).

The Snakefile imports this module while it is parsed, so it imports no numerical library.
"""

from __future__ import annotations

from facevae.names import RECIPE, vae_grid, vae_name

MODEL_KEYS = ("channels", "blocks", "linear_path", "linear_lr")
TRAIN_KEYS = ("epochs", "lr", "lr_schedule", "warmup", "batch_size", "denoise")
# What each ablation ingredient is set back to; None: to the value of vae: (chapter 2's).
WITHOUT = {
    "linear_path": False,
    "blocks": 0,
    "epochs": None,
    "lr_schedule": None,
    "denoise": 0.0,
}
# How the report names each ingredient ("without the ...").
INGREDIENT_NAMES = {
    "linear_path": "linear path",
    "blocks": "residual blocks",
    "epochs": "recipe's training length",
    "lr_schedule": "recipe's learning-rate schedule",
    "denoise": "denoising objective",
}


def point(recipe: dict, without: str | None = None) -> dict:
    """The grid point of the recipe (``without`` an ingredient, for the ablation)."""
    found = {"latent": recipe["latent"], "beta": recipe["beta"], "recipe": RECIPE}
    return found | ({"without": without} if without else {})


def grid(recipe: dict) -> dict[str, dict]:
    """The recipe's VAE and its ablation variants, by folder name (the recipe first)."""
    for ingredient in recipe["ablation"]:
        if ingredient not in WITHOUT:
            raise ValueError(
                f"beyond.vae_recipe.ablation lists {ingredient!r}; the recipe's ingredients"
                f" are {', '.join(WITHOUT)}"
            )
    return vae_grid([point(recipe)] + [point(recipe, i) for i in recipe["ablation"]])


def paper_twin(recipe: dict) -> str:
    """The chapter-2 grid point the recipe is compared with: same latent size and beta."""
    return vae_name({"latent": recipe["latent"], "beta": recipe["beta"]})


def seeds(recipe: dict, point: dict) -> list[int]:
    """The recipe on its seeds, an ablation variant on ``ablation_seeds``."""
    return list(recipe["ablation_seeds"] if point.get("without") else recipe["seeds"])


def _settings(recipe: dict, vae: dict, point: dict) -> dict:
    """The recipe's settings, the ingredient a variant goes without set back."""
    settings = dict(recipe)
    if point.get("without"):
        ingredient = point["without"]
        back = WITHOUT[ingredient]
        settings[ingredient] = vae[ingredient] if back is None else back
    return settings


def model_args(recipe: dict, vae: dict, point: dict) -> dict:
    """facevae.vae.ResVAEConfig fields of one of the recipe's grid points."""
    settings = _settings(recipe, vae, point)
    return {"arch": "res", "latent": point["latent"], "prior": point["prior"]} | {
        key: settings[key] for key in MODEL_KEYS
    }


def train_args(recipe: dict, vae: dict, point: dict) -> dict:
    """facevae.vae_train.VAETrainConfig fields (the seed apart): those of ``vae`` (chapter 2),
    the recipe's own training settings on top."""
    settings = _settings(recipe, vae, point)
    chapter2 = {"denoise": 0.0} | vae  # chapter 2 trains without a denoising objective
    keys = ("recon", "eval_batch_size", "log_every")
    return (
        {"beta": point["beta"]}
        | {k: vae[k] for k in keys}
        | {key: settings.get(key, chapter2[key]) for key in TRAIN_KEYS}
    )
