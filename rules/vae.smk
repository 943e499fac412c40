# Chapter 2: the grid of convolutional beta-VAEs, their test metrics and figures.


rule train_vae:
    input:
        faces="results/data/faces.npz",
        split="results/data/split.npz",
        code=get_package_modules("layers", "vae", "vae_train", "runtime"),
    output:
        model="results/vae/{vae}/seed{seed}/model.pt",
        history="results/vae/{vae}/seed{seed}/history.json",
    log:
        "logs/vae/train_{vae}_seed{seed}.log",
    benchmark:
        "benchmarks/vae/train_{vae}_seed{seed}.tsv"
    conda:
        "../envs/python.yaml"
    threads: workflow.cores
    resources:
        gpu=1,
    params:
        model=get_vae_model_args,
        train=get_vae_train_args,
        device=config["device"],
        gpu_locks=GPU_LOCKS,
        precision=config["precision"],
    script:
        "../scripts/train_vae.py"


rule validate_vae:
    input:
        faces="results/data/faces.npz",
        split="results/data/split.npz",
        model="results/vae/{vae}/seed{seed}/model.pt",
        code=get_package_modules("layers", "vae", "metrics", "runtime"),
    output:
        scores="results/vae/{vae}/seed{seed}/val_metrics.json",
    log:
        "logs/vae/validate_{vae}_seed{seed}.log",
    conda:
        "../envs/python.yaml"
    threads: workflow.cores
    resources:
        gpu=1,
    params:
        part="val",
        device=config["device"],
        precision=config["precision"],
        gpu_locks=GPU_LOCKS,
        eval_batch_size=config["vae"]["eval_batch_size"],
        image_metrics=config["image_metrics"],
    script:
        "../scripts/evaluate_vae.py"


rule evaluate_vae:
    input:
        faces="results/data/faces.npz",
        split="results/data/split.npz",
        model="results/vae/{vae}/seed{seed}/model.pt",
        code=get_package_modules("layers", "vae", "metrics", "runtime"),
    output:
        scores="results/vae/{vae}/seed{seed}/test_eval.npz",
    log:
        "logs/vae/evaluate_{vae}_seed{seed}.log",
    conda:
        "../envs/python.yaml"
    threads: workflow.cores
    resources:
        gpu=1,
    params:
        part="test",
        device=config["device"],
        precision=config["precision"],
        gpu_locks=GPU_LOCKS,
        eval_batch_size=config["vae"]["eval_batch_size"],
        image_metrics=config["image_metrics"],
        n_examples=config["vae"]["n_reconstructions"],
    script:
        "../scripts/evaluate_vae.py"


# One grid point's numbers over its seeds: mean, spread and bootstrap interval.
rule vae_metrics:
    input:
        test=expand("results/vae/{{vae}}/seed{seed}/test_eval.npz", seed=VAE_SEEDS),
        val=expand("results/vae/{{vae}}/seed{seed}/val_metrics.json", seed=VAE_SEEDS),
        histories=expand("results/vae/{{vae}}/seed{seed}/history.json", seed=VAE_SEEDS),
        code=get_package_modules("metrics"),
    output:
        "results/vae/{vae}/metrics.json",
    log:
        "logs/vae/metrics_{vae}.log",
    conda:
        "../envs/python.yaml"
    params:
        bootstrap=config["bootstrap"],
    script:
        "../scripts/vae_metrics.py"


# Yardsticks for the table: the mean face and PCA, fitted on training faces.
rule vae_baselines:
    input:
        faces="results/data/faces.npz",
        split="results/data/split.npz",
        code=get_package_modules("baselines", "metrics"),
    output:
        "results/vae/baselines.json",
    log:
        "logs/vae/baselines.log",
    conda:
        "../envs/python.yaml"
    threads: workflow.cores
    params:
        pca=config["vae"]["pca_components"],
        image_metrics=config["image_metrics"],
        bootstrap=config["bootstrap"],
    script:
        "../scripts/vae_baselines.py"


# The choice reads validation scores only; the test split is touched for final numbers.
rule select_best_vae:
    input:
        scores=expand(
            "results/vae/{vae}/seed{seed}/val_metrics.json",
            vae=VAE_NAMES,
            seed=VAE_SEEDS,
        ),
        models=[run_file("vae", name, "model.pt") for name in VAE_NAMES],
    output:
        choice="results/vae/best.json",
        model="results/vae/best/model.pt",
    log:
        "logs/vae/select_best.log",
    conda:
        "../envs/python.yaml"
    params:
        names=VAE_NAMES,
        seeds=VAE_SEEDS,
        points=VAE_GRID,
        metric=config["vae"]["best_metric"],
    script:
        "../scripts/select_best_vae.py"


rule fig_vae_reconstructions:
    input:
        faces="results/data/faces.npz",
        examples=[run_file("vae", name, "test_eval.npz") for name in VAE_NAMES],
    output:
        "report/figures/vae_reconstructions.pdf",
    log:
        "logs/figures/vae_reconstructions.log",
    conda:
        "../envs/python.yaml"
    params:
        names=VAE_NAMES,
        points=VAE_GRID,
    script:
        "../scripts/fig_vae_reconstructions.py"


rule fig_vae_comparison:
    input:
        faces="results/data/faces.npz",
        examples=[run_file("vae", name, "test_eval.npz") for name in VAE_NAMES],
    output:
        "report/figures/vae_comparison.pdf",
    log:
        "logs/figures/vae_comparison.log",
    conda:
        "../envs/python.yaml"
    params:
        names=VAE_NAMES,
        points=VAE_GRID,
        n_faces=8,
    script:
        "../scripts/fig_vae_comparison.py"


rule fig_vae_metrics:
    input:
        [run_file("vae", name, "test_eval.npz") for name in VAE_NAMES],
    output:
        "report/figures/vae_metrics.pdf",
    log:
        "logs/figures/vae_metrics.log",
    conda:
        "../envs/python.yaml"
    params:
        names=VAE_NAMES,
        points=VAE_GRID,
    script:
        "../scripts/fig_vae_metrics.py"
