rule render_brief:
    """Render a brief's Markdown from its context and the Jinja templates."""
    input:
        unpack(
            after_checkpoints(
                context="build/context/briefs/{name}.json",
            )
        ),
        templates=cw.template_files(config["templates_dir"], config["brief_template"]),
    output:
        "build/md/{folder}/{name}.md",
    wildcard_constraints:
        folder="briefs",
    params:
        templates=lambda wildcards, input: config["templates_dir"],
        template=config["brief_template"],
    conda:
        SOFTWARE_ENV
    log:
        "logs/render_brief/{folder}-{name}.log",
    shell:
        """
        coopdocs render \
            --context {input.context:q} \
            --templates {params.templates:q} \
            --template {params.template:q} \
            --out {output:q} \
            2> {log:q} || {{ cat {log:q} >&2; exit 1; }}
        """
