# Chapter 1: one CNN per task (gender, ethnicity, age), its test metrics and figures.


rule train_cnn:
    input:
        faces=out("data/faces.npz"),
        split=out("data/split.npz"),
        code=get_package_modules("layers", "cnn", "cnn_train", "augment", "runtime"),
    output:
        model=out("cnn/{task}/seed{seed}/model.pt"),
        history=out("cnn/{task}/seed{seed}/history.json"),
        val_predictions=out("cnn/{task}/seed{seed}/val_predictions.npz"),
        test_predictions=out("cnn/{task}/seed{seed}/test_predictions.npz"),
    log:
        out("logs/cnn/train_{task}_seed{seed}.log"),
    cache: True  # shared between runs: see the Snakefile
    conda:
        "../envs/python.yaml"
    threads: workflow.cores
    resources:
        gpu=1,
    params:
        wildcards=cache_key,
        model=get_cnn_model_args(),
        train=get_cnn_train_args,
        device=config["device"],
        gpu_locks=GPU_LOCKS,
        precision=config["precision"],
    script:
        "../scripts/train_cnn.py"


# Test metrics of one task over all its seeds: the mean, the spread across seeds and a
# two-level bootstrap interval (seeds, then near-copy groups of test faces).
rule evaluate_cnn:
    input:
        predictions=expand(
            run_file("cnn", "{{task}}", "test_predictions.npz", "{seed}"),
            seed=CNN_SEEDS,
        ),
        val_predictions=expand(
            run_file("cnn", "{{task}}", "val_predictions.npz", "{seed}"),
            seed=CNN_SEEDS,
        ),
        histories=expand(
            run_file("cnn", "{{task}}", "history.json", "{seed}"), seed=CNN_SEEDS
        ),
        groups=out("data/groups.npz"),
        code=get_package_modules("metrics", "stats"),
    output:
        out("cnn/{task}/metrics.json"),
    log:
        out("logs/cnn/evaluate_{task}.log"),
    conda:
        "../envs/python.yaml"
    params:
        bootstrap=config["bootstrap"],
    script:
        "../scripts/evaluate_cnn.py"


rule fig_cnn_architecture:
    input:
        code=get_package_modules("figures/supervised", "plotstyle"),
    output:
        figure("cnn_architecture"),
    log:
        out("logs/figures/cnn_architecture.log"),
    localrule: True
    conda:
        "../envs/python.yaml"
    params:
        model=get_cnn_model_args(),
    script:
        "../scripts/fig_cnn_architecture.py"


rule fig_feature_maps:
    input:
        faces=out("data/faces.npz"),
        split=out("data/split.npz"),
        model=run_file("cnn", "gender", "model.pt"),
        code=get_package_modules("figures/supervised", "plotstyle"),
    output:
        figure("feature_maps"),
    log:
        out("logs/figures/feature_maps.log"),
    localrule: True
    conda:
        "../envs/python.yaml"
    script:
        "../scripts/fig_feature_maps.py"


rule fig_training_loss:
    input:
        [run_file("cnn", task, "history.json") for task in CNN_TASKS],
        code=get_package_modules("figures/supervised", "plotstyle"),
    output:
        figure("training_loss"),
    log:
        out("logs/figures/training_loss.log"),
    localrule: True
    conda:
        "../envs/python.yaml"
    params:
        tasks=CNN_TASKS,
    script:
        "../scripts/fig_training_loss.py"


rule fig_validation_curves:
    input:
        [run_file("cnn", task, "history.json") for task in CNN_TASKS],
        code=get_package_modules("figures/supervised", "plotstyle"),
    output:
        figure("validation_curves"),
    log:
        out("logs/figures/validation_curves.log"),
    localrule: True
    conda:
        "../envs/python.yaml"
    params:
        tasks=CNN_TASKS,
    script:
        "../scripts/fig_validation_curves.py"


rule fig_confusion_matrices:
    input:
        [run_file("cnn", task, "test_predictions.npz") for task in CNN_CLASSIFIERS],
        code=get_package_modules("figures/supervised", "plotstyle"),
    output:
        figure("confusion_matrices"),
    log:
        out("logs/figures/confusion_matrices.log"),
    localrule: True
    conda:
        "../envs/python.yaml"
    params:
        tasks=CNN_CLASSIFIERS,
    script:
        "../scripts/fig_confusion_matrices.py"


rule fig_class_metrics:
    input:
        expand(out("cnn/{task}/metrics.json"), task=CNN_CLASSIFIERS),
        code=get_package_modules("figures/supervised", "plotstyle"),
    output:
        figure("class_metrics"),
    log:
        out("logs/figures/class_metrics.log"),
    localrule: True
    conda:
        "../envs/python.yaml"
    params:
        tasks=CNN_CLASSIFIERS,
    script:
        "../scripts/fig_class_metrics.py"


rule fig_age_histogram:
    input:
        run_file("cnn", "age", "test_predictions.npz"),
        code=get_package_modules("figures/supervised", "plotstyle"),
    output:
        figure("age_histogram"),
    log:
        out("logs/figures/age_histogram.log"),
    localrule: True
    conda:
        "../envs/python.yaml"
    script:
        "../scripts/fig_age_histogram.py"


rule fig_gender_by_age:
    input:
        faces=out("data/faces.npz"),
        predictions=run_file("cnn", "gender", "test_predictions.npz"),
        code=get_package_modules("figures/supervised", "plotstyle"),
    output:
        figure("gender_by_age"),
    log:
        out("logs/figures/gender_by_age.log"),
    localrule: True
    conda:
        "../envs/python.yaml"
    params:
        age_edges=config["figures"]["age_edges"],
    script:
        "../scripts/fig_gender_by_age.py"


rule fig_prediction_grid:
    input:
        faces=out("data/faces.npz"),
        predictions=[
            run_file("cnn", task, "test_predictions.npz") for task in CNN_TASKS
        ],
        code=get_package_modules("figures/supervised", "plotstyle"),
    output:
        figure("prediction_grid"),
    log:
        out("logs/figures/prediction_grid.log"),
    localrule: True
    conda:
        "../envs/python.yaml"
    params:
        tasks=CNN_TASKS,
        n_faces=24,
    script:
        "../scripts/fig_prediction_grid.py"
