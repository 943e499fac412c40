# Chapter 2: the grid of convolutional beta-VAEs, their test metrics and figures.


rule train_vae:
    input:
        faces=out("data/faces.npz"),
        split=out("data/split.npz"),
        code=get_package_modules("layers", "vae", "vae_train", "runtime"),
    output:
        model=out("vae/{vae}/seed{seed}/model.pt"),
        history=out("vae/{vae}/seed{seed}/history.json"),
    log:
        out("logs/vae/train_{vae}_seed{seed}.log"),
    cache: True  # shared between runs: see the Snakefile
    conda:
        "../envs/python.yaml"
    threads: workflow.cores
    resources:
        gpu=1,
    params:
        wildcards=cache_key,
        model=get_vae_model_args,
        train=get_vae_train_args,
        device=config["device"],
        gpu_locks=GPU_LOCKS,
        precision=config["precision"],
    script:
        "../scripts/train_vae.py"


rule validate_vae:
    input:
        faces=out("data/faces.npz"),
        split=out("data/split.npz"),
        model=out("vae/{vae}/seed{seed}/model.pt"),
        code=get_package_modules("layers", "vae", "metrics", "runtime"),
    output:
        scores=out("vae/{vae}/seed{seed}/val_metrics.json"),
        per_face=out("vae/{vae}/seed{seed}/val_eval.npz"),
    log:
        out("logs/vae/validate_{vae}_seed{seed}.log"),
    cache: True  # shared between runs: see the Snakefile
    conda:
        "../envs/python.yaml"
    threads: workflow.cores
    resources:
        gpu=1,
    params:
        wildcards=cache_key,
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
        faces=out("data/faces.npz"),
        split=out("data/split.npz"),
        model=out("vae/{vae}/seed{seed}/model.pt"),
        code=get_package_modules("layers", "vae", "metrics", "runtime"),
    output:
        scores=out("vae/{vae}/seed{seed}/test_eval.npz"),
    log:
        out("logs/vae/evaluate_{vae}_seed{seed}.log"),
    cache: True  # shared between runs: see the Snakefile
    conda:
        "../envs/python.yaml"
    threads: workflow.cores
    resources:
        gpu=1,
    params:
        wildcards=cache_key,
        part="test",
        device=config["device"],
        precision=config["precision"],
        gpu_locks=GPU_LOCKS,
        eval_batch_size=config["vae"]["eval_batch_size"],
        image_metrics=config["image_metrics"],
        n_examples=config["vae"]["n_reconstructions"],
    script:
        "../scripts/evaluate_vae.py"


# One grid point's numbers over its seeds: mean, spread and a two-level bootstrap interval
# (seeds, then near-copy groups of test faces).
rule vae_metrics:
    input:
        test=expand(out("vae/{{vae}}/seed{seed}/test_eval.npz"), seed=VAE_SEEDS),
        val=expand(out("vae/{{vae}}/seed{seed}/val_metrics.json"), seed=VAE_SEEDS),
        histories=expand(out("vae/{{vae}}/seed{seed}/history.json"), seed=VAE_SEEDS),
        groups=out("data/groups.npz"),
        split=out("data/split.npz"),
        code=get_package_modules("metrics", "stats"),
    output:
        out("vae/{vae}/metrics.json"),
    log:
        out("logs/vae/metrics_{vae}.log"),
    localrule: True
    conda:
        "../envs/python.yaml"
    params:
        bootstrap=config["bootstrap"],
    script:
        "../scripts/vae_metrics.py"


# Yardsticks for the table: the mean face and PCA, fitted on training faces.
rule vae_baselines:
    input:
        faces=out("data/faces.npz"),
        split=out("data/split.npz"),
        groups=out("data/groups.npz"),
        code=get_package_modules("baselines", "metrics", "stats"),
    output:
        metrics=out("vae/baselines.json"),
        psnr=out("vae/baselines_psnr.npz"),
    log:
        out("logs/vae/baselines.log"),
    localrule: True
    conda:
        "../envs/python.yaml"
    threads: workflow.cores
    params:
        pca=config["vae"]["pca_components"],
        image_metrics=config["image_metrics"],
        bootstrap=config["bootstrap"],
    script:
        "../scripts/vae_baselines.py"


# The chosen VAE against each yardstick, face by face on the same test faces, over its seeds.
rule versus_baselines:
    input:
        test=expand(
            out("vae/{vae}/seed{seed}/test_eval.npz"), vae=VAE_NAMES, seed=VAE_SEEDS
        ),
        best=out("vae/best.json"),
        yardsticks=out("vae/baselines_psnr.npz"),
        groups=out("data/groups.npz"),
        split=out("data/split.npz"),
        code=get_package_modules("baselines", "stats"),
    output:
        out("vae/versus_baselines.json"),
    log:
        out("logs/vae/versus_baselines.log"),
    localrule: True
    conda:
        "../envs/python.yaml"
    params:
        names=VAE_NAMES,
        seeds=VAE_SEEDS,
        bootstrap=config["bootstrap"],
    script:
        "../scripts/versus_baselines.py"


# The choice reads validation scores only; the test split is touched for final numbers.
rule select_best_vae:
    input:
        scores=expand(
            out("vae/{vae}/seed{seed}/val_metrics.json"),
            vae=VAE_NAMES,
            seed=VAE_SEEDS,
        ),
        models=[run_file("vae", name, "model.pt") for name in VAE_NAMES],
    output:
        choice=out("vae/best.json"),
        model=out("vae/best/model.pt"),
    log:
        out("logs/vae/select_best.log"),
    localrule: True
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
        faces=out("data/faces.npz"),
        examples=[run_file("vae", name, "test_eval.npz") for name in VAE_NAMES],
        code=get_package_modules("figures/vae", "plotstyle"),
    output:
        figure("vae_reconstructions"),
    log:
        out("logs/figures/vae_reconstructions.log"),
    localrule: True
    conda:
        "../envs/python.yaml"
    params:
        names=VAE_NAMES,
        points=VAE_GRID,
    script:
        "../scripts/fig_vae_reconstructions.py"


rule fig_vae_comparison:
    input:
        faces=out("data/faces.npz"),
        examples=[run_file("vae", name, "test_eval.npz") for name in VAE_NAMES],
        code=get_package_modules("figures/vae", "plotstyle"),
    output:
        figure("vae_comparison"),
    log:
        out("logs/figures/vae_comparison.log"),
    localrule: True
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
        code=get_package_modules("figures/vae", "plotstyle"),
    output:
        figure("vae_metrics"),
    log:
        out("logs/figures/vae_metrics.log"),
    localrule: True
    conda:
        "../envs/python.yaml"
    params:
        names=VAE_NAMES,
        points=VAE_GRID,
    script:
        "../scripts/fig_vae_metrics.py"


rule fig_vae_training:
    input:
        [run_file("vae", name, "history.json") for name in VAE_NAMES],
        code=get_package_modules("figures/vae", "plotstyle"),
    output:
        figure("vae_training"),
    log:
        out("logs/figures/vae_training.log"),
    localrule: True
    conda:
        "../envs/python.yaml"
    params:
        names=VAE_NAMES,
        points=VAE_GRID,
    script:
        "../scripts/fig_vae_training.py"
