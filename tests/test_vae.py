"""Chapter 2 models: shapes, the KL term by hand, a falling loss, resume equivalence, metrics."""

import logging
import math

import numpy as np
import pytest
import torch

from facevae import SIDE
from facevae.baselines import pca_reconstructions, principal_components
from facevae.files import Busy, digest, save_torch
from facevae.layers import checkpoint, count_parameters
from facevae.metrics import choose_best, image_metrics, seed_means, summarise
from facevae.runtime import Diverged, Job, adam, image_tensor, lr_schedule, prepare
from facevae.synthetic import make_faces
from facevae.vae import (
    ResBlock,
    build_vae,
    decode_grid,
    interpolation_grid,
    kl_divergence,
    load_vae,
    reconstruction_error,
    sample_latent_corners,
    vae_loss,
)
from facevae.vae_train import VAETrainConfig, evaluate_vae, resume_slot, train_on_split, train_vae

TINY = {"channels": (4, 8, 8), "hidden": (16,)}


def test_shapes_and_parameter_count():
    model = build_vae(latent=7, **TINY)
    logits, mu, logvar = model(torch.rand(3, 1, 48, 48))
    assert logits.shape == (3, 1, 48, 48)
    assert mu.shape == logvar.shape == (3, 7)
    recon = model.reconstruct(torch.rand(2, 1, 48, 48))
    assert recon.shape == (2, 1, 48, 48) and 0 <= recon.min() and recon.max() <= 1
    full = count_parameters(build_vae(latent=256))
    assert 0.8e7 < full < 1.5e7  # "about 10^7" as in the original


def test_kl_by_hand():
    mu = torch.tensor([[0.0, 0.0], [1.0, -2.0]])
    logvar = torch.tensor([[0.0, 0.0], [math.log(4.0), 0.0]])
    # Row 2: 0.5 * [(1 + 4 - ln 4 - 1) + (4 + 1 - 0 - 1)] = 0.5 * (8 - ln 4)
    expected = torch.tensor([0.0, 0.5 * (8 - math.log(4.0))])
    assert torch.allclose(kl_divergence(mu, logvar), expected)


def test_loss_reduction_is_sum_over_pixels_mean_over_batch():
    x = torch.full((2, 1, 48, 48), 0.5)
    logits = torch.zeros(2, 1, 48, 48)  # sigmoid -> 0.5: no squared error
    logits[1] = 20.0  # sigmoid ~ 1: error 0.25 per pixel for the second face
    mu, logvar = torch.zeros(2, 3), torch.zeros(2, 3)
    mu[0, 0] = 2.0  # KL of face 1 = 0.5 * 4 = 2
    loss, recon, kl = vae_loss(logits, x, mu, logvar, beta=0.5, kind="mse")
    assert recon.item() == pytest.approx(0.25 * 2304 / 2, rel=1e-4)
    assert kl.item() == pytest.approx(1.0)
    assert loss.item() == pytest.approx(recon.item() + 0.5, rel=1e-6)
    bce = reconstruction_error(torch.zeros(1, 1, 48, 48), torch.zeros(1, 1, 48, 48), "bce")
    assert bce.item() == pytest.approx(2304 * math.log(2), rel=1e-5)


def _faces(n=32, seed=0):
    gen = torch.Generator().manual_seed(seed)
    base = torch.rand(4, 1, 48, 48, generator=gen)  # four prototypes: learnable structure
    return base[torch.arange(n) % 4] * 0.8 + 0.1 * torch.rand(n, 1, 48, 48, generator=gen)


def test_loss_decreases_on_a_tiny_batch():
    torch.manual_seed(0)
    model = build_vae(latent=4, **TINY)
    x = image_tensor(make_faces(32, seed=0)["images"], "cpu")
    cfg = VAETrainConfig(beta=0.01, epochs=40, batch_size=32, lr=1e-2)
    before = evaluate_vae(model, x, cfg)["recon"]
    history = train_vae(model, x, x, cfg)
    assert history["val_recon"][-1] < 0.5 * before
    # the squared error per pixel, whatever the loss: here the loss's own term over 2304 pixels
    assert len(history["val_mse"]) == 40
    assert history["val_mse"][-1] == pytest.approx(history["val_recon"][-1] / SIDE**2, rel=1e-5)


