# What the rules of rules/supervised.smk take from the settings: input functions and params.

CNN_SEEDS = config["cnn"]["seeds"]


def get_cnn_model_args():
    keys = ("channels", "hidden", "leaky_slope", "dropout")
    return {key: config["cnn"][key] for key in keys}


def get_cnn_train_args(wildcards):
    keys = (
        "epochs",
        "batch_size",
        "optimizer",
        "lr_scale",
        "eval_batch_size",
        "log_every",
    )
    return {"seed": int(wildcards.seed)} | {key: config["cnn"][key] for key in keys}
