"""facevae.sentences: the report's result-dependent clauses, written from hand-made summaries.
Each clause must state the comparison the numbers make."""

import pytest

from facevae.latex import latex_macros, with_interval
from facevae.sentences import report_sentences, seed_sentences, smallest_class
from facevae.sentences.beyond import beyond_sentences, change_phrase, recipe_phrase
from facevae.sentences.data import data_sentences
from facevae.sentences.generation import generation_sentences, restoration_sentences
from facevae.sentences.supervised import recall_by_size, supervised_sentences, versus_published
from facevae.sentences.vae import schedule_phrase, vae_sentences, versus_paired
from facevae.stats import verdict


def scored(key, value, low, high, **more):
    return {key: value, f"{key}_ci95_low": low, f"{key}_ci95_high": high} | more


# --- chapter 1 -------------------------------------------------------------------------------


def test_the_original_counts_with_its_own_sampling_error():
    """0.90 lies below our interval [0.902, 0.922]; with the original's test split as large as
    ours, the difference's interval is sqrt(2) times as wide and contains zero."""
    ours = scored("v", 0.912, 0.902, 0.922, test_faces=2370)
    assert versus_published(ours, "v", 0.90, 2370, percent=True).startswith(
        r"consistent with the original's 90.0\,\%"
    )
    # Against a test split a hundred times larger the original's error hardly counts.
    assert versus_published(ours, "v", 0.90, 237000).startswith("higher than the original's")
    clear = scored("v", 5.0, 4.8, 5.2, test_faces=2370)
    text = versus_published(clear, "v", 6.03, 2370)
    assert text.startswith("lower than the original's 6.03 (difference")
    error = 0.4 / (2 * 1.959964) * 2**0.5  # our standard error, and the original's as large
    low, high = -1.03 - 1.959964 * error, -1.03 + 1.959964 * error
    assert with_interval(-1.03, low, high, text=True, signed=True, unit="") in text


def test_supervised_sentences_cover_every_published_number():
    tree = {
        "cnn.age": scored("test_mae", 6.5, 6.4, 6.6, test_faces=2370)
        | scored("test_rmse", 8.0, 7.9, 8.1)
    }
    paper = {"test_faces": 2370, "cnn": {"age": {"test_mae": 6.03, "test_rmse": 8.55}}}
    text = supervised_sentences(tree, paper)
    assert text["cnn.age.test_mae"].startswith("higher than")
    assert text["cnn.age.test_rmse"].startswith("lower than")
    demo = supervised_sentences(tree, paper, synthetic=True)
    assert set(demo.values()) == {"not comparable with the original's: these are synthetic faces"}


# --- chapter 2 -------------------------------------------------------------------------------


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
    # The paired differences of the VAE minus each method, as restore.run_protocol gives them.
    for scores, key in ((noise, "psnr"), (erase, "region_psnr")):
        gaps = {m: scores["vae"][key] - theirs[key] for m, theirs in scores.items() if m != "vae"}
        scores["vae"]["versus"] = {
            method: {"mean": gap, "ci95_low": gap - 0.1, "ci95_high": gap + 0.1}
            for method, gap in gaps.items()
        }
    return {"noise": noise, "noise_s0.1": noise, "erase": erase}


