"""facevae.tables: the report's generated tables, built from hand-made stage results."""

from facevae.data import ETHNICITY_KEYS
from facevae.htmlreport import table_html
from facevae.tables import (
    ablation_table,
    attribute_change_table,
    attribute_control_table,
    cnn_table,
    generation_table,
    imbalance_table,
    improved_table,
    prior_twins_table,
    restore_erase_table,
    restore_noise_table,
    restore_search_table,
    vae_table,
)


def scored(key, value, width=0.1, **more):
    return {key: value, f"{key}_ci95_low": value - width, f"{key}_ci95_high": value + width} | more


def body(table: str) -> list[list[str]]:
    """The cells of each row below the header (\\midrule) of a generated tabular."""
    lines = table.splitlines()
    rows = lines[lines.index(r"\midrule") + 1 : lines.index(r"\bottomrule")]
    return [row.removesuffix(r" \\").split(" & ") for row in rows]


def restore_metrics():
    def method(psnr, ssim, region_mse=0.02):
        return (
            scored("psnr", psnr)
            | scored("ssim", ssim, 0.01)
            | scored("region_psnr", psnr - 5)
            | scored("region_ssim", ssim, 0.01)
            | scored("region_mse", region_mse, 0.001)
        )

    noise = {
        "corrupted": method(30.0, 0.95),  # never bold, even when it scores best
        "gaussian": method(22.0, 0.70),
        "vae": method(21.0, 0.80),
    }
    erase = {
        "corrupted": method(15.0, 0.5, 0.001),
        "biharmonic": method(20.0, 0.6, 0.030),
        "vae": method(19.0, 0.7, 0.020),
    }
    return {"noise_s0.1": noise, "noise": noise, "erase": erase}


def test_restoration_tables_bold_the_best_restorer_of_each_column():
    rows = {row[0]: row[1:] for row in body(restore_noise_table(restore_metrics(), [0.1]))}
    assert list(rows) == ["corrupted", "gaussian", "VAE"]
    assert rows["gaussian"][0] == r"\textbf{22.0} {\scriptsize [21.9, 22.1]}"  # PSNR
    assert rows["VAE"][1].startswith(r"\textbf{0.800}")  # SSIM
    assert not any(r"\textbf" in cell for cell in rows["corrupted"] + rows["VAE"][:1])
    rows = {row[0]: row[1:] for row in body(restore_erase_table(restore_metrics()))}
    assert rows["biharmonic"][0].startswith(r"\textbf{20.0}")
    assert rows["VAE"][3].startswith(r"\textbf{0.0200}")  # MSE: the lowest is the best
    assert not rows["biharmonic"][3].startswith(r"\textbf")
    assert r"PSNR ($\sigma=0.1$)" in restore_noise_table(restore_metrics(), [0.1])


def test_a_restorer_missing_from_a_damage_gets_a_dash():
    metrics = restore_metrics()
    metrics["noise_s0.2"] = {k: v for k, v in metrics["noise_s0.1"].items() if k != "gaussian"}
    rows = {row[0]: row[1:] for row in body(restore_noise_table(metrics, [0.1, 0.2]))}
    assert rows["gaussian"][2:] == ["---", "---"]


def test_cnn_table_has_one_row_per_metric_beside_the_original():
    metrics = {
        "gender": scored("test_accuracy", 0.912, 0.01, test_accuracy_seed_sd=0.004),
        "ethnicity": scored("test_accuracy", 0.80, 0.01, test_accuracy_seed_sd=0.01)
        | scored("test_macro_f1", 0.7, 0.02, test_macro_f1_seed_sd=0.01),
        "age": scored("test_mae", 6.5, 0.1, test_mae_seed_sd=0.05)
        | scored("test_rmse", 9.0, 0.1, test_rmse_seed_sd=0.06),
    }
    paper = {"gender": {"test_accuracy": 0.90}, "age": {"test_mae": 6.03}}
    rows = body(cnn_table(metrics, paper))
    assert [row[0] for row in rows] == [
        r"gender accuracy (\%)",
        r"ethnicity accuracy (\%)",
        "ethnicity macro F1",
        "age MAE (years)",
        "age RMSE (years)",
    ]
    assert rows[0][1:] == [r"91.2 {\scriptsize [90.2, 92.2]}", "0.400", "90.0"]
    assert rows[2][1:] == [r"0.700 {\scriptsize [0.680, 0.720]}", "0.0100", "---"]
    assert rows[3][3] == "6.03"


