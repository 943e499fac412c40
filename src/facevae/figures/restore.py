"""Figures of the restoration chapter: damaged faces restored by the classical methods and by
the VAE, and faces decoded between latent codes."""

from __future__ import annotations

from matplotlib.figure import Figure

from facevae import plotstyle
from facevae.names import ERASE, example_key, noise_key
from facevae.report import best_classical


def restoration(examples: dict, metrics: dict, sigma: float, n_faces: int) -> Figure:
    """The first ``n_faces`` test faces with noise of level ``sigma`` restored by the mean
    filter, the best classical denoiser and the VAE (top block), and with an erased block
    filled by biharmonic inpainting and by the VAE (bottom block). ``examples`` and
    ``metrics`` are restore/examples.npz and restore/metrics.json; the best classical
    denoiser is the one with the highest mean test PSNR at this level."""
    noise = noise_key(sigma)
    best = best_classical(metrics[noise])
    blocks = [
        [
            ("original", "clean"),
            (f"noise σ = {sigma:g}", example_key(noise, "corrupted")),
            ("mean filter", example_key(noise, "mean_filter")),
            (f"{best.replace('_', ' ')} (best classical)", example_key(noise, best)),
            ("VAE", example_key(noise, "vae")),
        ],
        [
            ("original", "clean"),
            ("erased", example_key(ERASE, "corrupted")),
            ("biharmonic", example_key(ERASE, "biharmonic")),
            ("VAE (erased pixels only)", example_key(ERASE, "vae")),
        ],
    ]
    columns = max(len(block) for block in blocks)
    fig, axes = plotstyle.figure(2 * n_faces, columns, height=2 * n_faces * 0.95, squeeze=False)
    for b, block in enumerate(blocks):
        for i in range(n_faces):
            for j in range(columns):
                ax = axes[b * n_faces + i, j]
                if j >= len(block):
                    ax.axis("off")
                    continue
                title, key = block[j]
                plotstyle.show_face(ax, examples[key][i], title if i == 0 else None)  # titled once
    return fig


def interpolation(images) -> Figure:
    """Faces decoded along a square grid spanned by four latent codes (``images``: (steps,
    steps, 48, 48)); the four corner faces, decoded from those codes, are framed in red."""
    steps = images.shape[0]
    fig, axes = plotstyle.figure(
        steps,
        steps,
        height=plotstyle.TEXT_WIDTH * 0.8,
        width=plotstyle.TEXT_WIDTH * 0.8,
        squeeze=False,
        gridspec_kw={"wspace": 0.03, "hspace": 0.03},
    )
    corners = {(0, 0), (0, steps - 1), (steps - 1, 0), (steps - 1, steps - 1)}
    for i in range(steps):
        for j in range(steps):
            plotstyle.show_face(axes[i, j], images[i, j])
            if (i, j) in corners:
                for spine in axes[i, j].spines.values():
                    spine.set_visible(True)
                    spine.set_edgecolor("C3")
                    spine.set_linewidth(1.5)
    return fig
