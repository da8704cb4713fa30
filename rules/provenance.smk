rule write_manifest:
    """List every output with hashes, records, sources and inputs; describe the run as an RO-Crate;
    write the register of computed claims first, so that the manifest lists it."""
    input:
        outputs=L.all_outputs(SLUGS, TABLE_IDS),
        contexts=[d.context for d in DOCUMENTS],
        # Every file the manifest lists with its hash: data, config, workflow, code, locks, templates.
        inputs=L.common_inputs(config, workflow.basedir),
        templates=L.template_files(config["templates_dir"], language=config.get("language")),
        config=L.CONFIG,
    output:
        manifest=L.MANIFEST,
        crate=L.CRATE,
        # The register of computed claims, from the contexts (listed by the manifest).
        register=L.CLAIMS_REGISTER,
    log:
        L.log("write_manifest"),
    conda:
        SOFTWARE_ENV
    resources:
        mem_mb=cw.mem_mb("write_manifest"),
        runtime=15,
    # 9 s at 1,000 states; memory follows the input size (cw.mem_mb, docs/performance.md).
    params:
        # Reruns the job when the code or a library changed (cw.code_version).
        code=CODE_VERSION,
        data=cw.folder_holding("inputs", "datapackage.json", "input"),
        epoch=EPOCH,
    shell:
        """
        coopdocs manifest \
            --config {input.config:q} \
            --data-dir {params.data:q} \
            --epoch {params.epoch} \
            2> {log:q} || {{ cat {log:q} >&2; exit 1; }}
        """