def test_vae_sentences_compare_with_yardsticks_and_restorers():
    tree = {
        "vae.best": scored("test_psnr", 20.0, 19.9, 20.1),
        "vae.baseline": {
            "mean_face": scored("test_psnr", 15.0, 14.9, 15.1),
            "pca256": scored("test_psnr", 20.05, 19.95, 20.15),
        },
        # the chosen VAE minus each yardstick, paired face by face (vae/versus_baselines.json)
        "vae.versus": {
            "mean_face": {"mean": 5.0, "ci95_low": 4.9, "ci95_high": 5.1},
            "pca256": {"mean": -0.05, "ci95_low": -0.08, "ci95_high": 0.01},
        },
        "restore": _restore_tree(),
    }
    text = vae_sentences(tree)
    assert text["vae.versus_baselines"] == (
        r"higher than that of the mean training face (15.0\,dB) by 5.00\,dB (95\,\% interval 4.90"
        r" to 5.10); close to that of PCA with 256 components (20.1\,dB), with no clear difference"
        r": −0.0500\,dB (95\,\% interval −0.0800 to +0.0100)"
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
        r"raised the accuracy by 3.10~points (95\,\% interval 1.20 to 5.00)"
    )
    # a fall is stated as the size of the fall, with the interval of that size
    assert change_phrase(_versus(-0.2, -0.3, -0.1, "test_mae"), "test_mae", "MAE", "years") == (
        r"lowered the MAE by 0.200~years (95\,\% interval 0.100 to 0.300)"
    )
    assert change_phrase(_versus(0.01, -0.01, 0.03), "test_accuracy", "accuracy") == (
        r"brought no clear change to the accuracy: +1.00~points (95\,\% interval −1.00 to +3.00)"
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
        # Removing augment clearly costs gender accuracy on test; removing age_loss lowers the
        # age MAE on validation, but the test interval contains zero: no clear effect either
        # way. Removing label smoothing clearly lowers the MAE (better): it hurt.
        "beyond.improved_without_augment.gender": {"versus": _versus(-0.02, -0.03, -0.01)},
        "beyond.improved_without_age_loss.age": {
            "versus": _versus(-0.1, -0.3, 0.1, "test_mae") | {"val_mae_diff": -0.1}
        },
        "beyond.improved_without_label_smoothing.age": {
            "versus": _versus(-0.2, -0.3, -0.1, "test_mae")
        },
    }
    beyond = {
        "imbalance": ["reweight", "augment"],
        "improved": "improved",
        "ablation": ["augment", "age_loss", "label_smoothing"],
        "variants": {"improved": {"tasks": ["age"], "lr_schedule": "onecycle", "lr": 0.003}},
    }
    text = beyond_sentences(tree, beyond, "other")
    assert text["beyond.imbalance.chosen"] == "augment"  # the higher validation macro F1
    assert text["beyond.imbalance.goals"].startswith(
        "it misses the goals (macro F1 up by at least 3"
    )
    assert text["beyond.reweight.effect"].startswith("raised the macro F1 by 5.00~points")
    assert "recall of the smallest class by 20.0~points" in text["beyond.reweight.effect"]
    assert r"peaking at 0.003 after 30\,\% of the batches" in text["beyond.improved.settings"]
    assert text["beyond.ablation.helped"] == "augment"
    assert text["beyond.ablation.unclear"] == "age loss"
    assert text["beyond.ablation.hurt"] == "label smoothing"
    assert text["beyond.ensemble.models"].startswith("the recipe's single network")
    assert "beyond.ensemble.age" not in text  # no ensemble in this tree
    tree["beyond.ensemble"] = {
        "ensemble_flip": {"age": {"models": 3, "versus": _versus(-0.4, -0.6, -0.2, "test_mae")}}
    }
    text = beyond_sentences(tree, beyond, "other")
    assert text["beyond.ensemble.models"] == "the recipe's 3 networks, one per training seed,"
    assert text["beyond.ensemble.age"].startswith("lowered the")
    assert recipe_phrase({"tasks": ["age"], "augment": True, "channels": [8, 16, 16]}) == (
        "augmented training faces; 8, 16, 16 channels in the three blocks"
    )
    # a setting is never shown as "epochs 20": a phrase, or a name and its value
    assert recipe_phrase({"epochs": 20, "age_loss": "l1", "dropout": 0.5}) == (
        r"20 epochs; an L1 loss for age; dropout: 0.5"
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
        r"from 80.0\,\% (Black) to 90.0\,\% (White), a gap of 10.0~points"
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
        "fitted_to": "samples of the aggregate posterior, 1 per training face",
        "bound_samples": [1, 50],
        "own": prior(own, confidence[0]),
        "fitted": prior(fitted, confidence[1]),
        "real": {"ethnicity_confidence": 0.9},
    }


