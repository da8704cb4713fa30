# Conversions shared by every document: reports/<folder>/<name>.{docx,html,pdf}.


rule convert_docx:
    """Markdown to DOCX with pandoc (citeproc, the CSL style, the Word reference document)."""
    input:
        unpack(
            after_checkpoints(
                md="build/md/{folder}/{name}.md",
                bib="build/context/{folder}/{name}.bib.json",
                figures="reports/figures/{figure}.png",
            )
        ),
        csl=config["csl"],
        reference=config["reference_docx"],
        lua=config["figures_filter"],
        records_lua=config["records_filter"],
    output:
        "reports/{folder}/{name}.docx",
    params:
        epoch=EPOCH,
        figures_dir="reports/figures",
    conda:
        SOFTWARE_ENV
    log:
        "logs/convert_docx/{folder}-{name}.log",
    shell:
        """
        coopdocs convert --to docx \
            --input {input.md:q} \
            --output {output:q} \
            --bibliography {input.bib:q} \
            --csl {input.csl:q} \
            --reference-doc {input.reference:q} \
            --lua-filter {input.lua:q} \
            --lua-filter {input.records_lua:q} \
            --figures-dir {params.figures_dir:q} \
            --epoch {params.epoch} \
            2> {log:q} || {{ cat {log:q} >&2; exit 1; }}
        """


rule convert_html:
    """Markdown to standalone HTML with pandoc (citeproc, the house template, figures inline)."""
    input:
        unpack(
            after_checkpoints(
                md="build/md/{folder}/{name}.md",
                bib="build/context/{folder}/{name}.bib.json",
                figures="reports/figures/{figure}.svg",
            )
        ),
        csl=config["csl"],
        template=config["html_template"],
        lua=config["figures_filter"],
        records_lua=config["records_filter"],
    output:
        "reports/{folder}/{name}.html",
    params:
        epoch=EPOCH,
        figures_dir="reports/figures",
    conda:
        SOFTWARE_ENV
    log:
        "logs/convert_html/{folder}-{name}.log",
    shell:
        """
        coopdocs convert --to html \
            --input {input.md:q} \
            --output {output:q} \
            --bibliography {input.bib:q} \
            --csl {input.csl:q} \
            --template {input.template:q} \
            --lua-filter {input.lua:q} \
            --lua-filter {input.records_lua:q} \
            --figures-dir {params.figures_dir:q} \
            --epoch {params.epoch} \
            2> {log:q} || {{ cat {log:q} >&2; exit 1; }}
        """


rule convert_typst:
    """Markdown to Typst with pandoc (citeproc, the house Typst template)."""
    input:
        unpack(
            after_checkpoints(
                md="build/md/{folder}/{name}.md",
                bib="build/context/{folder}/{name}.bib.json",
            )
        ),
        csl=config["csl"],
        template=config["typst_template"],
        records_lua=config["records_filter"],
    output:
        "build/typst/{folder}/{name}.typ",
    params:
        epoch=EPOCH,
    conda:
        SOFTWARE_ENV
    log:
        "logs/convert_typst/{folder}-{name}.log",
    shell:
        """
        coopdocs convert --to typst \
            --input {input.md:q} \
            --output {output:q} \
            --bibliography {input.bib:q} \
            --csl {input.csl:q} \
            --template {input.template:q} \
            --lua-filter {input.records_lua:q} \
            --epoch {params.epoch} \
            2> {log:q} || {{ cat {log:q} >&2; exit 1; }}
        """


rule compile_pdf:
    """Typst to PDF/A-2b with the typst compiler, in an isolated build root holding the figures."""
    input:
        unpack(
            after_checkpoints(
                typ="build/typst/{folder}/{name}.typ",
                figures="reports/figures/{figure}.svg",
            )
        ),
    output:
        report(
            "reports/{folder}/{name}.pdf",
            caption="../report/document.rst",
            category="Documents",
            subcategory="{folder}",
        ),
    params:
        epoch=EPOCH,
        assets=lambda wildcards: " ".join(
            f"--asset reports/figures/{f}.svg" for f in document_figures(wildcards.folder, wildcards.name)
        ),
    conda:
        SOFTWARE_ENV
    log:
        "logs/compile_pdf/{folder}-{name}.log",
    shell:
        """
        coopdocs pdf \
            --input {input.typ:q} \
            --output {output:q} \
            {params.assets} \
            --epoch {params.epoch} \
            2> {log:q} || {{ cat {log:q} >&2; exit 1; }}
        """
