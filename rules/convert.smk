# One job per document: Markdown, DOCX, HTML, Typst and PDF (coopdocs.publish). One job instead of
# five per document keeps the workflow's own cost near the bare tools' (docs/performance.md).

# The context and bibliography (inputs known only after the checkpoints, see after_checkpoints)
# are named by their paths, not as {input.context}: `snakemake -n` formats the command of every
# job before the checkpoints have run, when those inputs are not known yet.
PUBLISH = """
coopdocs publish \
    --context <<context>> \
    --bibliography <<bib>> \
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
    --parallel <<writers>> \
    --epoch <<epoch>> \
    2> {log:q} || {{ cat {log:q} >&2; exit 1; }}
"""

OVERVIEW_FIGURE_ARGS = "--figures " + " ".join(shlex.quote(f"reports/figures/{f}.svg") for f in OVERVIEW_FIGURES)

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
            context="build/context/briefs/{wildcards.name}.json",
            bib="build/context/briefs/{wildcards.name}.bib.json",
            writers="{threads}",
            epoch=EPOCH,
        )


rule publish_tables:
    """The comparative-tables document: Markdown, DOCX, HTML and PDF/A.

    It goes first (priority). In a small build it has two threads (its pandoc writers and the
    PDF run side by side) beside the briefs; in a large one it runs alone, one writer at a time
    (LARGE_BUILD in rules/common.smk: memory).
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
            PUBLISH.replace("<<extra>>", OVERVIEW_FIGURE_ARGS),
            templates=config["templates_dir"],
            template=config["tables_template"],
            context="build/context/tables/comparative-tables.json",
            bib="build/context/tables/comparative-tables.bib.json",
            writers=AGGREGATE_WRITERS,
            epoch=EPOCH,
        )


rule publish_article:
    """The review article: Markdown, DOCX, HTML and PDF/A.

    It goes first (priority). In a small build it has two threads (its pandoc writers and the
    PDF run side by side) beside the briefs; in a large one it runs alone, one writer at a time
    (LARGE_BUILD in rules/common.smk: memory).
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
            PUBLISH.replace("<<extra>>", OVERVIEW_FIGURE_ARGS),
            templates=config["templates_dir"],
            template=config["article_template"],
            context="build/context/article/review.json",
            bib="build/context/article/review.bib.json",
            writers=AGGREGATE_WRITERS,
            epoch=EPOCH,
        )