def test_a_bad_batch_is_skipped_and_a_diverged_run_stops_before_its_epoch_is_kept(tmp_path):
    x, x_val = _faces(48), _faces(16, seed=1)
    x[5] = float("nan")  # one face that makes its batch's loss NaN, every epoch
    cfg = VAETrainConfig(beta=1.0, epochs=2, batch_size=4, lr=1e-3, seed=4)
    torch.manual_seed(0)
    model = build_vae(latent=3, **TINY)
    history = train_vae(model, x, x_val, cfg)
    assert history["skipped_steps"] == [1, 1]  # 1 of 12 steps per epoch
    assert all(torch.isfinite(p).all() for p in model.parameters())
    assert np.isfinite(history["val_recon"]).all()
    # Every step NaN: training stops in its first epoch, and no resume state is written.
    resume = tmp_path / "resume.pt"
    with pytest.raises(Diverged, match="12 of 12 steps of epoch 1"):
        train_vae(build_vae(latent=3, **TINY), x * float("nan"), x_val, cfg, resume_path=resume)
    assert not resume.exists()


def test_the_log_variance_is_bounded_softly_and_keeps_its_gradient():
    from facevae.vae import LOGVAR_MAX, bounded_logvar

    healthy = torch.linspace(-30, 0.8, 200)
    assert torch.allclose(bounded_logvar(healthy), healthy, atol=1.1e-4, rtol=0)
    huge = torch.tensor([14.0, 160.0, 1e4], requires_grad=True)
    bounded = bounded_logvar(huge)
    assert (bounded <= LOGVAR_MAX).all() and torch.isfinite(
        kl_divergence(bounded[None], bounded[None])
    ).all()
    bounded.sum().backward()
    assert (huge.grad >= 0).all() and huge.grad[0] > 0.01  # past the bound: still pulled back


@pytest.mark.parametrize("arch", ["conv", "res"])
def test_an_encoder_spike_cannot_overflow_the_loss(arch):
    """A log-variance head thrown far off (as one spike once did, to 160) gives a large but
    finite loss under bf16, not NaN."""
    torch.manual_seed(0)
    args = (
        TINY
        if arch == "conv"
        else {"arch": "res", "channels": (4, 8, 8), "blocks": 1, "linear_path": False}
    )
    model = build_vae(latent=3, **args)
    head = model.to_code[-1] if arch == "conv" else model.encoder[-1]
    with torch.no_grad():
        head.bias[3:] = 500.0  # the log-variance half
    x = _faces(8)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        logits, mu, logvar = model(x)
    loss = vae_loss(logits.float(), x, mu.float(), logvar.float(), 1.0)[0]
    assert torch.isfinite(loss)


def test_resume_gives_the_same_weights(tmp_path):
    x, x_val = _faces(48), _faces(16, seed=1)
    cfg = dict(beta=1.0, batch_size=16, lr=1e-3, seed=4)

    torch.manual_seed(0)
    straight = build_vae(latent=3, **TINY)
    train_vae(straight, x, x_val, VAETrainConfig(epochs=4, **cfg))

    resume = tmp_path / "resume.pt"
    torch.manual_seed(0)
    first = build_vae(latent=3, **TINY)
    train_vae(first, x, x_val, VAETrainConfig(epochs=2, **cfg), resume_path=resume)  # "killed"
    torch.manual_seed(123)  # a new process: different global random state until resumed
    second = build_vae(latent=3, **TINY)
    history = train_vae(second, x, x_val, VAETrainConfig(epochs=4, **cfg), resume_path=resume)

    assert len(history["val_recon"]) == 4
    for name, value in straight.state_dict().items():
        assert torch.equal(value, second.state_dict()[name]), name


