"""The improved VAE's comparisons (facevae.vae_compare) and its settings (facevae.vae_recipe)."""

import numpy as np
import pytest

from facevae import vae_recipe
from facevae.names import parse_vae_name
from facevae.vae_compare import compare_recipe

RECIPE = {
    "latent": 16,
    "beta": 0.01,
    "seeds": [0, 1, 2],
    "ablation_seeds": [0],
    "channels": [8, 8, 16],
    "blocks": 1,
    "linear_path": True,
    "linear_lr": 0.003,
    "epochs": 20,
    "lr": 0.003,
    "lr_schedule": "onecycle",
    "ablation": ["linear_path", "epochs"],
}
VAE = {"epochs": 5, "lr": 0.001, "lr_schedule": "constant", "warmup": 0.3, "batch_size": 64}
VAE |= {"recon": "mse", "eval_batch_size": 256, "log_every": 10}


def test_the_recipe_and_its_ablation_spelled_out():
    grid = vae_recipe.grid(RECIPE)
    assert list(grid) == [
        "z16_b0.01_res",
        "z16_b0.01_res_without_linear_path",
        "z16_b0.01_res_without_epochs",
    ]
    assert all(parse_vae_name(name) == point for name, point in grid.items())
    assert vae_recipe.paper_twin(RECIPE) == "z16_b0.01"
    full, no_linear, short = grid.values()
    assert vae_recipe.seeds(RECIPE, full) == [0, 1, 2] and vae_recipe.seeds(RECIPE, short) == [0]
    assert vae_recipe.model_args(RECIPE, VAE, full)["linear_path"] is True
    assert vae_recipe.model_args(RECIPE, VAE, no_linear)["linear_path"] is False
    assert vae_recipe.model_args(RECIPE, VAE, full)["arch"] == "res"
    # training: the recipe's own settings over chapter 2's, and back for the ablation
    assert vae_recipe.train_args(RECIPE, VAE, full)["epochs"] == 20
    assert vae_recipe.train_args(RECIPE, VAE, short)["epochs"] == 5
    assert vae_recipe.train_args(RECIPE, VAE, full)["batch_size"] == 64  # not set: vae's
    assert vae_recipe.train_args(RECIPE, VAE, full)["denoise"] == 0.0  # chapter 2 has none
    noisy = RECIPE | {"denoise": 0.1, "ablation": ["denoise"]}
    with_noise, without = vae_recipe.grid(noisy).values()
    assert vae_recipe.train_args(noisy, VAE, with_noise)["denoise"] == 0.1
    assert vae_recipe.train_args(noisy, VAE, without)["denoise"] == 0.0
    with pytest.raises(ValueError, match="ingredients are"):
        vae_recipe.grid(RECIPE | {"ablation": ["dropout"]})


def test_recipe_comparisons_are_paired_and_hold_known_answers():
    rng = np.random.default_rng(0)
    faces = rng.normal(20, 3, 300)
    paper = faces + rng.normal(0, 0.1, (3, 300))
    improved = paper + 2.0  # exactly 2 dB better on every face and seed
    val = rng.normal(22, 3, (1, 200))
    result = compare_recipe(
        improved,
        paper,
        faces + 1.0,  # PCA: 1 dB above the paper model's mean
        {"linear_path": (val - 0.5, val), "epochs": (val, val)},
        {"improved": 12.0, "paper": 8.0, "linear_path": 9.0, "epochs": 4.0},
        resamples=300,
    )
    versus = result["versus_paper"]
    assert versus["mean"] == pytest.approx(2.0) and versus["ci95_high"] - versus["ci95_low"] < 1e-9
    assert result["versus_pca"]["verdict"] == "higher"
    assert result["improved"]["mean"] == pytest.approx(result["paper"]["mean"] + 2.0)
    lost = result["ablation"]["linear_path"]["difference"]
    assert lost["mean"] == pytest.approx(-0.5) and lost["verdict"] == "lower"
    same = result["ablation"]["epochs"]["difference"]
    assert same["ci95_low"] == same["ci95_high"] == 0.0 and same["verdict"] == "unclear"
    assert result["ablation"]["epochs"]["minutes"] == 4.0
    assert "validation faces" in result["ablation"]["epochs"]["interval"]
    assert "test faces" in result["interval"]
