"""The whole build through a real SLURM cluster, job by job, gives the bytes of a local build.

The cluster is the one whose ``sinfo`` answers on this machine: ``tools/slurm-local.sh`` starts a
one-node SLURM (slurmctld, slurmd, munge; needs root), and ``.ci/run`` does so before the tests and
sets COOPDOCS_REQUIRE_SLURM=1, so that in CI these tests fail instead of being skipped when the
cluster does not answer. Elsewhere they are skipped, with the reason.

Snakemake runs with ``profiles/slurm`` as it is (the SLURM executor plugin, status through
squeue); the only change is the plugin's first status check 1 s after a submission instead of 40 s
(``--slurm-init-seconds-before-status-checks``), as the jobs here take seconds. What proves that
the jobs went through SLURM, without sacct (there is no accounting database): Snakemake logs a
SLURM job id for every job, and the controller itself (``squeue --states=all``) lists each of those
jobs under the run's job name, COMPLETED on its node, with the CPUs, memory and time limit the
rule declares. Both builds use the same SOURCE_DATE_EPOCH; every file under reports/ must be
byte-identical.

A second test breaks one brief (its template fails for that country only): the failed SLURM job
leaves none of that brief's files, the error names its SLURM log (which holds the template error),
and once the template is repaired a rerun submits the missing jobs only and finishes the build.
A third builds the article as a large build would (its heavy jobs sized by the cores of the run):
on SLURM each job must use no more CPUs than it asked for.

About 4 minutes on two cores: each SLURM job starts Snakemake twice (the batch script and its
``srun`` step), and the plugin checks the queue at most every ~11 s once jobs are running.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from coopdocs.tools import revision
from coopdocs.workflow import helpers as cw
from helpers import copy_files

ROOT = Path(__file__).resolve().parents[2]
SNAKEMAKE = str(Path(sys.executable).parent / "snakemake")
# What a build reads (the package's own list), copied for the local and the cluster build alike.
PROJECT_FILES = revision.BUILD_FILES
EPOCH = "1672358400"
# Seconds to the plugin's first status check after a submission (its default is 40).
FAST_STATUS = ["--slurm-init-seconds-before-status-checks", "1"]
# The brief the second test breaks, and the files its job writes (besides build/ intermediates).
BROKEN = "kyrgyzstan"
BROKEN_REPORTS = {f"briefs/{BROKEN}.{ext}" for ext in ("docx", "html", "pdf")} | {
    f"figures/timeline-{BROKEN}.{ext}" for ext in ("svg", "png")
}
BROKEN_INTERMEDIATES = [
    f"build/md/briefs/{BROKEN}.md",
    f"build/ast/briefs/{BROKEN}.json",
    f"build/typst/briefs/{BROKEN}.typ",
]

pytestmark = [pytest.mark.cluster, pytest.mark.workflow, pytest.mark.timeout(1800)]


@dataclass(frozen=True)
class Job:
    """A job as Snakemake's log describes it before submitting it."""

    rule: str
    threads: int
    resources: dict[str, str]
    local: bool  # run by the Snakemake process itself ("localrule"), not submitted


@dataclass(frozen=True)
class SlurmRecord:
    """A job as the SLURM controller lists it (``squeue --states=all``)."""

    state: str
    cpus: int
    mem_mb: int
    minutes: int
    comment: str
    name: str
    node: str


def _slurm_unavailable() -> str | None:
    """Why no SLURM cluster can take jobs here, or None when one can."""
    how = "start a one-node cluster with tools/slurm-local.sh (root, Debian; .ci/run does)"
    missing = [cmd for cmd in ("sinfo", "sbatch", "squeue", "srun") if shutil.which(cmd) is None]
    if missing:
        return f"SLURM is not installed ({', '.join(missing)} not found): {how}"
    try:
        proc = subprocess.run(
            ["sinfo", "--noheader", "--format=%t"], capture_output=True, text=True, timeout=20
        )
    except subprocess.TimeoutExpired:
        return f"sinfo did not answer within 20 s (slurmctld down?): {how}"
    if proc.returncode != 0:
        return f"sinfo failed ({proc.stderr.strip()}), no SLURM controller answers: {how}"
    states = proc.stdout.split()
    if not any(
        state.rstrip("*~#$@") in {"idle", "mix", "mixed", "alloc", "allocated"} for state in states
    ):
        return f"no SLURM node is up (sinfo states: {states}): {how}"
    return None


@pytest.fixture(scope="module")
def slurm() -> None:
    """A SLURM cluster that takes jobs; skip without one (fail where CI has started one)."""
    reason = _slurm_unavailable()
    if reason is None:
        return
    if os.environ.get("COOPDOCS_REQUIRE_SLURM") == "1":
        pytest.fail(f"COOPDOCS_REQUIRE_SLURM=1 but {reason}")
    pytest.skip(reason)


