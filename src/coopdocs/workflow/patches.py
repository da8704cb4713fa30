"""Every reliance on Snakemake's internals, in one place, fenced by the pinned version.

Three costs inside Snakemake grew faster than the number of jobs, and one is paid by every run;
each is fixed here by using names that are not Snakemake's public interface
(docs/performance.md says what each fix buys):

``rate_limit_timer``
    ``JobScheduler._schedule_reevalutation`` (sic) arms a new one-second timer on every
    scheduling pass, and each timer's pass arms another: keep at most one pending.
``input_sizes``
    ``JobScheduler.update_input_sizes`` stats every input of every ready job before every pass:
    measure each file once (into ``JobScheduler._input_sizes``).
``checkpoint_memo``
    ``Checkpoint.get()`` expands every output of the checkpoint on each call and was called from
    every document's input function: remember a completed checkpoint, and until then raise
    Snakemake's signal again without expanding, using ``Checkpoints.created_output`` and the
    ``rule``/``targetfile`` of ``IncompleteCheckpointException`` (:func:`checkpoint_done`).
``params_without_pandas``
    ``PersistenceBase._serialize_param`` imports pandas (to hash DataFrame params) on every run:
    use the built-in serializer while pandas is not imported (no value can then be a DataFrame).
``input_checksums``
    ``PersistenceBase.finished`` hashes every input of a job once per output of the job: hash each
    state of a file once (``_IOFile.checksum``, keyed by path, mtime, size and inode).

Each patch names exactly the private attributes and signatures it relies on (``Patch.check``)
and is applied only when Snakemake is :data:`SNAKEMAKE_VERSION`, the version ``uv.lock`` pins,
and those are as expected. Otherwise nothing is patched: the build runs with Snakemake's own
behaviour (the same outputs; only slower with many documents) and the log says so once.
``tests/unit/test_patches.py`` fails when the lock's Snakemake or one of these names changes: then
read the new Snakemake's code for each patch, fix what moved, and set :data:`SNAKEMAKE_VERSION`.

``COOPDOCS_SNAKEMAKE_PATCHES`` chooses the patches for a measurement: ``none``, or names
separated by commas (unset: all of them).
"""

from __future__ import annotations

import asyncio
import inspect
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from itertools import filterfalse

# The Snakemake of uv.lock, whose internals every patch below was checked against.
SNAKEMAKE_VERSION = "9.27.1"
ENV = "COOPDOCS_SNAKEMAKE_PATCHES"


def _scheduler():
    from snakemake.scheduling.job_scheduler import JobScheduler

    return JobScheduler


def _params(func) -> list[str]:
    return list(inspect.signature(func).parameters)


def _names(func) -> set[str]:
    """Every attribute or global name ``func``'s code (and the functions nested in it) uses."""
    code = getattr(func, "__code__", None)
    names: set[str] = set()
    todo = [code] if code is not None else []
    while todo:
        c = todo.pop()
        names.update(c.co_names)
        todo += [k for k in c.co_consts if inspect.iscode(k)]
    return names


def _expect(problems: list[str], ok: bool, what: str) -> None:
    if not ok:
        problems.append(what)


# --------------------------------------------------------------------------------------------
# rate_limit_timer


def _schedule_once(self, delay) -> None:
    """``JobScheduler._schedule_reevalutation`` with at most one pending timer.

    Snakemake's job-rate limiter (``--max-jobs-per-timespan``, default 100/1s) arms a one-second
    ``threading.Timer`` at the end of every scheduler pass, and the pass each timer triggers arms
    another one, so every job event starts a chain of passes that never ends: with N jobs done the
    scheduler loops about N times a second, each pass checking every job (at 200 states the main
    process used 53 of the build's 246 CPU-seconds). One pending timer gives the same limit (a
    re-evaluation after the timespan). The timer is a daemon thread: the interpreter no longer
    waits up to a second for it after the last job.
    """
    pending = getattr(self, "_coopdocs_timer", None)
    if pending is not None and pending.is_alive():
        return
    timer = threading.Timer(delay, lambda: self._open_jobs.release())
    timer.daemon = True
    self._coopdocs_timer = timer
    timer.start()


