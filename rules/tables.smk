checkpoint compute_tables:
    """Compute the comparative tables (CSV, XLSX) and every figure from the data bundle.

    One job for all of them: pandas and matplotlib are imported once. A checkpoint, so that a
    figure or table whose bytes did not change does not rebuild the documents that show it.
    """
    input:
        bundle="build/data/bundle.json",
        config="config/config.yaml",
    output:
        csv=report(
            expand("reports/tables/{table}.csv", table=TABLE_IDS),
            caption="../report/table.rst",
            category="Tables",
        ),
        xlsx=expand("reports/tables/{table}.xlsx", table=TABLE_IDS),
        figures=report(
            expand("reports/figures/{figure}.{ext}", figure=FIGURES, ext=["svg", "png"]),
            caption="../report/figure.rst",
            category="Figures",
        ),
        context="build/context/tables/comparative-tables.json",
        bib="build/context/tables/comparative-tables.bib.json",
        article_context="build/context/article/review.json",
        article_bib="build/context/article/review.bib.json",
    params:
        tables_dir=lambda wildcards, output: os.path.dirname(output.csv[0]),
        figures_dir=lambda wildcards, output: os.path.dirname(output.figures[0]),
        organisation=config["organisation"],
        epoch=EPOCH,
    resources:
        mem_mb=1000,
    conda:
        SOFTWARE_ENV
    log:
        "logs/compute_tables/compute_tables.log",
    shell:
        """
        coopdocs tables \
            --bundle {input.bundle:q} \
            --tables-dir {params.tables_dir:q} \
            --figures-dir {params.figures_dir:q} \
            --context {output.context:q} \
            --bib {output.bib:q} \
            --config {input.config:q} \
            --article-context {output.article_context:q} \
            --article-bib {output.article_bib:q} \
            --organisation {params.organisation:q} \
            --epoch {params.epoch} \
            2> {log:q} || {{ cat {log:q} >&2; exit 1; }}
        """


rule render_tables:
    """Render the comparative-tables document's Markdown from its context."""
    input:
        unpack(after_checkpoints(context="build/context/tables/comparative-tables.json")),
        templates=cw.template_files(config["templates_dir"], config["tables_template"]),
    output:
        "build/md/tables/comparative-tables.md",
    params:
        templates=lambda wildcards, input: config["templates_dir"],
        template=config["tables_template"],
    conda:
        SOFTWARE_ENV
    log:
        "logs/render_tables/comparative-tables.log",
    shell:
        """
        coopdocs render \
            --context {input.context:q} \
            --templates {params.templates:q} \
            --template {params.template:q} \
            --out {output:q} \
            2> {log:q} || {{ cat {log:q} >&2; exit 1; }}
        """


rule render_article:
    """Render the review article's Markdown from its context (prose in the templates)."""
    input:
        unpack(after_checkpoints(context="build/context/article/review.json")),
        templates=cw.template_files(config["templates_dir"], config["article_template"]),
    output:
        "build/md/article/review.md",
    params:
        templates=lambda wildcards, input: config["templates_dir"],
        template=config["article_template"],
    conda:
        SOFTWARE_ENV
    log:
        "logs/render_article/review.log",
    shell:
        """
        coopdocs render \
            --context {input.context:q} \
            --templates {params.templates:q} \
            --template {params.template:q} \
            --out {output:q} \
            2> {log:q} || {{ cat {log:q} >&2; exit 1; }}
        """
