# What the rules of rules/vae.smk take from the settings: input functions and params.

VAE_SEEDS = config["vae"]["seeds"]


def get_vae_model_args(wildcards):
    point = ALL_VAE_GRID[wildcards.vae]
    if point.get("recipe"):  # chapter 3's improved VAE
        return vae_recipe.model_args(RECIPE, config["vae"], point)
    keys = ("channels", "hidden", "leaky_slope")
    return {k: point[k] for k in ("latent", "prior", "components")} | {
        k: config["vae"][k] for k in keys
    }


def get_vae_train_args(wildcards):
    point = ALL_VAE_GRID[wildcards.vae]
    if point.get("recipe"):
        args = vae_recipe.train_args(RECIPE, config["vae"], point)
        return args | {"seed": int(wildcards.seed)}
    keys = (
        "epochs",
        "batch_size",
        "lr",
        "lr_schedule",
        "warmup",
        "recon",
        "eval_batch_size",
        "log_every",
    )
    return {
        "beta": ALL_VAE_GRID[wildcards.vae]["beta"],
        "seed": int(wildcards.seed),
    } | {k: config["vae"][k] for k in keys}