def _check_rate_limit_timer() -> list[str]:
    problems: list[str] = []
    scheduler = _scheduler()
    original = scheduler.__dict__.get("_schedule_reevalutation")
    _expect(problems, callable(original), "JobScheduler._schedule_reevalutation")
    if callable(original):
        _expect(
            problems,
            _params(original) == ["self", "delay"],
            "JobScheduler._schedule_reevalutation(self, delay)",
        )
        _expect(
            problems,
            {"Timer", "_open_jobs", "release"} <= _names(original),
            "JobScheduler._schedule_reevalutation releasing _open_jobs from a threading.Timer",
        )
    _expect(
        problems,
        "_schedule_reevalutation" in _names(scheduler.schedule),
        "JobScheduler.schedule calling it",
    )
    _expect(problems, "_open_jobs" in _names(scheduler.__init__), "JobScheduler._open_jobs")
    return problems


def _apply_rate_limit_timer() -> None:
    _scheduler()._schedule_reevalutation = _schedule_once


# --------------------------------------------------------------------------------------------
# input_sizes


async def _update_input_sizes(self, jobs) -> None:
    """``JobScheduler.update_input_sizes`` measuring each input file once per run.

    Before every scheduling pass the scheduler stats every input of every job that is ready to
    run, although a waiting job's inputs do not change: with 1,000 briefs ready that is ~2,000
    files twice per finished job, and the main process took a fifth of a core. Files already
    measured keep their size; files not there yet (None) are measured again.
    """

    async def get_size(path):
        return path, await path.size() if await path.exists() else None

    paths = {path for job in jobs for path in job.input}
    known = self._input_sizes
    todo = [path for path in paths if known.get(path) is None]
    if todo:
        known.update(await asyncio.gather(*[get_size(path) for path in todo]))
    if len(known) > 10000:
        for path in list(filterfalse(paths.__contains__, known)):
            del known[path]


def _check_input_sizes() -> list[str]:
    from snakemake.io import _IOFile

    problems: list[str] = []
    scheduler = _scheduler()
    original = scheduler.__dict__.get("update_input_sizes")
    _expect(
        problems, inspect.iscoroutinefunction(original), "async JobScheduler.update_input_sizes"
    )
    if original is not None:
        _expect(
            problems,
            _params(original) == ["self", "jobs"],
            "JobScheduler.update_input_sizes(self, jobs)",
        )
        _expect(
            problems,
            "_input_sizes" in _names(original),
            "JobScheduler.update_input_sizes filling _input_sizes",
        )
    _expect(problems, "_input_sizes" in _names(scheduler.__init__), "JobScheduler._input_sizes")
    _expect(
        problems,
        {"update_input_sizes", "_input_sizes"} <= _names(scheduler.job_selector),
        "JobScheduler.job_selector calling update_input_sizes and reading _input_sizes",
    )
    for method in ("size", "exists"):
        _expect(
            problems,
            inspect.iscoroutinefunction(getattr(_IOFile, method, None)),
            f"async _IOFile.{method}",
        )
    return problems


def _apply_input_sizes() -> None:
    _scheduler().update_input_sizes = _update_input_sizes


# --------------------------------------------------------------------------------------------
# checkpoint_memo

_COMPLETE_CHECKPOINTS: set[str] = set()
_PENDING_CHECKPOINTS: dict[str, Exception] = {}


def checkpoint_done(checkpoints, name: str) -> None:
    """Raise Snakemake's "incomplete checkpoint" signal until checkpoint ``name`` has run.

    For input functions (``checkpoints`` is the Snakefile's object). ``Checkpoint.get()``
    expands every output of the checkpoint on each call, and prepare_data has two per brief:
    called from each brief's input function, building and re-evaluating the DAG was quadratic (a
    no-op at 1,000 states spent 48 s in it). With the ``checkpoint_memo`` patch the signal is
    raised again from the first one until the checkpoint's first output is known to exist, and
    one successful call is remembered (a checkpoint that is complete stays complete for the rest
    of the run); without it, every call asks Snakemake.
    """
    if not _STATE.get("checkpoint_memo"):
        getattr(checkpoints, name).get()
        return
    if name in _COMPLETE_CHECKPOINTS:
        return
    pending = _PENDING_CHECKPOINTS.get(name)
    if pending is not None and pending.targetfile not in checkpoints.created_output:
        raise type(pending)(pending.rule, pending.targetfile)
    try:
        getattr(checkpoints, name).get()
    except Exception as exc:  # IncompleteCheckpointException: Snakemake's signal, passed on
        if hasattr(exc, "targetfile") and hasattr(exc, "rule"):
            _PENDING_CHECKPOINTS[name] = exc
        raise
    _COMPLETE_CHECKPOINTS.add(name)


