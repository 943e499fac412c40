# Rebuilds a run's PDF report from the raw face table; see README.md for how to run it.
from snakemake.utils import min_version

min_version("9.0")


configfile: "config.yaml"


include: "rules/settings.smk"
include: "rules/common.smk"
include: "rules/checks.smk"


wildcard_constraints:
    name="[a-z0-9_]+",
    task="gender|ethnicity|age",
    vae="z[0-9]+_b[0-9.e+-]+(_gmm[0-9]+)?",
    seed="[0-9]+",
    variant="[a-z0-9_]+",


include: "rules/data.smk"
include: "rules/supervised.smk"
include: "rules/vae.smk"
include: "rules/restore.smk"


if BEYOND_ON:

    include: "rules/beyond.smk"


include: "rules/report.smk"


report: "report/workflow.rst"


# Cheap jobs run on the submitting host under a cluster executor (profiles/slurm); only
# training and evaluation (train_*, evaluate_*, restore_faces, interpolate) are submitted.
localrules:
    all,
    synthetic_faces,
    ingest,
    group_faces,
    split,
    select_best_vae,
    vae_metrics,
    vae_baselines,
    summary,
    macros,
    table_cnn,
    table_vae,
    table_restore,
    report,
    html_parts,
    fig_mean_faces_ethnicity,
    fig_mean_faces_age,
    fig_label_distributions,
    fig_cnn_architecture,
    fig_feature_maps,
    fig_training_loss,
    fig_validation_curves,
    fig_confusion_matrices,
    fig_class_metrics,
    fig_age_histogram,
    fig_gender_by_age,
    fig_prediction_grid,
    fig_vae_training,
    fig_vae_reconstructions,
    fig_vae_comparison,
    fig_vae_metrics,
    fig_restoration,
    fig_interpolation,
    split_multitask,
    evaluate_variant,
    fairness,
    table_beyond,
    fig_fairness,
    fig_generation,
    table_generation,
    prior_twins,
    table_restore_search,
    fig_attribute_change,


rule all:
    default_target: True
    input:
        out("report.pdf"),
        rules.html_parts.output,


# Before the first job: a warning when the settings would keep a CPU busy for hours.
onstart:
    warn_before_long_cpu_training()
