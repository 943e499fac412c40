"""Figure 2.6: noisy faces restored by the mean filter, the best classical method and the VAE;
faces with an erased block filled by biharmonic inpainting and by the VAE."""

from facevae import plotstyle
from facevae.files import load_npz, read_json
from facevae.report import best_classical

examples = load_npz(snakemake.input.examples)
metrics = read_json(snakemake.input.metrics)
noise = f"noise_s{snakemake.params.sigma:g}"
n = snakemake.params.n_faces

# The classical denoiser with the best mean test PSNR at this noise level (not hard-coded).
best = best_classical(metrics[noise])
rows = [
    [
        ("original", "clean"),
        (f"noise σ = {snakemake.params.sigma:g}", f"{noise}.corrupted"),
        ("mean filter", f"{noise}.mean_filter"),
        (f"{best.replace('_', ' ')} (best classical)", f"{noise}.{best}"),
        ("VAE", f"{noise}.vae"),
    ],
    [
        ("original", "clean"),
        ("erased", "erase.corrupted"),
        ("biharmonic", "erase.biharmonic"),
        ("VAE (erased pixels only)", "erase.vae"),
    ],
]
columns = max(len(r) for r in rows)
fig, axes = plotstyle.figure(2 * n, columns, height=2 * n * 0.95, squeeze=False)
for block, row in enumerate(rows):
    for i in range(n):
        for j in range(columns):
            ax = axes[block * n + i, j]
            if j >= len(row):
                ax.axis("off")
                continue
            title, key = row[j]
            plotstyle.show_face(ax, examples[key][i], title if i == 0 else None)
plotstyle.save(fig, snakemake.output[0], log=snakemake.log[0])
