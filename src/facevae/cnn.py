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


def dense_head(in_features: int, config, outputs: int) -> nn.Sequential:
    """Flatten, one dense LeakyReLU layer (with dropout), then the output layer."""
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(in_features, config.hidden),
        nn.LeakyReLU(config.leaky_slope),
        nn.Dropout(config.dropout),
        nn.Linear(config.hidden, outputs),
    )


class FaceCNN(nn.Module):
    """Feature extractor + dense head with LeakyReLU: logits (classes) or one scalar (age)."""

    def __init__(self, config: CNNConfig):
        super().__init__()
        self.config = config
        self.features = FeatureExtractor(config.channels)
        self.head = dense_head(self.features.out_features, config, config.outputs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.head(self.features(x))  # (B, outputs)
        return out.squeeze(1) if self.config.outputs == 1 else out


@dataclass
class MultiTaskConfig:
    """Hyperparameters that rebuild a MultiTaskCNN (its checkpoint's ``model_args``)."""

    tasks: tuple[str, ...] = ("gender", "ethnicity", "age")
    channels: tuple[int, int, int] = (32, 64, 128)
    hidden: int = 128  # width of each head's dense layer
    leaky_slope: float = 0.01
    dropout: float = 0.0


class MultiTaskCNN(nn.Module):
    """One feature extractor shared by several tasks, with a dense head per task (as in
    FaceCNN). The forward pass returns {task: logits or ages}; one pass trains all tasks."""

    def __init__(self, config: MultiTaskConfig):
        super().__init__()
        self.config = config
        self.features = FeatureExtractor(config.channels)
        self.heads = nn.ModuleDict(
            {
                task: dense_head(self.features.out_features, config, TASKS[task]["outputs"])
                for task in config.tasks
            }
        )

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        features = self.features(x)
        out = {task: head(features) for task, head in self.heads.items()}
        return {t: o.squeeze(1) if TASKS[t]["outputs"] == 1 else o for t, o in out.items()}


def build_multitask(tasks, **overrides) -> MultiTaskCNN:
    """The shared-trunk model of ``tasks``; ``overrides`` set MultiTaskConfig fields."""
    if "channels" in overrides:
        overrides["channels"] = tuple(overrides["channels"])
    return MultiTaskCNN(MultiTaskConfig(tasks=tuple(tasks), **overrides))


def build_cnn(task: str, **overrides) -> FaceCNN:
    """The CNN of one task; ``overrides`` set CNNConfig fields (channels, hidden, ...)."""
    if "channels" in overrides:
        overrides["channels"] = tuple(overrides["channels"])
    return FaceCNN(CNNConfig(outputs=TASKS[task]["outputs"], **overrides))


def load_cnn(path, device="cpu") -> FaceCNN | MultiTaskCNN:
    """A saved CNN, single- or multi-task (told apart by its model_args), in eval mode."""
    saved = load_torch(path, map_location=device)
    args = dict(saved["model_args"], channels=tuple(saved["model_args"]["channels"]))
    if "tasks" in args:
        model = MultiTaskCNN(MultiTaskConfig(**(args | {"tasks": tuple(args["tasks"])})))
    else:
        model = FaceCNN(CNNConfig(**args))
    model = model.to(device)
    model.load_state_dict(saved["state"])
    return model.eval()
