"""Peak memory of every job of a build against the mem_mb its rule declares.

Each case is a project copy (Snakefile, rules, templates, config, ...; coopdocs.tools.revision)
with the real data or a synthetic package (benchmarks/synthetic.py) in data/, built once with
``snakemake --cores 2`` and SOURCE_DATE_EPOCH fixed. While it builds, the process tree is sampled
every --period seconds (benchmarks/proctree.py, psutil): every process below Snakemake belongs to
the job whose shell command names a log file (every rule has one, coopdocs.layout.log), and a
job's memory is the summed resident memory (RSS) of its shell and everything it started
(coopdocs, pandoc, typst). Summed RSS counts pages shared between processes once per process,
so it errs high, never low. Snakemake's own
process is measured too: on a cluster node the job's request must also hold the Snakemake that
runs it (docs/performance.md, "Cluster execution"), so a job passes when its peak plus Snakemake's
peak is at most its declared mem_mb (printed by Snakemake when the job starts).

    .venv/bin/python benchmarks/memory.py                       # every case
    .venv/bin/python benchmarks/memory.py --cases real,cell-127k --json out.json

Prints one row per job (rule, document, input MB, declared mem_mb, peak MB, largest process)
and exits 1 when a job exceeds its declaration. Results: benchmarks/results/memory.json by default.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from proctree import MB, Snapshot, TreeSampler  # benchmarks/proctree.py, beside this script
from synthetic import generate  # likewise

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = str(Path(sys.executable).parent / "snakemake")
EPOCH = 1672358400
RESULTS = ROOT / "benchmarks" / "results" / "memory.json"

sys.path.insert(0, str(ROOT / "src"))

from coopdocs import layout  # noqa: E402 - after src is on the path
from coopdocs.tools import revision  # noqa: E402
from coopdocs.workflow import helpers as cw  # noqa: E402

# name: synthetic.generate's arguments (None: the real data). The issue-19 cases are
# "events-20k" (20,000 events) and "cell-127k" (one 127 KB cell); the others give the slope.
CASES: dict[str, dict | None] = {
    "real": None,
    "events-2k": dict(n_countries=5, events_per_state=400),
    "events-5k": dict(n_countries=5, events_per_state=1000),
    "events-20k": dict(n_countries=5, events_per_state=4000),
    "cell-64k": dict(n_countries=5, long_cell=64_000),
    "cell-127k": dict(n_countries=5, long_cell=130_000),
    "event-cell-127k": dict(n_countries=5, long_cell=130_000, long_cell_table="events"),
    "states-60": dict(n_countries=60),
}
LOG_IN_COMMAND = re.compile(r"2> '?(logs/[^' ]+\.log)")
JOB_START = re.compile(r"^(?:local)?(?:rule|checkpoint) (\w+):$")
JOB_FIELD = re.compile(r"^\s+(input|log|resources): (.*)$")


@dataclass
class Job:
    """One job: its rule, log (which names it), declared mem_mb and measured peak (MB)."""

    rule: str
    log: str
    mem_mb: int | None = None
    input_mb: float = 0.0  # the size of its inputs (what Snakemake's input.size_mb gives)
    text_kb: float = 0.0  # the longest text in its context (coopdocs.workflow.helpers)
    peak_mb: float = 0.0
    largest: str = ""  # the largest process at the job's peak, and its MB
    processes: dict[str, float] = field(default_factory=dict)  # peak MB per program name


class JobPeaks:
    """Per job, the peak of its processes' summed RSS, from the snapshots of a TreeSampler."""

    def __init__(self):
        self.jobs: dict[str, dict] = {}  # log -> peak, largest, processes
        self.snakemake_peak = 0.0

    def observe(self, shot: Snapshot) -> None:
        """Attribute each process of one snapshot to its job and keep the peaks (MB)."""
        if shot.root not in shot.procs:
            return
        self.snakemake_peak = max(self.snakemake_peak, shot.procs[shot.root].rss / MB)
        # Walk down from Snakemake; the first process whose command names a log starts a job.
        totals: dict[str, list[tuple[str, float]]] = {}
        todo = [(c, None) for c in shot.children(shot.root)]
        while todo:
            pid, log = todo.pop()
            proc = shot.procs[pid]
            if log is None:
                found = LOG_IN_COMMAND.search(proc.cmdline)
                log = found.group(1) if found else None
            if log is not None:
                totals.setdefault(log, []).append((proc.name, proc.rss / MB))
            todo.extend((c, log) for c in shot.children(pid))
        for log, parts in totals.items():
            job = self.jobs.setdefault(log, {"peak": 0.0, "largest": "", "processes": {}})
            for name, rss in parts:
                job["processes"][name] = max(job["processes"].get(name, 0.0), rss)
            total = sum(rss for _, rss in parts)
            if total > job["peak"]:
                name, rss = max(parts, key=lambda p: p[1])
                job["peak"], job["largest"] = total, f"{name} {rss:.0f}"


