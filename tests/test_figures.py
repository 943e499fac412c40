"""The figure functions of facevae.figures, drawn from tiny synthetic results.

Each test checks what the figure shows (its panels, the faces and numbers drawn in them, its
labels), not how it looks."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.container import BarContainer  # noqa: E402
from matplotlib.patches import FancyBboxPatch  # noqa: E402

from facevae import SIDE, plotstyle  # noqa: E402
from facevae.cnn import TASKS, build_cnn  # noqa: E402
from facevae.data import ETHNICITY_KEYS, ETHNICITY_NAMES, GENDER_KEYS, GENDER_NAMES  # noqa: E402
from facevae.figures import beyond, data, restore, supervised, vae  # noqa: E402
from facevae.layers import count_parameters  # noqa: E402
from facevae.names import noise_key, vae_label  # noqa: E402

POINTS = {
    "z8_b1": {"latent": 8, "beta": 1.0},
    "z16_b0.01_gmm3": {"latent": 16, "beta": 0.01, "prior": "gmm", "components": 3},
}


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def shown(fig):
    """The panels of a figure that draw something (not removed, not switched off)."""
    return [ax for ax in fig.axes if ax.get_visible() and ax.axison]


def image_of(ax):
    return np.asarray(ax.images[0].get_array())


def bar_centres(ax):
    """Horizontal centre of every bar of an axes, container by container."""
    return [
        [bar.get_x() + bar.get_width() / 2 for bar in c]
        for c in ax.containers
        if isinstance(c, BarContainer)
    ]


def bar_heights(ax):
    """Heights of every bar of an axes, container by container."""
    return [[bar.get_height() for bar in c] for c in ax.containers if isinstance(c, BarContainer)]


def random_faces(n, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (n, SIDE, SIDE), dtype=np.uint8)


# --- data ------------------------------------------------------------------------------------


def test_age_buckets():
    edges = [0, 10, 20, 117]
    assert data.age_bucket_labels(edges) == ["0-9", "10-19", "20-116"]
    assert data.age_buckets([0, 9, 10, 116], edges).tolist() == [0, 0, 1, 2]


def test_mean_faces_by_ethnicity_averages_each_cell():
    # Two white men (grey levels 60 and 100) and one black woman (200); other cells are empty.
    images = np.stack([np.full((SIDE, SIDE), v, dtype=np.uint8) for v in (60, 100, 200)])
    fig = data.mean_faces_by_ethnicity(images, np.array([0, 0, 1]), np.array([0, 0, 1]))
    axes = np.array(fig.axes).reshape(len(GENDER_NAMES), len(ETHNICITY_NAMES))
    np.testing.assert_allclose(image_of(axes[0, 0]), 80 / 255)
    assert axes[0, 0].get_title() == "n = 2"
    np.testing.assert_allclose(image_of(axes[1, 1]), 200 / 255)
    assert axes[0, 1].get_title() == "no faces"
    assert not image_of(axes[0, 1]).any()
    assert [ax.get_ylabel() for ax in axes[:, 0]] == list(GENDER_NAMES)
    headers = [t.get_text() for ax in axes[0] for t in ax.texts]
    assert headers == list(ETHNICITY_NAMES)


def test_mean_faces_by_age_uses_the_buckets():
    images = random_faces(4)
    gender, age = np.array([1, 1, 0, 0]), np.array([5, 7, 15, 40])
    fig = data.mean_faces_by_age(images, gender, age, [0, 10, 20, 117])
    axes = np.array(fig.axes).reshape(2, 3)
    headers = [t.get_text() for ax in axes[0] for t in ax.texts]
    assert headers == ["age 0-9", "age 10-19", "age 20-116"]
    np.testing.assert_allclose(image_of(axes[1, 0]), images[:2].mean(axis=0) / 255)
    assert [ax.get_title() for ax in axes[0]] == ["no faces", "n = 1", "n = 1"]


def test_label_distributions_counts():
    ethnicity, gender = np.array([0, 0, 0, 2, 4]), np.array([1, 1, 0, 1, 1])
    age = np.array([20, 20, 30, 40, 90])
    fig = data.label_distributions(ethnicity, gender, age)
    ax_eth, ax_gen, ax_age = fig.axes
    assert bar_heights(ax_eth) == [[3, 0, 1, 0, 1]]
    assert bar_heights(ax_gen) == [[1, 4]]
    assert [t.get_text() for t in ax_eth.get_xticklabels()] == list(ETHNICITY_NAMES)
    assert sum(p.get_height() for p in ax_age.patches) == len(age)
    assert ax_age.get_legend().get_texts()[0].get_text() == "median 30"


# --- supervised ------------------------------------------------------------------------------

SMALL_CNN = {"channels": [4, 8], "hidden": 16, "leaky_slope": 0.01, "dropout": 0.5}


def test_cnn_columns_follow_the_network():
    columns = supervised.cnn_columns(SMALL_CNN)
    texts = [text for text, _, _ in columns]
    assert len(columns) == 1 + len(SMALL_CNN["channels"]) + 2  # input, blocks, flatten, dense
    assert texts[1].startswith("block 1\n\nconv 3×3\n4 ch")
    assert [shape for _, shape, _ in columns[1:3]] == ["4 × 24 × 24", "8 × 12 × 12"]
    assert columns[3][1] == f"{8 * 12 * 12:,}\nfeatures"
    assert "16 units" in texts[-1] and "dropout 0.5" in texts[-1]


def test_cnn_architecture_draws_every_box_and_count():
    fig = supervised.cnn_architecture(SMALL_CNN)
    ax = fig.axes[0]
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    assert len(boxes) == len(supervised.cnn_columns(SMALL_CNN)) + len(TASKS)
    texts = " ".join(t.get_text() for t in ax.texts)
    for task in TASKS:
        assert f"{task} {count_parameters(build_cnn(task, **SMALL_CNN)):,}" in texts


def test_strongest_channels_skips_flat_maps():
    rng = np.random.default_rng(0)
    maps = np.stack(
        [
            np.full((6, 6), 9.0),  # flat, highest mean: a dead channel
            5 + rng.normal(size=(6, 6)),
            1 + rng.normal(size=(6, 6)),
            3 + rng.normal(size=(6, 6)),
        ]
    )
    assert supervised.strongest_channels(maps, 3).tolist() == [1, 3, 2]
    assert supervised.strongest_channels(maps, 10).tolist() == [1, 3, 2, 0]


def test_feature_maps_shows_the_face_and_the_strongest_maps():
    rng = np.random.default_rng(1)
    image = random_faces(1)[0]
    maps = [rng.random((5, 24, 24)).astype(np.float32), rng.random((6, 12, 12)) * 3]
    fig = supervised.feature_maps(image, maps, n_maps=3)
    panels = shown(fig)
    assert len(panels) == 1 + 2 * 3
    face = [ax for ax in panels if ax.get_title().startswith("input")][0]
    np.testing.assert_array_equal(image_of(face), image)
    assert face.get_title() == f"input\n1 × {SIDE} × {SIDE}"
    tiles = [ax for ax in panels if ax is not face]
    for block, row in zip(maps, (tiles[:3], tiles[3:])):
        top = supervised.strongest_channels(block, 3)
        assert [ax.get_title() for ax in row] == [f"ch {c}" for c in top]
        tile = image_of(row[0])
        assert tile.min() == pytest.approx(0) and tile.max() == pytest.approx(1)
    assert tiles[3].get_ylabel() == "block 2\n(6 × 12 × 12)"


def histories(epochs=3, batches=20, seed=0):
    rng = np.random.default_rng(seed)
    return {
        task: {
            "batch_loss": rng.random(epochs * batches).tolist(),
            "batch_epoch": np.repeat(np.arange(epochs), batches).tolist(),
            "val_metric": rng.random(epochs).tolist(),
        }
        for task in TASKS
    }


def test_training_loss_panels_and_running_mean():
    found = histories()
    fig = supervised.training_loss(found, window=5)
    panels = fig.axes[: len(TASKS)]
    assert [ax.get_title() for ax in panels] == list(TASKS)
    assert [ax.get_ylabel() for ax in panels] == ["cross-entropy", "cross-entropy", "MSE (years²)"]
    loss = np.asarray(found["age"]["batch_loss"])
    running = panels[2].get_lines()[0].get_ydata()
    assert running[0] == pytest.approx(loss[0])
    assert running[-1] == pytest.approx(loss[-5:].mean())
    assert len(fig.axes) == len(TASKS) + 1  # and the colour bar of the epochs


def test_validation_curves_split_classifiers_and_age():
    found = histories(epochs=4)
    fig = supervised.validation_curves(found)
    ax_acc, ax_mse = fig.axes
    assert [line.get_label() for line in ax_acc.get_lines()] == ["gender", "ethnicity"]
    np.testing.assert_allclose(
        ax_acc.get_lines()[1].get_ydata(), 100 * np.asarray(found["ethnicity"]["val_metric"])
    )
    assert [line.get_label() for line in ax_mse.get_lines()] == ["age"]
    assert ax_mse.get_lines()[0].get_xdata().tolist() == [1, 2, 3, 4]


def test_confusion_matrices_show_row_shares():
    predictions = {
        "gender": {"y_true": np.array([0, 0, 0, 1]), "y_pred": np.array([0, 0, 1, 1])},
        "ethnicity": {"y_true": np.array([0, 1, 2, 3]), "y_pred": np.array([0, 1, 2, 0])},
    }
    fig = supervised.confusion_matrices(predictions)
    ax_gender, ax_ethnicity = fig.axes[:2]
    np.testing.assert_allclose(image_of(ax_gender), [[2 / 3, 1 / 3], [0, 1]])
    assert ax_gender.get_title() == "gender (accuracy 75.0%)"
    assert len(ax_ethnicity.texts) == 25
    assert not image_of(ax_ethnicity)[4].any()  # no face of the last class: a row of zeros
    assert fig.axes[-1].get_ylabel() == "share of true class"


def test_class_metrics_bars_per_class_and_score():
    rng = np.random.default_rng(0)
    per_class = {
        task: {
            key: {"precision": rng.random(), "recall": rng.random(), "f1": 0.0, "support": 1234}
            for key in keys
        }
        for task, keys in (("gender", GENDER_KEYS), ("ethnicity", ETHNICITY_KEYS))
    }
    fig = supervised.class_metrics(per_class)
    ax_gender, ax_ethnicity = fig.axes
    heights = bar_heights(ax_ethnicity)
    assert len(heights) == 3 and all(len(h) == len(ETHNICITY_KEYS) for h in heights)
    assert heights[0] == [per_class["ethnicity"][key]["precision"] for key in ETHNICITY_KEYS]
    assert ax_gender.get_xticklabels()[0].get_text() == f"{GENDER_NAMES[0]}\nn = 1,234"
    assert [t.get_text() for t in ax_gender.texts if t.get_text()] == ["0", "0"]  # F1 bars
    assert ax_gender.get_title() == "gender"


def test_age_histogram_titles():
    fig = supervised.age_histogram(np.array([20, 30, 40]), np.array([22.0, 27.0, 40.0]))
    ax_hist, ax_scatter = fig.axes
    assert ax_hist.get_title() == "test split, 3 faces"
    assert ax_scatter.get_title() == "MAE 1.7 years"
    assert len(ax_hist.patches) > 0 and len(ax_scatter.collections) == 1


def test_gender_by_age_accuracy_per_bucket():
    ages = np.array([5, 5, 15, 15, 15, 15])
    y_true = np.array([0, 1, 0, 1, 0, 1])
    y_pred = np.array([0, 0, 0, 1, 0, 0])
    fig = supervised.gender_by_age(ages, y_true, y_pred, [0, 10, 20, 30])
    ax = [a for a in fig.axes if a.get_ylabel() == "accuracy (%)"][0]
    ax_n = [a for a in fig.axes if a is not ax][0]
    accuracy = ax.get_lines()[0].get_ydata()
    np.testing.assert_allclose(accuracy, [50, 75, np.nan])  # the empty bucket: a gap
    assert bar_heights(ax_n) == [[2, 4, 0]]
    assert ax.get_lines()[1].get_ydata()[0] == pytest.approx(100 * 4 / 6)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0-9", "10-19", "20-29"]


def grid_predictions(index):
    n = len(index)
    return {
        "gender": {"index": index, "y_true": np.zeros(n, int), "y_pred": np.arange(n) % 2},
        "ethnicity": {"index": index, "y_true": np.full(n, 3), "y_pred": np.full(n, 3)},
        "age": {"index": index, "y_true": np.arange(n) + 20, "y_pred": np.arange(n) + 20.4},
    }


def test_prediction_grid_shows_the_predicted_faces():
    images, index = random_faces(20), np.array([7, 3, 11, 0, 5, 9, 1, 2])
    fig = supervised.prediction_grid(images, grid_predictions(index), n_faces=7, n_cols=3)
    panels = shown(fig)
    assert len(panels) == 7
    for ax, i in zip(panels, index):
        np.testing.assert_array_equal(image_of(ax), images[i])
    first, second = ([t for t in ax.texts] for ax in panels[:2])
    assert first[0].get_text() == "M/M   20/20" and first[0].get_color() != "C3"
    assert second[0].get_text() == "M/F   21/21" and second[0].get_color() == "C3"
    assert first[1].get_text() == "S. Asian/S. Asian"


def test_prediction_grid_refuses_mismatched_faces():
    predictions = grid_predictions(np.arange(4))
    predictions["age"]["index"] = np.array([1, 0, 2, 3])
    with pytest.raises(ValueError, match="age"):
        supervised.prediction_grid(random_faces(4), predictions, n_faces=4)


# --- vae -------------------------------------------------------------------------------------


def vae_evals(index, seed=0):
    rng = np.random.default_rng(seed)
    return {
        name: {
            "index": index,
            "recon": rng.random((len(index), SIDE, SIDE)).astype(np.float32),
            "psnr": rng.normal(20, 2, 30),
            "ssim": rng.random(30),
            "mse": rng.random(30) / 50,
        }
        for name in POINTS
    }


def test_shared_index_refuses_other_faces():
    evals = vae_evals(np.arange(3))
    evals["z16_b0.01_gmm3"]["index"] = np.array([0, 1, 5])
    with pytest.raises(ValueError, match="z16_b0.01_gmm3"):
        vae.shared_index(evals)


def test_vae_training_one_line_per_model():
    found = {name: {"val_recon": [9.0, 5, 4], "val_kl": [1.0, 2, 3]} for name in POINTS}
    fig = vae.vae_training(found, POINTS)
    ax_recon, ax_kl = fig.axes
    labels = [t.get_text() for t in ax_kl.get_legend().get_texts()]
    assert labels == [vae_label(point) for point in POINTS.values()]
    assert len(ax_recon.get_lines()) == len(POINTS) and ax_recon.get_yscale() == "log"


def test_vae_reconstructions_blocks():
    images, index = random_faces(30), np.arange(12) * 2
    evals = vae_evals(index)
    fig = vae.vae_reconstructions(images, evals, POINTS, n_cols=5)
    panels = shown(fig)
    assert len(panels) == len(index) * (1 + len(POINTS))
    np.testing.assert_array_equal(image_of(panels[0]), images[index[0]])
    np.testing.assert_array_equal(image_of(panels[len(index)]), evals["z8_b1"]["recon"][0])
    titles = [t.get_text() for t in fig.texts]
    assert titles == ["original test faces"] + [vae_label(p) for p in POINTS.values()]


def test_vae_comparison_rows_and_columns():
    images, index = random_faces(30), np.arange(10) + 3
    evals = vae_evals(index)
    fig = vae.vae_comparison(images, evals, POINTS, n_faces=4)
    axes = np.array(fig.axes).reshape(1 + len(POINTS), 4)
    np.testing.assert_array_equal(image_of(axes[0, 3]), images[index[3]])
    np.testing.assert_array_equal(image_of(axes[2, 1]), evals["z16_b0.01_gmm3"]["recon"][1])
    assert axes[0, 0].get_ylabel() == "original"
    assert axes[2, 0].get_ylabel() == r"$z=16$" "\n" r"$\beta=0.01$" "\nmixture of $K=3$"


def test_vae_metrics_one_box_per_model_and_score():
    evals = vae_evals(np.arange(3))
    fig = vae.vae_metrics(evals, POINTS)
    axes = fig.axes
    assert [ax.get_xlabel() for ax in axes] == list(vae.SCORE_LABELS.values())
    assert [ax.get_title() for ax in axes] == [
        "higher is better",
        "higher is better",
        "lower is better",
    ]
    labels = [t.get_text() for t in axes[0].get_yticklabels()]
    assert labels == [vae_label(p) for p in POINTS.values()]
    assert fig.get_suptitle().startswith("30 test faces per model")


def test_face_rows_fit_the_shortest_row():
    rows = [("a", random_faces(5)), ("b", random_faces(3, seed=1))]
    fig = plotstyle.face_rows(rows, left=0.2, label_size=7)
    axes = np.array(fig.axes).reshape(2, 3)
    np.testing.assert_array_equal(image_of(axes[1, 2]), rows[1][1][2])
    assert axes[1, 0].get_ylabel() == "b" and axes[1, 0].yaxis.label.get_fontsize() == 7


# --- restore ---------------------------------------------------------------------------------


def restore_results(sigma=0.1, n=4, seed=0):
    rng = np.random.default_rng(seed)
    noise = noise_key(sigma)
    methods = {noise: ["corrupted", "vae", "mean_filter", "gaussian", "nl_means"]}
    methods["erase"] = ["corrupted", "vae", "biharmonic"]
    examples = {"clean": rng.random((n, SIDE, SIDE))}
    examples |= {
        f"{damage}.{method}": rng.random((n, SIDE, SIDE))
        for damage, names in methods.items()
        for method in names
    }
    psnr = {"corrupted": 10, "vae": 30, "mean_filter": 20, "gaussian": 22, "nl_means": 25}
    metrics = {noise: {m: {"psnr": v} for m, v in psnr.items()}}
    return examples, metrics


def test_restoration_rows_and_best_classical():
    examples, metrics = restore_results()
    fig = restore.restoration(examples, metrics, sigma=0.1, n_faces=2)
    axes = np.array(fig.axes).reshape(4, 5)
    titles = [ax.get_title() for ax in axes[0]]
    assert titles == [
        "original",
        "noise σ = 0.1",
        "mean filter",
        "nl means (best classical)",
        "VAE",
    ]
    assert [ax.get_title() for ax in axes[2, :4]] == [
        "original",
        "erased",
        "biharmonic",
        "VAE (erased pixels only)",
    ]
    assert not any(ax.get_title() for ax in axes[1])  # each column is titled once
    np.testing.assert_array_equal(image_of(axes[1, 3]), examples["noise_s0.1.nl_means"][1])
    np.testing.assert_array_equal(image_of(axes[3, 3]), examples["erase.vae"][1])
    assert len(shown(fig)) == 2 * 5 + 2 * 4  # the erase block has one column fewer


def test_interpolation_frames_the_corners():
    images = np.random.default_rng(0).random((3, 3, SIDE, SIDE))
    fig = restore.interpolation(images)
    axes = np.array(fig.axes).reshape(3, 3)
    np.testing.assert_array_equal(image_of(axes[1, 2]), images[1, 2])
    framed = [(i, j) for i in range(3) for j in range(3) if axes[i, j].spines["top"].get_visible()]
    assert framed == [(0, 0), (0, 2), (2, 0), (2, 2)]


# --- beyond ----------------------------------------------------------------------------------


def test_fairness_bars_per_model_and_group():
    def cell(accuracy):
        return {
            "accuracy": accuracy,
            "accuracy_ci95_low": accuracy - 0.1,
            "accuracy_ci95_high": accuracy + 0.1,
        }

    found = {
        model: {
            task: {
                "age": {"0-29": cell(0.5), "30-116": cell(0.6), "gap": cell(0.1)},
                "ethnicity": {key: cell(0.7) for key in ETHNICITY_KEYS} | {"gap": cell(0)},
            }
            for task in ("gender", "ethnicity")
        }
        for model in ("paper", "improved")
    }
    found["improved"]["gender"]["age"]["0-29"] = cell(0.8)
    fig = beyond.fairness(found)
    axes = np.array(fig.axes).reshape(2, 2)
    assert bar_heights(axes[0, 0]) == [[50, 60], [80, 60]]
    np.testing.assert_allclose(bar_centres(axes[0, 0]), [[-0.19, 0.81], [0.19, 1.19]])
    assert [len(h) for h in bar_heights(axes[1, 1])] == [len(ETHNICITY_KEYS)] * 2
    assert [t.get_text() for t in axes[1, 1].get_xticklabels()][3] == "South Asian"
    assert [ax.get_ylabel() for ax in axes[:, 0]] == [
        "gender accuracy (%)",
        "ethnicity accuracy (%)",
    ]
    assert axes[1, 0].get_xlabel() == "age (years)" and axes[0, 0].get_xlabel() == ""
    legend = [t.get_text() for t in axes[0, 0].get_legend().get_texts()]
    assert legend == list(beyond.MODELS.values())


def test_generation_two_rows_per_model():
    examples = {name: {"own": random_faces(4), "fitted": random_faces(5, 1)} for name in POINTS}
    fig = beyond.generation(examples, POINTS)
    axes = np.array(fig.axes).reshape(2 * len(POINTS), 4)
    labels = [row[0].get_ylabel() for row in axes]
    assert labels[3] == f"{vae_label(POINTS['z16_b0.01_gmm3'])}\nfitted mixture"
    assert labels[0].endswith("\nits prior")
    np.testing.assert_array_equal(image_of(axes[1, 2]), examples["z8_b1"]["fitted"][2])


def test_attribute_change_methods_and_shares():
    def changes(share):
        out = {"changed": share}
        for key in ETHNICITY_KEYS:
            out[key] = {"faces": 5, "changed": share, "changed_ci95_low": share / 2}
            out[key]["changed_ci95_high"] = share * 2
        out["other"] = {"faces": 0, "changed": None}
        return out

    best = "z8_b1"
    keys = [f"{best}.reconstruction", f"{best}.noise", "search.erase", "gaussian.noise"]
    keys += ["nl_means.noise", "biharmonic.erase"]
    found = {
        "noise": "noise_s0.1",
        "methods": {key: {"gender": changes(0.1), "ethnicity": changes(0.2)} for key in keys},
    }
    _, metrics = restore_results()
    fig = beyond.attribute_change(found, metrics, best)
    ax_gender, ax_ethnicity = fig.axes
    legend = [t.get_text() for t in ax_gender.get_legend().get_texts()]
    # No VAE inpainting or latent denoising in the results; gaussian is not the best classical.
    assert legend == [
        "VAE: reconstruction",
        "VAE: denoising",
        "latent search: inpainting",
        "non-local means: denoising",
        "biharmonic: inpainting",
    ]
    heights = bar_heights(ax_ethnicity)
    assert len(heights) == 5
    assert heights[0][:4] == pytest.approx([20] * 4) and heights[0][4] == 0  # None: no faces
    # The methods side by side within each ethnicity's slot, centred on it.
    first = [centres[0] for centres in bar_centres(ax_gender)]
    assert first == pytest.approx(np.linspace(-0.32, 0.32, 5))
    assert ax_ethnicity.get_xlabel() == "true ethnicity"
    assert ax_gender.get_ylabel() == "gender changed (%)"


def test_attribute_change_adds_the_controls_of_the_chosen_vae():
    best = "z8_b1"

    def task(vae, blur, pca):
        cell = {}
        for key in ETHNICITY_KEYS:
            cell[key] = {"faces": 5}
            for which, share in (("vae", vae), ("blur", blur), ("pca", pca)):
                cell[key][which] = {
                    "changed": share,
                    "changed_ci95_low": share / 2,
                    "changed_ci95_high": share * 2,
                }
        cell[ETHNICITY_KEYS[-1]] = {"faces": 0}  # no correctly labelled face in the group
        return cell

    shares = {"changed": 0.1} | {key: {"faces": 5, "changed": 0.1} for key in ETHNICITY_KEYS}
    found = {
        "noise": "noise_s0.1",
        "methods": {f"{best}.reconstruction": {"gender": shares, "ethnicity": shares}},
        "controls": {f"{best}.reconstruction": {"ethnicity": task(0.3, 0.1, 0.2)}},
    }
    _, metrics = restore_results()
    fig = beyond.attribute_change(found, metrics, best)
    assert len(fig.axes) == 3
    ax = fig.axes[2]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["VAE: reconstruction", "blur, same PSNR", "PCA, same PSNR"]
    heights = bar_heights(ax)
    assert heights[0][:4] == pytest.approx([30] * 4) and heights[0][4] == 0
    assert heights[1][0] == pytest.approx(10) and heights[2][0] == pytest.approx(20)
    # without the controls of the chosen VAE: the two panels of before
    del found["controls"]
    assert len(beyond.attribute_change(found, metrics, best).axes) == 2
    plt.close("all")
