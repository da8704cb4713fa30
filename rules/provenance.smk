rule write_manifest:
    """List every output with hashes, records, sources and inputs; describe the run as an RO-Crate."""
    input:
        outputs=L.all_outputs(SLUGS),
        contexts=[d.context for d in DOCUMENTS],
        data=DATA_FILES,
        templates=L.template_files(config["templates_dir"]),
        code=L.code_files(workflow.basedir),
        config=L.CONFIG,
    output:
        manifest=L.MANIFEST,
        crate=L.CRATE,
    log:
        L.log("write_manifest"),
    conda:
        SOFTWARE_ENV
    shell:
        static(
            """
            coopdocs manifest \
                --config {input.config:q} \
                --epoch <<epoch>> \
                2> {log:q} || {{ cat {log:q} >&2; exit 1; }}
            """,
            epoch=EPOCH,
        )