def _snakemake(
    project: Path, *args: str, check: bool = True, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """Run Snakemake in ``project`` with the tests' SOURCE_DATE_EPOCH and ``env``; log in stderr."""
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH, **(env or {}))
    proc = subprocess.run(
        [SNAKEMAKE, *args], cwd=project, env=env, capture_output=True, text=True, timeout=1500
    )
    if check:
        assert proc.returncode == 0, (
            f"snakemake {' '.join(args)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}"
        )
    return proc


def _reports(project: Path) -> dict[str, bytes]:
    """Every file under ``project``/reports, by its path there."""
    base = project / "reports"
    return {
        p.relative_to(base).as_posix(): p.read_bytes()
        for p in sorted(base.rglob("*"))
        if p.is_file()
    }


def _jobs(log: str) -> dict[int, Job]:
    """The jobs Snakemake announces in ``log`` (but the target rule ``all``), by their job id."""
    jobs = {}
    for block in re.split(r"\n(?=\[[A-Z][a-z]{2} [A-Z][a-z]{2} )", log):
        head = re.search(r"^(local)?(?:rule|checkpoint) (\w+):$", block, re.M)
        jobid = re.search(r"^    jobid: (\d+)$", block, re.M)
        if not (head and jobid) or head.group(2) == "all":
            continue
        threads = re.search(r"^    threads: (\d+)$", block, re.M)
        resources = re.search(r"^    resources: (.*)$", block, re.M)
        pairs = (item.split("=", 1) for item in resources.group(1).split(", ")) if resources else ()
        jobs[int(jobid.group(1))] = Job(
            head.group(2), int(threads.group(1)) if threads else 1, dict(pairs), bool(head.group(1))
        )
    return jobs


def _submissions(log: str) -> dict[int, tuple[str, Path]]:
    """SLURM job id and SLURM log of every job the plugin submitted, by Snakemake job id."""
    found = re.findall(
        r"^Job (\d+) has been submitted with SLURM jobid (\d+) \(log: (.+)\)\.$", log, re.M
    )
    return {int(jobid): (slurm_id, Path(path)) for jobid, slurm_id, path in found}


def _run_id(log: str) -> str:
    """The plugin's run id, the SLURM job name of all the run's jobs."""
    match = re.search(r"^SLURM run ID: (\S+)$", log, re.M)
    assert match, "no SLURM run ID in the log: the build did not use the SLURM executor"
    return match.group(1)


def _mb(text: str) -> int:
    """squeue's memory (``400M``, ``1G``) in MB."""
    number, unit = re.fullmatch(r"(\d+)([KMGT]?)", text).groups()
    return int(int(number) * {"K": 1 / 1024, "M": 1, "G": 1024, "T": 1024**2, "": 1}[unit])


def _minutes(text: str) -> int:
    """squeue's time limit (``MM:SS``, ``H:MM:SS`` or ``D-HH:MM:SS``) in whole minutes."""
    days, _, clock = text.rpartition("-")
    parts = [int(p) for p in clock.split(":")]
    seconds = sum(value * 60**power for power, value in enumerate(reversed(parts)))
    return (int(days or 0) * 86400 + seconds) // 60


