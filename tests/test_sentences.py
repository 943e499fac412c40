"""facevae.sentences: the report's result-dependent clauses, written from hand-made summaries.
Each clause must state the comparison the numbers make."""

import pytest

from facevae.latex import latex_macros
from facevae.sentences import report_sentences, smallest_class
from facevae.sentences.beyond import beyond_sentences, change_phrase, recipe_phrase
from facevae.sentences.generation import generation_sentences, restoration_sentences
from facevae.sentences.supervised import position, supervised_sentences, versus_published
from facevae.sentences.vae import schedule_phrase, vae_sentences, versus_method


def scored(key, value, low, high, **more):
    return {key: value, f"{key}_ci95_low": low, f"{key}_ci95_high": high} | more


# --- chapter 1 -------------------------------------------------------------------------------


def test_our_interval_against_the_published_number():
    assert versus_published(scored("v", 0.92, 0.91, 0.93), "v", 0.90, percent=True) == (
        r"higher than the original's 90.0\,\% (which lies below our 95\,\% interval)"
    )
    assert versus_published(scored("v", 0.92, 0.89, 0.95), "v", 0.90).startswith(
        "consistent with the original's 0.900"
    )
    assert versus_published(scored("v", 5.0, 4.8, 5.2), "v", 6.03).startswith(
        "lower than the original's 6.03"
    )
    assert position(1, 2, 3) == "above" and position(1, 2, 0) == "below"
    assert position(1, 2, 1.5) == "within"


def test_supervised_sentences_cover_every_published_number():
    tree = {"cnn.age": scored("test_mae", 6.5, 6.4, 6.6) | scored("test_rmse", 8.0, 7.9, 8.1)}
    text = supervised_sentences(tree, {"cnn": {"age": {"test_mae": 6.03, "test_rmse": 8.55}}})
    assert text["cnn.age.test_mae"].startswith("higher than")  # 6.03 below [6.4, 6.6]
    assert text["cnn.age.test_rmse"].startswith("lower than")


# --- chapter 2 -------------------------------------------------------------------------------


def test_methods_compared_by_their_intervals():
    assert versus_method(scored("v", 20, 19.5, 20.5), scored("v", 18, 17.5, 18.5), "v", "X") == (
        r"higher than that of X (the 95\,\% intervals do not overlap)"
    )
    lower = versus_method(scored("v", 18, 17.5, 18.5), scored("v", 20, 19.5, 20.5), "v", "X")
    assert lower.startswith("lower than that of X")
    assert versus_method(scored("v", 20, 19, 21), scored("v", 20.5, 20, 21), "v", "X").startswith(
        "not clearly different"
    )


def _restore_tree():
    noise = {
        "vae": scored("psnr", 21.0, 20.9, 21.1),
        "mean_filter": scored("psnr", 22.0, 21.9, 22.1),
        "gaussian": scored("psnr", 23.0, 22.9, 23.1),
        "corrupted": scored("psnr", 17.0, 16.9, 17.1),
    }
    erase = {
        "vae": scored("region_psnr", 14.0, 13.8, 14.2),
        "biharmonic": scored("region_psnr", 16.0, 15.8, 16.2),
        "corrupted": scored("region_psnr", 10.0, 9.8, 10.2),
    }
    return {"noise": noise, "noise_s0.1": noise, "erase": erase}


def test_vae_sentences_compare_with_yardsticks_and_restorers():
    tree = {
        "vae.best": scored("test_psnr", 20.0, 19.9, 20.1),
        "vae.baseline": {
            "mean_face": scored("test_psnr", 15.0, 14.9, 15.1),
            "pca256": scored("test_psnr", 20.05, 19.95, 20.15),
        },
        "restore": _restore_tree(),
    }
    text = vae_sentences(tree)
    assert text["vae.versus_baselines"] == (
        r"higher than that of the mean training face (the 95\,\% intervals do not overlap) at"
        r" 15.0 dB; not clearly different from that of PCA with 256 components (the 95\,\%"
        " intervals overlap) at 20.1 dB"
    )
    assert text["restore.noise.vae_vs_mean_filter"].startswith("lower than that of the mean")
    assert text["restore.erase.vae_vs_biharmonic"].startswith("lower than that of biharmonic")


def test_schedule_phrase_follows_the_settings():
    constant = {"lr": 0.001, "lr_schedule": "constant", "warmup": 0.3}
    assert schedule_phrase(constant) == "a constant learning rate of 0.001"
    cycle = schedule_phrase(constant | {"lr": 0.003, "lr_schedule": "onecycle", "warmup": 0.2})
    assert "one-cycle" in cycle and "0.00012 to 0.003" in cycle and "first 20 %" in cycle
    # a setting, not a sentence: it goes into the LaTeX macros escaped, like every string
    assert r"20 \% of" in latex_macros({"config.vae.schedule": cycle})


# --- chapter 3: the CNN variants ------------------------------------------------------------


