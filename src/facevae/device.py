"""Where tensors live: the device chosen at run time, and the images moved onto it once."""

from __future__ import annotations

import numpy as np
import torch


def pick_device(requested: str = "auto") -> torch.device:
    """CUDA when present (or asked for), else the CPU."""
    if requested == "auto":
        requested = "cuda" if torch.cuda.is_available() else "cpu"
    if requested == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("device 'cuda' was requested but torch sees no CUDA device")
    return torch.device(requested)


def image_tensor(images: np.ndarray, device) -> torch.Tensor:
    """uint8 (N, 48, 48) -> float32 (N, 1, 48, 48) in [0, 1] on ``device``."""
    return torch.from_numpy(images).to(device).unsqueeze(1).float().div_(255)
