"""Chapter 3's training ingredients: on-device augmentation, class weights, the new losses
and the one-cycle schedule of the CNNs, each able to fit a tiny set."""

import pytest
import torch
from test_cnn import SMALL, _tiny_data

from facevae.augment import Augment, balanced_weights
from facevae.cnn import build_cnn
from facevae.cnn_train import TrainConfig, task_loss, train_cnn


def _faces(n=32):
    return torch.rand(n, 1, 48, 48, generator=torch.Generator().manual_seed(1))


def test_flips_are_exact_mirrors_and_keep_each_face_in_place():
    x = _faces()
    out = Augment(flip=0.5)(x, torch.Generator().manual_seed(0))
    assert out.shape == x.shape and out.dtype == x.dtype
    mirrored = [torch.equal(o, f.flip(-1)) for o, f in zip(out, x)]
    kept = [torch.equal(o, f) for o, f in zip(out, x)]
    assert all(m != k for m, k in zip(mirrored, kept))  # each face: itself or its mirror
    assert 4 < sum(mirrored) < 28  # about half of 32
    assert torch.equal(Augment(flip=1.0)(x, torch.Generator()), x.flip(-1))
    assert torch.equal(Augment(flip=0.0)(x, torch.Generator()), x)


def test_shifts_move_whole_pixels_and_are_repeatable():
    x = _faces(8)
    moved = Augment(flip=0.0, shift=3)(x, torch.Generator().manual_seed(5))
    again = Augment(flip=0.0, shift=3)(x, torch.Generator().manual_seed(5))
    assert torch.equal(moved, again) and moved.shape == x.shape
    assert not torch.allclose(moved, x)
    # a shift of at most 3 pixels: the centre of each face is found within 3 pixels
    for face, out in zip(x, moved):
        errors = [
            (out[0, 8:40, 8:40] - torch.roll(face[0], (dy, dx), (0, 1))[8:40, 8:40]).abs().mean()
            for dy in range(-4, 5)
            for dx in range(-4, 5)
        ]
        assert min(errors) < (out - face).abs().mean()
    sheared = Augment(flip=0.0, shear=0.2)(x, torch.Generator().manual_seed(5))
    assert sheared.shape == x.shape and 0 <= sheared.min() and sheared.max() <= 1


def test_balanced_weights_follow_the_class_counts():
    labels = torch.tensor([0] * 6 + [1] * 3 + [2] * 1)
    weights = balanced_weights(labels, 4)
    assert weights.tolist() == pytest.approx([10 / 18, 10 / 9, 10 / 3, 0.0])
    assert weights[labels].mean().item() == pytest.approx(1.0)  # faces' weights average 1


def test_losses_of_the_new_ingredients():
    logits, target = torch.tensor([[2.0, 0.0], [0.0, 2.0]]), torch.tensor([0, 0])
    plain = task_loss("gender", logits, target)
    heavy = task_loss("gender", logits, target, weight=torch.tensor([1.0, 3.0]))
    assert heavy == pytest.approx(plain)  # both faces are class 0: the weights cancel
    assert task_loss("gender", logits[:1], target[:1], label_smoothing=0.2) > task_loss(
        "gender", logits[:1], target[:1]
    )  # a confident right answer is penalised once the target is smoothed
    ages, truth = torch.tensor([30.0, 50.0]), torch.tensor([20.0, 50.0])
    assert task_loss("age", ages, truth).item() == 50.0
    assert task_loss("age", ages, truth, age_loss="l1").item() == 5.0
    assert task_loss("age", ages, truth, age_loss="huber").item() == pytest.approx(4.75)
    with pytest.raises(ValueError, match="unknown age loss 'l3'"):
        task_loss("age", ages, truth, age_loss="l3")


RECIPE = {
    "augment": {"flip": 0.5, "shift": 1},
    "label_smoothing": 0.05,
    "lr_schedule": "onecycle",
    "lr": 0.01,
    "warmup": 0.2,
}


@pytest.mark.parametrize(
    ("task", "extra"),
    [
        ("ethnicity", {"class_weights": True}),
        ("gender", RECIPE),
        ("age", RECIPE | {"age_loss": "l1"}),
    ],
)
def test_the_new_recipes_fit_a_tiny_set(task, extra):
    torch.manual_seed(0)
    model = build_cnn(task, **SMALL)
    x, y = _tiny_data(task, 16)
    if extra.get("augment"):  # mirror-symmetric faces: the flip cannot hide a label
        x = (x + x.flip(-1)) / 2
    lr = {} if "lr_schedule" in extra else {"lr_scale": 100}
    cfg = TrainConfig(epochs=80, batch_size=16, log_every=1000, **lr, **extra)
    history = train_cnn(model, task, (x, y), (x, y), cfg)
    assert history["batch_loss"][-1] < 0.3 * history["batch_loss"][0]
    if task != "age":
        assert history["val_metric"][-1] == 1.0
    if "lr_schedule" in extra:  # one cycle: up to the peak, then down
        assert max(history["lr"]) > 5 * history["lr"][0] > 5 * history["lr"][-1] * 0.99


def test_augmentation_leaves_the_batch_order_alone():
    x, y = _tiny_data("gender", 32)
    seen = []
    for augment in (None, {"flip": 0.5}):
        torch.manual_seed(0)
        model = build_cnn("gender", **SMALL)
        cfg = TrainConfig(epochs=1, batch_size=8, log_every=1000, augment=augment)
        history = train_cnn(model, "gender", (x, y), (x, y), cfg)
        seen.append(history["batch_loss"])
    assert len(seen[0]) == len(seen[1]) == 4 and seen[0] != seen[1]
