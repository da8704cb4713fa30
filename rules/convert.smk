# One job per document: Markdown, DOCX, HTML, Typst and PDF (coopdocs.publish). One job instead of
# five per document keeps the workflow's own cost near the bare tools' (docs/performance.md).

PUBLISH = """
coopdocs publish \
    --context {input.context:q} \
    --bibliography {input.bib:q} \
    --templates <<templates>> \
    --template <<template>> \
    --csl {input.csl:q} \
    --reference-doc {input.reference:q} \
    --html-template {input.html_template:q} \
    --typst-template {input.typst_template:q} \
    --figures-filter {input.figures_lua:q} \
    --records-filter {input.records_lua:q} \
    --figures-dir reports/figures \
    --md {output.md:q} --ast {output.ast:q} --typ {output.typ:q} \
    --docx {output.docx:q} --html {output.html:q} --pdf {output.pdf:q} \
    <<extra>> \
    --parallel {threads} \
    --epoch <<epoch>> \
    2> {log:q} || {{ cat {log:q} >&2; exit 1; }}
"""

STYLE_INPUTS = dict(
    csl=config["csl"],
    reference=config["reference_docx"],
    html_template=config["html_template"],
    typst_template=config["typst_template"],
    figures_lua=config["figures_filter"],
    records_lua=config["records_filter"],
)


rule publish_brief:
    """A country brief: its Markdown, its timeline figure (Typst), DOCX, HTML and PDF/A."""
    input:
        unpack(
            after_checkpoints(
                "briefs",
                context="build/context/briefs/{name}.json",
                bib="build/context/briefs/{name}.bib.json",
            )
        ),
        **STYLE_INPUTS,
        templates=cw.template_files(config["templates_dir"], config["brief_template"]),
        timeline=config["timeline_template"],
    output:
        **document_outputs("briefs"),
        svg="reports/figures/timeline-{name}.svg",
        png="reports/figures/timeline-{name}.png",
    wildcard_constraints:
        name="|".join(SLUGS) if SLUGS else "(?!)",
    threads: 1
    resources:
        mem_mb=400,
    conda:
        SOFTWARE_ENV
    log:
        "logs/publish/briefs-{name}.log",
    shell:
        static(
            PUBLISH.replace(
                "<<extra>>",
                "--timeline-template {input.timeline:q} --timeline-svg {output.svg:q} --timeline-png {output.png:q}",
            ),
            templates=config["templates_dir"],
            template=config["brief_template"],
            epoch=EPOCH,
        )


rule publish_tables:
    """The comparative-tables document: Markdown, The comparative-tables documentX, HTML and PDF/A.

    It goes first (priority) so that it runs beside the briefs. Two threads (its pandoc writers
    and the PDF run side by side) only when there are few briefs to overlap with: with many, the
    scheduler held a two-thread job back until both cores were free, i.e. after the last brief,
    and its single-threaded Markdown reading then left a core idle (measured at 200 states).
    """
    input:
        unpack(
            after_checkpoints(
                "tables",
                context="build/context/tables/comparative-tables.json",
                bib="build/context/tables/comparative-tables.bib.json",
                figures="reports/figures/{figure}.svg",
                pngs="reports/figures/{figure}.png",
            )
        ),
        **STYLE_INPUTS,
        templates=cw.template_files(config["templates_dir"], config["tables_template"]),
    output:
        **document_outputs("tables", "comparative-tables"),
    threads: AGGREGATE_THREADS
    priority: 10
    resources:
        mem_mb=1000,
    conda:
        SOFTWARE_ENV
    log:
        "logs/publish/tables-comparative-tables.log",
    shell:
        static(
            PUBLISH.replace("<<extra>>", "--figures {input.figures:q}"),
            templates=config["templates_dir"],
            template=config["tables_template"],
            epoch=EPOCH,
        )


rule publish_article:
    """The review article: Markdown, The review articleX, HTML and PDF/A.

    It goes first (priority) so that it runs beside the briefs. Two threads (its pandoc writers
    and the PDF run side by side) only when there are few briefs to overlap with: with many, the
    scheduler held a two-thread job back until both cores were free, i.e. after the last brief,
    and its single-threaded Markdown reading then left a core idle (measured at 200 states).
    """
    input:
        unpack(
            after_checkpoints(
                "article",
                context="build/context/article/review.json",
                bib="build/context/article/review.bib.json",
                figures="reports/figures/{figure}.svg",
                pngs="reports/figures/{figure}.png",
            )
        ),
        **STYLE_INPUTS,
        templates=cw.template_files(config["templates_dir"], config["article_template"]),
    output:
        **document_outputs("article", "review"),
    threads: AGGREGATE_THREADS
    priority: 10
    resources:
        mem_mb=1000,
    conda:
        SOFTWARE_ENV
    log:
        "logs/publish/article-review.log",
    shell:
        static(
            PUBLISH.replace("<<extra>>", "--figures {input.figures:q}"),
            templates=config["templates_dir"],
            template=config["article_template"],
            epoch=EPOCH,
        )