def test_onecycle_schedule_and_its_resume(tmp_path, monkeypatch):
    """The one-cycle rate rises to the peak and falls far below it; a run killed mid-way
    resumes the schedule where it stopped and ends with the same weights."""
    import facevae.vae_train as vae_train

    x, x_val = _faces(48), _faces(16, seed=1)
    cfg = VAETrainConfig(epochs=4, beta=1.0, batch_size=16, lr=3e-3, seed=4, lr_schedule="onecycle")
    torch.manual_seed(0)
    straight = build_vae(latent=3, **TINY)
    history = train_vae(straight, x, x_val, cfg)
    lr = history["lr"]
    # 3 batches per epoch: the warm-up (30 % of 12 steps) ends in epoch 2, then the cosine
    assert 3e-3 / 25 < lr[0] <= 3e-3 and lr[1] > lr[2] > lr[3] and lr[-1] < 1e-6

    calls, evaluate = [], vae_train.evaluate_vae

    def dies_in_epoch_3(*args):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("killed")
        return evaluate(*args)

    resume = tmp_path / "resume.pt"
    monkeypatch.setattr(vae_train, "evaluate_vae", dies_in_epoch_3)
    torch.manual_seed(0)
    with pytest.raises(RuntimeError, match="killed"):
        train_vae(build_vae(latent=3, **TINY), x, x_val, cfg, resume_path=resume)
    monkeypatch.setattr(vae_train, "evaluate_vae", evaluate)
    torch.manual_seed(123)
    second = build_vae(latent=3, **TINY)
    resumed = train_vae(second, x, x_val, cfg, resume_path=resume)
    assert resumed["lr"] == lr
    for name, value in straight.state_dict().items():
        assert torch.equal(value, second.state_dict()[name]), name


def test_resume_file_from_other_settings_is_ignored(tmp_path):
    x = _faces(16)
    resume = tmp_path / "resume.pt"
    train_vae(build_vae(latent=3, **TINY), x, x, VAETrainConfig(epochs=1), resume_path=resume)
    history = train_vae(
        build_vae(latent=3, **TINY), x, x, VAETrainConfig(epochs=1, beta=0.5), resume_path=resume
    )
    assert len(history["val_recon"]) == 1  # trained from scratch, not "already finished"


def _weights_equal(a, b) -> bool:
    return all(torch.equal(value, b.state_dict()[name]) for name, value in a.state_dict().items())


def test_resume_after_a_data_change_equals_a_fresh_run(tmp_path, caplog):
    """A state saved while training on other data (a new split seed, another table) must not
    be resumed: part of the new test split could have been trained on."""
    old, new = _faces(48, seed=0), _faces(48, seed=5)
    x_val = _faces(16, seed=1)
    cfg = VAETrainConfig(epochs=3, beta=1.0, batch_size=16, seed=4)
    resume = tmp_path / "resume.pt"
    torch.manual_seed(0)
    killed = build_vae(latent=3, **TINY)
    old_cfg = VAETrainConfig(epochs=2, beta=1.0, batch_size=16, seed=4)
    train_vae(killed, old, x_val, old_cfg, resume_path=resume, data_digest=digest(old))

    torch.manual_seed(0)
    fresh = build_vae(latent=3, **TINY)
    train_vae(fresh, new, x_val, cfg)
    torch.manual_seed(0)
    rerun = build_vae(latent=3, **TINY)
    with caplog.at_level(logging.INFO, logger="facevae.vae_train"):
        train_vae(rerun, new, x_val, cfg, resume_path=resume, data_digest=digest(new))
    assert "other data" in caplog.text
    assert _weights_equal(fresh, rerun)


