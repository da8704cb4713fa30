"""Helpers the Snakefile calls at parse time: targets derived from the data, build settings.

Only the standard library is used: the Snakefile is parsed once per run (and once per job on a
cluster), so this must stay cheap. Full validation happens in the ``prepare_data`` rule.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

from .buildinfo import BuildInfoError, source_date_epoch

# Identifiers of the comparative tables (coopdocs.tables.TABLES), here without importing pandas.
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
    """Every file of the data package: the descriptor and each table it names."""
    descriptor_path = Path(data_dir) / "datapackage.json"
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    return [str(descriptor_path)] + sorted(str(Path(data_dir) / r["path"]) for r in descriptor["resources"])


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
    if template is None:
        return sorted(str(p) for p in root.rglob("*.j2"))
    partials = sorted(str(p) for p in (root / "partials").rglob("*.j2")) if (root / "partials").is_dir() else []
    return [str(root / template)] + partials


def code_files(root: str | Path) -> list[str]:
    """The package's source files (relative to the project), when the project has them."""
    package = Path(root) / "src" / "coopdocs"
    return sorted(p.relative_to(root).as_posix() for p in package.glob("*.py")) if package.is_dir() else []


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

    try:
        from snakemake.scheduling.job_scheduler import JobScheduler
    except ImportError:
        return
    original = getattr(JobScheduler, "_schedule_reevalutation", None)
    if original is None or getattr(original, "coopdocs_single_timer", False):
        return

    def schedule_once(self, delay) -> None:
        pending = getattr(self, "_coopdocs_timer", None)
        if pending is not None and pending.is_alive():
            return
        timer = threading.Timer(delay, lambda: self._open_jobs.release())
        timer.daemon = True
        self._coopdocs_timer = timer
        timer.start()

    schedule_once.coopdocs_single_timer = True
    JobScheduler._schedule_reevalutation = schedule_once
