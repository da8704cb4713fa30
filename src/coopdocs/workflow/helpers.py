"""Helpers the Snakefile calls at parse time: targets derived from the data, build settings.

Only the standard library is used: the Snakefile is parsed once per run (and once per job on a
cluster), so this must stay cheap. Full validation happens in the ``prepare_data`` rule.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

from coopdocs.tools.builddate import BuildInfoError, source_date_epoch

# Identifiers of the comparative tables (coopdocs.compute.tables.TABLES), here without importing pandas.
TABLE_IDS = ["institutional-profile", "legal-basis", "projects-by-theme", "projects-by-funder", "timeline", "main-directions"]


def brief_slugs(data_dir: str | Path) -> list[str]:
    """Slugs of the briefs to build: one per row of the countries table, sorted.

    Reads only the ``slug`` column; a missing or malformed file yields no slugs here and is
    reported properly by validation.
    """
    descriptor = json.loads((Path(data_dir) / "datapackage.json").read_text(encoding="utf-8"))
    path = next(Path(data_dir) / r["path"] for r in descriptor["resources"] if r["name"] == "countries")
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return sorted({row["slug"].strip() for row in csv.DictReader(fh) if (row.get("slug") or "").strip()})
    except (OSError, KeyError, UnicodeDecodeError, csv.Error):
        return []


def data_files(data_dir: str | Path) -> list[str]:
    """Every file of the data package: the descriptor, each table it names and its authored texts."""
    descriptor_path = Path(data_dir) / "datapackage.json"
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    texts = descriptor.get("texts") if isinstance(descriptor.get("texts"), dict) else {}
    return [str(descriptor_path)] + sorted({str(Path(data_dir) / r["path"]) for r in descriptor["resources"]}
                                           | {str(Path(data_dir) / p) for p in texts.values()})


def build_epoch(root: str | Path, fallback: int) -> int:
    """SOURCE_DATE_EPOCH for this build; exits with a clear message when it is invalid."""
    try:
        return source_date_epoch(Path(root), fallback)
    except BuildInfoError as exc:
        sys.exit(f"coopdocs: {exc}")


def template_files(templates_dir: str | Path, template: str | None = None) -> list[str]:
    """The Jinja files a render reads: ``template`` and every partial (all templates if None).

    A change to one document kind's template then reruns only that kind's renders; a change to a
    shared partial reruns them all.
    """
    root = Path(templates_dir)
    # The strings file (templates/strings.yaml) holds words every document shows.
    strings = [str(root / "strings.yaml")] if (root / "strings.yaml").is_file() else []
    if template is None:
        return sorted(str(p) for p in root.rglob("*.j2")) + strings
    partials = sorted(str(p) for p in (root / "partials").rglob("*.j2")) if (root / "partials").is_dir() else []
    return [str(root / template)] + partials + strings


def code_files(root: str | Path) -> list[str]:
    """The package's source files (relative to the project), when the project has them."""
    package = Path(root) / "src" / "coopdocs"
    return sorted(p.relative_to(root).as_posix() for p in package.rglob("*.py")) if package.is_dir() else []


def _patch_scheduler(method: str, replacement) -> None:
    """Put ``replacement`` in place of Snakemake's ``JobScheduler.<method>``, once per process.

    Nothing is changed when the scheduler has no such method (another Snakemake version): the
    workflow then runs with Snakemake's own behaviour, only slower.
    """
    try:
        from snakemake.scheduling.job_scheduler import JobScheduler
    except ImportError:
        return
    current = getattr(JobScheduler, method, None)
    if current is None or getattr(current, "coopdocs_patch", False):
        return
    replacement.coopdocs_patch = True
    setattr(JobScheduler, method, replacement)


def single_rate_limit_timer() -> None:
    """Keep at most one pending job-rate-limiter timer in Snakemake's scheduler (Snakemake 9).

    Snakemake's job-rate limiter (``--max-jobs-per-timespan``, default 100/1s) arms a one-second
    ``threading.Timer`` at the end of every scheduler pass, and the pass each timer triggers arms
    another one, so every job event starts a chain of passes that never ends: with N jobs done the
    scheduler loops about N times a second, each pass checking every job. Measured at 200 states:
    1,008 passes for 56 jobs at 50 states; at 200 states the main process used 53 of the build's
    246 CPU-seconds. One pending timer gives the same limit (a re-evaluation after the timespan).
    The timer is also made a daemon thread: the interpreter no longer waits up to a second for it
    after the last job (an edit rebuild spent 1.3 s after "Complete log").
    If the scheduler does not have the method (another Snakemake version), nothing is changed.
    """
    import threading

    def schedule_once(self, delay) -> None:
        pending = getattr(self, "_coopdocs_timer", None)
        if pending is not None and pending.is_alive():
            return
        timer = threading.Timer(delay, lambda: self._open_jobs.release())
        timer.daemon = True
        self._coopdocs_timer = timer
        timer.start()

    _patch_scheduler("_schedule_reevalutation", schedule_once)


def cached_input_sizes() -> None:
    """Measure each input file's size once per run in Snakemake's scheduler (Snakemake 9).

    Before every scheduling pass the scheduler stats every input of every job that is ready to
    run (``update_input_sizes``), although a waiting job's inputs do not change: with 1,000 briefs
    ready that is ~2,000 files twice per finished job, and the main process took a fifth of a
    core. Files already measured keep their size; files not there yet (None) are measured again.
    If the scheduler does not have the method (another Snakemake version), nothing is changed.
    """
    import asyncio
    from itertools import filterfalse

    async def update_input_sizes(self, jobs) -> None:
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

    _patch_scheduler("update_input_sizes", update_input_sizes)


_COMPLETE_CHECKPOINTS: set[str] = set()
_PENDING_CHECKPOINTS: dict[str, Exception] = {}


def checkpoint_done(checkpoints, name: str) -> None:
    """Raise Snakemake's "incomplete checkpoint" signal until checkpoint ``name`` has run.

    For input functions (``checkpoints`` is the Snakefile's object). ``Checkpoint.get()``
    expands every output of the checkpoint on each call, and prepare_data has two per brief:
    called from each brief's input function, building and re-evaluating the DAG was quadratic (a
    no-op at 1,000 states spent 48 s in it). So the signal is raised again from the first one
    until the checkpoint's first output is known to exist, and one successful call is remembered
    (a checkpoint that is complete stays complete for the rest of the run).
    """
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