def declared(output: str, project: Path) -> dict[str, tuple[str, int | None, float, float]]:
    """Per log path: the rule, the mem_mb Snakemake printed, the inputs' MB, the longest text (KB).

    A job's block starts with ``rule NAME:`` (or ``checkpoint NAME:``); its ``input:``, ``log:``
    and ``resources:`` lines follow (other output may come between two blocks).
    """
    blocks: list[dict[str, str]] = []
    for line in output.splitlines():
        start = JOB_START.match(line)
        if start:
            blocks.append({"rule": start.group(1)})
        elif blocks and (found := JOB_FIELD.match(line)) and found.group(1) not in blocks[-1]:
            blocks[-1][found.group(1)] = found.group(2)
    jobs = {}
    for b in blocks:
        if "log" not in b:
            continue
        mem = re.search(r"\bmem_mb=(\d+)", b.get("resources", ""))
        names = set(b["input"].split(", ")) if "input" in b else set()
        size = sum((project / n).stat().st_size for n in names if (project / n).is_file())
        contexts = [project / n for n in names if n.startswith(f"{layout.CONTEXTS}/")]
        contexts = [c for c in contexts if c.is_file() and not c.name.endswith(".bib.json")]
        text_kb = max([cw.longest_text_kb(c) for c in contexts] or [0.0])
        jobs[b["log"]] = (b["rule"], int(mem.group(1)) if mem else None, size / 2**20, text_kb)
    return jobs


def make_project(dest: Path, case: str, source: Path = ROOT) -> Path:
    """A copy of the project ``source`` in ``dest``, with the data of ``case``."""
    revision.copy_project(source, dest, [n for n in revision.BUILD_FILES if n != "data"])
    if CASES[case] is None:
        shutil.copytree(source / "data", dest / "data")
    else:
        generate(dest / "data", seed=0, **CASES[case])
    return dest


def data_mb(project: Path) -> float:
    """The size of the data's files (MB)."""
    return sum(f.stat().st_size for f in (project / "data").iterdir()) / 2**20


