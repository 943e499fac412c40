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
    wildcard_constraints:
        variant=SINGLE_TASK,
    cache: True  # shared between runs: see the Snakefile
    conda:
        "../envs/python.yaml"
    threads: workflow.cores
    resources:
        gpu=1,
    params:
        wildcards=cache_key,
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
    wildcard_constraints:
        variant=MULTITASK,
    cache: True  # shared between runs: see the Snakefile
    conda:
        "../envs/python.yaml"
    threads: workflow.cores
    resources:
        gpu=1,
    params:
        wildcards=cache_key,
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
    localrule: True
    conda:
        "../envs/python.yaml"
    script:
        "../scripts/split_multitask.py"


# Validation and test metrics of a variant over its seeds, and how far it moved each one from
# its reference (two-level bootstrap: seeds, paired by number where both sides have the
# same, then near-copy groups of the same test faces).
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
        groups=out("data/groups.npz"),
        code=get_package_modules("metrics", "stats"),
    output:
        out("beyond/{variant}/{task}/metrics.json"),
    log:
        out("logs/beyond/evaluate_{variant}_{task}.log"),
    localrule: True
    conda:
        "../envs/python.yaml"
    params:
        bootstrap=config["bootstrap"],
        reference=lambda wc: get_variant(wc).reference,
        seeds=variant_seeds(),
        reference_seeds=variant_seeds(reference=True),
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
        groups=out("data/groups.npz"),
        code=get_package_modules("metrics", "stats"),
    output:
        out("beyond/fairness.json"),
    log:
        out("logs/beyond/fairness.log"),
    localrule: True
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
        code=get_package_modules("figures/beyond", "plotstyle"),
    output:
        figure("fairness"),
    log:
        out("logs/figures/fairness.log"),
    localrule: True
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
        ensemble=out("beyond/ensemble.json"),
        code=get_package_modules("latex", "metrics", "names", "report", "tables"),
    output:
        imbalance=out("generated/table_imbalance.tex"),
        improved=out("generated/table_improved.tex"),
        ablation=out("generated/table_ablation.tex"),
        ensemble=out("generated/table_ensemble.tex"),
    log:
        out("logs/report/table_beyond.log"),
    localrule: True
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


# Generation: for every VAE of both grids (on each seed of generation_seeds), likelihood
# bounds on the test faces and faces drawn from its prior and from a mixture fitted to
# samples of its aggregate posterior, labelled by the chapter-1 classifiers.
rule generation:
    input:
        faces=out("data/faces.npz"),
        split=out("data/split.npz"),
        model=run_file("vae", "{vae}", "model.pt", "{seed}"),
        cnn=[run_file("cnn", task, "model.pt") for task in CNN_CLASSIFIERS],
        groups=out("data/groups.npz"),
        code=get_package_modules(
            "generation",
            "vae",
            "layers",
            "cnn",
            "cnn_train",
            "metrics",
            "stats",
            "runtime",
        ),
    output:
        metrics=generation_file("{vae}", "json", "{seed}"),
        examples=generation_file("{vae}", "npz", "{seed}"),
    log:
        out("logs/beyond/generation_{vae}_seed{seed}.log"),
    benchmark:
        out("benchmarks/beyond/generation_{vae}_seed{seed}.tsv")
    conda:
        "../envs/python.yaml"
    threads: workflow.cores
    resources:
        gpu=1,
    params:
        tasks=CNN_CLASSIFIERS,
        ks=GENERATION["bound_samples"],
        fitted_components=GENERATION["fitted_components"],
        generated_faces=GENERATION["generated_faces"],
        seed=GENERATION["seed"],
        n_examples=8,
        bootstrap=config["bootstrap"],
        device=config["device"],
        gpu_locks=GPU_LOCKS,
        precision=config["precision"],
    script:
        "../scripts/generation.py"


# The samples of every VAE on the first seed.
rule fig_generation:
    input:
        [generation_file(name, "npz") for name in GENERATION_NAMES],
        code=get_package_modules("figures/beyond", "plotstyle"),
    output:
        figure("generation"),
    log:
        out("logs/figures/generation.log"),
    localrule: True
    conda:
        "../envs/python.yaml"
    params:
        names=GENERATION_NAMES,
        points=ALL_VAE_GRID,
    script:
        "../scripts/fig_generation.py"


# Each learned mixture against its standard-prior twin, seed by seed and face by face on the
# same test faces, with the difference split into its parts.
rule prior_twins:
    input:
        runs=[generation_file(name, "npz", seed) for name, seed in TWIN_RUNS],
        groups=out("data/groups.npz"),
        split=out("data/split.npz"),
        code=get_package_modules("generation", "stats"),
    output:
        out("beyond/generation/prior_twins.json"),
    log:
        out("logs/beyond/prior_twins.log"),
    localrule: True
    conda:
        "../envs/python.yaml"
    params:
        pairs=PRIOR_TWINS,
        seeds=GENERATION_SEEDS,
        runs=TWIN_RUNS,
        k=max(GENERATION["bound_samples"]),
        bootstrap=config["bootstrap"],
    script:
        "../scripts/prior_twins.py"


