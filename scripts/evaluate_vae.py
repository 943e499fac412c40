"""Reconstruct the test split with one VAE: PSNR, SSIM and MSE per face, and a few examples."""

import json

import torch

from facevae.data import load_npz, save_npz
from facevae.device import image_tensor, pick_device
from facevae.metrics import image_metrics, summarise
from facevae.vae import load_vae

torch.set_num_threads(snakemake.threads)
device = pick_device(snakemake.params.device, snakemake.params.gpu_locks)
faces, split = load_npz(snakemake.input.faces), load_npz(snakemake.input.split)
model = load_vae(snakemake.input.model, device)
x = image_tensor(faces["images"][split["test"]], device)
batch = snakemake.params.eval_batch_size
recon = torch.cat([model.reconstruct(x[i : i + batch]).cpu() for i in range(0, len(x), batch)])
recon = recon.squeeze(1).numpy()

per_image = image_metrics(x.squeeze(1).cpu().numpy(), recon)
with open(snakemake.input.history) as handle:
    history = json.load(handle)
metrics = summarise(per_image) | {
    "parameters": history["parameters"],
    "train_seconds": sum(history["epoch_seconds"]),
    "epochs": len(history["epoch_seconds"]),
    "val_recon": history["val_recon"][-1],
    "val_kl": history["val_kl"][-1],
}
with open(snakemake.output.metrics, "w") as handle:
    json.dump(metrics, handle, indent=2)
keep = snakemake.params.n_examples  # the first test faces, the same for every model
save_npz(
    snakemake.output.examples,
    index=split["test"][:keep],
    recon=recon[:keep],
    **{name: values for name, values in per_image.items()},
)
with open(snakemake.log[0], "w") as log:
    print(json.dumps(metrics), file=log)
