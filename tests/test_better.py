"""facevae.better: one declared direction per metric, used by every "best"."""

import pytest

from facevae.better import best, higher_is_better, is_best, metric_of
from facevae.report import best_classical


@pytest.mark.parametrize(
    "key, metric",
    [
        ("psnr", "psnr"),
        ("val_region_psnr", "psnr"),
        ("test_region_mse", "mse"),
        ("test_macro_f1", "macro_f1"),
        ("test_recall_south_asian", "recall"),
        ("gender_tv", "tv"),
        ("val_mae_diff", "mae"),
        ("test_rmse_seed_sd", "rmse"),
    ],
)
def test_a_scores_key_names_its_metric(key, metric):
    assert metric_of(key) == metric


def test_lower_is_better_for_errors_and_distances():
    assert higher_is_better("test_accuracy") and higher_is_better("val_ssim")
    assert not higher_is_better("test_mae") and not higher_is_better("region_mse")
    assert not higher_is_better("ethnicity_tv")
    with pytest.raises(KeyError, match="no direction"):
        higher_is_better("test_flavour")


def test_best_follows_the_direction_of_its_score():
    scores = {"a": {"mse": 0.02, "psnr": 20.0}, "b": {"mse": 0.01, "psnr": 19.0}}
    assert best(scores, "psnr") == "a"
    assert best(scores, "mse") == "b"
    assert is_best(0.01, [0.02, 0.01], "region_mse")
    assert not is_best(0.02, [0.02, 0.01], "region_mse")


def test_the_best_classical_restorer_by_mse_is_the_one_with_the_smallest_error():
    scores = {
        "corrupted": {"val_mse": 0.001},  # never chosen
        "vae": {"val_mse": 0.002},  # never chosen here
        "gaussian": {"val_mse": 0.010},
        "median": {"val_mse": 0.005},
    }
    assert best_classical(scores, "mse") == "median"
    assert best_classical(scores | {"median": {"val_mse": 0.05}}, "mse") == "gaussian"
