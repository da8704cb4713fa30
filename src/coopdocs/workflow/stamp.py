"""The build stamp: a no-op ``coopdocs build`` decided without starting Snakemake.

Why: a no-op build is Snakemake's import (1 s on a loaded 2-core machine) plus its job graph,
about 10 ms per state (every brief's job is built twice because of the two checkpoints), so 11 s
at 1,000 states; neither can be made cheap inside Snakemake (docs/performance.md, issue 35). The
stamp records the state in which a plain full Snakemake build last succeeded, so that the next
``coopdocs build`` can compare that state with the present one and, when nothing differs, say
"nothing to be done" without Snakemake. Anything else runs Snakemake exactly as before.

The one rule: the fast path must never skip a build Snakemake would run. So the stamp holds
everything Snakemake's decision depends on, and the comparison is strict (any difference, any
doubt, any error: Snakemake decides):

- the *key*: this format, the cores as given and the processor count (the cores bound
  a job's threads, which a rule's params may read), the code version the rules pass to every job
  (:func:`coopdocs.workflow.helpers.code_version`), Python and Snakemake, the environment (all of
  it but a few per-shell variables, :data:`VOLATILE_ENV`), the build date the rules compute
  (:func:`coopdocs.tools.builddate.source_date_epoch`: how a new commit reaches the documents),
  HEAD and the data's last commit (what the documents print), and the working directory;
- the *sources*: size, mtime_ns, inode and SHA-256 of every file of what a build reads
  (:data:`coopdocs.tools.revision.BUILD_FILES`, the data and templates folders the config names)
  and of every input of the job graph that no job writes;
- the *outputs*: size, mtime_ns and inode of every output of the job graph, and of every file of
  Snakemake's own records (``.snakemake/metadata``, ``.snakemake/incomplete``).

The files of the job graph come from Snakemake itself: when ``coopdocs build`` runs Snakemake it
names a file in :data:`DAG_ENV`, and the Snakefile's exit hook (:func:`record_dag_at_exit`) writes
the graph's inputs and outputs there. Only a plain full build (no targets; only ``--cores``,
``--jobs``, ``--quiet``, ``--printshellcmds``, ``--keep-going``: :func:`plain_build`) writes or
uses the stamp. Every run of Snakemake removes it before any job starts (``coopdocs build``
itself, and the Snakefile's ``onstart``, for a raw ``snakemake``), so a failed, interrupted,
partial or forced run leaves none. The stamp is written only when the sources read after the run
equal those read before it, and every output written since the run began still has the
modification time Snakemake recorded when its job ended (one changed during the run after its job:
no stamp).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

STAMP = Path(".snakemake") / "coopdocs-stamp.json"
# Where the Snakefile's exit hook writes the job graph's files, named by ``coopdocs build``.
DAG_ENV = "COOPDOCS_STAMP_DAG"
FORMAT = 1
# Snakemake's own records: a change to them (a cleaned or rewritten record, an "incomplete"
# mark) can change its decision.
RECORDS = (Path(".snakemake") / "metadata", Path(".snakemake") / "incomplete")
# Per-shell variables that no build reads; every other variable is part of the key.
VOLATILE_ENV = frozenset(
    {"_", "PWD", "OLDPWD", "SHLVL", "TERM", "COLUMNS", "LINES", "PS1", "PS2", "WINDOWID", DAG_ENV}
)
# Options that change neither what Snakemake decides nor what it builds (how many jobs run at
# once, what it prints); a command with any other option or a target is not a plain build.
CORES_OPTIONS = frozenset({"--cores", "-c", "--jobs", "-j"})
FLAG_OPTIONS = frozenset({"--printshellcmds", "-p", "--keep-going", "-k"})
QUIET_OPTIONS = frozenset({"--quiet", "-q"})
QUIET_VALUES = frozenset({"all", "host", "progress", "rules", "reason"})
NOTHING_TO_BE_DONE = "Nothing to be done (all requested files are present and up to date)."


def plain_build(args: list[str]) -> bool:
    """Whether Snakemake's ``args`` ask for the plain full build: no target, and no option but
    the cores (a number or ``all``), ``--quiet`` (with its values), ``-p`` and ``-k``.

    >>> plain_build(["--cores", "2", "--quiet"]), plain_build(["-c2"]), plain_build([])
    (True, True, True)
    >>> plain_build(["--cores", "2", "reports"]), plain_build(["-n"]), plain_build(["--quiet", "x"])
    (False, False, False)
    """
    i = 0
    while i < len(args):
        name, eq, value = args[i].partition("=")
        if name in CORES_OPTIONS or (name[:2] in {"-c", "-j"} and not name.startswith("--")):
            if name not in CORES_OPTIONS:  # -c2, -j4
                value, eq = name[2:], "="
            elif not eq and i + 1 < len(args) and not args[i + 1].startswith("-"):
                value, eq, i = args[i + 1], "=", i + 1
            if eq and not (value.isdigit() or value == "all"):
                return False
        elif name in QUIET_OPTIONS and not eq:
            while i + 1 < len(args) and args[i + 1] in QUIET_VALUES:
                i += 1
        elif args[i] not in FLAG_OPTIONS:
            return False
        i += 1
    return True


def cores_args(args: list[str]) -> list[str]:
    """The words of a plain build's ``args`` that may change Snakemake's decision: all but
    ``--quiet`` (and its values), ``-p`` and ``-k``, which change only what it prints.

    >>> cores_args(["--cores", "2", "--quiet", "rules", "-p"]), cores_args(["-q", "-c2"])
    (['--cores', '2'], ['-c2'])
    """
    out, quiet = [], False
    for word in args:
        quiet = (quiet and word in QUIET_VALUES) or word in QUIET_OPTIONS
        if not quiet and word not in FLAG_OPTIONS:
            out.append(word)
    return out


# --------------------------------------------------------------------------------- the state


def _config(root: Path) -> dict:
    """The project's settings with the schema's defaults, as the workflow reads them (unchecked:
    a config the schema refuses makes Snakemake fail, never the stamp decide)."""
    from coopdocs.tools.config import load_config

    return load_config(root, validate=False)


def build_key(root: Path, args: list[str], environ: dict[str, str] | None = None) -> dict:
    """What Snakemake's decision depends on besides the files (see the module's docstring), for
    Snakemake's ``args``."""
    from coopdocs.tools import git
    from coopdocs.tools.builddate import source_date_epoch
    from coopdocs.tools.cache import library_version
    from coopdocs.workflow.helpers import code_version

    env = dict(os.environ if environ is None else environ)
    config = _config(root)
    data_dir = root / str(config.get("data_dir", "data"))
    return {
        "format": FORMAT,
        # The cores as given, and the processors `--cores all` counts: the cores bound the
        # threads of a job, which a rule's params may read (the publish job's writers).
        "args": cores_args(args),
        "cpus": [os.cpu_count(), len(os.sched_getaffinity(0))],
        "code": code_version(),
        "python": [sys.version, sys.executable],
        "snakemake": library_version("snakemake"),
        "environment": sorted([k, v] for k, v in env.items() if k not in VOLATILE_ENV),
        "root": str(root.resolve()),
        # The build date as the rules compute it (a commit of the inputs changes it), and the
        # commits the documents print (the data's version, its uncommitted changes against HEAD).
        "epoch": source_date_epoch(
            root, int(config.get("source_date_epoch_fallback", 0)), env, config=config
        ),
        "git": [
            git.head_commit(root),
            git.last_commit(data_dir, ["."]) if data_dir.is_dir() else "",
        ],
    }


