"""The whole build through the cluster executor gives the same bytes as a local build.

The slurm profile (profiles/slurm) is used as it is, except that ``sbatch`` is the stand-in in
tests/cluster/bin/sbatch: it checks the options the profile passes (cpus, memory, time as whole
numbers), runs the job script in the background on this machine and prints a job id. Each job then
runs as its own ``python -m snakemake`` process, as on a real cluster node. Both builds use the
same SOURCE_DATE_EPOCH; every file under reports/ must be byte-identical.

Takes about 1.5 minutes on two cores (each job starts its own Snakemake).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import copy_files

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SNAKEMAKE = str(Path(sys.executable).parent / "snakemake")
PROJECT_FILES = ["Snakefile", "rules", "templates", "config", "data", "envs", "profiles"]
EPOCH = "1672358400"

pytestmark = [pytest.mark.workflow, pytest.mark.timeout(600)]


def _copy_project(dest: Path) -> Path:
    return copy_files(ROOT, dest, PROJECT_FILES)


def _run(project: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [SNAKEMAKE, *args], cwd=project, env=env, capture_output=True, text=True, timeout=540
    )
    assert proc.returncode == 0, (
        f"snakemake {' '.join(args)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"
    )
    return proc


def _reports(project: Path) -> dict[str, bytes]:
    base = project / "reports"
    return {
        p.relative_to(base).as_posix(): p.read_bytes()
        for p in sorted(base.rglob("*"))
        if p.is_file()
    }


def test_cluster_generic_build_is_byte_identical_to_local(tmp_path: Path):
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH)
    local = _copy_project(tmp_path / "local")
    _run(local, "--profile", "profiles/local", "--cores", "2", env=env)

    cluster = _copy_project(tmp_path / "cluster")
    submissions = tmp_path / "submissions.txt"
    cluster_env = dict(
        env,
        PATH=f"{HERE / 'bin'}{os.pathsep}{env['PATH']}",
        FAKE_SBATCH_LOG=str(submissions),
        FAKE_SBATCH_STATE=str(tmp_path),
    )
    # Two jobs at a time: the stand-in scheduler runs them on this machine's two cores.
    # Status rounds every second instead of every 10 s: the jobs here take about a second each.
    proc = _run(
        cluster,
        "--profile",
        "profiles/slurm",
        "--jobs",
        "2",
        "--latency-wait",
        "5",
        "--seconds-between-status-checks",
        "1",
        "--max-status-checks-per-second",
        "10",
        env=cluster_env,
    )
    assert "Submitted job" in proc.stderr + proc.stdout

    # Every job went through sbatch, with the resources the profile and the rules declare.
    lines = [line.split() for line in submissions.read_text().splitlines()]
    rules = {name.removeprefix("coopdocs-") for _, name, *_ in lines}
    assert {
        "prepare_data",
        "compute_tables",
        "publish_brief",
        "read_document",
        "publish_document",
        "write_manifest",
    } <= rules
    memory = {name.removeprefix("coopdocs-"): int(mem) for _, name, _, mem, _ in lines}
    assert memory["compute_tables"] == 1000  # declared by the rule
    assert memory["publish_brief"] == 400  # declared by the rule
    assert memory["write_manifest"] == 500  # default-resources of the profile
    assert all(int(t) == 15 for *_, t in lines)
    assert list((cluster / "logs" / "slurm").glob("publish_brief-*.log"))

    local_reports, cluster_reports = _reports(local), _reports(cluster)
    assert len(local_reports) >= 30
    assert sorted(cluster_reports) == sorted(local_reports)
    different = [name for name in local_reports if local_reports[name] != cluster_reports[name]]
    assert different == [], f"differ between local and cluster builds: {different}"
