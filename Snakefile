# coopdocs workflow: data/ -> validated contexts -> Markdown -> DOCX, HTML, Typst -> PDF.
# This file is a table of contents; the rules live in rules/, the logic in src/coopdocs/.
from snakemake.utils import min_version, validate

min_version("9.0")


configfile: "config/config.yaml"


validate(config, "config/schema.yaml")


report: "report/workflow.rst"


include: "rules/common.smk"
include: "rules/prepare.smk"
include: "rules/tables.smk"
include: "rules/convert.smk"
include: "rules/provenance.smk"


rule all:
    """Every report: briefs and the comparative tables (DOCX, HTML, PDF), tables (CSV, XLSX), figures."""
    input:
        all_outputs(),
        "reports/manifest.json",
    default_target: True