def _slurm_records(run_id: str) -> dict[str, SlurmRecord]:
    """What the SLURM controller knows of the run's jobs (queued, running or ended), by job id."""
    proc = subprocess.run(
        [
            "squeue",
            "--states=all",
            "--noheader",
            f"--name={run_id}",
            "--format=%i|%T|%C|%m|%l|%k|%j|%N",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    records = {}
    for line in proc.stdout.splitlines():
        jobid, state, cpus, mem, limit, comment, name, node = line.split("|")
        records[jobid] = SlurmRecord(
            state, int(cpus), _mb(mem), _minutes(limit), comment, name, node
        )
    return records


@pytest.fixture(scope="module")
def local_reports(tmp_path_factory) -> dict[str, bytes]:
    """The reports of a local build (``snakemake --cores 2``) of a copy of the project."""
    project = copy_files(ROOT, tmp_path_factory.mktemp("local") / "project", PROJECT_FILES)
    _snakemake(project, "--cores", "2")
    reports = _reports(project)
    assert len(reports) >= 30 and "manifest.json" in reports
    return reports


@pytest.fixture(scope="module")
def cluster_build(slurm, tmp_path_factory) -> tuple[Path, str]:
    """A copy of the project built through profiles/slurm on the cluster: (project, its log)."""
    project = copy_files(ROOT, tmp_path_factory.mktemp("cluster") / "project", PROJECT_FILES)
    proc = _snakemake(project, "--profile", "profiles/slurm", *FAST_STATUS)
    return project, proc.stdout + proc.stderr


def test_every_job_is_a_slurm_job_and_the_reports_match_a_local_build(cluster_build, local_reports):
    project, log = cluster_build
    jobs, submitted = _jobs(log), _submissions(log)
    assert [job.rule for job in jobs.values() if job.local] == [], (
        "jobs run by Snakemake itself, not by SLURM"
    )
    briefs = sum(
        1 for name in local_reports if name.startswith("briefs/") and name.endswith(".pdf")
    )
    rules = sorted(job.rule for job in jobs.values())
    assert rules == sorted(
        [
            "prepare_data",
            "compute_tables",
            "read_document",
            "read_document",
            "publish_document",
            "publish_document",
            "write_manifest",
        ]
        + ["publish_brief"] * briefs
    )
    # Every job was handed to sbatch, each under its own SLURM job id.
    assert sorted(submitted) == sorted(jobs), "jobs that did not go through sbatch"
    assert len({slurm_id for slurm_id, _ in submitted.values()}) == len(jobs)

    # The controller ran each of them, asked for what its rule declares.
    run_id, records = _run_id(log), _slurm_records(_run_id(log))
    nodes = subprocess.run(
        ["sinfo", "--noheader", "--format=%n"], capture_output=True, text=True, check=True
    ).stdout.split()
    for jobid, job in jobs.items():
        slurm_id, _ = submitted[jobid]
        assert slurm_id in records, f"SLURM does not know job {slurm_id} ({job.rule})"
        record = records[slurm_id]
        assert (record.name, record.state) == (run_id, "COMPLETED"), (job, record)
        assert record.node in nodes
        assert record.comment.startswith(f"rule_{job.rule}"), (job, record)
        assert "runtime" in job.resources, (
            f"rule {job.rule} declares no runtime: SLURM would apply its default"
        )
        assert record.cpus == job.threads, (job, record)
        assert record.mem_mb == int(job.resources["mem_mb"]), (job, record)
        assert record.minutes == int(job.resources["runtime"]), (job, record)
    # The values come from the rules (rules/*.smk), not from the profile or Snakemake's defaults.
    by_rule = {job.rule: records[submitted[jobid][0]] for jobid, job in jobs.items()}
    assert by_rule["publish_brief"].minutes == 10
    assert by_rule["publish_document"].cpus == 2
    # mem_mb comes from the rules' memory model (a function of each job's input size).
    for rule in ("publish_brief", "compute_tables"):
        assert by_rule[rule].mem_mb >= cw.JOB_MEMORY[rule].declare(0), rule

    cluster_reports = _reports(project)
    assert sorted(cluster_reports) == sorted(local_reports)
    different = [name for name in local_reports if local_reports[name] != cluster_reports[name]]
    assert different == [], f"differ between the local and the cluster build: {different}"


def test_a_failed_slurm_job_leaves_no_output_and_a_rerun_finishes_the_build(
    cluster_build, local_reports, tmp_path
):
    built, _ = cluster_build
    project = tmp_path / "project"
    # copytree keeps the files' times, so Snakemake sees the copy as built as the original.
    shutil.copytree(built, project, symlinks=True)
    template = project / "templates" / "brief.md.j2"
    original = template.read_text(encoding="utf-8")
    line = "{% set c = country %}\n"
    assert original.count(line) == 1
    # A fault for one country only: a field that does not exist (StrictUndefined raises), on an
    # existing line so that the other briefs render exactly as before.
    template.write_text(
        original.replace(
            line,
            line[:-1] + f'{{% if document.slug == "{BROKEN}" %}}'
            "{{ c.injected_fault }}{% endif %}\n",
        ),
        encoding="utf-8",
    )

    # --keep-going: every other job runs. --retries 0: the profile's retry would only fail again.
    failed = _snakemake(
        project,
        "--profile",
        "profiles/slurm",
        *FAST_STATUS,
        "--keep-going",
        "--retries",
        "0",
        check=False,
    )
    log = failed.stdout + failed.stderr
    assert failed.returncode != 0
    jobs, submitted = _jobs(log), _submissions(log)
    # Every brief was redone (its template changed), each as a SLURM job; the manifest, which
    # waits for all of them, was never submitted.
    briefs = sum(
        1 for name in local_reports if name.startswith("briefs/") and name.endswith(".pdf")
    )
    assert sorted(job.rule for job in jobs.values()) == ["publish_brief"] * briefs
    assert sorted(submitted) == sorted(jobs)
    [(slurm_id, slurm_log)] = [sub for sub in submitted.values() if sub[1].parent.name == BROKEN]

    # Reported as a failed SLURM job, with its SLURM log, which holds the template's error.
    error = log[log.index("Error in rule publish_brief:") :]
    assert f"SLURM-job '{slurm_id}' failed, SLURM status is: 'FAILED'" in error
    assert str(slurm_log) in error.split("\n    shell:")[0]
    assert slurm_log.is_file() and slurm_log.resolve().is_relative_to(
        (project / "logs" / "slurm").resolve()
    )
    lineno = original[: original.index(line)].count("\n") + 1
    assert (
        f"brief.md.j2:{lineno}: template error: 'dict object' has no attribute 'injected_fault'"
        in slurm_log.read_text()
    )
    assert _slurm_records(_run_id(log))[slurm_id].state == "FAILED"

    # No partial output: none of the broken brief's files, and nothing else that is not a file
    # of the complete build; every other report as a clean build makes it.
    after = _reports(project)
    assert set(local_reports) - set(after) == BROKEN_REPORTS
    assert set(after) <= set(local_reports), (
        f"stray files: {sorted(set(after) - set(local_reports))}"
    )
    assert [name for name in after if after[name] != local_reports[name]] == []
    assert [path for path in BROKEN_INTERMEDIATES if (project / path).exists()] == []

    # The repair: the original template, with its own time (older than the briefs just built, so
    # those stay as they are). The rerun submits the broken brief and the manifest, nothing else.
    shutil.copy2(ROOT / "templates" / "brief.md.j2", template)
    rerun = _snakemake(project, "--profile", "profiles/slurm", *FAST_STATUS)
    log = rerun.stdout + rerun.stderr
    jobs, submitted = _jobs(log), _submissions(log)
    assert sorted(job.rule for job in jobs.values()) == ["publish_brief", "write_manifest"]
    assert sorted(submitted) == sorted(jobs)
    assert (
        submitted[next(j for j, job in jobs.items() if job.rule == "publish_brief")][1].parent.name
        == BROKEN
    )
    records = _slurm_records(_run_id(log))
    assert sorted(records[slurm_id].state for slurm_id, _ in submitted.values()) == [
        "COMPLETED",
        "COMPLETED",
    ]
    final = _reports(project)
    assert sorted(final) == sorted(local_reports)
    assert [name for name in local_reports if final[name] != local_reports[name]] == []


def test_a_large_build_asks_slurm_for_the_cpus_its_jobs_use(slurm, local_reports, tmp_path):
    # In a large build (coopdocs.workflow.helpers.HeavyJobs) the heavy jobs take every core of a
    # local run, and one CPU on a cluster. The job's own Snakemake on the node must count the
    # same, or it asks srun for more CPUs than the job was given and SLURM refuses ("More
    # processors requested than permitted"). Large is forced by a threshold of 0 bytes in the
    # copy's package, which the builds import first (PYTHONPATH; sbatch passes the environment
    # on). Only the article is built: prepare_data, compute_tables, reading and writing it.
    project = copy_files(ROOT, tmp_path / "project", PROJECT_FILES)
    helpers_py = project / "src" / "coopdocs" / "workflow" / "helpers.py"
    threshold = "LARGE_DATA_BYTES = 2 * 1024 * 1024\n"
    text = helpers_py.read_text(encoding="utf-8")
    assert text.count(threshold) == 1
    helpers_py.write_text(text.replace(threshold, "LARGE_DATA_BYTES = 0\n"), encoding="utf-8")
    targets = [f"reports/article/review.{ext}" for ext in ("docx", "html", "pdf")]

    env = {"PYTHONPATH": os.pathsep.join([str(project / "src"), os.environ.get("PYTHONPATH", "")])}
    proc = _snakemake(project, "--profile", "profiles/slurm", *FAST_STATUS, *targets, env=env)
    log = proc.stdout + proc.stderr
    jobs, submitted = _jobs(log), _submissions(log)
    rules = ["compute_tables", "prepare_data", "publish_document", "read_document"]
    assert sorted(job.rule for job in jobs.values()) == rules
    assert sorted(submitted) == sorted(jobs)
    records = _slurm_records(_run_id(log))
    # One CPU for every job, publish_document too (two in a small build): the build was large.
    for jobid, job in jobs.items():
        record = records[submitted[jobid][0]]
        assert (record.state, record.cpus, job.threads) == ("COMPLETED", 1, 1), (job, record)
    for target in targets:
        name = target.removeprefix("reports/")
        assert (project / target).read_bytes() == local_reports[name], (
            f"{name} differs from a local build"
        )
