"""Keys and names are built and parsed in one place (facevae.names): each round-trips."""

import pytest

from facevae import names


@pytest.mark.parametrize(
    "point, name",
    [
        ({"latent": 256, "beta": 0.01}, "z256_b0.01"),
        ({"latent": 4, "beta": 1}, "z4_b1"),
        ({"latent": 16, "beta": 1e-5}, "z16_b1e-05"),
        ({"latent": 256, "beta": 1, "prior": "gmm"}, "z256_b1_gmm10"),
        ({"latent": 8, "beta": 0.5, "prior": "gmm", "components": 3}, "z8_b0.5_gmm3"),
        ({"latent": 256, "beta": 0.01, "recipe": "res"}, "z256_b0.01_res"),
        (
            {"latent": 64, "beta": 0.01, "recipe": "res", "without": "linear_path"},
            "z64_b0.01_res_without_linear_path",
        ),
    ],
)
def test_vae_names_round_trip(point, name):
    assert names.vae_name(point) == name
    parsed = names.parse_vae_name(name)
    assert names.vae_name(parsed) == name
    assert (parsed["latent"], parsed["beta"]) == (point["latent"], point["beta"])
    assert parsed["prior"] == point.get("prior", "normal")
    assert (parsed.get("recipe"), parsed.get("without")) == (
        point.get("recipe"),
        point.get("without"),
    )


@pytest.mark.parametrize(
    "bad",
    ["z256", "z256_b", "b0.01_z256", "z256_b0.01_gmm", "best", "z4_b1_cnn", "z4_b1_res_without_"],
)
def test_a_name_that_is_no_grid_point_is_refused(bad):
    with pytest.raises(ValueError, match="not a VAE grid point"):
        names.parse_vae_name(bad)


def test_a_standard_prior_has_one_component_and_a_mixture_ten_unless_told():
    assert names.vae_point({"latent": 4, "beta": 1})["components"] == 1
    assert names.vae_point({"latent": 4, "beta": 1, "prior": "gmm"})["components"] == 10


def test_vae_labels_name_the_prior_only_for_a_mixture():
    assert names.vae_label({"latent": 256, "beta": 0.01}) == r"$z=256$, $\beta=0.01$"
    label = names.vae_label({"latent": 4, "beta": 1, "prior": "gmm", "components": 2})
    assert label == r"$z=4$, $\beta=1$, mixture of $K=2$"
    ablated = names.parse_vae_name("z4_b1_res_without_linear_path")
    assert names.vae_label(ablated) == r"$z=4$, $\beta=1$, improved without linear path"


def test_each_mixture_finds_its_twin_and_only_it():
    grid = names.vae_grid(
        [
            {"latent": 4, "beta": 1},
            {"latent": 4, "beta": 0.01},
            {"latent": 4, "beta": 1, "prior": "gmm"},
            {"latent": 256, "beta": 0.01, "prior": "gmm", "components": 3},
            {"latent": 4, "beta": 1, "prior": "gmm", "recipe": "res"},
        ]
    )
    assert list(grid) == ["z4_b1", "z4_b0.01", "z4_b1_gmm10", "z256_b0.01_gmm3", "z4_b1_gmm10_res"]
    # the improved recipe's mixture has no twin of its own recipe
    assert names.prior_twins(grid) == {"z4_b1_gmm10": "z4_b1"}


def test_damage_and_restoration_keys_round_trip():
    assert names.damage_keys([0.1, 0.25]) == ["noise_s0.1", "noise_s0.25", "erase"]
    assert names.noise_sigma(names.noise_key(0.25)) == 0.25
    assert names.is_noise_key("noise_s0.1") and not names.is_noise_key(names.ERASE)
    with pytest.raises(ValueError):
        names.noise_sigma("erase")
    assert names.parse_method_key(names.method_key("gaussian", "noise_s0.1")) == (
        "gaussian",
        "noise_s0.1",
    )
    for bad in ["gaussian", ".erase", "vae.", "vae.Erase"]:
        with pytest.raises(ValueError):
            names.parse_method_key(bad)
    with pytest.raises(ValueError):
        names.method_key("vae", "erase.x")


@pytest.mark.parametrize(
    "restorer, damage",
    [
        ("z256_b0.01", "noise"),
        ("z256_b0.01_gmm10", "noise_s0.25"),
        ("vae", "noise_s0.1"),
        ("z4_b1e-05", "reconstruction"),
    ],
)
def test_restorers_named_with_dots_round_trip(restorer, damage):
    assert names.parse_method_key(names.method_key(restorer, damage)) == (restorer, damage)


def test_ablation_names_round_trip():
    name = names.ablation_name("improved", "label_smoothing")
    assert name == "improved_without_label_smoothing"
    assert names.parse_ablation_name(name) == ("improved", "label_smoothing")
    assert names.parse_ablation_name("reweight_augment") is None


def test_the_wildcard_pattern_matches_exactly_the_names():
    import re

    assert re.fullmatch(names.VAE_NAME_PATTERN, "z256_b0.01_gmm10")
    assert not re.fullmatch(names.VAE_NAME_PATTERN, "best")
