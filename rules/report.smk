# Report stage: every number -> results/summary.json -> LaTeX macros; latexmk -> the PDF.


rule summary:
    input:
        parts=list(SUMMARY_PARTS.values()),
        histories=list(get_training_jobs().values()),
        code=get_package_modules(
            "provenance",
            "report",
            "latex",
            "names",
            "sentences/__init__",
            "sentences/supervised",
            "sentences/vae",
            "sentences/beyond",
            "sentences/generation",
            "sentences/recipe",
            "vae_recipe",
        ),
    output:
        out("summary.json"),
    log:
        out("logs/report/summary.log"),
    localrule: True
    conda:
        "../envs/python.yaml"
    params:
        prefixes=list(SUMMARY_PARTS),
        training_jobs=list(get_training_jobs()),
        synthetic=is_synthetic(),
        source=get_data_source(),
        settings=get_summary_settings(),
        beyond=config["beyond"],
        vae_points={name: ALL_VAE_GRID[name] for name in GENERATION_NAMES},
    script:
        "../scripts/summary.py"


rule macros:
    input:
        summary=out("summary.json"),
        code=get_package_modules("latex"),
    output:
        out("generated/numbers.tex"),
    log:
        out("logs/report/macros.log"),
    localrule: True
    conda:
        "../envs/python.yaml"
    script:
        "../scripts/macros.py"


rule report:
    input:
        tex="report/report.tex",
        sections=get_report_sections(),
        numbers=out("generated/numbers.tex"),
        tables=get_tables(),
        figures=get_figures(),
    output:
        out("report.pdf"),
    log:
        out("logs/report/latexmk.log"),
    localrule: True
    conda:
        "../envs/latex.yaml"
    params:
        # LaTeX finds generated/ and figures/ of this run through TEXINPUTS (see report.tex).
        run_dir=lambda wildcards, output: Path(output[0]).parent,
    shell:
        'TEXINPUTS="$PWD/{params.run_dir}/:" latexmk -pdf -interaction=nonstopmode'
        ' -halt-on-error -cd -outdir="$PWD/{params.run_dir}/latex" report/report.tex'
        " > {log} 2>&1 && cp {params.run_dir}/latex/report.pdf {output}"
        # report/report.pdf: a link to the PDF built last, replaced in one step
        " && ln -sfn ../{output} report/.report.pdf.link && mv -T report/.report.pdf.link"
        " report/report.pdf"


rule table_cnn:
    input:
        metrics=expand(out("cnn/{task}/metrics.json"), task=CNN_TASKS),
        code=get_package_modules("latex", "metrics", "names", "report", "tables"),
    output:
        out("generated/table_cnn.tex"),
    log:
        out("logs/report/table_cnn.log"),
    localrule: True
    conda:
        "../envs/python.yaml"
    params:
        tasks=CNN_TASKS,
        paper=config["paper"]["cnn"],
    script:
        "../scripts/table_cnn.py"


rule table_vae:
    input:
        metrics=expand(out("vae/{vae}/metrics.json"), vae=VAE_NAMES),
        best=out("vae/best.json"),
        baselines=out("vae/baselines.json"),
        code=get_package_modules("latex", "metrics", "names", "report", "tables"),
    output:
        out("generated/table_vae.tex"),
    log:
        out("logs/report/table_vae.log"),
    localrule: True
    conda:
        "../envs/python.yaml"
    params:
        names=VAE_NAMES,
        points=VAE_GRID,
    script:
        "../scripts/table_vae.py"


rule table_restore:
    input:
        metrics=out("restore/metrics.json"),
        code=get_package_modules("latex", "metrics", "names", "report", "tables"),
    output:
        noise=out("generated/table_restore_noise.tex"),
        erase=out("generated/table_restore_erase.tex"),
    log:
        out("logs/report/table_restore.log"),
    localrule: True
    conda:
        "../envs/python.yaml"
    params:
        noise_sigmas=config["restore"]["noise_sigmas"],
    script:
        "../scripts/table_restore.py"


# What `snakemake --report report.html` shows beside the figures: the tables and the headline
# metrics as HTML, and every caption, read back from the LaTeX sections.
rule html_parts:
    input:
        summary=out("summary.json"),
        sections=get_report_sections(),
        tables=get_tables(),
        intro="report/workflow.rst",
        code=get_package_modules("htmlreport", "latex"),
    output:
        about=out("workflow.rst"),
        captions=expand(out("captions/{name}.rst"), name=FIGURES + TABLES),
        tables=[
            report(
                out(f"tables/{name}.html"),
                caption=caption_file(name),
                category=CHAPTER[name],
            )
            for name in TABLES
        ],
        metrics=report(
            out("tables/summary.html"),
            caption="../report/summary_caption.rst",
            category=EVERY_NUMBER,
        ),
    log:
        out("logs/report/html_parts.log"),
    localrule: True
    conda:
        "../envs/python.yaml"
    params:
        figures=FIGURES,
        tables=TABLES,
        run=RUN,
    script:
        "../scripts/html_parts.py"
