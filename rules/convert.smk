# One job per brief: Markdown, DOCX, HTML, Typst and PDF (coopdocs.render.publish). One job instead
# of five per document keeps the workflow's own cost near the bare tools' (docs/performance.md).

# The context and bibliography (inputs known only after the checkpoints, see after_checkpoints)
# are named by their paths (params), not as {input.context}: `snakemake -n` formats the command
# of every job before the checkpoints have run, when those inputs are not known yet.
PUBLISH = """
coopdocs publish \
    --context {params.context:q} \
    --bibliography {params.bib:q} \
    --templates {params.templates:q} \
    --template {params.template:q} \
    --csl {input.csl:q} \
    --reference-doc {input.reference_docx:q} \
    --html-template {input.html_template:q} \
    --typst-template {input.typst_template:q} \
    --figures-filter {input.figures_filter:q} \
    --records-filter {input.records_filter:q} \
    --figures-dir {params.figures_dir:q} \
    --md {output.md:q} --ast {output.ast:q} --typ {output.typ:q} \
    --docx {output.docx:q} --html {output.html:q} --pdf {output.pdf:q} \
    --timeline-template {input.timeline_template:q} --timeline-svg {output.svg:q} --timeline-png {output.png:q} \
    --parallel {threads} \
    --jinja-cache {params.jinja_cache:q} \
    --epoch {params.epoch} \
    2> {log:q} || {{ cat {log:q} >&2; exit 1; }}
"""


rule publish_brief:
    """A country brief: its Markdown, its timeline figure (Typst), DOCX, HTML and PDF/A."""
    input:
        unpack(
            after_checkpoints(
                L.BRIEF.folder,
                context=L.context(L.BRIEF.folder, "{name}"),
                bib=L.bibliography(L.BRIEF.folder, "{name}"),
            )
        ),
        **L.style_files(config, L.read_styles(L.BRIEF) + L.write_styles()),
        templates=L.template_files(
            config["templates_dir"], config[L.BRIEF.template], language=config.get("language")
        ),
    output:
        **document_outputs(L.BRIEF.folder),
        svg=L.figure_output(L.timeline_figure("{name}"), "svg"),
        png=L.figure_output(L.timeline_figure("{name}"), "png"),
    log:
        L.log("publish", L.BRIEF.folder, "{name}"),
    wildcard_constraints:
        name=cw.one_of(SLUGS),
    conda:
        SOFTWARE_ENV
    threads: 1
    # About 1 s per brief on the real data (docs/performance.md): 10 minutes is a wide margin that
    # still lets a SLURM scheduler backfill the briefs into short gaps.
    resources:
        mem_mb=cw.mem_mb("publish_brief"),
        runtime=10,
    params:
        # Reruns the job when the code or a library changed (cw.code_version).
        code=CODE_VERSION,
        context=L.context(L.BRIEF.folder, "{name}"),
        bib=L.bibliography(L.BRIEF.folder, "{name}"),
        templates=cw.folder_holding("templates", config[L.BRIEF.template], "input"),
        template=config[L.BRIEF.template],
        figures_dir=cw.folder_holding("svg"),
        jinja_cache=L.JINJA_CACHE,
        epoch=EPOCH,
    shell:
        PUBLISH


# The comparative-tables document and the review article are long: reading their Markdown and
# resolving citations is ~0.8 s on one core, the writers and the PDF ~0.8 s on two. Two jobs
# each, so that the reading starts as soon as the context is there, beside a brief, instead of
# waiting for two free cores (one-record edit: 3.46 -> 3.28 s; docs/performance.md).
SPLIT = cw.one_of(L.SPLIT_FOLDERS)
SPLIT_OUTPUTS = document_outputs("{folder}")


