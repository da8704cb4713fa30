checkpoint prepare_data:
    """Validate every table, then write the data bundle and one context per brief.

    A checkpoint, so that Snakemake re-examines the documents after it ran: a context whose
    content did not change (same checksum) does not rebuild its document.
    """
    input:
        descriptor=DATA_FILES[0],
        tables=DATA_FILES[1:],
        strings=STRINGS_FILE,
    output:
        bundle=L.BUNDLE,
        contexts=[d.context for d in BRIEFS],
        bibs=[d.bibliography for d in BRIEFS],
    log:
        L.log("prepare_data"),
    conda:
        SOFTWARE_ENV
    resources:
        mem_mb=cw.mem_mb("prepare_data"),
        runtime=15,
    # 7 s at 1,000 states; memory follows the input size (cw.mem_mb, docs/performance.md).
    params:
        # Reruns the job when the code or a library changed (cw.code_version).
        code=CODE_VERSION,
        # The whole command line from the config (coopdocs.workflow.commands, as the tests and
        # benchmarks run it); a function, so that no config value is read as a wildcard.
        args=lambda wildcards: commands.prepare_args(config, EPOCH, strings=STRINGS_FILE),
    shell:
        "coopdocs {params.args:q} 2> {log:q} || {{ cat {log:q} >&2; exit 1; }}"
