"""Chapter 3's variants spelled out from the settings, and the sentences made from their
results."""

import pytest
import yaml
from conftest import REPO

from facevae.report import beyond_sentences, change_phrase, recipe_phrase
from facevae.variants import compared_seeds, expand

CONFIG = yaml.safe_load((REPO / "config.yaml").read_text())
BEYOND, CNN = CONFIG["beyond"], CONFIG["cnn"]


def test_the_shipped_settings_give_remedies_recipe_and_ablation():
    variants = expand(BEYOND)
    assert {"reweight", "augment", "reweight_augment", "improved"} <= set(variants)
    ablated = [name for name in variants if name.startswith("improved_without_")]
    assert len(ablated) == len(BEYOND["ablation"])
    assert variants["reweight"].tasks == ["ethnicity"] and variants["reweight"].reference == "paper"
    # a shared trunk learns from every task: each ablation of it retrains all of them ...
    assert variants["improved"].multitask
    assert variants["improved_without_age_loss"].tasks == ["gender", "ethnicity", "age"]
    assert not variants["improved_without_multitask"].multitask
    assert "age_weight" not in variants["improved_without_multitask"].settings
    # ... while separate networks retrain only the tasks an ingredient touches
    separate = BEYOND["variants"]["improved"] | {"multitask": False}
    apart = expand(BEYOND | {"variants": {**BEYOND["variants"], "improved": separate}})
    assert apart["improved_without_age_loss"].tasks == ["age"]
    assert apart["improved_without_label_smoothing"].tasks == ["gender", "ethnicity"]
    assert variants["improved_without_augment"].reference == "improved"
    assert variants["improved_without_augment"].seeds == BEYOND["ablation_seeds"]
    assert expand(BEYOND | {"enabled": False}) == {}


def test_a_variant_changes_only_what_it_names():
    variants = expand(BEYOND)
    paper_like = variants["reweight"]
    assert paper_like.model_args(CNN) == {k: CNN[k] for k in paper_like.model_args(CNN)}
    train = paper_like.train_args(CNN, BEYOND["augment"])
    assert train["class_weights"] is True and train["augment"] is None
    assert train["lr_schedule"] == "paper" and train["epochs"] == CNN["epochs"]
    improved = variants["improved"].train_args(CNN, BEYOND["augment"])
    assert improved["augment"] == BEYOND["augment"]
    without = variants["improved_without_lr_schedule"].train_args(CNN, BEYOND["augment"])
    assert without["lr_schedule"] == "paper" and without["epochs"] == improved["epochs"]
    without_width = variants["improved_without_channels"].model_args(CNN)
    assert without_width["channels"] == CNN["channels"]


def test_settings_that_name_what_is_not_there_are_refused():
    with pytest.raises(ValueError, match="beyond.improved names 'best'"):
        expand(BEYOND | {"improved": "best"})
    with pytest.raises(ValueError, match="does not change"):
        expand(BEYOND | {"ablation": ["class_weights"]})


def test_an_ablation_meets_the_recipe_on_shared_seeds():
    variants = expand(BEYOND | {"seeds": [0, 1, 2], "ablation_seeds": [1]})
    assert compared_seeds(variants["improved_without_epochs"], variants, [0, 1, 2]) == [1]
    assert compared_seeds(variants["augment"], variants, [5, 6]) == [5, 6]


def _versus(diff, low, high, key="test_accuracy"):
    return {f"{key}_diff": diff, f"{key}_diff_ci95_low": low, f"{key}_diff_ci95_high": high}


def test_change_phrases_follow_the_interval():
    assert change_phrase(_versus(0.031, 0.012, 0.05), "test_accuracy", "accuracy") == (
        "raised the accuracy by 3.1 points (95 % interval of the change: +1.2 to +5)"
    )
    assert change_phrase(_versus(-0.2, -0.3, -0.1, "test_mae"), "test_mae", "MAE", "years")
    assert "lowered the MAE by 0.2 years" in change_phrase(
        _versus(-0.2, -0.3, -0.1, "test_mae"), "test_mae", "MAE", "years"
    )
    assert change_phrase(_versus(0.01, -0.01, 0.03), "test_accuracy", "accuracy").startswith(
        "left the accuracy unchanged within noise"
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
    }
    beyond = BEYOND | {"imbalance": ["reweight", "augment"], "ablation": []}
    text = beyond_sentences(tree, beyond, "other")
    assert text["beyond.imbalance.chosen"] == "augment"  # the higher validation macro F1
    assert text["beyond.imbalance.goals"].startswith(
        "it misses the goals (macro F1 up by at least 3"
    )
    assert text["beyond.reweight.effect"].startswith("raised the macro F1 by 5 points")
    assert "recall of the smallest class by 20 points" in text["beyond.reweight.effect"]
    assert "one-cycle learning rate peaking at 0.003" in text["beyond.improved.settings"]
    assert recipe_phrase({"tasks": ["age"], "augment": True, "channels": [8, 16, 16]}) == (
        "augment; channels 8, 16, 16"
    )
