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
EPOCH = cw.build_epoch(workflow.basedir, config["source_date_epoch_fallback"])
SOFTWARE_ENV = "../envs/coopdocs.yaml"
FORMATS = ["docx", "html", "pdf"]


wildcard_constraints:
    slug="|".join(SLUGS) if SLUGS else "(?!)",


def all_outputs():
    """Every final output of the build."""
    return expand("reports/briefs/{slug}.{fmt}", slug=SLUGS, fmt=FORMATS)


def after_prepare(**patterns):
    """Input function: ``patterns`` formatted with the job's wildcards, known after prepare_data.

    Every per-document rule takes its inputs through this, so Snakemake decides whether a job
    must run only after the checkpoint has written the contexts: a document whose context kept
    the same content (same checksum) is not rebuilt, and neither is anything downstream of it.
    """

    def inputs(wildcards):
        checkpoints.prepare_data.get()
        return {name: pattern.format(**wildcards) for name, pattern in patterns.items()}

    return inputs