def _twins(difference, low, high, verdict, parts, carried_by, seeds=(0, 1, 2)):
    """One entry of prior_twins.json: the difference, its verdict and its four parts."""
    recon, variance, minus_kl, iw_gap = parts
    return (
        {"twin": "z4_b1", "k": 50, "seeds": list(seeds), "verdict": verdict}
        | scored("difference", difference, low, high)
        | {"recon": recon, "variance": variance, "minus_kl": minus_kl, "iw_gap": iw_gap}
        | {"carried_by": carried_by}
    )


def test_generation_sentences_name_the_best_run_and_the_twins():
    tree = {
        "beyond.generation.z4_b1": _generation(-2000.0, -1990.0),
        "beyond.generation.z4_b1_gmm3": _generation(-1950.0, -1980.0, (0.6, 0.85)),
        "beyond.prior_twins": {
            "z4_b1_gmm3": _twins(32.0, 25.0, 39.0, "higher", (0.5, 31.0, 0.3, 0.2), "variance")
        },
    }
    text = generation_sentences(tree, POINTS)
    assert text["beyond.generation.best_bound"] == (
        r"$z=4$, $\beta=1$, mixture of $K=3$, with its own prior: −1\,950~nats per face"
        r" (95\,\% interval −1\,952 to −1\,948)"
    )
    assert text["beyond.generation.mixture"] == (
        r"at $z=4$, $\beta=1$ the learned mixture raises the bound with $k=50$, seed by seed over"
        r" 3 seeds and face by face, by 32.0~nats (95\,\% interval 25.0 to 39.0), a clear gain;"
        " of the difference, the reconstruction term +0.500, the decoder-variance constant"
        " +31.0, the KL term +0.300 and the importance-weighting gap +0.200~nats, so the"
        " decoder-variance constant carries most of it"
    )
    assert text["beyond.generation.fitted_to"] == (
        "samples of the aggregate posterior, 1 per training face"
    )
    assert text["beyond.generation.confidence"] == (
        r"from 0.600 ($z=4$, $\beta=1$, mixture of $K=3$, own prior) to 0.850 ($z=4$,"
        r" $\beta=1$, mixture of $K=3$, fitted mixture), against 0.900 on real test faces"
    )
    assert generation_sentences({}, {}) == {}


def test_a_twin_difference_whose_interval_holds_zero_is_no_clear_difference():
    """The verdict follows the interval: a lower mean whose interval reaches above zero is no
    clear difference; a largest part of the other sign runs against it; one seed is said."""
    tree = {
        "beyond.generation.z4_b1": _generation(-2000.0, -1990.0),
        "beyond.generation.z4_b1_gmm3": _generation(-2001.0, -1980.0),
        "beyond.prior_twins": {
            "z4_b1_gmm3": _twins(
                -1.0, -4.0, 2.0, "unclear", (-3.0, 4.0, -1.5, -0.5), "variance", seeds=[0]
            )
        },
    }
    text = generation_sentences(tree, POINTS)["beyond.generation.mixture"]
    # No direction is claimed: the signed difference and its interval.
    assert r"changes the bound with $k=50$, on one seed and face by face, by −1.00~nats" in text
    assert r"(95\,\% interval −4.00 to +2.00), no clear difference;" in text
    assert text.endswith(
        "the KL term −1.50 and the importance-weighting gap −0.500~nats, so the largest part,"
        " the decoder-variance constant, runs against it"
    )
    del tree["beyond.prior_twins"]
    assert generation_sentences(tree, POINTS)["beyond.generation.mixture"] == (
        "no learned mixture has a standard-prior twin"
    )