def _versus(diff, low, high, key="test_accuracy"):
    return {f"{key}_diff": diff, f"{key}_diff_ci95_low": low, f"{key}_diff_ci95_high": high}


def test_change_phrases_follow_the_interval():
    assert change_phrase(_versus(0.031, 0.012, 0.05), "test_accuracy", "accuracy") == (
        r"raised the accuracy by 3.10 points (95\,\% interval 1.20 to 5.00)"
    )
    # a fall is stated as the size of the fall, with the interval of that size
    assert change_phrase(_versus(-0.2, -0.3, -0.1, "test_mae"), "test_mae", "MAE", "years") == (
        r"lowered the MAE by 0.200 years (95\,\% interval 0.100 to 0.300)"
    )
    assert change_phrase(_versus(0.01, -0.01, 0.03), "test_accuracy", "accuracy") == (
        r"left the accuracy unchanged within noise: +1.00 points (95\,\% interval -1.00 to +3.00)"
    )


def test_chapter_sentences_come_from_the_numbers():
    def scores(f1, recall, accuracy, val_f1=0.5):
        versus = (
            _versus(*f1, key="test_macro_f1")
            | _versus(*recall, key="test_recall_other")
            | _versus(*accuracy)
        )
        return {"versus": versus, "val_macro_f1": val_f1}

    tree = {
        "beyond.reweight.ethnicity": scores((0.05, 0.03, 0.07), (0.2, 0.1, 0.3), (0, -0.01, 0.01)),
        "beyond.augment.ethnicity": scores(
            (0.01, -0.01, 0.03), (0, -0.1, 0.1), (0, -0.01, 0.01), 0.6
        ),
        # removing augment costs gender accuracy on validation, removing age_loss nothing
        "beyond.improved_without_augment.gender": {"versus": {"val_accuracy_diff": -0.02}},
        "beyond.improved_without_age_loss.age": {"versus": {"val_mae_diff": -0.1}},
    }
    beyond = {
        "imbalance": ["reweight", "augment"],
        "improved": "improved",
        "ablation": ["augment", "age_loss"],
        "variants": {"improved": {"tasks": ["age"], "lr_schedule": "onecycle", "lr": 0.003}},
    }
    text = beyond_sentences(tree, beyond, "other")
    assert text["beyond.imbalance.chosen"] == "augment"  # the higher validation macro F1
    assert text["beyond.imbalance.goals"].startswith(
        "it misses the goals (macro F1 up by at least 3"
    )
    assert text["beyond.reweight.effect"].startswith("raised the macro F1 by 5.00 points")
    assert "recall of the smallest class by 20.0 points" in text["beyond.reweight.effect"]
    assert r"peaking at 0.003 after 30\,\% of the batches" in text["beyond.improved.settings"]
    assert text["beyond.ablation.helped"] == "augment"
    assert text["beyond.ablation.idle"] == "age loss"
    assert recipe_phrase({"tasks": ["age"], "augment": True, "channels": [8, 16, 16]}) == (
        "augment; channels 8, 16, 16"
    )


def test_fairness_names_the_worst_and_best_group():
    groups = {
        "white": {"faces": 10, "accuracy": 0.9},
        "black": {"faces": 10, "accuracy": 0.8},
        "other": {"faces": 0, "accuracy": 0.1},  # no faces: left out
        "gap": scored("accuracy", 0.1, 0.05, 0.15),
    }
    tree = {"beyond.fairness": {"paper": {"gender": {"ethnicity": groups}}}}
    beyond = {"imbalance": [], "improved": "x", "ablation": [], "variants": {"x": {}}}
    text = beyond_sentences(tree, beyond, "other")["beyond.fairness.paper.gender.ethnicity"]
    assert text == (
        r"from 80.0\,\% (black) to 90.0\,\% (white), a gap of 10.0 points"
        r" (95\,\% interval 5.00 to 15.0)"
    )


def test_smallest_class_is_the_one_with_fewest_faces():
    assert smallest_class({"data": {"ethnicity": {"white": 10, "other": 3, "black": 5}}}) == "other"


# --- chapter 3: the VAE ---------------------------------------------------------------------

POINTS = {
    "z4_b1": {"latent": 4, "beta": 1, "prior": "normal", "components": 1},
    "z4_b1_gmm3": {"latent": 4, "beta": 1, "prior": "gmm", "components": 3},
}


def _generation(own, fitted, confidence=(0.7, 0.8)):
    def prior(bound, sure):
        return (
            scored("k50", bound, bound - 2, bound + 2)
            | scored("gender_tv", 0.05, 0.02, 0.08)
            | scored("ethnicity_tv", 0.1, 0.05, 0.15)
            | {"ethnicity_confidence": sure}
        )

    return {
        "bound_samples": [1, 50],
        "own": prior(own, confidence[0]),
        "fitted": prior(fitted, confidence[1]),
        "real": {"ethnicity_confidence": 0.9},
    }


