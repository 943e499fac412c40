"""Chapter 3's variants spelled out from the settings. (Their metrics are tested in
test_metrics.py, the sentences made from them in test_sentences.py.)"""

import pytest
import yaml
from conftest import REPO

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


def test_the_variants_module_imports_no_numerical_library():
    """The Snakefile imports facevae.variants while it is parsed: the metrics of a variant
    live in facevae.metrics, so that parsing the workflow never loads numpy or torch."""
    import subprocess
    import sys

    heavy = ("numpy", "torch", "sklearn", "skimage", "pandas")
    code = f"import sys, facevae.variants; print([m for m in {heavy!r} if m in sys.modules])"
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "[]"
