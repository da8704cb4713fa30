# Parse-time settings. Names and paths of every output come from coopdocs.layout (L), the rest
# from coopdocs.workflow: helpers (cw) and the fenced patches of Snakemake's internals.
import coopdocs
from coopdocs import layout as L
from coopdocs.workflow import commands
from coopdocs.workflow import helpers as cw
from coopdocs.workflow import patches


envvars:
    "PATH",


cw.interpreter_first_on_path()  # jobs run `coopdocs` of this interpreter (or of --sdm conda's env)
patches.apply()  # only for the pinned Snakemake; docs/performance.md says what each buys
coopdocs.freeze_heap_at_exit()  # no last full garbage collection at exit (0.2-0.3 s of every run)

# A broken datapackage.json stops here with validation's one-line messages (not a traceback).
cw.descriptor_or_exit(config["data_dir"])
cw.templates_or_exit(config)  # template names inside templates_dir, each file there
SLUGS = L.brief_slugs(config["data_dir"])
# The comparative tables of this data (a role's table only where the data has its rows).
TABLE_IDS = L.table_ids(config["data_dir"])
DOCUMENTS = L.documents(SLUGS)
BRIEFS = [d for d in DOCUMENTS if d.kind is L.BRIEF]
TABLES_DOCUMENT = L.Document(L.TABLES_DOCUMENT, L.TABLES_DOCUMENT.name)
ARTICLE = L.Document(L.ARTICLE, L.ARTICLE.name)
DATA_FILES = L.data_files(config["data_dir"])
# The words the program writes into documents, workbooks and figures (coopdocs.load.strings).
STRINGS_FILE = L.strings_file(config["templates_dir"], config.get("language"))
EPOCH = cw.build_epoch(workflow.basedir, config["source_date_epoch_fallback"], config)
SOFTWARE_ENV = "../envs/coopdocs.yaml"
HEAVY = cw.HeavyJobs.for_data(DATA_FILES, cw.local_cores(workflow))
# Resources: every rule declares mem_mb (MB for the whole job, including the Snakemake process
# that runs it on a cluster node; cw.mem_mb, a function of the job's input size measured by
# benchmarks/memory.py) and runtime (minutes of wall time), besides its threads. Locally
# they only bound concurrency (--resources); through profiles/slurm they are each job's SLURM
# request (--mem, --time, --cpus-per-task), checked on a real SLURM by tests/cluster.
# The code and libraries every job runs: a parameter of every rule (a code change reruns them).
CODE_VERSION = cw.code_version()


wildcard_constraints:
    folder=cw.one_of([k.folder for k in L.KINDS]),
    name="[a-z0-9]+(-[a-z0-9]+)*",


def document_outputs(folder, name="{name}"):
    """The files one document's job(s) write; the PDF goes into Snakemake's report."""
    files = L.document_files(folder, name)
    caption = "../report/document.rst"
    return dict(
        files, pdf=report(files["pdf"], caption=caption, category="Documents", subcategory=folder)
    )


def after_checkpoints(folder, **patterns):
    return cw.after_checkpoints(checkpoints, folder, **patterns)


def kind_template(wildcards):
    return cw.kind_template(config, wildcards.folder)


def kind_template_name(wildcards):
    return config[L.KIND_BY_FOLDER[wildcards.folder].template]


def kind_template_files(wildcards):
    return cw.kind_template_files(config, wildcards.folder)
