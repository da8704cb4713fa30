# coopdocs workflow: data/ -> validated contexts -> Markdown -> DOCX, HTML, Typst -> PDF.
# This file is a table of contents: the rules live in rules/, the logic in src/coopdocs/, and
# every output's name and path in src/coopdocs/layout.py.
import os

from snakemake.utils import min_version

from coopdocs import layout as L
from coopdocs.workflow import helpers as cw
from coopdocs.workflow import stamp

min_version("9.0")


configfile: L.CONFIG


# snakemake.utils.validate, or its result for the same configuration and schema (a cache).
cw.validate_config(config, os.path.join(workflow.basedir, L.SCHEMA))


report: "report/workflow.rst"


# The build stamp (coopdocs.workflow.stamp): `coopdocs build` says "nothing to be done" without
# Snakemake when nothing changed since the last successful full build. The job graph's files come
# from here (written at exit, for `coopdocs build` only), and a run that starts jobs removes the
# stamp first, so a raw `snakemake` that changes anything (or fails) leaves none behind.
stamp.record_dag_at_exit(workflow)


onstart:
    stamp.invalidate()


include: "rules/common.smk"
include: "rules/prepare.smk"
include: "rules/tables.smk"
include: "rules/convert.smk"
include: "rules/provenance.smk"


# Every report: briefs, the comparative tables and the article (DOCX, HTML, PDF), tables (CSV,
# XLSX), figures, the manifest. (A comment, not a docstring: snakefmt 2.1 puts default_target
# before a docstring, which it then cannot parse.)
rule all:
    default_target: True
    input:
        L.all_outputs(SLUGS, TABLE_IDS),
        L.MANIFEST,
        L.CLAIMS_REGISTER,
