"""Benchmark ``coopdocs diff`` on two revisions that differ by one record, against one build.

Makes a git repository from the project (what a build reads) in FOLDER: ``v1``, then ``v2`` with
one record changed (an event's date), and times, in pairs on the same machine (farm-bench: A and
B in turn, the ratio taken pair by pair, so that a loaded machine's drift cancels):

* A: ``coopdocs diff v1 v2`` (two versions, the second built on the first's build);
* B: ``coopdocs diff v1 v1`` (the same commit: one clean build of one revision, as the diff
  builds it (the documents' Markdown, the tables and figures: no DOCX, PDF or HTML of the review
  and the tables document), and the report);
* or, with ``--against build``, B: one clean full build of ``v1`` (exported like the diff's,
  then ``snakemake --cores 2``: every document in every format, what ``bootstrap.py build``
  makes).

    .venv/bin/python benchmarks/diff.py FOLDER [--runs N] [--against diff|build]
    .venv/bin/python benchmarks/diff.py FOLDER --phases

It prints farm-bench's table; quote the median of the ratio A/B. Issue 33 asks at most 1.5.
``--phases`` runs one diff instead and prints each phase's wall and CPU time (the first build,
the second, the comparison, each redline, the report).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from coopdocs.tools import git, revision

ROOT = Path(__file__).resolve().parents[1]
EVENT, DATE = "evt-by-mic-conference-2015", "2015-04-24"
EPOCH = "1672358400"
# Every commit at one time (2023-01-01).
WHEN = 1672531200


def make_repository(repo: Path) -> None:
    """The project in ``repo`` as a git repository: v1, then v2 with one event's date changed."""
    revision.scratch_repository(ROOT, repo, author="bench", when=WHEN)
    events = repo / "data" / "events.csv"
    rows = list(csv.DictReader(io.StringIO(events.read_text(encoding="utf-8"))))
    next(r for r in rows if r["id"] == EVENT)["date"] = DATE
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    events.write_text(out.getvalue(), encoding="utf-8")
    for args in (("commit", "-q", "-am", "v2"), ("tag", "v2")):
        git.run_as(repo, *args, author="bench", when=WHEN)


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the builds' Snakemake and jobs)."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def phases(repo: Path) -> int:
    """One ``coopdocs diff v1 v2`` in this process, each phase's wall and CPU time printed as it
    ends (the two builds, the comparison, each redline, the report): where a diff's time goes."""
    from coopdocs.review import diff

    def timed(name: str) -> None:
        step = getattr(diff, name)

        def run(*args, **kwargs):
            wall, cpu = time.monotonic(), _cpu()
            try:
                return step(*args, **kwargs)
            finally:
                print(f"{name}: wall {time.monotonic() - wall:.1f} s, cpu {_cpu() - cpu:.1f} s")

        setattr(diff, name, run)

    for name in ("build", "compare", "record_sections", "write_redline", "write_report"):
        timed(name)
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    wall, cpu = time.monotonic(), _cpu()
    status, line = diff.run(repo, "v1", "v2")
    print(f"{line}\nwhole diff: wall {time.monotonic() - wall:.1f} s, cpu {_cpu() - cpu:.1f} s")
    return 0 if status == 1 else 1


def clean_build(repo: Path) -> int:
    """One clean full build of ``v1`` of ``repo``: exported into a new temporary folder as the
    diff exports a version, then built with every default target (the baseline ``--against
    build``)."""
    import tempfile

    from coopdocs.review import versions

    with tempfile.TemporaryDirectory(prefix="coopdocs-bench-") as tmp:
        project = revision.export(repo, versions.resolve(repo, "v1").commit, Path(tmp) / "p")
        proc = revision.build(project, "--nolock", epoch=int(EPOCH), fixed_locale=True)
        if proc.returncode != 0:
            print(proc.stdout[-2000:] + proc.stderr[-2000:], file=sys.stderr)
        return proc.returncode


def main() -> int:
    """Make the repository and run the paired timing (or, with ``--phases``, one timed diff)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--phases", action="store_true", help="one diff, timed phase by phase")
    parser.add_argument(
        "--against",
        choices=("diff", "build"),
        default="diff",
        help="B: coopdocs diff v1 v1 (default) or one clean full build of v1",
    )
    # Internal: the baseline --against build, run by farm-bench in its own process.
    parser.add_argument("--clean-build-of", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.clean_build_of:
        return clean_build(args.clean_build_of)
    repo = args.folder.resolve() / "project"
    if repo.exists():
        shutil.rmtree(repo)
    make_repository(repo)
    if args.phases:
        return phases(repo)
    coopdocs = str(Path(sys.executable).parent / "coopdocs")
    command = ["farm-bench", "-n", str(args.runs), "--warmup", "0", "--timeout", "3600"]
    baseline = f"{coopdocs} diff v1 v1"
    if args.against == "build":
        here = Path(__file__).resolve()
        baseline = f"{sys.executable} {here} {args.folder} --clean-build-of {repo}"
    command += ["--vs", baseline, "--", coopdocs, "diff", "v1", "v2"]
    return subprocess.run(
        command, cwd=repo, env=dict(os.environ, SOURCE_DATE_EPOCH=EPOCH)
    ).returncode


if __name__ == "__main__":
    sys.exit(main())
