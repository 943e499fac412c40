# Chapter 3, beyond the original: CNN variants (class weights, augmentation, a stronger
# recipe and its ablation), each set against the model it improves on, and accuracy per group.


rule train_variant:
    input:
        faces=out("data/faces.npz"),
        split=out("data/split.npz"),
        code=get_package_modules("layers", "cnn", "cnn_train", "augment", "runtime"),
    output:
        model=out("beyond/{variant}/{task}/seed{seed}/model.pt"),
        history=out("beyond/{variant}/{task}/seed{seed}/history.json"),
        val_predictions=out("beyond/{variant}/{task}/seed{seed}/val_predictions.npz"),
        test_predictions=out("beyond/{variant}/{task}/seed{seed}/test_predictions.npz"),
    log:
        out("logs/beyond/train_{variant}_{task}_seed{seed}.log"),
    benchmark:
        out("benchmarks/beyond/train_{variant}_{task}_seed{seed}.tsv")
    wildcard_constraints:
        variant=SINGLE_TASK,
    conda:
        "../envs/python.yaml"
    threads: workflow.cores
    resources:
        gpu=1,
    params:
        model=get_variant_model_args,
        train=get_variant_train_args,
        device=config["device"],
        gpu_locks=GPU_LOCKS,
        precision=config["precision"],
    script:
        "../scripts/train_cnn.py"


# A multi-task variant: one network with a head per task, trained on all its tasks at once.
rule train_multitask:
    input:
        faces=out("data/faces.npz"),
        split=out("data/split.npz"),
        code=get_package_modules("layers", "cnn", "cnn_train", "augment", "runtime"),
    output:
        model=out("beyond/{variant}/all/seed{seed}/model.pt"),
        history=out("beyond/{variant}/all/seed{seed}/history.json"),
        predictions=out("beyond/{variant}/all/seed{seed}/predictions.npz"),
    log:
        out("logs/beyond/train_{variant}_all_seed{seed}.log"),
    benchmark:
        out("benchmarks/beyond/train_{variant}_all_seed{seed}.tsv")
    wildcard_constraints:
        variant=MULTITASK,
    conda:
        "../envs/python.yaml"
    threads: workflow.cores
    resources:
        gpu=1,
    params:
        tasks=lambda wc: get_variant(wc).tasks,
        model=get_variant_model_args,
        train=get_variant_train_args,
        device=config["device"],
        gpu_locks=GPU_LOCKS,
        precision=config["precision"],
    script:
        "../scripts/train_cnn.py"


# The multi-task network's predictions, one file per task and part as for the other variants.
rule split_multitask:
    input:
        out("beyond/{variant}/all/seed{seed}/predictions.npz"),
    output:
        val_predictions=out("beyond/{variant}/{task}/seed{seed}/val_predictions.npz"),
        test_predictions=out("beyond/{variant}/{task}/seed{seed}/test_predictions.npz"),
    log:
        out("logs/beyond/split_{variant}_{task}_seed{seed}.log"),
    wildcard_constraints:
        variant=MULTITASK,
    conda:
        "../envs/python.yaml"
    script:
        "../scripts/split_multitask.py"


# Validation and test metrics of a variant over its seeds, and how far it moved each one from
# its reference (paired bootstrap over the same faces).
rule evaluate_variant:
    input:
        val=variant_predictions("val"),
        test=variant_predictions("test"),
        reference_val=variant_predictions("val", reference=True),
        reference_test=variant_predictions("test", reference=True),
        histories=lambda wc: [
            variant_history(wc.variant, wc.task, seed)
            for seed in get_variant(wc).seeds
        ],
        code=get_package_modules("metrics"),
    output:
        out("beyond/{variant}/{task}/metrics.json"),
    log:
        out("logs/beyond/evaluate_{variant}_{task}.log"),
    conda:
        "../envs/python.yaml"
    params:
        bootstrap=config["bootstrap"],
        reference=lambda wc: get_variant(wc).reference,
    script:
        "../scripts/evaluate_variant.py"


# Accuracy of the gender and ethnicity classifiers per age bucket and per ethnicity, for the
# paper model and the improved recipe.
rule fairness:
    input:
        faces=out("data/faces.npz"),
        paper=lambda wc: [
            variant_file("paper", task, "test_predictions.npz", seed)
            for task in FAIRNESS_TASKS
            for seed in CNN_SEEDS
        ],
        improved=lambda wc: [
            variant_file(IMPROVED.name, task, "test_predictions.npz", seed)
            for task in FAIRNESS_TASKS
            for seed in IMPROVED.seeds
        ],
        code=get_package_modules("metrics"),
    output:
        out("beyond/fairness.json"),
    log:
        out("logs/beyond/fairness.log"),
    conda:
        "../envs/python.yaml"
    params:
        tasks=FAIRNESS_TASKS,
        paper_seeds=CNN_SEEDS,
        improved_seeds=lambda wc: IMPROVED.seeds,
        age_edges=config["beyond"]["fairness_age_edges"],
        bootstrap=config["bootstrap"],
    script:
        "../scripts/fairness.py"


rule fig_fairness:
    input:
        out("beyond/fairness.json"),
    output:
        figure("fairness"),
    log:
        out("logs/figures/fairness.log"),
    conda:
        "../envs/python.yaml"
    script:
        "../scripts/fig_fairness.py"


rule table_beyond:
    input:
        paper=expand(out("cnn/{task}/metrics.json"), task=CNN_TASKS),
        variants=[
            out(f"beyond/{name}/{task}/metrics.json") for name, task in VARIANT_TASKS
        ],
    output:
        imbalance=out("generated/table_imbalance.tex"),
        improved=out("generated/table_improved.tex"),
        ablation=out("generated/table_ablation.tex"),
    log:
        out("logs/report/table_beyond.log"),
    conda:
        "../envs/python.yaml"
    params:
        tasks=CNN_TASKS,
        variant_tasks=VARIANT_TASKS,
        imbalance=config["beyond"]["imbalance"],
        improved=config["beyond"]["improved"],
        ablation=config["beyond"]["ablation"],
    script:
        "../scripts/table_beyond.py"