def source_folders(root: Path) -> list[Path]:
    """The files and folders a build reads: :data:`revision.BUILD_FILES` and the config's data
    and templates folders (which may lie elsewhere)."""
    from coopdocs.tools.revision import BUILD_FILES

    config = _config(root)
    named = [str(config.get(k, "")) for k in ("data_dir", "templates_dir")]
    return [root / name for name in (*BUILD_FILES, *named) if name]


def walk(paths: list[Path], root: Path) -> list[str]:
    """Every file under ``paths`` (files or folders), relative to ``root`` where they lie inside it
    (compiled Python left out: Python writes it, no build reads it)."""
    found: set[str] = set()
    for top in paths:
        if top.is_file():
            found.add(os.path.relpath(top, root))
        for folder, dirs, files in os.walk(top):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            found.update(
                os.path.relpath(os.path.join(folder, f), root)
                for f in files
                if not f.endswith(".pyc")
            )
    return sorted(found)


def stat_of(path: Path) -> list[int] | None:
    """Size, mtime_ns and inode of ``path`` (None when it is missing)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def source_of(path: Path) -> list | None:
    """:func:`stat_of` and the SHA-256 of the content of ``path`` (None when it is missing or
    unreadable): an edit of the same size within the same mtime tick still differs."""
    state = stat_of(path)
    if state is None:
        return None
    try:
        with open(path, "rb") as f:
            return [*state, hashlib.file_digest(f, "sha256").hexdigest()]
    except OSError:
        return None


def sources(root: Path, extra: list[str] = (), outputs: set[str] = frozenset()) -> dict:
    """Path → :func:`source_of` for every file a build reads (:func:`source_folders`) and the
    job graph's other inputs ``extra``, the graph's ``outputs`` left out."""
    names = set(walk(source_folders(root), root)) | set(extra)
    return {name: source_of(root / name) for name in sorted(names - outputs)}


def outputs(root: Path, files: list[str]) -> dict:
    """Path → :func:`stat_of` for the graph's output ``files`` and Snakemake's records."""
    names = set(files) | set(walk([root / r for r in RECORDS], root))
    return {name: stat_of(root / name) for name in sorted(names)}


# ------------------------------------------------------------------------------- the decision


def stale_reason(
    root: Path, args: list[str], environ: dict[str, str] | None = None, key: dict | None = None
) -> str | None:
    """Why the stamp in ``root`` does not show an up-to-date build with Snakemake's ``args``
    (None: it does). ``key``: :func:`build_key` of ``args`` and ``environ``, read just now."""
    try:
        stamp = json.loads((root / STAMP).read_text(encoding="utf-8"))
        stamp_key, src, out = stamp["key"], stamp["sources"], stamp["outputs"]
        dag_sources = stamp["dag_sources"]
    except FileNotFoundError:
        return "no build stamp"
    except (OSError, ValueError, TypeError, KeyError) as exc:
        return f"the build stamp cannot be read ({type(exc).__name__})"
    if stamp_key != (build_key(root, args, environ) if key is None else key):
        return "the code, the environment, the commit or the tools changed"
    if any((root / lock).exists() for lock in _locks(root)):
        return "Snakemake holds a lock on this folder"
    if outputs(root, [n for n in out if not _is_record(n)]) != out:
        return "an output or Snakemake's records changed"
    if sources(root, dag_sources, set(out)) != src:
        return "a source file changed"
    return None


def _locks(root: Path) -> list[Path]:
    folder = root / ".snakemake" / "locks"
    return list(folder.iterdir()) if folder.is_dir() else []


def _is_record(name: str) -> bool:
    return any(Path(name).is_relative_to(r) for r in RECORDS)


def invalidate(root: str | Path = ".") -> None:
    """Remove the stamp (before a Snakemake run: what it does may change the state)."""
    path = Path(root) / STAMP
    if path.is_dir() and not path.is_symlink():
        import shutil

        shutil.rmtree(path)  # not a stamp; whatever it holds, no decision is taken on it
    path.unlink(missing_ok=True)


# -------------------------------------------------------------------------------- the recording


def record_dag_at_exit(workflow) -> None:
    """Called by the Snakefile while it is read: when ``coopdocs build`` asked for it
    (:data:`DAG_ENV`), write the job graph's inputs and outputs there when Snakemake ends.

    At exit, because Snakemake calls no hook on a no-op ("Nothing to be done" returns before
    ``onstart``), and the graph is complete then (the checkpoints' jobs added). Only the main
    process (a job's own Snakemake also reads the Snakefile). ``coopdocs build`` trusts the file
    only when Snakemake exited with 0.
    """
    target = os.environ.get(DAG_ENV)
    if not target or not workflow.is_main_process:
        return
    import atexit

    def record() -> None:
        dag = workflow.dag
        if dag is None:
            return
        out = {str(f) for job in dag.jobs for f in job.output}
        inputs = {str(f) for job in dag.jobs for f in job.input}
        files = {"outputs": sorted(out), "sources": sorted(inputs - out)}
        Path(target).write_text(json.dumps(files), encoding="utf-8")

    atexit.register(record)


def recorded_mtimes_hold(root: Path, files: list[str], started_ns: int) -> bool:
    """Whether every output written since ``started_ns`` (by the run, or during it) still has the
    mtime Snakemake recorded when its job ended (the ``endtime`` of its metadata record).

    An output changed during the run after its job ended was not seen by Snakemake's decision (a
    consumer may have read it before, or Snakemake may have decided before it changed), so no
    stamp. An older output was there when the run began: Snakemake saw it as it is.
    """
    for name in files:
        try:
            if os.stat(root / name).st_mtime_ns < started_ns:
                continue
            record = json.loads(_record_path(root, name).read_text(encoding="utf-8"))
            if os.stat(root / name).st_mtime != record["endtime"]:
                return False
        except (OSError, ValueError, KeyError, TypeError):
            return False
    return True


def _record_path(root: Path, name: str) -> Path:
    """Where Snakemake keeps the metadata record of output ``name`` (persistence/file.py: the
    path in URL-safe base64, cut into ``@``-prefixed folder names where it is too long)."""
    from base64 import urlsafe_b64encode

    folder = root / RECORDS[0]
    limit = (os.pathconf(folder if folder.is_dir() else root, "PC_NAME_MAX") or 256) - 1
    b64 = urlsafe_b64encode(name.encode()).decode()
    parts = [b64[i : i + limit] for i in range(0, len(b64), limit)]
    return folder.joinpath(*["@" + s for s in parts[:-1]], parts[-1])


def write(
    root: Path, before: dict, key: dict, dag_file: Path, started_ns: int, environ=None
) -> str | None:
    """Write the stamp after a successful plain build; why not, if it is not written.

    ``before``: :func:`sources` read before Snakemake started, ``key`` :func:`build_key` then
    (of ``environ``, this process's by default); ``dag_file``: what :func:`record_dag_at_exit`
    wrote; ``started_ns``: when Snakemake started.
    """
    try:
        dag = json.loads(dag_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "Snakemake did not record its job graph"
    out, extra = dag["outputs"], [s for s in dag["sources"] if not (root / s).is_dir()]
    after = sources(root, extra, set(out))
    changed_before = any(after.get(n) != s for n, s in before.items() if n not in out)
    # Inputs outside the build's folders were not read before the run: any written since it began.
    late = any(v is None or v[1] >= started_ns for n, v in after.items() if n not in before)
    if changed_before or late or build_key(root, key["args"], environ) != key:
        return "a source changed while Snakemake ran"
    if not recorded_mtimes_hold(root, out, started_ns):
        return "an output changed after Snakemake wrote it"
    stamp = {"key": key, "sources": after, "outputs": outputs(root, out), "dag_sources": extra}
    tmp = root / STAMP.with_suffix(".tmp")
    tmp.write_text(json.dumps(stamp), encoding="utf-8")
    os.replace(tmp, root / STAMP)
    return None


# ------------------------------------------------------------------------------ the command


def build(args: list[str], use_stamp: bool = True, root: Path | None = None) -> int:
    """``coopdocs build [snakemake options]``: "nothing to be done" when the stamp shows an
    up-to-date plain build, else Snakemake with ``args`` (its output, its exit code), and a new
    stamp after a successful plain build. ``use_stamp`` False (``--no-stamp``): Snakemake always,
    and no stamp written."""
    from coopdocs.tools.revision import snakemake_path

    root = Path.cwd() if root is None else root
    command = [snakemake_path(), *args]
    if not (use_stamp and plain_build(args)):
        invalidate(root)
        sys.stdout.flush()
        os.execv(command[0], command)  # Snakemake itself: its process, signals, exit code
    # The key once, before Snakemake: for the decision, and as the run's "before" (its code
    # version and git calls were ~0.1 s of an edit's start, twice).
    key = build_key(root, args)
    if stale_reason(root, args, key=key) is None:
        print(
            f"{NOTHING_TO_BE_DONE}\n(decided by coopdocs' build stamp, {STAMP}, without "
            "starting Snakemake; `coopdocs build --no-stamp` asks Snakemake)",
            file=sys.stderr,
        )
        return 0
    invalidate(root)
    before = sources(root)
    (root / STAMP).parent.mkdir(parents=True, exist_ok=True)
    dag_file = root / STAMP.with_name(f"coopdocs-dag-{os.getpid()}.json")
    dag_file.unlink(missing_ok=True)
    try:
        started = _file_clock(dag_file)
        code = _run(command, dict(os.environ, **{DAG_ENV: str(dag_file.resolve())}))
        if code == 0:
            write(root, before, key, dag_file, started)
    finally:
        dag_file.unlink(missing_ok=True)
    return code


def _file_clock(path: Path) -> int:
    """Now, by the file system's clock (the mtime_ns of ``path``, written and removed): what the
    times of files written from now on are compared with (it can lag ``time.time_ns()``)."""
    path.write_bytes(b"")
    started = os.stat(path).st_mtime_ns
    path.unlink()
    return started


def _run(command: list[str], env: dict[str, str]) -> int:
    """Run Snakemake and wait for it; its exit code (128 + N when signal N ended it). Ctrl-C
    reaches Snakemake too (the same process group), which stops its jobs: wait for it."""
    proc = subprocess.Popen(command, env=env)
    while True:
        try:
            code = proc.wait()
            break
        except KeyboardInterrupt:
            continue
    return 128 - code if code < 0 else code