def test_vae_table_names_each_setting_and_marks_the_chosen_one():
    def metrics(psnr):
        return (
            scored("test_psnr", psnr)
            | scored("test_ssim", 0.8, 0.01)
            | scored("test_mse", 0.0123, 0.0004)
            | {"test_psnr_seed_sd": 0.09, "train_seconds": 1234.6}
        )

    points = {
        "z4_b1": {"latent": 4, "beta": 1},
        "z4_b1_gmm3": {"latent": 4, "beta": 1, "prior": "gmm", "components": 3},
    }
    baselines = {"pca4": scored("test_psnr", 18.0) | scored("test_ssim", 0.7, 0.01)}
    baselines["pca4"] |= scored("test_mse", 0.02, 0.001)
    rows = body(vae_table({n: metrics(20.0) for n in points}, points, "z4_b1_gmm3", baselines))
    assert [row[0] for row in rows] == [
        "PCA with 4 components",
        r"$z=4$, $\beta=1$",
        r"$z=4$, $\beta=1$, mixture of $K=3$ (chosen)",
    ]
    assert rows[0][-2:] == ["---", "---"]
    assert rows[1][3] == r"12.3 {\scriptsize [11.9, 12.7]}"  # MSE in thousandths
    assert rows[1][-1] == "1\\,235"


def _variant(accuracy_diff, recall):
    versus = scored("test_accuracy_diff", accuracy_diff, 0.01) | {"val_accuracy_diff": -0.01}
    scores = scored("test_accuracy", 0.8, 0.01) | scored("test_macro_f1", 0.7, 0.01)
    scores |= {"test_accuracy_seed_sd": 0.004, "val_accuracy": 0.81, "val_macro_f1": 0.69}
    for group in ETHNICITY_KEYS:
        scores |= scored(f"test_recall_{group}", recall, 0.02)
    return scores | {"versus": versus}


def test_imbalance_table_has_one_column_per_model_and_a_row_per_class():
    variants = {"reweight_augment": {"ethnicity": _variant(0.03, 0.6)}}
    table = imbalance_table(_variant(0, 0.5), variants, ["reweight_augment"])
    assert r" & paper model & reweight + augment \\" in table
    rows = body(table)
    assert [row[0] for row in rows][2:-1] == [
        rf"recall: {group} (\%)"
        for group in ("White", "Black", "East Asian", "South Asian", "Other")
    ]
    assert rows[2][1:] == [r"50.0 {\scriptsize [48.0, 52.0]}", r"60.0 {\scriptsize [58.0, 62.0]}"]
    assert rows[-1] == [r"validation macro F1 (\%)", "69.0", "69.0"]


def test_improved_and_ablation_tables_show_signed_changes():
    variants = {
        "improved": {"gender": _variant(0.031, 0.5)},
        "improved_without_augment": {"gender": _variant(-0.02, 0.5)},
    }
    paper = {"gender": _variant(0, 0.5)}
    (row,) = body(improved_table(paper, variants["improved"]))
    assert row[0] == r"gender accuracy (\%)"
    assert row[-1] == r"+3.10 {\scriptsize [+2.10, +4.10]}"
    full, without = body(ablation_table(variants, "improved", ["augment"]))
    assert full == ["full recipe", "81.0 / 80.0"]
    assert without == ["without augment", r"−1.00 / −2.00 {\scriptsize [−3.00, −1.00]}"]


def test_generation_table_has_two_rows_per_vae():
    def prior(bound):
        return (
            {"elbo": -2100.0}
            | scored("k50", bound, 2)
            | scored("gender_tv", 0.034, 0.01)
            | scored("ethnicity_tv", 0.1, 0.02)
        )

    metrics = {
        "z4_b1_gmm3": {"bound_samples": [1, 50], "own": prior(-2000), "fitted": prior(-1990)}
    }
    points = {"z4_b1_gmm3": {"latent": 4, "beta": 1, "prior": "gmm", "components": 3}}
    table = generation_table(metrics, points)
    own, fitted = body(table)
    assert own[:3] == [r"$z=4$, $\beta=1$, mixture of $K=3$", "mixture", "−2\\,100"]
    assert fitted[:2] == ["", "fitted"]
    assert own[3] == r"−2\,000 {\scriptsize [−2\,002, −1\,998]}"
    assert own[4] == r"3.40 {\scriptsize [2.40, 4.40]}"  # in points
    assert r"bound, $k=50$ (nats)" in table


