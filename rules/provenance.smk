rule write_manifest:
    """List every output with hashes, records, sources and inputs; describe the run as an RO-Crate."""
    input:
        outputs=all_outputs(),
        contexts=[f"build/context/{folder}/{name}.json" for folder, name in documents()],
        data=DATA_FILES,
        templates=TEMPLATE_FILES,
        code=CODE_FILES,
        config="config/config.yaml",
    output:
        manifest="reports/manifest.json",
        crate="reports/ro-crate-metadata.json",
    # 413 MB (Snakemake and the job) at 1,000 states (docs/performance.md), 9 s.
    resources:
        mem_mb=1000,
        runtime=15,
    conda:
        SOFTWARE_ENV
    log:
        "logs/write_manifest/write_manifest.log",
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
