# Restoration and interpolation with the best VAE, measured against classical baselines.


rule restore_faces:
    input:
        faces=out("data/faces.npz"),
        split=out("data/split.npz"),
        model=out("vae/best/model.pt"),
        code=get_package_modules("restore", "layers", "vae", "metrics", "runtime"),
    output:
        metrics=out("restore/metrics.json"),
        examples=out("restore/examples.npz"),
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
        protocol=get_restore_protocol(),
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
    output:
        figure("interpolation"),
    log:
        out("logs/figures/interpolation.log"),
    localrule: True
    conda:
        "../envs/python.yaml"
    script:
        "../scripts/fig_interpolation.py"
