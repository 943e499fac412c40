"""The benchmark: its reference network is the workflow's, and one tiny run reports every figure."""

import json

import torch

from facevae import bench
from facevae.cnn import build_cnn
from facevae.vae import build_vae


def test_textbook_order_is_the_same_function():
    torch.manual_seed(0)
    ours = build_cnn("gender").eval()
    textbook = bench.textbook_model("cnn").eval()
    textbook.load_state_dict(ours.state_dict())  # same parameter names
    x = torch.rand(4, 1, 48, 48)
    torch.testing.assert_close(textbook(x), ours(x))
    assert type(textbook.features.blocks[0][1]) is torch.nn.ReLU
    assert type(build_vae().features.blocks[0][1]) is torch.nn.MaxPool2d


def test_tiny_run_prints_one_json_object(capsys):
    bench.main(["--images", "64", "--epochs", "1", "--precision", "fp32"])
    out, err = capsys.readouterr()
    result = json.loads(out)
    for kind in ("cnn", "vae"):
        assert result[f"{kind}_reference_images_per_s"] > 0
        assert result[f"{kind}_speedup"] == (
            result[f"{kind}_workflow_images_per_s"] / result[f"{kind}_reference_images_per_s"]
        )
    assert result["vae_train_gflop_per_image"] > result["cnn_train_gflop_per_image"] > 0
    # the improved VAE does fewer operations per face than the original's architecture
    assert 0 < result["resvae_train_gflop_per_image"] < result["vae_train_gflop_per_image"]
    assert result["resvae_vs_vae_speed"] > 0
    assert "vae_speedup" in err and "resvae_vs_vae_speed" in err  # the readable table