def test_prior_twins_table_gives_the_difference_and_its_parts():
    twins = {
        "z4_b1_gmm3": {"twin": "z4_b1", "seeds": [0, 1, 2]}
        | scored("difference", 32.0, 4)
        | scored("recon", 0.5, 1)
        | scored("variance", 31.0, 3)
        | scored("minus_kl", -0.3, 0.2)
        | scored("iw_gap", 0.8, 0.1)
    }
    points = {"z4_b1_gmm3": {"latent": 4, "beta": 1, "prior": "gmm", "components": 3}}
    table = prior_twins_table(twins, points)
    (row,) = body(table)
    assert row[:2] == [r"$z=4$, $\beta=1$, mixture of $K=3$", "3"]
    assert row[2] == r"+32.0 {\scriptsize [+28.0, +36.0]}"
    assert row[4] == r"+31.0 {\scriptsize [+28.0, +34.0]}"
    assert row[5] == r"−0.300 {\scriptsize [−0.500, −0.100]}"
    assert "variance constant" in table and "IW gap" in table
    (empty,) = body(prior_twins_table({}, points))
    assert empty[0] == "no learned mixture has a standard-prior twin"
    assert set(empty[2:]) == {"---"}


def test_restore_search_table_has_a_row_per_restorer_and_a_column_per_damage():
    restore = restore_metrics()
    search = {"noise_s0.1": scored("psnr", 23.0), "erase": scored("region_psnr", 16.0)}
    rows = body(restore_search_table(search, restore, [0.1]))
    assert [row[0] for row in rows] == [
        "damaged input",
        "best classical restorer",
        r"\quad which",
        "chosen VAE: encode-decode passes",
        r"\quad latent search",
        r"\quad latent search from the prior's mean",
    ]
    assert rows[1][1] == r"22.0 {\scriptsize [21.9, 22.1]}"
    assert rows[2][1:] == ["Gaussian smoothing", "biharmonic inpainting"]
    assert rows[4][1:] == [r"23.0 {\scriptsize [22.9, 23.1]}", r"16.0 {\scriptsize [15.9, 16.1]}"]
    assert rows[5][1:] == ["---", "---"]  # no search from the prior's mean in these results
    # the improved VAE's passes and searches, the one from the prior's mean for the block only
    recipe = {"noise_s0.1": scored("psnr", 24.0), "erase": scored("region_psnr", 18.0)}
    search["erase"]["from_prior"] = scored("region_psnr", 15.0)
    recipe["erase"]["from_prior"] = scored("region_psnr", 17.0)
    rows = body(restore_search_table(search, restore, [0.1], recipe))
    assert rows[5][1:] == ["---", r"15.0 {\scriptsize [14.9, 15.1]}"]
    assert rows[6][0] == "improved VAE: latent search" and rows[6][1].startswith("24.0")
    assert rows[7][1:] == ["---", r"17.0 {\scriptsize [16.9, 17.1]}"]
    recipe["noise_s0.1"]["passes"] = scored("psnr", 25.0)
    recipe["erase"]["passes"] = scored("region_psnr", 19.0)
    rows = body(restore_search_table(search, restore, [0.1], recipe))
    assert rows[6][0] == "improved VAE: encode-decode passes"
    assert [rows[6][1][:4], rows[6][2][:4]] == ["25.0", "19.0"]
    assert rows[7][0] == r"\quad latent search" and rows[7][1].startswith("24.0")


def test_attribute_change_table_splits_dotted_vae_names():
    cell = {"gender": scored("changed", 0.05, 0.01), "ethnicity": scored("changed", 0.2, 0.02)}
    attributes = {
        "noise": "noise_s0.1",
        "methods": {"corrupted.noise": cell, "z256_b0.01.reconstruction": cell, "tv.noise": cell},
    }
    points = {"z256_b0.01": {"latent": 256, "beta": 0.01}}
    rows = body(attribute_change_table(attributes, points, "z256_b0.01"))
    assert [row[:2] for row in rows] == [
        ["none (the damaged face itself)", "noisy faces"],
        [r"VAE $z=256$, $\beta=0.01$ (chosen)", "clean faces"],
        ["total-variation denoising", "noisy faces"],
    ]
    assert rows[0][2:] == [r"5.00 {\scriptsize [4.00, 6.00]}", r"20.0 {\scriptsize [18.0, 22.0]}"]


def test_the_html_report_keeps_a_cells_interval():
    table = restore_noise_table(restore_metrics(), [0.1])
    assert "<td>22.0 [21.9, 22.1]</td>" in table_html(table, {})


def controlled(faces, vae, blur, pca, difference):
    """A task's cell of attribute_change.json's controls: shares and paired differences."""
    cell = {"faces": faces}
    for name, share in (("vae", vae), ("blur", blur), ("pca", pca)):
        cell[name] = scored("changed", share, 0.01)
    cell["paired"] = {
        name: scored("difference", difference, 0.03) | {"verdict": "unclear"}
        for name in ("blur", "pca")
    }
    return cell


