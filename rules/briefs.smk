rule render_brief:
    """Render a brief's Markdown from its context and the Jinja templates."""
    input:
        unpack(
            after_prepare(
                context="build/context/brief-{slug}.json",
                bib="build/context/brief-{slug}.bib.json",
            )
        ),
        templates=TEMPLATE_FILES,
    output:
        "build/md/brief-{slug}.md",
    params:
        templates=lambda wildcards, input: config["templates_dir"],
        template=config["brief_template"],
    conda:
        SOFTWARE_ENV
    log:
        "logs/render_brief/{slug}.log",
    shell:
        """
        coopdocs render \
            --context {input.context:q} \
            --templates {params.templates:q} \
            --template {params.template:q} \
            --out {output:q} \
            2> {log:q} || {{ cat {log:q} >&2; exit 1; }}
        """


rule convert_docx:
    """Markdown to DOCX with pandoc (citeproc, the CSL style, the Word reference document)."""
    input:
        unpack(
            after_prepare(
                md="build/md/brief-{slug}.md",
                bib="build/context/brief-{slug}.bib.json",
            )
        ),
        csl=config["csl"],
        reference=config["reference_docx"],
    output:
        "reports/briefs/{slug}.docx",
    params:
        epoch=EPOCH,
    conda:
        SOFTWARE_ENV
    log:
        "logs/convert_docx/{slug}.log",
    shell:
        """
        coopdocs convert --to docx \
            --input {input.md:q} \
            --output {output:q} \
            --bibliography {input.bib:q} \
            --csl {input.csl:q} \
            --reference-doc {input.reference:q} \
            --epoch {params.epoch} \
            2> {log:q} || {{ cat {log:q} >&2; exit 1; }}
        """


rule convert_html:
    """Markdown to standalone HTML with pandoc (citeproc, the house template)."""
    input:
        unpack(
            after_prepare(
                md="build/md/brief-{slug}.md",
                bib="build/context/brief-{slug}.bib.json",
            )
        ),
        csl=config["csl"],
        template=config["html_template"],
    output:
        "reports/briefs/{slug}.html",
    params:
        epoch=EPOCH,
    conda:
        SOFTWARE_ENV
    log:
        "logs/convert_html/{slug}.log",
    shell:
        """
        coopdocs convert --to html \
            --input {input.md:q} \
            --output {output:q} \
            --bibliography {input.bib:q} \
            --csl {input.csl:q} \
            --template {input.template:q} \
            --epoch {params.epoch} \
            2> {log:q} || {{ cat {log:q} >&2; exit 1; }}
        """


rule convert_typst:
    """Markdown to Typst with pandoc (citeproc, the house Typst template)."""
    input:
        unpack(
            after_prepare(
                md="build/md/brief-{slug}.md",
                bib="build/context/brief-{slug}.bib.json",
            )
        ),
        csl=config["csl"],
        template=config["typst_template"],
    output:
        "build/typst/brief-{slug}.typ",
    params:
        epoch=EPOCH,
    conda:
        SOFTWARE_ENV
    log:
        "logs/convert_typst/{slug}.log",
    shell:
        """
        coopdocs convert --to typst \
            --input {input.md:q} \
            --output {output:q} \
            --bibliography {input.bib:q} \
            --csl {input.csl:q} \
            --template {input.template:q} \
            --epoch {params.epoch} \
            2> {log:q} || {{ cat {log:q} >&2; exit 1; }}
        """


rule compile_pdf:
    """Typst to PDF/A-2b with the typst compiler, in an isolated build root."""
    input:
        unpack(after_prepare(typ="build/typst/brief-{slug}.typ")),
    output:
        "reports/briefs/{slug}.pdf",
    params:
        epoch=EPOCH,
    conda:
        SOFTWARE_ENV
    log:
        "logs/compile_pdf/{slug}.log",
    shell:
        """
        coopdocs pdf \
            --input {input.typ:q} \
            --output {output:q} \
            --epoch {params.epoch} \
            2> {log:q} || {{ cat {log:q} >&2; exit 1; }}
        """