def _restoration_tree(search_erase, search_noise):
    cell = scored("changed", 0.05, 0.04, 0.06) | {
        "white": {"faces": 10, **scored("changed", 0.1, 0.05, 0.15)},
        "black": {"faces": 10, **scored("changed", 0.3, 0.2, 0.4)},
        "other": {"faces": 0, "changed": None},
    }
    keys = ["corrupted.noise", "gaussian.noise", "biharmonic.erase"]
    keys += [f"z4_b0.01.{what}" for what in ("reconstruction", "noise", "erase")]
    restore = _restore_tree()

    def versus(found, damage, key):  # the search minus each restorer, +-0.3 dB
        gaps = {m: found - theirs[key] for m, theirs in restore[damage].items()}
        return {m: {"mean": g, "ci95_low": g - 0.3, "ci95_high": g + 0.3} for m, g in gaps.items()}

    prior = scored("region_psnr", search_erase - 1, search_erase - 1.2, search_erase - 0.8)
    prior["versus"] = versus(search_erase - 1, "erase", "region_psnr")
    return {
        "restore": restore,
        "vae.best": {"name": "z4_b0.01", "test_psnr": 21.5},
        "beyond.restore_search": {
            "rates": [0.01, 0.1],
            "noise_s0.1": scored("psnr", search_noise, search_noise - 0.1, search_noise + 0.1)
            | {"rate": 0.1, "versus": versus(search_noise, "noise_s0.1", "psnr")},
            "erase": scored("region_psnr", search_erase, search_erase - 0.2, search_erase + 0.2)
            | {"rate": 0.01, "versus": versus(search_erase, "erase", "region_psnr")}
            | {"from_prior": prior},
        },
        "beyond.attribute_change": {
            "noise": "noise_s0.1",
            "methods": {key: {"gender": cell, "ethnicity": cell} for key in keys},
            "controls": {"z4_b0.01.reconstruction": _controls()},
        },
    }


def _controlled(faces, vae, blur, pca, blur_gap, pca_gap):
    """A task cell of attribute_change.json's controls: each share with an interval of
    +-0.01, and the paired differences with the given intervals and their verdicts."""
    cell = {"faces": faces}
    for name, share in (("vae", vae), ("blur", blur), ("pca", pca)):
        cell[name] = scored("changed", share, share - 0.01, share + 0.01)
    cell["paired"] = {
        name: scored("difference", *gap, verdict=verdict(gap[1], gap[2]))
        for name, gap in (("blur", blur_gap), ("pca", pca_gap))
    }
    return cell


def _controls():
    ethnicity = _controlled(2000, 0.12, 0.09, 0.11, (0.03, 0.01, 0.05), (0.01, -0.01, 0.03))
    ethnicity["black"] = _controlled(300, 0.2, 0.1, 0.2, (0.1, 0.05, 0.15), (0, -0.02, 0.02))
    ethnicity["white"] = _controlled(900, 0.1, 0.1, 0.1, (0, -0.01, 0.01), (0, -0.01, 0.01))
    ethnicity["other"] = {"faces": 0}
    return {
        "vae": {"val_psnr": 21.31} | scored("test_psnr", 21.2, 21.1, 21.3),
        "blur": {"sigma": 1.234, "val_psnr": 21.3} | scored("test_psnr", 21.0, 20.9, 21.1),
        "pca": {"components": 87, "val_psnr": 21.28} | scored("test_psnr", 21.4, 21.3, 21.5),
        "gender": _controlled(2500, 0.02, 0.03, 0.02, (-0.01, -0.02, -0.005), (0, -0.01, 0.01)),
        "ethnicity": ethnicity,
    }


@pytest.mark.parametrize(
    ("erase", "noise", "beats", "closes"),
    [
        (17.0, 22.5, "so it beats biharmonic", r"it closes 75.0\,\% of the 2.00\,dB gap"),
        (16.1, 21.5, "does not clearly beat", r"it closes 25.0\,\% of the 2.00\,dB gap"),
    ],
)
def test_search_sentences_state_whether_the_goals_are_met(erase, noise, beats, closes):
    text = restoration_sentences(_restoration_tree(erase, noise))
    assert beats in text["beyond.search.erase"]
    # the verdict follows the paired difference: 17.0 - 16.0 dB, +-0.3, excludes zero
    clear = r"higher than that of biharmonic inpainting by 1.00\,dB (95\,\% interval 0.700 to 1.30)"
    assert (clear in text["beyond.search.erase"]) == (erase == 17.0)
    assert ("close to that of biharmonic" in text["beyond.search.erase"]) == (erase == 16.1)
    # from the prior's mean: 1 dB lower, set against biharmonic inpainting by its own pair
    assert text["beyond.search.prior"].startswith(
        f"started from the prior's mean code instead, it scores {erase - 1:.1f}\\,dB"
    )
    tied = "close to that of biharmonic inpainting, with no clear difference"  # 16.0 vs 16.0
    assert (tied in text["beyond.search.prior"]) == (erase == 17.0)
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
        r"faces labelled Black, 30.0\,\% of which change ethnicity in the reconstruction"
    )
    assert text["beyond.attributes.classical"].startswith("Gaussian smoothing changes")


