# coopdocs workflow: data/ -> validated contexts -> Markdown -> DOCX, HTML, Typst -> PDF.
# This file is a table of contents: the rules live in rules/, the logic in src/coopdocs/, and
# every output's name and path in src/coopdocs/layout.py.
from snakemake.utils import min_version, validate

from coopdocs import layout as L

min_version("9.0")


configfile: L.CONFIG


validate(config, L.SCHEMA)


report: "report/workflow.rst"


include: "rules/common.smk"
include: "rules/prepare.smk"
include: "rules/tables.smk"
include: "rules/convert.smk"
include: "rules/provenance.smk"


rule all:
    """Every report: briefs and the comparative tables (DOCX, HTML, PDF), tables (CSV, XLSX), figures."""
    input:
        L.all_outputs(SLUGS),
        L.MANIFEST,
    default_target: True
