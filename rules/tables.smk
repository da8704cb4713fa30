checkpoint compute_tables:
    """Compute the comparative tables (CSV, XLSX), the overview figures and the contexts of the
    tables document and the article from the data bundle.

    One job for all of them: openpyxl and matplotlib are imported once, and only when a workbook
    or figure changed (build/cache/tables). A checkpoint, so that a figure or context whose bytes
    did not change does not rebuild the documents that show it.
    """
    input:
        bundle=L.BUNDLE,
        config=L.CONFIG,
        strings=STRINGS_FILE,
    output:
        csv=report(
            L.table_outputs("csv", TABLE_IDS),
            caption="../report/table.rst",
            category="Tables",
        ),
        xlsx=L.table_outputs("xlsx", TABLE_IDS),
        figures=report(
            [L.figure_output(f, fmt) for f in L.OVERVIEW_FIGURES for fmt in L.FIGURE_FORMATS],
            caption="../report/figure.rst",
            category="Figures",
        ),
        context=TABLES_DOCUMENT.context,
        bib=TABLES_DOCUMENT.bibliography,
        article_context=ARTICLE.context,
        article_bib=ARTICLE.bibliography,
    log:
        L.log("compute_tables"),
    priority: HEAVY.priority
    conda:
        SOFTWARE_ENV
    threads: HEAVY.threads
    resources:
        mem_mb=cw.mem_mb("compute_tables"),
        runtime=15,
    params:
        # Reruns the job when the code or a library changed (cw.code_version).
        code=CODE_VERSION,
        tables_dir=cw.folder_holding("csv"),
        figures_dir=cw.folder_holding("figures"),
        cache_dir=L.TABLES_CACHE,
        epoch=EPOCH,
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
            --strings {input.strings:q} \
            --cache-dir {params.cache_dir:q} \
            --epoch {params.epoch} \
            2> {log:q} || {{ cat {log:q} >&2; exit 1; }}
        """