checkpoint read_document:
    """The Markdown of the tables document or the article, and its JSON AST with citations resolved.

    Only the sections whose Markdown changed since the last build go through pandoc's reader;
    the others come from build/cache/sections (a cache: deleting it costs one slower read;
    coopdocs.render.sections), and an unchanged document costs no pandoc run at all. A
    checkpoint, so that Snakemake re-examines publish_document after it ran: when the AST kept
    its bytes (an edit of a record the document does not print), the documents made from it are
    put back (coopdocs.render.reuse: only when made from exactly what the write would read now)
    and not written again.
    """
    input:
        unpack(
            after_checkpoints(
                None,
                context=L.context("{folder}", "{name}"),
                bib=L.bibliography("{folder}", "{name}"),
            )
        ),
        **L.style_files(config, L.READ_STYLES),
        template=kind_template,
        templates=kind_template_files,
    output:
        md=SPLIT_OUTPUTS["md"],
        ast=SPLIT_OUTPUTS["ast"],
    log:
        L.log("read", "{folder}", "{name}"),
    wildcard_constraints:
        folder=SPLIT,
    priority: 10
    conda:
        SOFTWARE_ENV
    threads: HEAVY.threads
    resources:
        mem_mb=cw.mem_mb("read_document"),
        runtime=15,
    params:
        # Reruns the job when the code or a library changed (cw.code_version).
        code=CODE_VERSION,
        context=L.context("{folder}", "{name}"),
        bib=L.bibliography("{folder}", "{name}"),
        templates=cw.folder_holding("templates", kind_template_name, "input"),
        jinja_cache=L.JINJA_CACHE,
        sections_cache=L.sections_cache("{folder}", "{name}"),
        stash=cw.withdrawn_stash("{folder}", "{name}"),
        epoch=EPOCH,
        # publish_document's outputs, removed before the read: a failed read must not leave
        # documents made from the old AST that a later build calls current (issue 19).
        withdraw=[L.typ("{folder}", "{name}")]
        + [L.output("{folder}", "{name}", f) for f in L.FORMATS],
    shell:
        """
        coopdocs publish --stage read \
            --context {params.context:q} \
            --bibliography {params.bib:q} \
            --templates {params.templates:q} \
            --template {input.template:q} \
            --csl {input.csl:q} \
            --md {output.md:q} --ast {output.ast:q} \
            --jinja-cache {params.jinja_cache:q} \
            --sections-cache {params.sections_cache:q} \
            --withdraw {params.withdraw:q} \
            --stash {params.stash:q} --code-version {params.code:q} \
            --epoch {params.epoch} \
            2> {log:q} || {{ cat {log:q} >&2; exit 1; }}
        """


rule publish_document:
    """DOCX, HTML and PDF/A of the tables document or the article, from its AST.

    It goes first (priority). In a small build it has two threads (its pandoc writers and the
    PDF run side by side) beside the briefs; in a large one it runs alone, one writer at a time
    (coopdocs.workflow.helpers.HeavyJobs: memory).
    """
    input:
        unpack(
            after_checkpoints(
                None,
                figures=L.figure_output("{figure}", "svg"),
                pngs=L.figure_output("{figure}", "png"),
            )
        ),
        # The Markdown and AST, known once read_document (a checkpoint) has run.
        unpack(lambda w: cw.checkpoint_outputs(checkpoints.read_document, w, "md", "ast")),
        **L.style_files(config, L.write_styles()),
    output:
        **{k: v for k, v in SPLIT_OUTPUTS.items() if k not in ("md", "ast")},
    log:
        L.log("publish", "{folder}", "{name}"),
    wildcard_constraints:
        folder=SPLIT,
    priority: 10
    conda:
        SOFTWARE_ENV
    threads: HEAVY.write_threads
    resources:
        mem_mb=cw.mem_mb("publish_document"),
        runtime=15,
    params:
        # Reruns the job when the code or a library changed (cw.code_version).
        code=CODE_VERSION,
        figures_dir=L.FIGURES_DIR,
        # Named by path, like the contexts above; both long documents show the overview figures.
        figures=[L.figure_output(f, "svg") for f in L.OVERVIEW_FIGURES],
        # pandoc writers at once: all the job's threads in a small build, one in a large one.
        writers=lambda wildcards, threads: HEAVY.writers.format(threads=threads),
        stash=cw.withdrawn_stash("{folder}", "{name}"),
        # The read job's outputs, inputs known only after that checkpoint: by path (see above).
        md=SPLIT_OUTPUTS["md"],
        ast=SPLIT_OUTPUTS["ast"],
        epoch=EPOCH,
    shell:
        """
        coopdocs publish --stage write \
            --md {params.md:q} --ast {params.ast:q} \
            --reference-doc {input.reference_docx:q} \
            --html-template {input.html_template:q} \
            --typst-template {input.typst_template:q} \
            --figures-filter {input.figures_filter:q} \
            --records-filter {input.records_filter:q} \
            --figures-dir {params.figures_dir:q} \
            --figures {params.figures:q} \
            --typ {output.typ:q} --docx {output.docx:q} --html {output.html:q} --pdf {output.pdf:q} \
            --parallel {params.writers} \
            --stash {params.stash:q} --code-version {params.code:q} \
            --epoch {params.epoch} \
            2> {log:q} || {{ cat {log:q} >&2; exit 1; }}
        """
