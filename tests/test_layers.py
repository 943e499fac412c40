"""The building blocks both networks share: conv blocks and the feature extractor."""

import torch

from facevae.cnn import build_cnn
from facevae.layers import conv_block


def test_feature_map_shapes():
    maps = build_cnn("gender").features.feature_maps(torch.rand(2, 1, 48, 48))
    assert [tuple(m.shape) for m in maps] == [(2, 32, 24, 24), (2, 64, 12, 12), (2, 128, 6, 6)]


def test_block_equals_the_originals_order():
    """Pooling before the ReLU (for speed) gives the original conv -> ReLU -> pool -> BN block's
    outputs and gradients, with the same parameter names."""
    torch.manual_seed(0)
    ours = conv_block(3, 8)
    conv, pool, relu, norm = ours
    original = torch.nn.Sequential(conv, relu, pool, norm)
    assert [name for name, _ in ours.named_parameters()] == [
        name for name, _ in original.named_parameters()
    ]
    x = torch.randn(4, 3, 12, 12)
    out = ours(x)
    torch.testing.assert_close(out, original(x))
    (grad,) = torch.autograd.grad(out.square().sum(), conv.weight)
    (grad_original,) = torch.autograd.grad(original(x).square().sum(), conv.weight)
    torch.testing.assert_close(grad, grad_original)
