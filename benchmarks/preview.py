"""Benchmark coopdocs preview: from saving a changed record to the new HTML being served.

For a brief and for the review article, in a temporary copy of the project: start the preview
(as ``coopdocs preview`` does), choose a project the page prints (the first of the document's own
record list, its context's ``records``, whose title the page shows), then, ``--runs`` times,
change that record's title in ``data/projects.csv`` and wait as the page's own reload script
does: on ``/events`` for the end of a refresh, then one request of the page (again, for a later
refresh, until the page shows the new title). The time from the write to that response is one
figure. Polling the page in a loop instead (as this benchmark did before 2026-12-07) competes
with the refresh for the server's process and the two cores, and made the figure slower than a
browser sees it. Next to it, in the same run, the one-record-edit build: the same edit, then
``snakemake --cores 2`` in a built copy of the project (every format).

    .venv/bin/python benchmarks/preview.py            # 5 runs each
    .venv/bin/python benchmarks/preview.py --runs 3 --no-build   # the preview's figures only

Prints a table and writes benchmarks/results/preview.json.
"""

from __future__ import annotations

import argparse
import csv
import html
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
SNAKEMAKE = str(Path(sys.executable).parent / "snakemake")
EPOCH = "1672358400"
RESULTS = ROOT / "benchmarks" / "results"


def copy_project(dest: Path) -> Path:
    """What a build needs, copied into ``dest`` (coopdocs.tools.revision's list)."""
    from coopdocs.tools import revision

    return revision.copy_project(ROOT, dest)


def set_title(project: Path, record: str, title: str) -> None:
    """Write ``title`` as the title of project ``record`` (an author's save)."""
    path = project / "data" / "projects.csv"
    text = path.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    header = text.splitlines()[0].split(",")
    next(r for r in rows if r["id"] == record)["title"] = title
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def record_of(project: Path, country: str) -> str:
    """A project record of ``country`` alone."""
    with (project / "data" / "projects.csv").open(encoding="utf-8") as fh:
        return next(r["id"] for r in csv.DictReader(fh) if r["countries"] == country)


def fetch(url: str) -> str:
    """The text of the page at ``url``, HTML entities decoded and every run of white space one
    space (pandoc wraps the HTML's lines inside a title), so that titles compare as written."""
    with urllib.request.urlopen(url, timeout=60) as response:
        return " ".join(html.unescape(response.read().decode("utf-8")).split())


def shown_record(project: Path, document: str, page: str) -> str:
    """The first project in the document's record list (its preview context's ``records``)
    whose title ``page`` shows: an edit of it must change the page."""
    from coopdocs import layout

    folder, name = document.split("/")
    context = project / "build" / "preview" / layout.context(folder, name)
    records = json.loads(context.read_text(encoding="utf-8"))["records"]
    with (project / "data" / "projects.csv").open(encoding="utf-8") as fh:
        titles = {r["id"]: " ".join(r["title"].split()) for r in csv.DictReader(fh)}
    for record in records:
        if record in titles and titles[record] in page:
            return record
    raise RuntimeError(f"{document} prints the title of none of its {len(records)} records")


def next_refresh(url: str, seen: int) -> int:
    """Wait, as the page's reload script does, for a refresh after generation ``seen``; its number."""
    with urllib.request.urlopen(f"{url}events?generation={seen}", timeout=60) as response:
        for line in response:
            if line.startswith(b"data: "):
                return int(line[len(b"data: ") :])
    raise RuntimeError("the preview closed its event stream without a refresh")


def cpu_seconds() -> float:
    """User and system seconds of this process and its finished children (the preview's pandoc runs)."""
    own, children = (
        resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def save_to_page(project: Path, document: str, runs: int) -> tuple[str, list[float], list[float]]:
    """The record edited, the seconds from saving a new title to the page showing it, and the CPU
    seconds the preview spent on it (its process and pandoc's), ``runs`` times.

    The CPU seconds are what the machine's load does not stretch: on an idle machine the refresh
    (one step after the other) takes about as long, plus the watcher's 30 ms."""
    from coopdocs.preview.server import start

    server, stop = start(project, document, 0)
    host, port = server.server_address[:2]
    url = f"http://{host}:{port}/"
    times, cpu = [], []
    try:
        record = shown_record(project, document, fetch(url))
        for i in range(runs):
            title = f"Benchmark title {document} {i}"
            seen = server.generation.value
            used = cpu_seconds()
            saved = time.perf_counter()
            set_title(project, record, title)
            # A save may come as several refreshes (an editor's writes): wait for the one that shows it.
            while True:
                seen = next_refresh(url, seen)
                if title in fetch(url):
                    break
                if time.perf_counter() - saved > 60:
                    raise RuntimeError(f"the page of {document} did not show the edit within 60 s")
            times.append(time.perf_counter() - saved)
            cpu.append(cpu_seconds() - used)
            time.sleep(0.5)  # let the watcher settle before the next save
    finally:
        stop.set()
    return record, times, cpu


def edit_builds(project: Path, record: str, runs: int) -> list[float]:
    """Seconds of ``snakemake --cores 2`` after a one-record edit, in a built project, ``runs`` times."""
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH)
    subprocess.run(
        [SNAKEMAKE, "--cores", "2", "--quiet"],
        cwd=project,
        env=env,
        check=True,
        capture_output=True,
    )
    times = []
    for i in range(runs):
        set_title(project, record, f"Benchmark build title {i}")
        start = time.perf_counter()
        subprocess.run(
            [SNAKEMAKE, "--cores", "2", "--quiet"],
            cwd=project,
            env=env,
            check=True,
            capture_output=True,
        )
        times.append(time.perf_counter() - start)
    return times


def main() -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--no-build", action="store_true", help="measure the preview only, not the edit build"
    )
    args = parser.parse_args()
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    results = {}
    with tempfile.TemporaryDirectory(prefix="coopdocs-preview-bench-") as tmp:
        tmp_path = Path(tmp)
        if not args.no_build:
            build = copy_project(tmp_path / "build")
            results["one-record edit build"] = edit_builds(build, record_of(build, "KZ"), args.runs)
        edited = {}
        for label, document in (("brief", "briefs/kazakhstan"), ("article", "article/review")):
            project = copy_project(tmp_path / label)
            edited[document], results[f"preview: {label}"], cpu = save_to_page(
                project, document, args.runs
            )
            results[f"preview: {label}, CPU-s"] = cpu
    builds = results.get("one-record edit build")
    base = statistics.median(builds) if builds else None
    print(f"{'what':28} {'median s':>9} {'min':>6} {'max':>6} {'x build':>8}")
    for name, times in results.items():
        med = statistics.median(times)
        ratio = f"{med / base:8.2f}" if base and not name.endswith("CPU-s") else f"{'-':>8}"
        print(f"{name:28} {med:9.2f} {min(times):6.2f} {max(times):6.2f} {ratio}")
    load = os.getloadavg()[0]
    print(f"load average (1 min) at the end: {load:.1f} on {os.cpu_count()} processors")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "preview.json").write_text(
        json.dumps(
            {
                "runs": args.runs,
                "edited": edited,
                "seconds": results,
                "cpus": os.cpu_count(),
                "load_average_at_end": round(load, 1),
            },
            indent=1,
        )
        + "\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
