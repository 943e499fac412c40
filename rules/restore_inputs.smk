# What the rules of rules/restore.smk take from the settings: input functions and params.


def get_restore_protocol():
    """The restoration protocol's settings (config.yaml, restore), with the image metrics
    and bootstrap settings it scores with."""
    keys = (
        "seed",
        "noise_sigmas",
        "denoisers",
        "denoiser_options",
        "erase_size",
        "erase_position",
        "inpaint_iterations",
        "n_examples",
    )
    return {key: config["restore"][key] for key in keys} | {
        "image_metrics": config["image_metrics"],
        "bootstrap": config["bootstrap"],
    }


# Settings of the restoration protocol (config.yaml, restore) that draw the damage.
DAMAGE_SETTINGS = ("seed", "noise_sigmas", "erase_size", "erase_position")


def get_damage_settings():
    """Keyword arguments of facevae.restore.corrupt: how the test faces are damaged."""
    return {key: config["restore"][key] for key in DAMAGE_SETTINGS}


def get_restore_scoring():
    """Keyword arguments of facevae.restore.run_protocol: the protocol's settings but the
    seed and the erased block's, which only drew the damage (rule damage_faces)."""
    drawn = set(DAMAGE_SETTINGS) - {"noise_sigmas"}
    return {k: v for k, v in get_restore_protocol().items() if k not in drawn}


def get_search_settings():
    """Keyword arguments of facevae.restore.search_protocol: how the protocol damages (the
    validation faces, from the next seed), inpaints and scores faces, and the search's
    steps and rates (config.yaml, beyond: restore_search)."""
    keys = DAMAGE_SETTINGS + ("inpaint_iterations", "image_metrics", "bootstrap")
    search = config["beyond"]["restore_search"]
    protocol = get_restore_protocol()
    return {key: protocol[key] for key in keys} | {
        "steps": search["steps"],
        "rates": search["rates"],
    }
