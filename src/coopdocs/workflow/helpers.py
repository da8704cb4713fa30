"""What the Snakefile computes at parse time besides names and paths (those are coopdocs.layout).

The build date, where jobs find ``coopdocs``, the threads of the heavy jobs and the input
functions that wait for the checkpoints (command lines built from the config are
:mod:`coopdocs.workflow.commands`). Snakemake's internals are only touched in
:mod:`coopdocs.workflow.patches`.

Only the standard library (and Snakemake, already loaded at parse time) is used: the Snakefile
is parsed once per run (and once per job on a cluster), so this must stay cheap. Full
validation happens in the ``prepare_data`` rule.
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from coopdocs import layout
from coopdocs.tools.builddate import BuildInfoError, source_date_epoch
from coopdocs.workflow.patches import checkpoint_done


def descriptor_or_exit(data_dir: str | Path) -> dict:
    """The data package's descriptor; a broken one stops the workflow with validation's one-line messages.

    Called before the layout reads the descriptor for targets (coopdocs.layout.brief_slugs,
    data_files), so that a malformed datapackage.json is reported as validation reports it, not
    as a traceback pointing into rules/common.smk.
    """
    # Not from coopdocs.load.datapackage: that imports every check of the tables (glyphs, cells,
    # notes...), ~20 ms of every Snakemake run that only needs the descriptor's.
    from coopdocs.load.descriptor import load_descriptor
    from coopdocs.load.problems import DataError

    try:
        return load_descriptor(Path(data_dir) / "datapackage.json")
    except DataError as exc:
        sys.exit(
            "\n".join(map(str, exc.problems))
            + "\ncoopdocs: the data package's descriptor is broken; nothing was built."
        )


def validate_config(config: dict, schema: str | Path) -> None:
    """Check ``config`` against ``schema`` as ``snakemake.utils.validate`` does (JSON Schema, the
    schema's defaults filled in, in place), or replay the same check from build/cache/config.

    jsonschema's import and the check are ~0.15 s of every Snakemake run, a third of a no-op's own
    work. The cache's key is the configuration as given (``--config`` overrides included), the
    schema's bytes and the versions of Snakemake and jsonschema; its entry is the configuration
    the check produced. Only a configuration that passed is kept, so an invalid one always meets
    the real check and its message. ``schema``: an absolute path (no Snakefile frame here).
    """
    from coopdocs.tools.cache import Store, digest

    try:
        given = json.dumps(config, ensure_ascii=False)
    except (TypeError, ValueError):  # a value JSON cannot hold (a YAML date): check it each time
        given = None
    key = None
    if given is not None:
        key = digest(given, Path(schema).read_bytes(), libraries=["snakemake", "jsonschema"])
        checked = Store(Path(layout.CONFIG_CACHE)).get(key)
        if checked is not None:
            config.clear()
            config.update(json.loads(checked))
            return
    from snakemake.utils import validate

    validate(config, str(schema))
    content = json.dumps(config, ensure_ascii=False) if key is not None else None
    # Kept only when JSON gives back exactly this configuration (types and key order).
    if content is not None and json.loads(content) == config:
        Store(Path(layout.CONFIG_CACHE)).put(key, content.encode("utf-8"))


def templates_or_exit(config: dict) -> None:
    """Stop the workflow, one line each, when a document template the config names is not a file
    inside ``templates_dir`` (coopdocs.load.settings.template_problems)."""
    from coopdocs.load.settings import template_problems

    problems = template_problems(config)
    if problems:
        sys.exit(
            "\n".join(problems) + "\ncoopdocs: fix the templates in the config; nothing was built."
        )


def build_epoch(root: str | Path, fallback: int, config: dict | None = None) -> int:
    """SOURCE_DATE_EPOCH for this build (coopdocs.tools.builddate: the last commit that changed the
    build's inputs, ``config`` saying where the data and templates are); exits with a clear
    message when it is invalid."""
    try:
        return source_date_epoch(Path(root), fallback, config=config)
    except BuildInfoError as exc:
        sys.exit(f"coopdocs: {exc}")


def interpreter_first_on_path() -> None:
    """Put the folder of the running interpreter first on ``PATH``, for the jobs' shell commands.

    Jobs run ``coopdocs`` from the environment that runs Snakemake (the project's .venv, also when
    ``.venv/bin/snakemake`` is called without activating it), unless a rule's conda environment
    (``--sdm conda``) puts its own first. The Snakefile declares ``envvars: "PATH"`` so that a
    cluster job gets the same.
    """
    os.environ["PATH"] = os.pathsep.join(
        [os.path.dirname(sys.executable), os.environ.get("PATH", "")]
    )


def one_of(names: list[str]) -> str:
    """A wildcard constraint matching exactly ``names`` (nothing when there are none)."""
    return "|".join(names) if names else "(?!)"


def local_cores(workflow) -> int:
    """The cores of a local run; 1 on a cluster run, where every job has a node of its own.

    A cluster job's own Snakemake (on the node, started with ``--cores all``) counts 1 as well:
    the job's threads are its SLURM request (``--cpus-per-task``), set by the Snakemake that
    submitted it, and the node's Snakemake asks ``srun`` for as many threads as it counts itself,
    which SLURM refuses when they exceed the request ("More processors requested than
    permitted": a large build on the node of tools/slurm-local.sh, which does not confine a job
    to its CPUs).
    """
    from snakemake.exceptions import WorkflowError

    if not workflow.is_main_process:
        return 1
    try:
        return workflow.cores
    except WorkflowError:  # no --cores: a cluster executor (Snakemake sets 1 later)
        return 1


# 2 MB of tables is ~130 synthetic states (15 KB each; the real data is 190 KB for 5).
LARGE_DATA_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class HeavyJobs:
    """Threads and order of the jobs that hold a whole data set in memory.

    compute_tables holds every record (~290 MB at 1,000 states); reading the tables document
    and the article is a pandoc of ~240 MB. In a large build each of them takes every local core
    and runs alone, its pandoc writers one after another: the build's memory peak is then
    Snakemake plus the largest job, not Snakemake plus a heavy job plus two briefs (1,000 states:
    726 MB before; docs/performance.md), for ~10 s of a core left idle; compute_tables runs
    first. A small build keeps them beside the briefs, with two writers.

    A build is large by the bytes of the data's tables, which those jobs' memory follows (the
    number of briefs did not: at 50 states serialising cost a third of the build for memory
    never needed). Measured without serialising: 50 states 431 MB PSS (0.86 MB of data), 200
    states 496 MB (3.1 MB) and no faster than serialised (0.757 x the floor against 0.73 x), so
    the line (:data:`LARGE_DATA_BYTES`) lies between them.
    """

    large: bool
    threads: int  # compute_tables, and reading the tables document and the article
    priority: int  # of compute_tables
    write_threads: int  # writing the tables document and the article
    writers: str  # pandoc writers at once in those jobs (a number, or "{threads}")

    @classmethod
    def for_data(cls, data_files: list[str], cores: int) -> HeavyJobs:
        large = sum(os.path.getsize(f) for f in data_files if os.path.isfile(f)) > LARGE_DATA_BYTES
        if large:
            return cls(True, threads=cores, priority=20, write_threads=cores, writers="1")
        return cls(False, threads=1, priority=0, write_threads=2, writers="{threads}")


@dataclass(frozen=True)
class JobMemory:
    """A rule's memory model, in MB: what a job's processes use at their peak (summed RSS).

    ``base`` + ``per_input_mb`` × the MB of the job's inputs + ``per_text_kb`` × the KB of the
    longest text in its context (a cell that becomes one paragraph: pandoc's reader needs
    ~6 MB per KB of a long record mark, docs/performance.md).
    """

    base: float
    per_input_mb: float
    per_text_kb: float = 0.0

    def declare(self, input_mb: float, text_kb: float = 0.0) -> int:
        """The mem_mb to declare: the model with :data:`MEMORY_MARGIN`, plus the Snakemake process
        that runs the job on a cluster node (:data:`SNAKEMAKE_MB`), rounded up to 50 MB."""
        peak = self.base + self.per_input_mb * input_mb + self.per_text_kb * text_kb
        return 50 * math.ceil((SNAKEMAKE_MB + MEMORY_MARGIN * peak) / 50)


# Fitted over every job measured by benchmarks/memory.py (the real data; 5 synthetic states with
# 2,000 and 5,000 events; a 127 KB cell in a project and in an event), each line above every
# measured peak; docs/performance.md, "Memory as declared", has the figures. compute_tables'
# slope is the one figure not measured there: its peak stayed at ~180 MB from the real data to
# 5,000 events, and 10 MB per MB covers the 272 MB measured at 1,000 states.
JOB_MEMORY = {
    "prepare_data": JobMemory(base=25, per_input_mb=15),
    "compute_tables": JobMemory(base=180, per_input_mb=10),
    "publish_brief": JobMemory(base=210, per_input_mb=170, per_text_kb=6),
    "read_document": JobMemory(base=220, per_input_mb=120, per_text_kb=6),
    "publish_document": JobMemory(base=230, per_input_mb=180),
    "write_manifest": JobMemory(base=25, per_input_mb=1),
}
# Snakemake's own process: 130 MB with the real data and with 5,000 events, ~200 MB at 1,000 states.
SNAKEMAKE_MB = 200
# Over the fitted line: /proc sampled every 0.05 s can miss a short peak, and other data shape
# their documents differently.
MEMORY_MARGIN = 1.25


def longest_text_kb(path: str | Path) -> float:
    """The KB (UTF-8) of the longest string in the JSON file ``path`` (a job's context)."""
    longest, todo = 0, [json.loads(Path(path).read_text(encoding="utf-8"))]
    while todo:
        value = todo.pop()
        if isinstance(value, str):
            longest = max(longest, len(value.encode("utf-8")))
        elif isinstance(value, dict):
            todo.extend(value.values())
        elif isinstance(value, list):
            todo.extend(value)
    return longest / 1024


def _refuse_inside_event_loop() -> None:
    """Raise Snakemake's NestedCoroutineError when called inside a running event loop.

    Snakemake evaluates resources once while it builds the DAG, inside its event loop, where
    ``input.size_mb`` cannot run: it creates a coroutine, fails, and Snakemake marks the resource
    "to be determined" and evaluates it again when the job is ready. The coroutine it created is
    never awaited, and Python prints "RuntimeWarning: coroutine ... was never awaited" on every
    run. Raising the same error before any coroutine exists gives Snakemake the same outcome
    without the warning.
    """
    import asyncio

    if asyncio.events._get_running_loop() is not None:
        from snakemake.exceptions import NestedCoroutineError

        raise NestedCoroutineError("input sizes are read when the job is ready")


def mem_mb(rule: str):
    """The ``mem_mb`` resource of ``rule``: a function of the job's inputs (:data:`JOB_MEMORY`).

    Snakemake calls it once the job's inputs exist (after the checkpoints), so the request
    follows the data: more rows make larger contexts, Markdown and ASTs, and a long cell a long
    paragraph, and with them the memory of pandoc and Typst.
    """
    model = JOB_MEMORY[rule]

    def declared(wildcards, input) -> int:
        _refuse_inside_event_loop()
        context = getattr(input, "context", None) if model.per_text_kb else None
        text_kb = longest_text_kb(context) if context and os.path.isfile(context) else 0.0
        return model.declare(input.size_mb, text_kb)

    return declared


def code_version(package: str | Path | None = None) -> str:
    """What decides a job's outputs besides its input files: a digest of the package's source
    (``package``, this installed coopdocs by default) and of the versions of its runtime libraries.

    Every rule passes it as a parameter, so Snakemake's params trigger reruns the jobs after the
    code or a locked library changed: the rules' inputs are data, config and templates, and a
    change to the code alone used to leave documents made by the old code marked current.
    """
    import importlib.metadata

    import coopdocs
    from coopdocs.tools.cache import digest

    root = Path(package) if package is not None else Path(coopdocs.__file__).parent
    sources = sorted(root.rglob("*.py"))
    try:
        requires = importlib.metadata.requires("coopdocs") or []
    except importlib.metadata.PackageNotFoundError:
        requires = []
    libraries = sorted(
        re.split(r"[\s<>=!~;\[]", req, maxsplit=1)[0] for req in requires if "extra ==" not in req
    )
    # Read here, not through digest's code files, which it reads once per process.
    parts = [part for p in sources for part in (p.relative_to(root).as_posix(), p.read_bytes())]
    return digest(*parts, libraries=libraries)


def after_checkpoints(checkpoints, folder: str | None, **patterns: str):
    """Input function: ``patterns`` formatted with the job's wildcards, known after the checkpoints.

    Every document job takes its inputs through this, so Snakemake decides whether a job must
    run only after the checkpoints it depends on have (re)written their outputs: a document whose
    context, bibliography and figures kept the same content (same checksum) is not rebuilt. A
    brief depends on prepare_data only (its figure is drawn by its own job), so briefs start as
    soon as the data is validated; the tables document and the article also wait for
    compute_tables. A pattern containing ``{figure}`` expands to the overview figures the
    document's kind shows (none for a brief). ``folder`` None: the job's ``{folder}`` wildcard.
    ``checkpoints`` is the Snakefile's object.
    """

    def inputs(wildcards) -> dict[str, str | list[str]]:
        kind = layout.KIND_BY_FOLDER[folder or wildcards.folder]
        checkpoint_done(checkpoints, "prepare_data")
        if kind is not layout.BRIEF:
            checkpoint_done(checkpoints, "compute_tables")
        out: dict[str, str | list[str]] = {}
        for key, pattern in patterns.items():
            if "{figure}" in pattern:
                out[key] = [pattern.format(figure=f) for f in kind.figures]
            else:
                out[key] = pattern.format(**wildcards)
        return out

    return inputs


def checkpoint_outputs(checkpoint, wildcards, *names: str) -> dict[str, str]:
    """Input function body: the outputs ``names`` of ``checkpoint``'s job with these wildcards.

    Until that job has run, Snakemake's "incomplete checkpoint" signal (from ``get``): the
    consuming job is then examined only after it, with the checksums of what it wrote.
    """
    job = checkpoint.get(**dict(wildcards.items()))
    return {name: getattr(job.output, name) for name in names}


def withdrawn_stash(folder: str, name: str) -> str:
    """``build/cache/withdrawn/<folder>/<name>``: where a long document's read job keeps the
    documents made from the previous AST while it reads (coopdocs.render.publish.withdraw)."""
    return f"{layout.CACHE}/withdrawn/{folder}/{name}"


def kind_template(settings: dict, folder: str) -> str:
    """The path of the Jinja template of a document kind (by its folder)."""
    return os.path.join(settings["templates_dir"], settings[layout.KIND_BY_FOLDER[folder].template])


def kind_template_files(settings: dict, folder: str) -> list[str]:
    """The template and the partials a document kind's Markdown is rendered from."""
    return layout.template_files(
        settings["templates_dir"],
        settings[layout.KIND_BY_FOLDER[folder].template],
        language=settings.get("language"),
    )


def folder_holding(key: str, name=None, which: str = "output"):
    """Params function: the folder that holds the job's ``which.key`` files.

    With ``name`` (or a function of the job's wildcards giving it), the folder of the file of
    ``which.key`` that is ``<folder>/<name>`` (a file name inside the folder, e.g. the template
    named in the config, or ``datapackage.json``); without, the folder of the first file. A
    folder passed to a command is then derived from the files the rule declares, not written
    beside them: where an executor stages a job's files elsewhere (no shared file system), the
    folder moves with them (Snakemake's linter asks for this).

    >>> folder = folder_holding("csv")
    >>> folder(None, input={}, output={"csv": ["reports/tables/a.csv", "reports/tables/b.csv"]})
    'reports/tables'
    >>> folder_holding("templates", "brief.md.j2", "input")(
    ...     None, input={"templates": ["tpl/partials/x.md.j2", "tpl/brief.md.j2"]}, output={})
    'tpl'
    """

    def folder(wildcards, input, output) -> str:
        wanted = name(wildcards) if callable(name) else name
        files = (input if which == "input" else output)[key]
        files = [files] if isinstance(files, (str, os.PathLike)) else list(files)
        if wanted is None:
            return os.path.dirname(files[0]) or "."
        for path in map(str, files):
            if path == wanted:
                return "."
            if path.endswith("/" + wanted):
                return path[: -len(wanted) - 1]
        raise ValueError(f"none of the job's {which}.{key} files is {wanted!r} in a folder")

    return folder