# The bounds and label distances of every VAE on the first seed, and each learned mixture
# against its twin over every seed.
rule table_generation:
    input:
        metrics=[generation_file(name, "json") for name in GENERATION_NAMES],
        twins=out("beyond/generation/prior_twins.json"),
        code=get_package_modules("latex", "metrics", "names", "report", "tables"),
    output:
        generation=out("generated/table_generation.tex"),
        twins=out("generated/table_prior_twins.tex"),
    log:
        out("logs/report/table_generation.log"),
    localrule: True
    conda:
        "../envs/python.yaml"
    params:
        names=GENERATION_NAMES,
        points=ALL_VAE_GRID,
    script:
        "../scripts/table_generation.py"


# Restoration by searching the best VAE's latent space, on the damaged faces of chapter 2.
rule restore_search:
    input:
        faces=out("data/faces.npz"),
        split=out("data/split.npz"),
        model=out("vae/best/model.pt"),
        damaged=out("restore/damaged.npz"),
        # chapter 2's inpainting of the erased faces, where the search starts
        restored=out("restore/restored.npz"),
        groups=out("data/groups.npz"),
        code=get_package_modules(
            "restore",
            "names",
            "generation",
            "vae",
            "layers",
            "metrics",
            "stats",
            "runtime",
        ),
    output:
        metrics=out("beyond/restore_search.json"),
        restored=out("beyond/restore_search.npz"),
    log:
        out("logs/beyond/restore_search.log"),
    benchmark:
        out("benchmarks/beyond/restore_search.tsv")
    conda:
        "../envs/python.yaml"
    threads: workflow.cores
    resources:
        gpu=1,
    params:
        search=get_search_settings(),
        validation_faces=config["beyond"]["restore_search"]["validation_faces"],
        start_from_chapter2=True,
        device=config["device"],
        gpu_locks=GPU_LOCKS,
        precision=config["precision"],
    script:
        "../scripts/restore_search.py"


# The same search in the improved VAE's latent space, on the same damaged faces; inpainting
# starts from its own encode-decode passes, and it is set against chapter 2's restorers.
use rule restore_search as restore_search_recipe with:
    input:
        faces=out("data/faces.npz"),
        split=out("data/split.npz"),
        model=run_file("vae", RECIPE_NAME, "model.pt"),
        damaged=out("restore/damaged.npz"),
        restored=out("restore/restored.npz"),
        groups=out("data/groups.npz"),
        code=get_package_modules(
            "restore",
            "names",
            "generation",
            "vae",
            "layers",
            "metrics",
            "stats",
            "runtime",
        ),
    output:
        metrics=out("beyond/recipe/restore_search.json"),
        restored=out("beyond/recipe/restore_search.npz"),
    log:
        out("logs/beyond/restore_search_recipe.log"),
    benchmark:
        out("benchmarks/beyond/restore_search_recipe.tsv")
    params:
        search=get_search_settings(),
        validation_faces=config["beyond"]["restore_search"]["validation_faces"],
        start_from_chapter2=False,
        device=config["device"],
        gpu_locks=GPU_LOCKS,
        precision=config["precision"],


# Whether restoring a face changes the gender or ethnicity the chapter-1 classifiers see, and
# whether each VAE's reconstruction changes more than a blur or PCA at the same PSNR.
rule attribute_change:
    input:
        faces=out("data/faces.npz"),
        split=out("data/split.npz"),
        vaes=[run_file("vae", name, "model.pt") for name in GENERATION_NAMES],
        cnn=[run_file("cnn", task, "model.pt") for task in CNN_CLASSIFIERS],
        damaged=out("restore/damaged.npz"),
        # chapter 2's restorations: the classical ones and the chosen VAE's (vae/best.json)
        restored=out("restore/restored.npz"),
        best=out("vae/best.json"),
        search=out("beyond/restore_search.npz"),
        groups=out("data/groups.npz"),
        code=get_package_modules(
            "attributes",
            "controls",
            "restore",
            "names",
            "data",
            "vae",
            "layers",
            "cnn",
            "cnn_train",
            "metrics",
            "stats",
            "runtime",
        ),
    output:
        out("beyond/attribute_change.json"),
    log:
        out("logs/beyond/attribute_change.log"),
    benchmark:
        out("benchmarks/beyond/attribute_change.tsv")
    conda:
        "../envs/python.yaml"
    threads: workflow.cores
    resources:
        gpu=1,
    params:
        vaes=GENERATION_NAMES,
        tasks=CNN_CLASSIFIERS,
        protocol=get_restore_protocol(),
        bootstrap=config["bootstrap"],
        device=config["device"],
        gpu_locks=GPU_LOCKS,
        precision=config["precision"],
    script:
        "../scripts/attribute_change.py"


