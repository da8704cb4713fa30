checkpoint compute_tables:
    """Compute the comparative tables (CSV, XLSX), the overview figures and the contexts of the
    tables document and the article from the data bundle.

    One job for all of them: openpyxl and matplotlib are imported once, and only when a workbook
    or figure changed (build/cache/tables). A checkpoint, so that a figure or context whose bytes
    did not change does not rebuild the documents that show it.
    """
    input:
        bundle="build/data/bundle.json",
        config="config/config.yaml",
        strings=STRINGS_FILE,
    output:
        csv=report(
            expand("reports/tables/{table}.csv", table=TABLE_IDS),
            caption="../report/table.rst",
            category="Tables",
        ),
        xlsx=expand("reports/tables/{table}.xlsx", table=TABLE_IDS),
        figures=report(
            expand("reports/figures/{figure}.{ext}", figure=OVERVIEW_FIGURES, ext=["svg", "png"]),
            caption="../report/figure.rst",
            category="Figures",
        ),
        context="build/context/tables/comparative-tables.json",
        bib="build/context/tables/comparative-tables.bib.json",
        article_context="build/context/article/review.json",
        article_bib="build/context/article/review.bib.json",
    threads: TABLES_THREADS
    priority: TABLES_PRIORITY
    resources:
        mem_mb=1000,
    conda:
        SOFTWARE_ENV
    log:
        "logs/compute_tables/compute_tables.log",
    shell:
        static(
            """
            coopdocs tables \
                --bundle {input.bundle:q} \
                --tables-dir reports/tables \
                --figures-dir reports/figures \
                --context {output.context:q} \
                --bib {output.bib:q} \
                --config {input.config:q} \
                --article-context {output.article_context:q} \
                --article-bib {output.article_bib:q} \
                --strings {input.strings:q} \
                --cache-dir build/cache/tables \
                --epoch <<epoch>> \
                2> {log:q} || {{ cat {log:q} >&2; exit 1; }}
            """,
            epoch=EPOCH,
        )
