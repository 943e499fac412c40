"""Label-preserving augmentation of a batch of faces, done on the batch's device in a few
tensor operations (no per-image Python loop).

Each face is mirrored left-right with probability ``flip`` (an exact mirror: the pixel columns
reversed), then, when ``shift`` or ``shear`` is set, moved by up to ``shift`` pixels in each
direction and sheared horizontally by a factor up to ``shear``, all in one bilinear resampling
whose border pixels extend outwards. Nothing moves the labels: a face keeps its place in the
batch, and age, gender and ethnicity do not change under a mirror or a small shift.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F


@dataclass(frozen=True)
class Augment:
    flip: float = 0.5  # chance that a face is mirrored left-right
    shift: float = 0.0  # largest shift, in pixels, along each axis
    shear: float = 0.0  # largest horizontal shear factor (x moves by shear * y)

    def __call__(self, x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        """Augmented copy of ``x`` (N, C, H, W); the random draws come from ``generator``
        (on the CPU, so a run is repeatable whatever the device)."""
        n, _, height, width = x.shape
        draws = torch.rand(n, 4, generator=generator).to(x.device)
        if self.flip > 0:
            mirror = (draws[:, 0] < self.flip).view(n, 1, 1, 1)
            x = torch.where(mirror, x.flip(-1), x)
        if self.shift <= 0 and self.shear <= 0:
            return x
        # affine_grid works in coordinates from -1 to 1: a pixel is 2 / size of them
        spread = 2 * draws[:, 1:] - 1  # uniform in [-1, 1)
        theta = torch.zeros(n, 2, 3, device=x.device, dtype=torch.float32)
        theta[:, 0, 0] = 1
        theta[:, 1, 1] = 1
        theta[:, 0, 1] = self.shear * spread[:, 2]
        theta[:, 0, 2] = self.shift * spread[:, 0] * 2 / width
        theta[:, 1, 2] = self.shift * spread[:, 1] * 2 / height
        grid = F.affine_grid(theta, list(x.shape), align_corners=False)
        moved = F.grid_sample(
            x.float(), grid, mode="bilinear", padding_mode="border", align_corners=False
        )
        return moved.to(x.dtype).contiguous(memory_format=torch.channels_last)


def balanced_weights(labels: torch.Tensor, classes: int) -> torch.Tensor:
    """Class weights for the cross-entropy that make every class count as much as the others
    in total: n / (k x count of the class) over the k classes present, so the weights of all
    faces average 1. A class absent from ``labels`` gets weight 0 (it has no faces)."""
    counts = torch.bincount(labels, minlength=classes).float()
    present = (counts > 0).sum()
    weights = len(labels) / (present * counts.clamp(min=1))
    return torch.where(counts > 0, weights, torch.zeros_like(weights))
