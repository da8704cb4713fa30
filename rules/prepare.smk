checkpoint prepare_data:
    """Validate every table, then write the data bundle and one context per brief.

    A checkpoint, so that Snakemake re-examines the documents after it ran: a context whose
    content did not change (same checksum) does not rebuild its document.
    """
    input:
        descriptor=DATA_FILES[0],
        tables=DATA_FILES[1:],
    output:
        bundle="build/data/bundle.json",
        contexts=expand("build/context/briefs/{slug}.json", slug=SLUGS),
        bibs=expand("build/context/briefs/{slug}.bib.json", slug=SLUGS),
    params:
        data=lambda wildcards, input: os.path.dirname(input.descriptor),
        contexts=lambda wildcards, output: os.path.dirname(os.path.dirname(output.contexts[0])),
        organisation=config["organisation"],
        epoch=EPOCH,
    conda:
        SOFTWARE_ENV
    log:
        "logs/prepare_data/prepare_data.log",
    shell:
        """
        coopdocs prepare \
            --data {params.data:q} \
            --bundle {output.bundle:q} \
            --contexts {params.contexts:q} \
            --organisation {params.organisation:q} \
            --epoch {params.epoch} \
            2> {log:q} || {{ cat {log:q} >&2; exit 1; }}
        """
