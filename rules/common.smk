# Parse-time helpers: targets and settings derived from the data and the config.
import sys

from coopdocs import workflow as cw

SLUGS = cw.brief_slugs(config["data_dir"])
DATA_FILES = cw.data_files(config["data_dir"])
TEMPLATE_FILES = cw.template_files(config["templates_dir"])
EPOCH = cw.build_epoch(workflow.basedir, config["source_date_epoch_fallback"])
# The project's own command, run by this interpreter (no reliance on PATH).
COOPDOCS = f"{sys.executable} -m coopdocs"
FORMATS = ["docx", "html", "pdf"]


wildcard_constraints:
    slug="|".join(SLUGS) if SLUGS else "(?!)",


def all_outputs():
    """Every final output of the build."""
    return expand("reports/briefs/{slug}.{fmt}", slug=SLUGS, fmt=FORMATS)


def brief_context(wildcards):
    """The context of one brief; resolved after prepare_data ran (content-based rebuilds)."""
    checkpoints.prepare_data.get()
    return {
        "context": f"build/context/brief-{wildcards.slug}.json",
        "bib": f"build/context/brief-{wildcards.slug}.bib.json",
    }