def test_control_sentences_set_the_vae_beside_a_blur_and_pca_with_intervals():
    text = restoration_sentences(_restoration_tree(17.0, 22.0))
    interval = r"(95\,\% interval {} to {})"
    assert text["beyond.attributes.controls.ethnicity"] == (
        r"the VAE changes the predicted ethnicity of 12.0\,\% "
        + interval.format("11.0", "13.0")
        + r" of the 2000 correctly labelled faces, against 9.00\,\% "
        + interval.format("8.00", "10.0")
        + r" for a blur and 11.0\,\% "
        + interval.format("10.0", "12.0")
        + " for PCA at the same PSNR"
    )
    # Each verdict follows its interval; an interval that holds zero is no clear difference.
    assert text["beyond.attributes.controls.ethnicity_paired"] == (
        "face by face, the VAE's share minus the blur's is +3.00~points "
        + interval.format("+1.00", "+5.00")
        + ", so the VAE changes more labels than the blur; its share minus PCA's is +1.00~points "
        + interval.format("−1.00", "+3.00")
        + ", no clear difference"
    )
    assert text["beyond.attributes.controls.gender_paired"].startswith(
        "face by face, the VAE's share minus the blur's is −1.00~points "
        + interval.format("−2.00", "−0.500")
        + ", so the VAE changes fewer labels than the blur"
    )
    assert text["beyond.attributes.controls.group"].startswith(
        "faces whose true ethnicity is Black, where the VAE changes the predicted ethnicity of"
        r" 20.0\,\% "
    )
    assert "of the 300 correctly labelled faces" in text["beyond.attributes.controls.group"]
    assert text["beyond.attributes.controls.psnr"] == (
        r"a Gaussian blur of $\sigma=1.23$\,px and PCA with 87 components reach 21.3 and"
        " 21.3\\,dB on the validation faces, against 21.3\\,dB for the VAE; on the test faces they"
        " score 21.0\\,dB "
        + interval.format("20.9", "21.1")
        + " and 21.4\\,dB "
        + interval.format("21.3", "21.5")
        + ", the VAE 21.2\\,dB "
        + interval.format("21.1", "21.3")
    )


def test_control_sentences_without_correctly_labelled_faces():
    tree = _restoration_tree(17.0, 22.0)
    result = tree["beyond.attribute_change"]["controls"]["z4_b0.01.reconstruction"]
    result["gender"] = {"faces": 0}
    text = restoration_sentences(tree)
    assert text["beyond.attributes.controls.gender"].startswith("no test face has its gender")
    assert text["beyond.attributes.controls.gender_paired"] == "no face to compare"


def test_report_sentences_are_keyed_text_and_skip_a_disabled_chapter():
    tree = {
        "data": {"ethnicity": {"white": 10, "other": 2}, "gender": {"male": 5, "female": 7}},
        "data.split": {"test_faces_with_copy_elsewhere": 0},
        "cnn.age": scored("test_mae", 6.5, 6.4, 6.6, test_faces=2370),
        "vae.best": scored("test_psnr", 20.0, 19.9, 20.1),
        "restore": _restore_tree(),
    }
    paper = {"test_faces": 2370, "cnn": {"age": {"test_mae": 6.03}}}
    text = report_sentences(tree, paper, {"beyond": {"enabled": False}, "cnn": {"seeds": [0]}}, {})
    assert set(text) == {
        "text.data.largest_group",
        "text.data.smallest_group",
        "text.data.ethnicity_imbalance",
        "text.data.largest_share",
        "text.data.gender_balance",
        "text.data.test_copies",
        "text.cnn.age.test_mae",
        "text.restore.noise.vae_vs_mean_filter",
        "text.restore.erase.vae_vs_biharmonic",
        "text.restore.noise.vae_ceiling",
        "text.seeds.cnn",
    }