def test_attribute_control_table_sets_the_vae_beside_its_controls():
    def result(psnr):
        return {
            "vae": {"val_psnr": psnr} | scored("test_psnr", psnr),
            "blur": {"sigma": 1.234, "val_psnr": psnr} | scored("test_psnr", psnr + 0.1),
            "pca": {"components": 87, "val_psnr": psnr} | scored("test_psnr", psnr - 0.2),
            "gender": controlled(900, 0.05, 0.03, 0.04, 0.02),
            "ethnicity": controlled(0, 0, 0, 0, 0),
        }

    attributes = {
        "controls": {
            "z4_b1.reconstruction": result(18.0),
            "z256_b0.01.reconstruction": result(21.0),
        }
    }
    points = {"z4_b1": {"latent": 4, "beta": 1}, "z256_b0.01": {"latent": 256, "beta": 0.01}}
    rows = body(attribute_control_table(attributes, points, "z256_b0.01"))
    assert len(rows) == 8
    psnr, setting, gender, ethnicity = rows[:4]  # the chosen VAE first
    assert psnr[:3] == [
        r"$z=256$, $\beta=0.01$ (chosen)",
        "test PSNR (dB)",
        r"21.0 {\scriptsize [20.9, 21.1]}",
    ]
    assert psnr[3:] == [
        r"21.1 {\scriptsize [21.0, 21.2]}",
        r"20.8 {\scriptsize [20.7, 20.9]}",
        "---",
        "---",
    ]
    assert setting[3:5] == [r"$\sigma=1.23$ px", "$k=87$"]
    assert gender[1] == r"gender changed (\%), 900 faces"
    assert gender[2:5] == [
        r"5.00 {\scriptsize [4.00, 6.00]}",
        r"3.00 {\scriptsize [2.00, 4.00]}",
        r"4.00 {\scriptsize [3.00, 5.00]}",
    ]
    assert gender[5:] == [r"+2.00 {\scriptsize [−1.00, +5.00]}"] * 2
    assert ethnicity[1:] == [r"ethnicity changed (\%), 0 faces"] + ["---"] * 5
    assert rows[4][0] == r"$z=4$, $\beta=1$"


def _recipe():
    """beyond/vae_recipe.json as vae_compare.compare_recipe writes it."""
    scores = lambda m, lo, hi: {"mean": m, "ci95_low": lo, "ci95_high": hi}  # noqa: E731
    return {
        "improved": scores(27.0, 26.9, 27.1),
        "paper": scores(22.0, 21.9, 22.1),
        "pca": scores(28.0, 27.9, 28.1),
        "versus_paper": scores(5.0, 4.9, 5.1),
        "versus_pca": scores(-1.0, -1.1, -0.9),
        "yardstick": 256,
        "minutes": {"improved": 30.0, "paper": 10.0, "linear_path": 25.0},
        "ablation": {"linear_path": {"difference": scores(-6.0, -6.2, -5.8), "minutes": 25.0}},
    }


def test_the_recipe_table_sets_the_improved_vae_beside_its_twin_and_pca():
    from facevae.tables import vae_ablation_table, vae_recipe_table

    points = {"z256_b0.01": {"latent": 256, "beta": 0.01, "prior": "normal"}}
    rows = body(vae_recipe_table(_recipe(), points, "z256_b0.01"))
    assert [row[0] for row in rows] == [
        "PCA, 256 components",
        r"original architecture, $z=256$, $\beta=0.01$",
        r"improved recipe, $z=256$, $\beta=0.01$",
    ]
    assert rows[0][2].startswith("−1.00") and rows[1][2].startswith("+5.00")
    assert rows[2][1] == r"27.0 {\scriptsize [26.9, 27.1]}"  # every score with its interval
    assert rows[1][3] == "10.0" and rows[2][3] == "30.0" and rows[0][3] == "---"
    without = body(vae_ablation_table(_recipe()))
    assert without[1][0] == "without the linear path" and without[1][1].startswith("−6.00")
    assert without[1][2] == "25.0"


def test_the_ensemble_table_sets_the_single_models_beside_the_ensembles():
    from facevae.tables import ensemble_table

    def task_scores(accuracy):
        scores = scored("test_accuracy", accuracy, 0.01)
        return scores | {"versus": scored("test_accuracy_diff", 0.02, 0.01)}

    improved = {"gender": task_scores(0.90)}
    ensemble = {
        "ensemble": {"gender": task_scores(0.91)},
        "ensemble_flip": {"gender": task_scores(0.92)},
    }
    rows = body(ensemble_table(improved, ensemble))
    assert len(rows) == 1 and rows[0][0] == r"gender accuracy (\%)"
    assert [cell.split()[0] for cell in rows[0][1:4]] == ["90.0", "91.0", "92.0"]
    assert rows[0][4].startswith("+2.00")
