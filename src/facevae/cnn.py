"""The supervised CNNs of chapter 1: the shared feature extractor and one head per task."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from facevae.files import load_torch
from facevae.layers import FeatureExtractor

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


def load_cnn(path, device="cpu") -> FaceCNN:
    saved = load_torch(path, map_location=device)
    args = dict(saved["model_args"], channels=tuple(saved["model_args"]["channels"]))
    model = FaceCNN(CNNConfig(**args)).to(device)
    model.load_state_dict(saved["state"])
    return model.eval()
