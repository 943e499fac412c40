# Restoration and interpolation with the best VAE, measured against classical baselines.


rule restore_faces:
    input:
        faces="results/data/faces.npz",
        split="results/data/split.npz",
        model="results/vae/best/model.pt",
        code=get_package_modules("restore", "layers", "vae", "metrics", "runtime"),
    output:
        metrics="results/restore/metrics.json",
        examples="results/restore/examples.npz",
    log:
        "logs/restore/restore_faces.log",
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
        faces="results/data/faces.npz",
        split="results/data/split.npz",
        model="results/vae/best/model.pt",
        code=get_package_modules("layers", "vae", "runtime"),
    output:
        "results/restore/interpolation.npz",
    log:
        "logs/restore/interpolate.log",
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
        examples="results/restore/examples.npz",
        metrics="results/restore/metrics.json",
    output:
        "report/figures/restoration.pdf",
    log:
        "logs/figures/restoration.log",
    conda:
        "../envs/python.yaml"
    params:
        sigma=config["restore"]["noise_sigmas"][0],
        n_faces=3,
    script:
        "../scripts/fig_restoration.py"


rule fig_interpolation:
    input:
        "results/restore/interpolation.npz",
    output:
        "report/figures/interpolation.pdf",
    log:
        "logs/figures/interpolation.log",
    conda:
        "../envs/python.yaml"
    script:
        "../scripts/fig_interpolation.py"