def test_a_list_of_seeds_reads_as_prose():
    config = {"cnn": {"seeds": [0]}, "vae": {"seeds": [0, 1, 2]}, "beyond": {"seeds": [3, 4]}}
    assert seed_sentences(config) == {
        "text.seeds.cnn": "seed 0",
        "text.seeds.vae": "seeds 0, 1 and 2",
        "text.seeds.beyond": "seeds 3 and 4",
    }


def test_data_clauses_name_the_groups_the_counts_make():
    tree = {
        "data": {
            "ethnicity": {"white": 50, "black": 30, "south_asian": 8, "other": 12},
            "gender": {"male": 52, "female": 48},
        },
        "data.split": {"test_faces_with_copy_elsewhere": 0},
    }
    text = data_sentences(tree)
    assert (text["data.largest_group"], text["data.smallest_group"]) == ("White", "South Asian")
    assert text["data.ethnicity_imbalance"] == (
        "White faces make up 50 rows, against 8 in the smallest group, South Asian"
    )
    assert text["data.largest_share"] == r"50.0\,\%"
    assert text["data.gender_balance"] == "close to balanced"
    assert text["data.test_copies"].startswith("no copy of a test face")
    tree["data"]["gender"] = {"male": 70, "female": 30}
    tree["data.split"]["test_faces_with_copy_elsewhere"] = 3
    text = data_sentences(tree)
    assert text["data.gender_balance"] == "unbalanced"
    assert text["data.test_copies"].startswith("3 test faces still have a copy")


def test_recall_of_the_smallest_group_against_the_largest():
    tree = {
        "data": {"ethnicity": {"white": 50, "other": 5}},
        "cnn.ethnicity": {"class": {"white": {"recall": 0.9}, "other": {"recall": 0.4}}},
    }
    text = recall_by_size(tree)
    assert text.startswith(r"the smallest group, Other, has a recall of 40.0\,\% against 90.0")
    assert "leads one to expect" in text
    tree["cnn.ethnicity"]["class"]["other"]["recall"] = 0.95
    assert "costs the smallest group nothing" in recall_by_size(tree)


def test_restorers_are_compared_by_their_paired_difference():
    clear = {"mean": 1.2, "ci95_low": 0.9, "ci95_high": 1.5}
    assert versus_paired(clear, "the mean filter") == (
        "higher than that of the mean filter by 1.20\\,dB (95\\,\\% interval 0.900 to 1.50)"
    )
    fall = {"mean": -1.2, "ci95_low": -1.5, "ci95_high": -0.9}
    assert versus_paired(fall, "X").startswith("lower than that of X by 1.20\\,dB")
    unclear = {"mean": 0.1, "ci95_low": -0.2, "ci95_high": 0.4}
    assert versus_paired(unclear, "X").startswith("close to that of X, with no clear difference")


def test_the_vae_denoises_no_better_than_it_reconstructs_clean_faces():
    tree = {"vae.best": scored("test_psnr", 22.5, 22.4, 22.6), "restore": _restore_tree()}
    ceiling = vae_sentences(tree)["restore.noise.vae_ceiling"]
    assert ceiling.startswith("stay below the 22.50\\,dB")  # denoised at 21.0 dB
    tree["vae.best"] = scored("test_psnr", 20.0, 19.9, 20.1)
    assert vae_sentences(tree)["restore.noise.vae_ceiling"].startswith("are no worse than")