def measure(project: Path, period: float, timeout: float) -> dict:
    """Build ``project``; return every job's declaration and peak, and Snakemake's own peak."""
    env = revision.build_env(project, EPOCH)
    start = time.perf_counter()
    proc = subprocess.Popen(
        [SNAKEMAKE, "--cores", "2"],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    peaks = JobPeaks()
    sampler = TreeSampler(proc.pid, period, observe=peaks.observe)
    sampler.start()
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        out += "\n[memory benchmark: timed out]"
    sampler.stop()
    jobs = []
    for log, (rule, mem_mb, input_mb, text_kb) in sorted(declared(out, project).items()):
        seen = peaks.jobs.get(log, {"peak": 0.0, "largest": "", "processes": {}})
        jobs.append(
            Job(
                rule,
                log,
                mem_mb,
                round(input_mb, 3),
                round(text_kb, 1),
                round(seen["peak"], 1),
                seen["largest"],
                {k: round(v, 1) for k, v in sorted(seen["processes"].items())},
            )
        )
    return {
        "returncode": proc.returncode,
        "wall_s": round(time.perf_counter() - start, 1),
        "data_mb": round(data_mb(project), 3),
        "snakemake_peak_mb": round(peaks.snakemake_peak, 1),
        "jobs": [asdict(j) for j in jobs],
        "tail": out[-2000:] if proc.returncode else "",
    }


def over(result: dict) -> list[dict]:
    """The jobs whose peak plus Snakemake's exceeds their declared mem_mb."""
    return [
        j
        for j in result["jobs"]
        if j["mem_mb"] is None or j["peak_mb"] + result["snakemake_peak_mb"] > j["mem_mb"]
    ]


def table(results: dict[str, dict]) -> str:
    """A Markdown table: one row per job of every case."""
    lines = [
        "| case | data MB | rule | job | input MB | declared mem_mb | peak MB | + Snakemake "
        "| largest process |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for case, r in results.items():
        for j in r["jobs"]:
            total = j["peak_mb"] + r["snakemake_peak_mb"]
            flag = " **over**" if j in over(r) else ""
            name = Path(j["log"]).stem
            lines.append(
                f"| {case} | {r['data_mb']:.2f} | {j['rule']} | {name} | {j['input_mb']:.2f} | "
                f"{j['mem_mb']} | "
                f"{j['peak_mb']:.0f} | {total:.0f}{flag} | {j['largest']} |"
            )
    return "\n".join(lines)


def summary(results: dict[str, dict]) -> str:
    """A Markdown table: per case and rule, the job nearest its declaration (peak + Snakemake)."""
    lines = [
        "| case | rule | jobs | input MB | peak + Snakemake MB | declared mem_mb | used |",
        "|---|---|---|---|---|---|---|",
    ]
    for case, r in results.items():
        rules: dict[str, list[dict]] = {}
        for j in r["jobs"]:
            rules.setdefault(j["rule"], []).append(j)
        for rule, jobs in sorted(rules.items()):
            used = [(j["peak_mb"] + r["snakemake_peak_mb"], j) for j in jobs if j["mem_mb"]]
            total, j = max(used, key=lambda u: u[0] / u[1]["mem_mb"])
            lines.append(
                f"| {case} | {rule} | {len(jobs)} | {j['input_mb']:.2f} | {total:.0f} | "
                f"{j['mem_mb']} | {total / j['mem_mb']:.0%} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line; exit status 1 when a job used more than it declared (or a build failed)."""
    parser = argparse.ArgumentParser(
        prog="python benchmarks/memory.py", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--cases", default=",".join(CASES), help="comma-separated, of: " + ", ".join(CASES)
    )
    parser.add_argument("--period", type=float, default=0.05, help="seconds between samples")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per build")
    parser.add_argument("--json", type=Path, default=RESULTS, help="where to write the results")
    parser.add_argument("--keep", type=Path, help="build the projects in this folder and keep them")
    parser.add_argument(
        "--source",
        type=Path,
        default=ROOT,
        help="the project to copy (default: this one; another checkout for a before/after)",
    )
    args = parser.parse_args(argv)
    cases = args.cases.split(",")
    unknown = [c for c in cases if c not in CASES]
    if unknown:
        parser.error(f"unknown case(s): {', '.join(unknown)}")
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="coopdocs-memory-") as tmp:
        base = args.keep or Path(tmp)
        for case in cases:
            project = make_project(base / case, case, args.source)
            print(f"{case}: building ({data_mb(project):.2f} MB of data)", file=sys.stderr)
            results[case] = measure(project, args.period, args.timeout)
            r = results[case]
            print(
                f"{case}: exit {r['returncode']} in {r['wall_s']} s, "
                f"Snakemake {r['snakemake_peak_mb']} MB",
                file=sys.stderr,
            )
            if r["returncode"]:
                print(r["tail"], file=sys.stderr)
            # After each case: a long run stopped half-way keeps what it measured.
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(table(results))
    print()
    print(summary(results))
    failed = [c for c, r in results.items() if r["returncode"] or over(r)]
    if failed:
        print(f"over the declaration or failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