def _check_checkpoint_memo() -> list[str]:
    from snakemake.checkpoints import Checkpoint, Checkpoints
    from snakemake.exceptions import IncompleteCheckpointException

    problems: list[str] = []
    _expect(
        problems,
        isinstance(inspect.getattr_static(Checkpoints, "created_output", None), property),
        "Checkpoints.created_output",
    )
    _expect(
        problems,
        _params(IncompleteCheckpointException.__init__) == ["self", "rule", "targetfile"],
        "IncompleteCheckpointException(rule, targetfile)",
    )
    _expect(
        problems,
        {"rule", "targetfile"} <= _names(IncompleteCheckpointException.__init__),
        "IncompleteCheckpointException.rule and .targetfile",
    )
    _expect(
        problems,
        {"created_output", "IncompleteCheckpointException"} <= _names(Checkpoint.get),
        "Checkpoint.get raising IncompleteCheckpointException until created_output has its outputs",
    )
    return problems


def _apply_checkpoint_memo() -> None:
    """Nothing to replace: :func:`checkpoint_done` takes its fast path once this is applied."""


# --------------------------------------------------------------------------------------------
# params_without_pandas


def _serialize_param(self):
    """``PersistenceBase._serialize_param`` that imports pandas only if it is already imported.

    Snakemake compares each job's params with the recorded ones through a serializer that imports
    pandas whenever it is installed, to hash a DataFrame param (0.4-0.6 CPU-s of a no-op). A
    value can only be a pandas object if pandas was imported, so until then the built-in
    serializer gives the same text.
    """
    if "pandas" in sys.modules:
        return self._serialize_param_pandas
    return self._serialize_param_builtin


def _check_params_without_pandas() -> list[str]:
    from snakemake.persistence import PersistenceBase

    problems: list[str] = []
    original = inspect.getattr_static(PersistenceBase, "_serialize_param", None)
    _expect(problems, isinstance(original, property), "PersistenceBase._serialize_param property")
    for name in ("_serialize_param_pandas", "_serialize_param_builtin"):
        method = PersistenceBase.__dict__.get(name)
        _expect(problems, callable(method), f"PersistenceBase.{name}")
        if callable(method):
            _expect(problems, _params(method) == ["self", "value"], f"{name}(self, value)")
    return problems


def _apply_params_without_pandas() -> None:
    from snakemake.persistence import PersistenceBase

    PersistenceBase._serialize_param = property(_serialize_param)


# --------------------------------------------------------------------------------------------
# input_checksums

# (path, mtime ns, size, inode, threshold) -> Snakemake's checksum text (or None)
_CHECKSUMS: dict[tuple, str | None] = {}
_CHECKSUMS_MAX = 200_000  # a bound on the memory, far above the files of 1,000 states
_original_checksum: Callable | None = None


async def _checksum_once(self, threshold=None, force=False, algorithm=None):
    """``_IOFile.checksum`` computed once per state of a local file.

    When a job finishes, ``PersistenceBase.finished`` records every input's checksum into the record
    of each of its outputs, hashing each input again for every output: a brief (8 outputs, ~25
    inputs) hashed 200 files, 2,291 hashes for the 14 jobs of the real data and ~40,000 at
    200 states, all in Snakemake's one process. A file keeps its checksum while its path, mtime,
    size and inode do (an atomic rewrite is a new inode); anything else goes to Snakemake's own.
    """
    assert _original_checksum is not None
    if force or algorithm is not None or self.is_storage:
        return await _original_checksum(self, threshold, force, algorithm)
    try:
        st = os.stat(self.file)
    except OSError:
        return await _original_checksum(self, threshold, force, algorithm)
    key = (os.path.abspath(self.file), st.st_mtime_ns, st.st_size, st.st_ino, threshold)
    if key not in _CHECKSUMS:
        if len(_CHECKSUMS) >= _CHECKSUMS_MAX:
            _CHECKSUMS.clear()
        _CHECKSUMS[key] = await _original_checksum(self, threshold, force, algorithm)
    return _CHECKSUMS[key]