def test_recipe_sentences_follow_the_paired_differences():
    from facevae.sentences.recipe import recipe_sentences

    scores = lambda m, lo, hi: {"mean": m, "ci95_low": lo, "ci95_high": hi}  # noqa: E731
    recipe = {
        "improved": scores(27.0, 26.9, 27.1),
        "paper": scores(22.0, 21.9, 22.1),
        "versus_paper": scores(5.0, 4.9, 5.1),
        "versus_pca": scores(-0.1, -0.3, 0.1),
        "yardstick": 256,
        "ablation": {
            "linear_path": {"difference": scores(-6.0, -6.2, -5.8)},
            "blocks": {"difference": scores(0.05, -0.02, 0.12)},
        },
    }
    text = recipe_sentences({"beyond.vae_recipe": recipe})
    assert text["beyond.recipe.versus_paper"] == (
        r"it reconstructs the test faces at 27.0\,dB (95\,\% interval 26.9 to 27.1), against"
        r" 22.0\,dB (95\,\% interval 21.9 to 22.1) for the original's architecture; its PSNR is"
        r" higher than that of the original's architecture by 5.00\,dB (95\,\% interval 4.90 to"
        " 5.10)"
    )
    assert text["beyond.recipe.versus_pca"].startswith("close to that of PCA with 256 components")
    assert text["beyond.recipe.ablation"].startswith(
        "without the linear path the validation PSNR falls (−6.00\\,dB"
    )
    assert "without the residual blocks there is no clear change" in text["beyond.recipe.ablation"]
    assert "beyond.recipe.search" not in text  # no search in its latent space
    search = {"erase": {"region_psnr": 18.0, "region_psnr_ci95_low": 17.5}}
    search["erase"] |= {
        "region_psnr_ci95_high": 18.5,
        "versus": {"biharmonic": scores(1.5, 1.1, 1.9)},
    }
    text = recipe_sentences({"beyond.vae_recipe": recipe, "beyond.recipe_search": search})
    assert text["beyond.recipe.search"] == (
        r"searching its latent space restores the erased block at 18.0\,dB (95\,\% interval 17.5"
        r" to 18.5), higher than that of biharmonic inpainting by 1.50\,dB (95\,\% interval 1.10"
        " to 1.90)"
    )
    assert "beyond.recipe.passes" not in text  # its own passes were not scored
    # Its own encode-decode passes, each comparison paired: above the noisy input and the
    # chosen VAE's passes, no clear difference from the best classical denoiser (Gaussian).
    search["noise_s0.1"] = {"passes": scored("psnr", 23.1, 23.0, 23.2)}
    search["noise_s0.1"]["passes"]["versus"] = {
        "corrupted": scores(6.1, 6.0, 6.2),
        "gaussian": scores(0.1, -0.1, 0.3),
        "mean_filter": scores(1.1, 1.0, 1.2),
        "vae": scores(2.1, 2.0, 2.2),
    }
    search["erase"]["passes"] = scored("region_psnr", 17.0, 16.8, 17.2)
    search["erase"]["passes"]["versus"] = {"biharmonic": scores(1.0, 0.7, 1.3)}
    tree = {"beyond.vae_recipe": recipe, "beyond.recipe_search": search}
    passes = recipe_sentences(tree | {"restore": _restore_tree()})["beyond.recipe.passes"]
    assert passes.startswith(
        r"its encode-decode passes denoise the test faces at noise level 0.1 at 23.1\,dB"
    )
    assert "higher than that of the noisy input by 6.10\\,dB" in passes
    assert (
        "close to that of the best classical denoiser (Gaussian smoothing), with no clear" in passes
    )
    assert "higher than that of the chosen VAE's passes by 2.10\\,dB" in passes
    assert passes.endswith(
        r"they fill the erased block at 17.0\,dB (95\,\% interval 16.8 to 17.2), higher than that"
        r" of biharmonic inpainting by 1.00\,dB (95\,\% interval 0.700 to 1.30)"
    )
    del recipe["versus_pca"]
    assert "beyond.recipe.versus_pca" not in recipe_sentences({"beyond.vae_recipe": recipe})