rule table_restore_search:
    input:
        search=out("beyond/restore_search.json"),
        recipe_search=out("beyond/recipe/restore_search.json"),
        restore=out("restore/metrics.json"),
        attributes=out("beyond/attribute_change.json"),
        best=out("vae/best.json"),
        code=get_package_modules("latex", "metrics", "names", "report", "tables"),
    output:
        search=out("generated/table_restore_search.tex"),
        attributes=out("generated/table_attribute_change.tex"),
        controls=out("generated/table_attribute_control.tex"),
    log:
        out("logs/report/table_restore_search.log"),
    localrule: True
    conda:
        "../envs/python.yaml"
    params:
        points=ALL_VAE_GRID,
        noise_sigmas=config["restore"]["noise_sigmas"],
    script:
        "../scripts/table_restore_search.py"


rule fig_attribute_change:
    input:
        attributes=out("beyond/attribute_change.json"),
        restore=out("restore/metrics.json"),
        best=out("vae/best.json"),
        code=get_package_modules("figures/beyond", "plotstyle"),
    output:
        figure("attribute_change"),
    log:
        out("logs/figures/attribute_change.log"),
    localrule: True
    conda:
        "../envs/python.yaml"
    script:
        "../scripts/fig_attribute_change.py"


# The improved VAE against its chapter-2 twin on the same seeds and test faces, against PCA
# with as many components, and without each ingredient on the validation faces.
rule vae_recipe:
    input:
        improved=recipe_files("test_eval.npz", [RECIPE_NAME], RECIPE["seeds"]),
        paper=recipe_files("test_eval.npz", [RECIPE_TWIN], RECIPE["seeds"]),
        full=recipe_files("val_eval.npz", [RECIPE_NAME], RECIPE["ablation_seeds"]),
        variants=recipe_files("val_eval.npz", RECIPE_ABLATION, RECIPE["ablation_seeds"]),
        improved_histories=recipe_files("history.json", [RECIPE_NAME], RECIPE["seeds"]),
        paper_histories=recipe_files("history.json", [RECIPE_TWIN], RECIPE["seeds"]),
        variant_histories=recipe_files(
            "history.json", RECIPE_ABLATION, RECIPE["ablation_seeds"]
        ),
        yardsticks=out("vae/baselines_psnr.npz"),
        groups=out("data/groups.npz"),
        split=out("data/split.npz"),
        code=get_package_modules("vae_compare", "stats", "provenance"),
    output:
        out("beyond/vae_recipe.json"),
    log:
        out("logs/beyond/vae_recipe.log"),
    localrule: True
    conda:
        "../envs/python.yaml"
    params:
        ablation=RECIPE["ablation"],
        seeds=RECIPE["seeds"],
        latent=RECIPE["latent"],
        bootstrap=config["bootstrap"],
    script:
        "../scripts/vae_recipe.py"


rule table_vae_recipe:
    input:
        recipe=out("beyond/vae_recipe.json"),
        code=get_package_modules("latex", "names", "tables", "vae_recipe"),
    output:
        recipe=out("generated/table_vae_recipe.tex"),
        ablation=out("generated/table_vae_ablation.tex"),
    log:
        out("logs/report/table_vae_recipe.log"),
    localrule: True
    conda:
        "../envs/python.yaml"
    params:
        points=ALL_VAE_GRID,
        twin=RECIPE_TWIN,
    script:
        "../scripts/table_vae_recipe.py"


# The improved recipe's seeds as one classifier, without and with flipped faces.
rule ensemble:
    input:
        faces=out("data/faces.npz"),
        split=out("data/split.npz"),
        groups=out("data/groups.npz"),
        models=improved_files("model"),
        histories=improved_files("history"),
        val=improved_files("val"),
        test=improved_files("test"),
        code=get_package_modules(
            "ensemble", "cnn", "cnn_train", "metrics", "stats", "runtime"
        ),
    output:
        out("beyond/ensemble.json"),
    log:
        out("logs/beyond/ensemble.log"),
    benchmark:
        out("benchmarks/beyond/ensemble.tsv")
    conda:
        "../envs/python.yaml"
    threads: workflow.cores
    resources:
        gpu=1,
    params:
        tasks=IMPROVED.tasks if IMPROVED else [],
        improved=config["beyond"]["improved"],
        bootstrap=config["bootstrap"],
        eval_batch_size=config["cnn"]["eval_batch_size"],
        device=config["device"],
        gpu_locks=GPU_LOCKS,
        precision=config["precision"],
    script:
        "../scripts/ensemble.py"


# Validation PSNR against training minutes: the improved VAE, its ablation and its twin.
rule fig_vae_recipe:
    input:
        histories=recipe_histories(),
        yardsticks=out("vae/baselines.json"),
        code=get_package_modules("figures/beyond", "plotstyle"),
    output:
        figure("vae_recipe"),
    log:
        out("logs/figures/vae_recipe.log"),
    localrule: True
    conda:
        "../envs/python.yaml"
    params:
        names=[RECIPE_TWIN, *RECIPE_GRID],
        points=ALL_VAE_GRID,
        twin=RECIPE_TWIN,
        latent=RECIPE["latent"],
    script:
        "../scripts/fig_vae_recipe.py"
