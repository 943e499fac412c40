"""The improved recipe's seeds as one classifier (facevae.ensemble)."""

import numpy as np
import pytest
import torch

from facevae.cnn import build_cnn, build_multitask
from facevae.ensemble import ensemble_outputs, ensemble_predictions, task_outputs

TINY = {"channels": (4, 8, 8), "hidden": 8}


def _faces(n=6, symmetric=False):
    x = torch.rand(n, 1, 48, 48, generator=torch.Generator().manual_seed(0))
    return (x + torch.flip(x, dims=[-1])) / 2 if symmetric else x


@pytest.mark.parametrize("task", ["ethnicity", "age"])
def test_an_ensemble_of_identical_models_equals_the_model(task):
    torch.manual_seed(0)
    model = build_multitask(["gender", "ethnicity", "age"], **TINY).eval()
    x = _faces()
    alone = task_outputs(model, task, x, batch_size=4)
    together = ensemble_outputs([model, model, model], task, x, batch_size=4)
    np.testing.assert_allclose(together, alone, rtol=1e-6, atol=1e-6)
    assert alone.shape == ((6, 5) if task == "ethnicity" else (6,))


def test_flipping_a_symmetric_face_changes_nothing_and_an_asymmetric_one_does():
    torch.manual_seed(1)
    model = build_cnn("gender", **TINY).eval()
    symmetric = _faces(symmetric=True)
    plain = ensemble_outputs([model], "gender", symmetric, batch_size=8)
    flipped = ensemble_outputs([model], "gender", symmetric, batch_size=8, flip=True)
    np.testing.assert_allclose(flipped, plain, rtol=1e-5, atol=1e-6)
    x = _faces()
    assert not np.allclose(
        ensemble_outputs([model], "gender", x, 8, flip=True),
        ensemble_outputs([model], "gender", x, 8),
    )


def test_two_models_average_their_probabilities_not_their_votes():
    torch.manual_seed(2)
    first, second = build_cnn("gender", **TINY).eval(), build_cnn("gender", **TINY).eval()
    x = _faces()
    mean = ensemble_outputs([first, second], "gender", x, batch_size=8)
    expected = (task_outputs(first, "gender", x, 8) + task_outputs(second, "gender", x, 8)) / 2
    np.testing.assert_allclose(mean, expected, rtol=1e-6)
    arrays = ensemble_predictions(mean, np.arange(6), np.zeros(6, dtype=int), "gender")
    np.testing.assert_allclose(arrays["prob"], mean, rtol=1e-5)
    assert np.array_equal(arrays["y_pred"], mean.argmax(1))
    ages = ensemble_predictions(np.array([30.0, 40.0]), np.arange(2), np.array([31, 39]), "age")
    assert np.array_equal(ages["y_pred"], [30.0, 40.0])


def test_an_ensemble_of_one_model_scores_as_that_model():
    from facevae.cnn_train import predict, prediction_arrays
    from facevae.ensemble import ensemble_protocol
    from facevae.runtime import image_tensor
    from facevae.synthetic import make_faces

    faces = make_faces(60, seed=3)
    split = {"val": np.arange(0, 30), "test": np.arange(30, 60)}
    torch.manual_seed(3)
    model = build_multitask(["gender", "age"], **TINY).eval()
    single = {}
    for task in ("gender", "age"):
        single[task] = {}
        for part in ("val", "test"):
            out = predict(model, image_tensor(faces["images"][split[part]], "cpu"), 16)[task]
            single[task][part] = [
                prediction_arrays(out.numpy(), split[part], faces[task][split[part]])
            ]
    history = [{"epoch_seconds": [1.0], "parameters": 10, "val_metric": [0.5], "precision": "fp32"}]
    result = ensemble_protocol(
        {"gender": [model], "age": [model]},
        faces,
        split,
        single,
        {"gender": history, "age": history},
        reference="improved",
        batch_size=16,
        bootstrap={"resamples": 50, "groups": np.arange(60)},
    )
    plain = result["ensemble"]["gender"]
    assert plain["versus"]["test_accuracy_diff"] == 0.0
    assert plain["test_accuracy"] == single_accuracy(single["gender"]["test"][0])
    assert result["ensemble"]["age"]["versus"]["test_mae_diff"] == pytest.approx(0.0, abs=1e-5)
    assert result["ensemble_flip"]["gender"]["flip"] is True
    assert set(result) == {"ensemble", "ensemble_flip"}


def single_accuracy(arrays):
    return float(np.mean(arrays["y_pred"] == arrays["y_true"]))
