# Parse-time helpers: targets and settings derived from the data and the config.
import os
import sys

from coopdocs import workflow as cw


envvars:
    "PATH",


# Jobs run `coopdocs` from the interpreter that runs Snakemake (the project's .venv), unless a
# rule's conda environment (--sdm conda) puts its own first on PATH.
os.environ["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])

SLUGS = cw.brief_slugs(config["data_dir"])
DATA_FILES = cw.data_files(config["data_dir"])
TEMPLATE_FILES = cw.template_files(config["templates_dir"])
CODE_FILES = cw.code_files(workflow.basedir)
EPOCH = cw.build_epoch(workflow.basedir, config["source_date_epoch_fallback"])
SOFTWARE_ENV = "../envs/coopdocs.yaml"
FORMATS = ["docx", "html", "pdf"]
TABLE_IDS = cw.TABLE_IDS
FIGURES = ["timeline", "themes-by-state"] + [f"timeline-{slug}" for slug in SLUGS]


wildcard_constraints:
    slug="|".join(SLUGS) if SLUGS else "(?!)",
    folder="briefs|tables|article",
    name="[a-z0-9]+(-[a-z0-9]+)*",


def documents():
    """Every document as (folder, name): the briefs, the comparative tables, the review article."""
    return [("briefs", slug) for slug in SLUGS] + [("tables", "comparative-tables"), ("article", "review")]


def all_outputs():
    """Every final output of the build."""
    docs = [f"reports/{folder}/{name}.{fmt}" for folder, name in documents() for fmt in FORMATS]
    tables = expand("reports/tables/{table}.{ext}", table=TABLE_IDS, ext=["csv", "xlsx"])
    figures = expand("reports/figures/{figure}.{ext}", figure=FIGURES, ext=["svg", "png"])
    return docs + tables + figures


def document_figures(folder, name):
    """Names of the figures a document shows."""
    if folder == "briefs":
        return [f"timeline-{name}"]
    return ["timeline", "themes-by-state"]


def after_checkpoints(**patterns):
    """Input function: ``patterns`` formatted with the job's wildcards, known after the checkpoints.

    Every per-document rule takes its inputs through this, so Snakemake decides whether a job
    must run only after prepare_data and compute_tables have (re)written their outputs: a
    document whose context, bibliography and figures kept the same content (same checksum) is
    not rebuilt, and neither is anything downstream of it. A pattern ending in ``{figures}``
    expands to the document's figure files with that suffix.
    """

    def inputs(wildcards):
        checkpoints.prepare_data.get()
        checkpoints.compute_tables.get()
        out = {}
        for key, pattern in patterns.items():
            if "{figure}" in pattern:
                out[key] = [pattern.format(figure=f) for f in document_figures(wildcards.folder, wildcards.name)]
            else:
                out[key] = pattern.format(**wildcards)
        return out

    return inputs
