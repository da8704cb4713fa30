# One job per document: Markdown, DOCX, HTML, Typst and PDF (coopdocs.render.publish). One job instead of
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
    --jinja-cache build/cache/jinja \
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
            context="build/context/briefs/{wildcards.name}.json",
            bib="build/context/briefs/{wildcards.name}.bib.json",
            writers="{threads}",
            epoch=EPOCH,
        )


# The comparative-tables document and the review article are long: reading their Markdown and
# resolving citations is ~0.8 s on one core, the writers and the PDF ~0.8 s on two. Two jobs
# each, so that the reading starts as soon as the context is there, beside a brief, instead of
# waiting for two free cores (one-record edit: 3.46 -> 3.28 s; docs/performance.md).
AGGREGATES = "tables|article"
AGGREGATE_OUTPUTS = document_outputs("{folder}")


rule read_document:
    """The Markdown of the tables document or the article, and its JSON AST with citations resolved.

    Only the sections whose Markdown changed since the last build go through pandoc's reader;
    the others come from build/cache/sections (a cache: deleting it costs one slower read;
    coopdocs.render.sections).
    """
    input:
        unpack(
            after_checkpoints(
                None,
                context="build/context/{folder}/{name}.json",
                bib="build/context/{folder}/{name}.bib.json",
            )
        ),
        csl=config["csl"],
        template=aggregate_template,
        templates=aggregate_template_files,
    output:
        md=AGGREGATE_OUTPUTS["md"],
        ast=AGGREGATE_OUTPUTS["ast"],
    wildcard_constraints:
        folder=AGGREGATES,
    threads: READ_THREADS
    priority: 10
    resources:
        mem_mb=1000,
    conda:
        SOFTWARE_ENV
    log:
        "logs/read/{folder}-{name}.log",
    shell:
        static(
            """
            coopdocs publish --stage read \
                --context build/context/{wildcards.folder}/{wildcards.name}.json \
                --bibliography build/context/{wildcards.folder}/{wildcards.name}.bib.json \
                --templates <<templates>> \
                --template {input.template:q} \
                --csl {input.csl:q} \
                --md {output.md:q} --ast {output.ast:q} \
                --jinja-cache build/cache/jinja \
                --sections-cache build/cache/sections/{wildcards.folder}/{wildcards.name} \
                --withdraw <<withdraw>> \
                --epoch <<epoch>> \
                2> {log:q} || {{ cat {log:q} >&2; exit 1; }}
            """,
            templates=config["templates_dir"],
            epoch=EPOCH,
            # publish_document's outputs, removed before the read: a failed read must not leave
            # documents made from the old AST that a later build calls current (issue 19).
            withdraw=["build/typst/{wildcards.folder}/{wildcards.name}.typ"]
            + [f"reports/{{wildcards.folder}}/{{wildcards.name}}.{fmt}" for fmt in FORMATS],
        )


rule publish_document:
    """DOCX, HTML and PDF/A of the tables document or the article, from its AST.

    It goes first (priority). In a small build it has two threads (its pandoc writers and the
    PDF run side by side) beside the briefs; in a large one it runs alone, one writer at a time
    (LARGE_BUILD in rules/common.smk: memory).
    """
    input:
        unpack(
            after_checkpoints(
                None,
                figures="reports/figures/{figure}.svg",
                pngs="reports/figures/{figure}.png",
            )
        ),
        md=AGGREGATE_OUTPUTS["md"],
        ast=AGGREGATE_OUTPUTS["ast"],
        **{k: v for k, v in STYLE_INPUTS.items() if k != "csl"},
    output:
        **{k: v for k, v in AGGREGATE_OUTPUTS.items() if k not in ("md", "ast")},
    wildcard_constraints:
        folder=AGGREGATES,
    threads: AGGREGATE_THREADS
    priority: 10
    resources:
        mem_mb=1000,
    conda:
        SOFTWARE_ENV
    log:
        "logs/publish/{folder}-{name}.log",
    shell:
        static(
            """
            coopdocs publish --stage write \
                --md {input.md:q} --ast {input.ast:q} \
                --reference-doc {input.reference:q} \
                --html-template {input.html_template:q} \
                --typst-template {input.typst_template:q} \
                --figures-filter {input.figures_lua:q} \
                --records-filter {input.records_lua:q} \
                --figures-dir reports/figures \
                <<figures>> \
                --typ {output.typ:q} --docx {output.docx:q} --html {output.html:q} --pdf {output.pdf:q} \
                --parallel <<writers>> \
                --epoch <<epoch>> \
                2> {log:q} || {{ cat {log:q} >&2; exit 1; }}
            """,
            figures=["--figures"] + [f"reports/figures/{f}.svg" for f in OVERVIEW_FIGURES],
            writers=AGGREGATE_WRITERS,
            epoch=EPOCH,
        )
