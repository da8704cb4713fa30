# coopdocs workflow: data/ -> validated contexts -> Markdown -> DOCX, HTML, Typst -> PDF.
# This file is a table of contents; the rules live in rules/, the logic in src/coopdocs/.
from snakemake.utils import min_version, validate

min_version("9.0")


configfile: "config/config.yaml"


validate(config, "config/schema.yaml")


include: "rules/common.smk"
include: "rules/prepare.smk"
include: "rules/briefs.smk"


rule all:
    """Every report: the country briefs in DOCX, HTML and PDF."""
    input:
        all_outputs(),
    default_target: True