def _check_input_checksums() -> list[str]:
    from snakemake.io import _IOFile
    from snakemake.persistence import PersistenceBase

    problems: list[str] = []
    original = _IOFile.__dict__.get("checksum")
    _expect(problems, inspect.iscoroutinefunction(original), "async _IOFile.checksum")
    if original is not None:
        _expect(
            problems,
            _params(original) == ["self", "threshold", "force", "algorithm"],
            "_IOFile.checksum(self, threshold, force, algorithm)",
        )
        _expect(problems, {"is_storage", "file"} <= _names(original), "checksum of self.file")
    finished = PersistenceBase.__dict__.get("finished")
    _expect(
        problems,
        finished is not None and "checksum" in _names(finished),
        "PersistenceBase.finished recording the inputs' checksums",
    )
    return problems


def _apply_input_checksums() -> None:
    global _original_checksum
    from snakemake.io import _IOFile

    _original_checksum = _IOFile.__dict__["checksum"]
    _IOFile.checksum = _checksum_once


# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Patch:
    """One change to Snakemake's behaviour: what it relies on (``check``) and how it is made."""

    name: str
    check: Callable[[], list[str]]  # what is not as expected (empty: safe to apply)
    apply: Callable[[], None]


PATCHES = (
    Patch("rate_limit_timer", _check_rate_limit_timer, _apply_rate_limit_timer),
    Patch("input_sizes", _check_input_sizes, _apply_input_sizes),
    Patch("checkpoint_memo", _check_checkpoint_memo, _apply_checkpoint_memo),
    Patch("params_without_pandas", _check_params_without_pandas, _apply_params_without_pandas),
    Patch("input_checksums", _check_input_checksums, _apply_input_checksums),
)

# name -> applied, once per process (None: not decided yet)
_STATE: dict[str, bool] = {}


def snakemake_version() -> str:
    from snakemake import __version__

    return __version__


def plan(version: str | None = None, wanted: str | None = None) -> dict[str, str | None]:
    """For each patch, why it must not be applied (None: it can be).

    ``version`` is Snakemake's (the installed one by default); ``wanted`` the value of
    :data:`ENV` (the environment's by default).
    """
    version = snakemake_version() if version is None else version
    wanted = os.environ.get(ENV, "") if wanted is None else wanted
    chosen = None if wanted.strip() in ("", "all") else {w.strip() for w in wanted.split(",")}
    out: dict[str, str | None] = {}
    for patch in PATCHES:
        if chosen is not None and patch.name not in chosen:
            out[patch.name] = f"left out by {ENV}"
        elif version != SNAKEMAKE_VERSION:
            out[patch.name] = (
                f"Snakemake {version} is not {SNAKEMAKE_VERSION}, which the patch was checked against"
            )
        else:
            try:
                problems = patch.check()
            except Exception as exc:  # noqa: BLE001 - a module or class moved: not safe to patch
                problems = [f"{type(exc).__name__}: {exc}"]
            out[patch.name] = f"not as expected: {'; '.join(problems)}" if problems else None
    return out


def apply() -> dict[str, bool]:
    """Apply every patch whose check passes, once per process; log once what was left out."""
    if _STATE:
        return dict(_STATE)
    reasons = plan()
    for patch in PATCHES:
        if reasons[patch.name] is None:
            patch.apply()
        _STATE[patch.name] = reasons[patch.name] is None
    by_reason: dict[str, list[str]] = {}
    for name, why in reasons.items():
        if why is not None:
            by_reason.setdefault(why, []).append(name)
    if by_reason:
        _log(
            "coopdocs: Snakemake's internals are not patched ("
            + "; ".join(f"{', '.join(names)}: {why}" for why, names in by_reason.items())
            + "). The build runs with Snakemake's own behaviour: the same outputs, slower with many "
            "documents (src/coopdocs/workflow/patches.py, docs/performance.md)."
        )
    return dict(_STATE)


def _log(message: str) -> None:
    try:
        from snakemake.logging import logger

        logger.warning(message)
    except Exception:  # noqa: BLE001 - no Snakemake logger: say it on standard error
        print(message, file=sys.stderr)
