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
    conda:
        SOFTWARE_ENV
    log:
        "logs/write_manifest/write_manifest.log",
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
