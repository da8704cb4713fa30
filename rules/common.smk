# Parse-time helpers: targets and settings derived from the data and the config.
import os
import re
import shlex
import sys

import coopdocs
from coopdocs.workflow import helpers as cw
from snakemake.exceptions import WorkflowError


envvars:
    "PATH",


# Jobs run `coopdocs` from the interpreter that runs Snakemake (the project's .venv), unless a
# rule's conda environment (--sdm conda) puts its own first on PATH.
os.environ["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])

# One pending scheduler re-evaluation at a time (see coopdocs.workflow.helpers.single_rate_limit_timer):
# without this the Snakemake main process spent 53 of a 200-state build's 246 CPU-seconds looping.
cw.single_rate_limit_timer()
# Input sizes measured once per file, not once per scheduling pass (coopdocs.workflow.helpers).
cw.cached_input_sizes()
# No last full garbage collection when Snakemake exits (0.2-0.3 s of every run; coopdocs/__init__.py).
coopdocs.freeze_heap_at_exit()

SLUGS = cw.brief_slugs(config["data_dir"])
DATA_FILES = cw.data_files(config["data_dir"])
TEMPLATE_FILES = cw.template_files(config["templates_dir"])
# The words the program writes into documents, workbooks and figures (coopdocs.load.strings).
STRINGS_FILE = os.path.join(config["templates_dir"], "strings.yaml")
CODE_FILES = cw.code_files(workflow.basedir)
EPOCH = cw.build_epoch(workflow.basedir, config["source_date_epoch_fallback"])
SOFTWARE_ENV = "../envs/coopdocs.yaml"
DOCUMENT_TEMPLATES = {"briefs": config["brief_template"], "tables": config["tables_template"], "article": config["article_template"]}
FORMATS = ["docx", "html", "pdf"]
TABLE_IDS = cw.TABLE_IDS
# Overview figures (compute_tables, matplotlib) and one timeline per brief (drawn by its own job).
OVERVIEW_FIGURES = ["timeline", "themes-by-state"]


def local_cores():
    """The cores of a local run; 1 on a cluster run, where every job has a node of its own."""
    try:
        return workflow.cores
    except WorkflowError:  # no --cores: a cluster executor (Snakemake sets 1 later)
        return 1


# A build of much data is "large": its aggregate jobs hold a whole data set in memory
# (compute_tables every record, ~290 MB at 1,000 states; the tables document and the article a
# pandoc of ~240 MB), so each of them takes every local core and runs alone, its pandoc writers
# one after another. The build's memory peak is then Snakemake plus the largest job, not
# Snakemake plus a heavy job plus two briefs (1,000 states: 726 MB before; docs/performance.md),
# for ~10 s of a core left idle. A small build keeps them beside the briefs, with two writers.
# Decided by the bytes of the data's tables, which those jobs' memory follows (the number of
# briefs did not: at 50 states serialising cost a third of the build for memory never needed).
# 2 MB is ~130 synthetic states (15 KB each; the real data is 190 KB for 5). Measured without
# serialising: 50 states 431 MB PSS (0.86 MB of data), 200 states 496 MB (3.1 MB) and no faster
# than serialised (0.757 x the floor against 0.73 x), so the line lies between them.
LARGE_DATA_BYTES = 2 * 1024 * 1024
LARGE_BUILD = sum(os.path.getsize(f) for f in DATA_FILES if os.path.isfile(f)) > LARGE_DATA_BYTES
# Threads of compute_tables, and of the tables document's and the article's jobs (reading; writing).
TABLES_THREADS = local_cores() if LARGE_BUILD else 1
READ_THREADS = local_cores() if LARGE_BUILD else 1
# A large build runs compute_tables first, alone, before the briefs.
TABLES_PRIORITY = 20 if LARGE_BUILD else 0
AGGREGATE_THREADS = local_cores() if LARGE_BUILD else 2
# pandoc writers at once in the tables document's and the article's jobs.
AGGREGATE_WRITERS = "1" if LARGE_BUILD else "{threads}"
FIGURES = OVERVIEW_FIGURES + [f"timeline-{slug}" for slug in SLUGS]


wildcard_constraints:
    slug="|".join(SLUGS) if SLUGS else "(?!)",
    folder="briefs|tables|article",
    name="[a-z0-9]+(-[a-z0-9]+)*",


def static(command, **values):
    """``command`` with each ``<<name>>`` replaced by the shell-quoted ``values[name]``, at parse time.

    A list value becomes its items, each quoted, separated by spaces.

    Settings known when the workflow is parsed (the build epoch, folders from the config) are put
    into the command text instead of ``params:``. Snakemake's "code" rerun trigger compares the
    command text, so a changed value still reruns the jobs; and with no ``params`` at all
    Snakemake does not import pandas (0.3 s of every run) to compare them.
    """

    def value(match):
        value = values[match.group(1)]
        if isinstance(value, (list, tuple)):
            return " ".join(shlex.quote(str(v)) for v in value)
        return shlex.quote(str(value))

    return re.sub(r"<<(\w+)>>", value, command)


def documents():
    """Every document as (folder, name): the briefs, the comparative tables, the review article."""
    return [("briefs", slug) for slug in SLUGS] + [("tables", "comparative-tables"), ("article", "review")]


def all_outputs():
    """Every final output of the build."""
    docs = [f"reports/{folder}/{name}.{fmt}" for folder, name in documents() for fmt in FORMATS]
    tables = expand("reports/tables/{table}.{ext}", table=TABLE_IDS, ext=["csv", "xlsx"])
    figures = expand("reports/figures/{figure}.{ext}", figure=FIGURES, ext=["svg", "png"])
    return docs + tables + figures


def document_outputs(folder, name="{name}"):
    """The files one document job writes (intermediates under build/, documents under reports/)."""
    return dict(
        md=f"build/md/{folder}/{name}.md",
        ast=f"build/ast/{folder}/{name}.json",
        typ=f"build/typst/{folder}/{name}.typ",
        docx=f"reports/{folder}/{name}.docx",
        html=f"reports/{folder}/{name}.html",
        pdf=report(
            f"reports/{folder}/{name}.pdf",
            caption="../report/document.rst",
            category="Documents",
            subcategory=folder,
        ),
    )


def after_checkpoints(folder, **patterns):
    """Input function: ``patterns`` formatted with the job's wildcards, known after the checkpoints.

    Every document job takes its inputs through this, so Snakemake decides whether a job must
    run only after the checkpoints it depends on have (re)written their outputs: a document whose
    context, bibliography and figures kept the same content (same checksum) is not rebuilt. A
    brief depends on prepare_data only (its figure is drawn by its own job), so briefs start as
    soon as the data is validated; the tables document and the article also wait for
    compute_tables. A pattern containing ``{figure}`` expands to the overview figures the
    document shows (none for a brief). ``folder`` None: the job's ``{folder}`` wildcard.
    """

    def inputs(wildcards):
        cw.checkpoint_done(checkpoints, "prepare_data")
        brief = (folder or wildcards.folder) == "briefs"
        if not brief:
            cw.checkpoint_done(checkpoints, "compute_tables")
        out = {}
        for key, pattern in patterns.items():
            if "{figure}" in pattern:
                out[key] = [] if brief else [pattern.format(figure=f) for f in OVERVIEW_FIGURES]
            else:
                out[key] = pattern.format(**wildcards)
        return out

    return inputs


def aggregate_template(wildcards):
    """The Jinja template of the tables document or the article (by the job's folder)."""
    return os.path.join(config["templates_dir"], DOCUMENT_TEMPLATES[wildcards.folder])


def aggregate_template_files(wildcards):
    """The template and the partials the tables document's or the article's Markdown is rendered from."""
    return cw.template_files(config["templates_dir"], DOCUMENT_TEMPLATES[wildcards.folder])
