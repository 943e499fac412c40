"""The networks: one convolutional feature extractor and the three supervised heads.

Shapes follow a batch of B greyscale faces, (B, 1, 48, 48) scaled to [0, 1]. Each block halves
the side (48 -> 24 -> 12 -> 6), so the extractor ends in (B, C3, 6, 6).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn

SIDE = 48

# What each supervised task predicts: number of outputs and whether it is a classification.
TASKS = {
    "gender": {"outputs": 2, "classify": True},
    "ethnicity": {"outputs": 5, "classify": True},
    "age": {"outputs": 1, "classify": False},
}


@dataclass
class CNNConfig:
    """Hyperparameters that rebuild a FaceCNN (saved in every checkpoint as ``model_args``)."""

    outputs: int = 2
    channels: tuple[int, int, int] = (32, 64, 128)  # of the three conv blocks
    hidden: int = 128  # width of the dense head
    leaky_slope: float = 0.01  # LeakyReLU negative slope in the head
    dropout: float = 0.0


def conv_block(c_in: int, c_out: int) -> nn.Sequential:
    """conv 3x3 (same padding) -> max-pool 2x2 -> ReLU -> batch norm.

    The original applies ReLU before the pooling. Both are monotone and commute exactly
    (max of ReLUs = ReLU of the max), so the block computes the same function; pooling first
    runs the ReLU and its backward on a quarter of the values, a measured ~8% of a CPU
    training step. Neither layer has parameters, so checkpoints keep the same keys.
    """
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, kernel_size=3, padding=1),
        nn.MaxPool2d(2),
        nn.ReLU(),
        nn.BatchNorm2d(c_out),
    )


class FeatureExtractor(nn.Module):
    """Three conv blocks: (B, 1, 48, 48) -> (B, channels[-1], 6, 6)."""

    def __init__(self, channels):
        super().__init__()
        widths = (1, *channels)
        self.blocks = nn.ModuleList(conv_block(a, b) for a, b in zip(widths[:-1], widths[1:]))
        self.out_side = SIDE // 2 ** len(channels)
        self.out_features = channels[-1] * self.out_side**2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for block in self.blocks:
            x = block(x)
        return x

    def feature_maps(self, x: torch.Tensor) -> list[torch.Tensor]:
        """The output of every block, for figure 1.6."""
        maps = []
        for block in self.blocks:
            x = block(x)
            maps.append(x)
        return maps


class FaceCNN(nn.Module):
    """Feature extractor + dense head with LeakyReLU: logits (classes) or one scalar (age)."""

    def __init__(self, config: CNNConfig):
        super().__init__()
        self.config = config
        self.features = FeatureExtractor(config.channels)
        self.head = nn.Sequential(
            nn.Flatten(),
            nn.Linear(self.features.out_features, config.hidden),
            nn.LeakyReLU(config.leaky_slope),
            nn.Dropout(config.dropout),
            nn.Linear(config.hidden, config.outputs),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.head(self.features(x))  # (B, outputs)
        return out.squeeze(1) if self.config.outputs == 1 else out


def build_cnn(task: str, **overrides) -> FaceCNN:
    """The CNN of one task; ``overrides`` set CNNConfig fields (channels, hidden, ...)."""
    if "channels" in overrides:
        overrides["channels"] = tuple(overrides["channels"])
    return FaceCNN(CNNConfig(outputs=TASKS[task]["outputs"], **overrides))


def checkpoint(model: nn.Module, **extra) -> dict:
    """What rebuilds the model: its config (``model_args``) and weights, plus ``extra``."""
    return {"model_args": asdict(model.config), "state": model.state_dict(), **extra}


def load_cnn(path, device="cpu") -> FaceCNN:
    saved = torch.load(path, map_location=device, weights_only=True)
    args = dict(saved["model_args"], channels=tuple(saved["model_args"]["channels"]))
    model = FaceCNN(CNNConfig(**args)).to(device)
    model.load_state_dict(saved["state"])
    return model.eval()


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
