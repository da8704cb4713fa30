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
        bundle="build/data/bundle.json",
        contexts=expand("build/context/briefs/{slug}.json", slug=SLUGS),
        bibs=expand("build/context/briefs/{slug}.bib.json", slug=SLUGS),
    conda:
        SOFTWARE_ENV
    log:
        "logs/prepare_data/prepare_data.log",
    shell:
        static(
            """
            coopdocs prepare \
                --data <<data>> \
                --bundle {output.bundle:q} \
                --contexts build/context \
                --strings {input.strings:q} \
                --organisation <<organisation>> \
                --union <<union>> \
                --union-body <<union_body>> \
                --epoch <<epoch>> \
                2> {log:q} || {{ cat {log:q} >&2; exit 1; }}
            """,
            data=config["data_dir"],
            organisation=config["organisation"],
            union=config.get("union") or "",
            union_body=config.get("union_body") or "",
            epoch=EPOCH,
        )
