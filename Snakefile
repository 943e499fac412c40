# Rebuilds report/report.pdf from the raw face table; see README.md for how to run it.
from snakemake.utils import min_version, validate

min_version("9.0")


configfile: "config.yaml"


validate(config, "schemas/config.schema.yaml")


include: "rules/common.smk"
include: "rules/checks.smk"


wildcard_constraints:
    name="[a-z0-9_]+",
    task="gender|ethnicity|age",
    vae="z[0-9]+_b[0-9.e+-]+",
    seed="[0-9]+",


include: "rules/data.smk"
include: "rules/supervised.smk"
include: "rules/vae.smk"
include: "rules/restore.smk"
include: "rules/report.smk"


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
    fig_vae_reconstructions,
    fig_vae_comparison,
    fig_vae_metrics,
    fig_restoration,
    fig_interpolation,


rule all:
    default_target: True
    input:
        "report/report.pdf",
