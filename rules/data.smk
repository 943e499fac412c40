# Data stage: raw CSV -> validated arrays -> duplicate-safe split, and exploratory figures.


rule synthetic_faces:
    output:
        SYNTHETIC_CSV,
    log:
        out("logs/data/synthetic_faces.log"),
    localrule: True
    conda:
        "../envs/python.yaml"
    params:
        n_faces=config["synthetic"]["n_faces"],
        seed=config["synthetic"]["seed"],
        duplicate_fraction=config["synthetic"]["duplicate_fraction"],
    script:
        "../scripts/synthetic_faces.py"


rule ingest:
    input:
        get_raw_csv(),
    output:
        faces=out("data/faces.npz"),
        quality=out("data/quality.json"),
    log:
        out("logs/data/ingest.log"),
    localrule: True
    conda:
        "../envs/python.yaml"
    threads: 2  # pixel decoding runs in parallel threads
    params:
        max_table_mb=config["max_table_mb"],
    script:
        "../scripts/ingest.py"


rule group_faces:
    input:
        faces=out("data/faces.npz"),
        code=get_package_modules("groups"),
    output:
        groups=out("data/groups.npz"),
        report=out("data/groups.json"),
    log:
        out("logs/data/group_faces.log"),
    localrule: True
    conda:
        "../envs/python.yaml"
    params:
        near_max_mse=config["split"]["near_max_mse"],
    script:
        "../scripts/group_faces.py"


rule split:
    input:
        out("data/groups.npz"),
        faces=out("data/faces.npz"),
        code=get_package_modules("data", "groups"),
    output:
        split=out("data/split.npz"),
        sizes=out("data/split.json"),
    log:
        out("logs/data/split.log"),
    localrule: True
    conda:
        "../envs/python.yaml"
    params:
        fractions=config["split"]["fractions"],
        seed=config["split"]["seed"],
    script:
        "../scripts/split.py"


rule fig_mean_faces_ethnicity:
    input:
        out("data/faces.npz"),
        code=get_package_modules("figures/data", "plotstyle"),
    output:
        figure("mean_faces_ethnicity"),
    log:
        out("logs/figures/mean_faces_ethnicity.log"),
    localrule: True
    conda:
        "../envs/python.yaml"
    script:
        "../scripts/fig_mean_faces_ethnicity.py"


rule fig_mean_faces_age:
    input:
        out("data/faces.npz"),
        code=get_package_modules("figures/data", "plotstyle"),
    output:
        figure("mean_faces_age"),
    log:
        out("logs/figures/mean_faces_age.log"),
    localrule: True
    conda:
        "../envs/python.yaml"
    params:
        age_edges=config["figures"]["age_edges"],
    script:
        "../scripts/fig_mean_faces_age.py"


rule fig_label_distributions:
    input:
        out("data/faces.npz"),
        code=get_package_modules("figures/data", "plotstyle"),
    output:
        figure("label_distributions"),
    log:
        out("logs/figures/label_distributions.log"),
    localrule: True
    conda:
        "../envs/python.yaml"
    script:
        "../scripts/fig_label_distributions.py"