def test_generation_sentences_name_the_best_run_and_the_twins():
    tree = {
        "beyond.generation.z4_b1": _generation(-2000.0, -1990.0),
        "beyond.generation.z4_b1_gmm3": _generation(-1950.0, -1980.0, (0.6, 0.85)),
        "beyond.prior_twins": {
            "z4_b1_gmm3": {"twin": "z4_b1"} | scored("difference", -12.3, -15.0, -9.0)
        },
    }
    text = generation_sentences(tree, POINTS)
    assert text["beyond.generation.best_bound"] == (
        r"$z=4$, $\beta=1$, mixture of $K=3$, with its own prior: -1{,}950 nats per face"
        r" (95\,\% interval -1{,}952 to -1{,}948)"
    )
    assert text["beyond.generation.mixture"] == (
        r"at $z=4$, $\beta=1$ the learned mixture lowers the bound, face by face, by 12.3 nats"
        r" (95\,\% interval 9.00 to 15.0), a clear difference"
    )
    assert text["beyond.generation.confidence"] == (
        r"from 0.600 ($z=4$, $\beta=1$, mixture of $K=3$, own prior) to 0.850 ($z=4$,"
        r" $\beta=1$, mixture of $K=3$, fitted mixture), against 0.900 on real test faces"
    )
    assert generation_sentences({}, {}) == {}


def _restoration_tree(search_erase, search_noise):
    cell = scored("changed", 0.05, 0.04, 0.06) | {
        "white": {"faces": 10, **scored("changed", 0.1, 0.05, 0.15)},
        "black": {"faces": 10, **scored("changed", 0.3, 0.2, 0.4)},
        "other": {"faces": 0, "changed": None},
    }
    keys = ["corrupted.noise", "gaussian.noise", "biharmonic.erase"]
    keys += [f"z4_b0.01.{what}" for what in ("reconstruction", "noise", "erase")]
    return {
        "restore": _restore_tree(),
        "vae.best": {"name": "z4_b0.01", "test_psnr": 21.5},
        "beyond.restore_search": {
            "rates": [0.01, 0.1],
            "noise_s0.1": scored("psnr", search_noise, search_noise - 0.1, search_noise + 0.1)
            | {"rate": 0.1},
            "erase": scored("region_psnr", search_erase, search_erase - 0.2, search_erase + 0.2)
            | {"rate": 0.01},
        },
        "beyond.attribute_change": {
            "noise": "noise_s0.1",
            "methods": {key: {"gender": cell, "ethnicity": cell} for key in keys},
        },
    }


@pytest.mark.parametrize(
    ("erase", "noise", "beats", "closes"),
    [
        (17.0, 22.5, "so it beats biharmonic", r"it closes 75.0\,\% of the 2.00 dB gap"),
        (16.1, 21.5, "does not clearly beat", r"it closes 25.0\,\% of the 2.00 dB gap"),
    ],
)
def test_search_sentences_state_whether_the_goals_are_met(erase, noise, beats, closes):
    text = restoration_sentences(_restoration_tree(erase, noise))
    assert beats in text["beyond.search.erase"]
    assert text["beyond.search.noise"].startswith("at noise level 0.1 the latent search scores")
    assert closes in text["beyond.search.noise"]
    assert ("at least half" in text["beyond.search.noise"]) == (noise == 22.5)
    assert "(Gaussian smoothing)" in text["beyond.search.noise"]
    assert text["beyond.search.rates"] == (
        "of 0.01, 0.1, validation chose 0.1 at noise 0.1 and 0.01 for inpainting"
    )
    # halving the 2 dB gap from 21 dB asks for 22 dB, above the 21.5 dB of clean faces
    assert "would take codes" in text["beyond.search.ceiling"]


def test_attribute_sentences_read_the_chosen_vae_and_the_worst_group():
    text = restoration_sentences(_restoration_tree(17.0, 22.0))
    share = r"5.00\,\% (95\,\% interval 4.00 to 6.00)"
    assert text["beyond.attributes.best"] == (
        f"its reconstructions {share}, its denoised faces {share}, its inpainted faces {share}"
    )
    assert text["beyond.attributes.worst_group"] == (
        r"faces labelled black, 30.0\,\% of which change ethnicity in the reconstruction"
    )
    assert text["beyond.attributes.classical"].startswith("Gaussian smoothing changes")


def test_report_sentences_are_keyed_text_and_skip_a_disabled_chapter():
    tree = {
        "cnn.age": scored("test_mae", 6.5, 6.4, 6.6),
        "vae.best": scored("test_psnr", 20.0, 19.9, 20.1),
        "restore": _restore_tree(),
    }
    paper = {"cnn": {"age": {"test_mae": 6.03}}}
    text = report_sentences(tree, paper, {"enabled": False}, {})
    assert set(text) == {
        "text.cnn.age.test_mae",
        "text.restore.noise.vae_vs_mean_filter",
        "text.restore.erase.vae_vs_biharmonic",
    }