def test_fewer_epochs_than_saved_start_fresh(tmp_path):
    x = _faces(32)
    cfg = dict(beta=1.0, batch_size=16, seed=2)
    resume = tmp_path / "resume.pt"
    train_vae(build_vae(latent=3, **TINY), x, x, VAETrainConfig(epochs=3, **cfg), resume)
    torch.manual_seed(0)
    straight = build_vae(latent=3, **TINY)
    train_vae(straight, x, x, VAETrainConfig(epochs=2, **cfg))
    torch.manual_seed(0)
    shorter = build_vae(latent=3, **TINY)
    history = train_vae(shorter, x, x, VAETrainConfig(epochs=2, **cfg), resume_path=resume)
    assert len(history["val_recon"]) == len(history["epoch_seconds"]) == 2
    assert _weights_equal(straight, shorter)


class _Planted:
    """Unpickling this calls open(path, "w"): a file appears if the loader runs code."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


@pytest.mark.parametrize("kind", ["planted", "empty", "truncated", "foreign"])
def test_a_bad_resume_file_is_ignored_in_one_log_line(tmp_path, caplog, kind):
    resume, marker = tmp_path / "resume.pt", tmp_path / "code_ran"
    x = _faces(16)
    if kind == "planted":
        torch.save({"settings": _Planted(marker)}, resume)
    elif kind == "empty":
        resume.write_bytes(b"")
    elif kind == "truncated":
        train_vae(build_vae(latent=3, **TINY), x, x, VAETrainConfig(epochs=1), resume)
        resume.write_bytes(resume.read_bytes()[:300])
    else:
        torch.save({"weights": torch.zeros(3)}, resume)
    with caplog.at_level(logging.INFO, logger="facevae.vae_train"):
        history = train_vae(
            build_vae(latent=3, **TINY), x, x, VAETrainConfig(epochs=1), resume_path=resume
        )
    assert not marker.exists()
    assert len(history["val_recon"]) == 1
    starts = [r for r in caplog.records if "starting fresh" in r.getMessage()]
    assert len(starts) == 1 and str(resume) in starts[0].getMessage()
    assert "Traceback" not in caplog.text and len(starts[0].getMessage()) < 400


def test_checkpoint_round_trip(tmp_path):
    model = build_vae(latent=5, **TINY).eval()
    torch.save(checkpoint(model), tmp_path / "vae.pt")
    x = torch.rand(2, 1, 48, 48)
    assert torch.equal(model.reconstruct(x), load_vae(tmp_path / "vae.pt").reconstruct(x))


def test_image_metrics_by_hand():
    ref = np.zeros((2, 48, 48))
    out = np.zeros((2, 48, 48))
    out[1] += 0.1  # MSE 0.01 -> PSNR 20 dB
    m = image_metrics(ref, out)
    assert m["mse"][1] == pytest.approx(0.01)
    assert m["psnr"][1] == pytest.approx(20.0)
    assert np.isinf(m["psnr"][0]) or m["psnr"][0] > 100
    assert m["ssim"][0] == pytest.approx(1.0)
    s = summarise({"psnr": np.array([10.0, 20.0])})
    assert s == {"test_psnr": 15.0, "test_psnr_std": 5.0}


def test_choose_best_respects_direction():
    metrics = {"a": {"val_psnr": 20, "val_mse": 0.01}, "b": {"val_psnr": 25, "val_mse": 0.02}}
    assert choose_best(metrics, "psnr") == "b"
    assert choose_best(metrics, "mse") == "a"
    with pytest.raises(KeyError):  # the test split is never consulted by default
        choose_best({"a": {"test_psnr": 1}}, "psnr")


# --- a training job: from the face and split arrays to a trained model -------------------

CPU_JOB = Job(device=torch.device("cpu"), precision="fp32", threads=1)


def _faces_and_split():
    """40 synthetic faces; the parts are shuffled rows, so that a job that read the wrong
    rows (or the rows in order) would train on other faces."""
    order = np.random.default_rng(3).permutation(40)
    return make_faces(40, seed=0), {"train": order[:24], "val": order[24:32], "test": order[32:]}


def _by_hand(faces, split, model_args, train_args, resume_path=None):
    torch.manual_seed(0)
    model = prepare(build_vae(**model_args), torch.device("cpu"))
    x = image_tensor(faces["images"][split["train"]], "cpu")
    x_val = image_tensor(faces["images"][split["val"]], "cpu")
    return model, train_vae(model, x, x_val, VAETrainConfig(**train_args), resume_path)


def test_train_on_split_trains_on_the_training_part_and_validates_on_the_validation_part():
    faces, split = _faces_and_split()
    model_args = {"latent": 4, **TINY}
    train_args = {"beta": 0.01, "epochs": 3, "batch_size": 8, "lr": 1e-2, "seed": 1}
    torch.manual_seed(0)
    model, history = train_on_split(faces, split, model_args, train_args, CPU_JOB)
    direct, expected = _by_hand(faces, split, model_args, train_args)
    assert _weights_equal(model, direct)
    assert history["val_recon"] == expected["val_recon"]
    assert history["batch_loss"] == expected["batch_loss"]
    assert history["val_recon"][-1] < history["val_recon"][0]
    assert history["parameters"] == count_parameters(model)
    assert history["precision"] == "fp32" and history["device"] == "cpu"


def test_a_job_killed_after_its_epochs_resumes_and_then_drops_its_resume_file(tmp_path):
    faces, split = _faces_and_split()
    model_args = {"latent": 3, **TINY}
    train_args = {"beta": 1.0, "batch_size": 8, "seed": 2}
    resume = tmp_path / "resume.pt"
    torch.manual_seed(0)
    with pytest.raises(RuntimeError, match="killed"), resume_slot(tmp_path) as slot:
        assert slot == resume
        train_on_split(faces, split, model_args, train_args | {"epochs": 2}, CPU_JOB, slot)
        raise RuntimeError("killed")  # before the outputs were written
    assert resume.exists()  # kept for the next run
    torch.manual_seed(1)  # a new process: other weights, until the state is read
    with resume_slot(tmp_path) as slot:
        model, history = train_on_split(
            faces, split, model_args, train_args | {"epochs": 3}, CPU_JOB, slot
        )
    assert not resume.exists()
    straight, expected = _by_hand(faces, split, model_args, train_args | {"epochs": 3})
    assert _weights_equal(model, straight)
    assert history["val_recon"] == expected["val_recon"]


def test_a_held_model_folder_is_refused(tmp_path):
    with resume_slot(tmp_path):
        with pytest.raises(Busy, match="held by another running job"):
            with resume_slot(tmp_path):
                pass
    with resume_slot(tmp_path):  # free again once the holder is done
        pass


# --- selection over seeds -------------------------------------------------------------------


def test_seed_means_choose_by_the_mean_not_by_one_lucky_seed():
    runs = {
        "lucky": [{"val_psnr": 30.0, "val_mse": 0.001}, {"val_psnr": 10.0, "val_mse": 0.1}],
        "steady": [{"val_psnr": 22.0, "val_mse": 0.01}, {"val_psnr": 21.0, "val_mse": 0.02}],
    }
    means = seed_means(runs)
    assert means["lucky"] == {"val_psnr": 20.0, "val_mse": pytest.approx(0.0505)}
    assert means["steady"]["val_psnr"] == 21.5
    assert choose_best(means, "psnr") == "steady"
    assert choose_best(means, "mse") == "steady"


@pytest.fixture(scope="module")
def tiny_vae():
    torch.manual_seed(0)
    return build_vae(latent=3, channels=(4, 8, 8), hidden=(16,)).eval()


# --- latent space --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["numpy", "torch"])
def test_interpolation_grid_corners_and_centre(kind):
    corners = np.random.default_rng(0).normal(size=(4, 6)).astype(np.float32)
    if kind == "torch":
        corners = torch.from_numpy(corners)
    grid = interpolation_grid(corners, 5)
    assert tuple(grid.shape) == (5, 5, 6)
    assert isinstance(grid, torch.Tensor) == (kind == "torch")
    grid, corners = np.asarray(grid), np.asarray(corners)
    for entry, corner in zip([grid[0, 0], grid[0, -1], grid[-1, 0], grid[-1, -1]], corners):
        assert np.array_equal(entry, corner)
    np.testing.assert_allclose(grid[2, 2], corners.mean(axis=0), atol=1e-6)
    # Edges are linear blends of their two corners.
    np.testing.assert_allclose(grid[0, 2], (corners[0] + corners[1]) / 2, atol=1e-6)
    np.testing.assert_allclose(grid[2, 0], (corners[0] + corners[2]) / 2, atol=1e-6)


def test_decode_grid_corners_match_direct_decoding(tiny_vae):
    corners = torch.randn(4, 3, generator=torch.Generator().manual_seed(0))
    images = decode_grid(tiny_vae, interpolation_grid(corners, 4), batch_size=5)
    assert images.shape == (4, 4, SIDE, SIDE)
    with torch.no_grad():
        direct = torch.sigmoid(tiny_vae.decode(corners)).squeeze(1)
    decoded = torch.from_numpy(images[[0, 0, -1, -1], [0, -1, 0, -1]])
    assert torch.allclose(decoded, direct, atol=1e-6)


def test_sample_latent_corners_is_repeatable(tiny_vae):
    faces = np.random.default_rng(0).uniform(size=(20, SIDE, SIDE)).astype(np.float32)
    first = sample_latent_corners(tiny_vae, faces, np.random.default_rng(42))
    again = sample_latent_corners(tiny_vae, faces, np.random.default_rng(42))
    other = sample_latent_corners(tiny_vae, faces, np.random.default_rng(43))
    assert first.shape == (4, 3)
    assert torch.equal(first, again)
    assert not torch.allclose(first, other)
    # A sample, not the posterior mean: z differs from mu of the chosen faces.
    index = np.random.default_rng(42).choice(len(faces), size=4, replace=False)
    with torch.no_grad():
        mu, _ = tiny_vae.encode(torch.from_numpy(faces[index]).unsqueeze(1))
    assert not torch.allclose(first, mu)


# --- chapter 3's improved VAE ------------------------------------------------------------------

RES = {"arch": "res", "channels": (8, 8, 16), "blocks": 1}


def _pca_start(latent=6, n=64):
    """A ResVAE of ``latent`` dimensions whose linear path was set from ``n`` synthetic faces,
    with those faces (N, 1, 48, 48) and their PCA."""
    faces = make_faces(n, seed=1)["images"].astype(np.float32) / 255
    torch.manual_seed(0)
    model = build_vae(latent=latent, **RES)
    pca = principal_components(faces, latent)
    model.init_from_pca(**pca)
    return model.eval(), torch.from_numpy(faces).unsqueeze(1), pca


def test_residual_blocks_keep_shapes_and_the_model_has_convvaes_interface():
    block = ResBlock(16)
    assert block(torch.rand(2, 16, 6, 6)).shape == (2, 16, 6, 6)
    for linear in (True, False):
        model = build_vae(latent=5, linear_path=linear, **RES)
        logits, mu, logvar = model(torch.rand(3, 1, 48, 48))
        assert logits.shape == (3, 1, 48, 48) and mu.shape == logvar.shape == (3, 5)
        recon = model.reconstruct(torch.rand(2, 1, 48, 48))
        assert recon.shape == (2, 1, 48, 48) and 0 <= recon.min() and recon.max() <= 1
    deeper = count_parameters(build_vae(latent=5, **RES | {"blocks": 2}))
    assert deeper > count_parameters(build_vae(latent=5, **RES))


def test_a_new_resvae_with_its_linear_path_reconstructs_as_pca_does():
    model, faces, _ = _pca_start()
    expected = pca_reconstructions(faces.squeeze(1).numpy(), faces.squeeze(1).numpy(), [6])[6]
    recon = model.reconstruct(faces).squeeze(1).numpy()
    np.testing.assert_allclose(recon, np.clip(expected, 1e-4, 1 - 1e-4), atol=2e-5)
    # Whitened: the training faces' codes have unit variance, as the prior asks.
    mu, _ = model.encode(faces)
    np.testing.assert_allclose(mu.var(dim=0, unbiased=True).detach().numpy(), 1.0, rtol=1e-3)
    # Under bf16 autocast the linear path stays float32: the same reconstruction.
    with torch.autocast("cpu", dtype=torch.bfloat16):
        again = model.reconstruct(faces).float().squeeze(1).numpy()
    np.testing.assert_allclose(again, recon, atol=2e-5)


def test_the_linear_path_learns_slower_and_a_schedule_keeps_the_ratio():
    model = build_vae(latent=4, **RES | {"linear_lr": 0.01})
    optimizer = adam(model.parameter_groups(2e-3), 2e-3)
    fast, slow = optimizer.param_groups
    assert fast["lr"] == 2e-3 and slow["lr"] == pytest.approx(2e-5)
    assert {id(p) for p in slow["params"]} == {
        id(p) for n, p in model.named_parameters() if n.startswith("linear_")
    }
    scheduler = lr_schedule(optimizer, "onecycle", steps=10)
    for _ in range(4):
        optimizer.step()
        scheduler.step()
    assert slow["lr"] / fast["lr"] == pytest.approx(0.01)


@pytest.mark.parametrize("linear", [True, False])
def test_a_tiny_resvae_overfits_a_handful_of_faces(linear):
    torch.manual_seed(0)
    x = image_tensor(make_faces(16, seed=0)["images"], "cpu")
    model = build_vae(latent=8, linear_path=linear, **RES)
    if linear:  # start from a poor linear path, so that there is something to learn
        model.init_from_pca(**_pca_start(latent=8)[2])
    cfg = VAETrainConfig(beta=0.01, epochs=30, batch_size=16, lr=1e-2)
    before = evaluate_vae(model, x, cfg)["recon"]
    history = train_vae(model, x, x, cfg)
    assert history["val_recon"][-1] < 0.7 * before


def test_train_on_split_starts_a_resvae_from_the_training_faces_pca(tmp_path):
    faces = make_faces(40, seed=2)
    split = {"train": np.arange(30), "val": np.arange(30, 40)}
    args = {"beta": 0.01, "epochs": 1, "batch_size": 16, "lr": 1e-9, "seed": 0}
    torch.manual_seed(0)
    model, _ = train_on_split(faces, split, {"latent": 4, **RES}, args, CPU_JOB)

    train = faces["images"][split["train"]].astype(np.float32) / 255
    val = faces["images"][split["val"]].astype(np.float32) / 255
    expected = pca_reconstructions(train, val, [4])[4]
    recon = model.reconstruct(torch.from_numpy(val).unsqueeze(1)).squeeze(1).numpy()
    np.testing.assert_allclose(recon, np.clip(expected, 1e-4, 1 - 1e-4), atol=1e-3)
    path = tmp_path / "model.pt"
    save_torch(path, checkpoint(model))
    loaded = load_vae(path)
    assert loaded.config.arch == "res" and torch.equal(
        loaded.reconstruct(torch.from_numpy(val).unsqueeze(1)),
        model.eval().reconstruct(torch.from_numpy(val).unsqueeze(1)),
    )


@pytest.mark.parametrize("sigma", [0.0, 0.1])
def test_a_denoising_objective_shows_noisy_faces_in_training(monkeypatch, sigma):
    face = image_tensor(make_faces(1, seed=0)["images"], "cpu")
    x = face.repeat(8, 1, 1, 1)  # one face eight times: what the model sees minus it is noise
    torch.manual_seed(0)
    model = build_vae(latent=4, **TINY)
    seen, forward = [], type(model).forward
    monkeypatch.setattr(
        type(model), "forward", lambda self, batch: seen.append(batch) or forward(self, batch)
    )
    cfg = VAETrainConfig(beta=0.01, epochs=1, batch_size=8, lr=1e-3, denoise=sigma)
    train_vae(model, x, x, cfg)
    assert len(seen) == 1
    assert (seen[0] - x).std().item() == pytest.approx(sigma, abs=0.005)
