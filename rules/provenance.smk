rule write_manifest:
    """List every output with hashes, records, sources and inputs; describe the run as an RO-Crate."""
    input:
        outputs=L.all_outputs(SLUGS),
        contexts=[d.context for d in DOCUMENTS],
        # Every file the manifest lists with its hash: data, config, workflow, code, locks, templates.
        inputs=L.common_inputs(config, workflow.basedir),
        templates=L.template_files(config["templates_dir"]),
        config=L.CONFIG,
    output:
        manifest=L.MANIFEST,
        crate=L.CRATE,
    log:
        L.log("write_manifest"),
    conda:
        SOFTWARE_ENV
    # 413 MB (Snakemake and the job) at 1,000 states (docs/performance.md), 9 s.
    resources:
        mem_mb=1000,
        runtime=15,
    shell:
        static(
            """
            coopdocs manifest \
                --config {input.config:q} \
                --data-dir <<data>> \
                --epoch <<epoch>> \
                2> {log:q} || {{ cat {log:q} >&2; exit 1; }}
            """,
            data=config["data_dir"],
            epoch=EPOCH,
        )
