# Report stage: every number -> results/summary.json -> LaTeX macros; latexmk -> the PDF.


rule summary:
    input:
        list(SUMMARY_PARTS.values()),
    output:
        "results/summary.json",
    log:
        "logs/report/summary.log",
    conda:
        "../envs/python.yaml"
    params:
        prefixes=list(SUMMARY_PARTS),
        synthetic=is_synthetic(),
        source=get_data_source(),
        settings=get_summary_settings(),
    script:
        "../scripts/summary.py"


rule macros:
    input:
        "results/summary.json",
    output:
        "report/generated/numbers.tex",
    log:
        "logs/report/macros.log",
    conda:
        "../envs/python.yaml"
    script:
        "../scripts/macros.py"


rule report:
    input:
        tex="report/report.tex",
        sections=get_report_sections(),
        numbers="report/generated/numbers.tex",
        tables=get_tables(),
        figures=get_figures(),
    output:
        "report/report.pdf",
    log:
        "logs/report/latexmk.log",
    conda:
        "../envs/latex.yaml"
    shell:
        "latexmk -pdf -interaction=nonstopmode -halt-on-error -cd"
        " -outdir=../results/latex report/report.tex > {log} 2>&1"
        " && cp results/latex/report.pdf {output}"


rule table_cnn:
    input:
        expand("results/cnn/{task}/metrics.json", task=CNN_TASKS),
    output:
        "report/generated/table_cnn.tex",
    log:
        "logs/report/table_cnn.log",
    conda:
        "../envs/python.yaml"
    params:
        tasks=CNN_TASKS,
        paper=config["paper"]["cnn"],
    script:
        "../scripts/table_cnn.py"


rule table_vae:
    input:
        metrics=expand("results/vae/{vae}/metrics.json", vae=VAE_NAMES),
        best="results/vae/best.json",
        baselines="results/vae/baselines.json",
    output:
        "report/generated/table_vae.tex",
    log:
        "logs/report/table_vae.log",
    conda:
        "../envs/python.yaml"
    params:
        names=VAE_NAMES,
        points=VAE_GRID,
    script:
        "../scripts/table_vae.py"


rule table_restore:
    input:
        "results/restore/metrics.json",
    output:
        noise="report/generated/table_restore_noise.tex",
        erase="report/generated/table_restore_erase.tex",
    log:
        "logs/report/table_restore.log",
    conda:
        "../envs/python.yaml"
    params:
        noise_sigmas=config["restore"]["noise_sigmas"],
    script:
        "../scripts/table_restore.py"
