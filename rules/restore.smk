# Restoration and interpolation with the best VAE, measured against classical baselines.


# The damaged test faces, drawn once from one seed: every job that restores them reads these.
rule damage_faces:
    input:
        faces=out("data/faces.npz"),
        split=out("data/split.npz"),
        code=get_package_modules("restore", "names"),
    output:
        test=out("restore/damaged.npz"),
        val=out("restore/damaged_val.npz"),
    log:
        out("logs/restore/damage_faces.log"),
    localrule: True
    conda:
        "../envs/python.yaml"
    params:
        damage=get_damage_settings(),
        validation_faces=config["restore"]["validation_faces"],
    script:
        "../scripts/damage_faces.py"


rule restore_faces:
    input:
        faces=out("data/faces.npz"),
        split=out("data/split.npz"),
        model=out("vae/best/model.pt"),
        damaged=out("restore/damaged.npz"),
        val_damaged=out("restore/damaged_val.npz"),
        groups=out("data/groups.npz"),
        code=get_package_modules(
            "restore", "names", "layers", "vae", "metrics", "stats", "runtime"
        ),
    output:
        metrics=out("restore/metrics.json"),
        examples=out("restore/examples.npz"),
        # every restored test face of the first noise level and of the erased block
        restored=out("restore/restored.npz"),
    log:
        out("logs/restore/restore_faces.log"),
    conda:
        "../envs/python.yaml"
    threads: workflow.cores
    resources:
        gpu=1,
    params:
        device=config["device"],
        precision=config["precision"],
        gpu_locks=GPU_LOCKS,
        seed=config["restore"]["seed"],
        protocol=get_restore_scoring(),
    script:
        "../scripts/restore_faces.py"


rule interpolate:
    input:
        faces=out("data/faces.npz"),
        split=out("data/split.npz"),
        model=out("vae/best/model.pt"),
        code=get_package_modules("layers", "vae", "runtime"),
    output:
        out("restore/interpolation.npz"),
    log:
        out("logs/restore/interpolate.log"),
    conda:
        "../envs/python.yaml"
    threads: workflow.cores
    resources:
        gpu=1,
    params:
        device=config["device"],
        precision=config["precision"],
        gpu_locks=GPU_LOCKS,
        seed=config["interpolation"]["seed"],
        steps=config["interpolation"]["steps"],
    script:
        "../scripts/interpolate.py"


rule fig_restoration:
    input:
        examples=out("restore/examples.npz"),
        metrics=out("restore/metrics.json"),
        code=get_package_modules("figures/restore", "plotstyle"),
    output:
        figure("restoration"),
    log:
        out("logs/figures/restoration.log"),
    localrule: True
    conda:
        "../envs/python.yaml"
    params:
        sigma=config["restore"]["noise_sigmas"][0],
        n_faces=3,
    script:
        "../scripts/fig_restoration.py"


rule fig_interpolation:
    input:
        out("restore/interpolation.npz"),
        code=get_package_modules("figures/restore", "plotstyle"),
    output:
        figure("interpolation"),
    log:
        out("logs/figures/interpolation.log"),
    localrule: True
    conda:
        "../envs/python.yaml"
    script:
        "../scripts/fig_interpolation.py"
