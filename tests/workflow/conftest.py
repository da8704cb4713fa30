"""End-to-end fixtures: the real workflow run on the real data in a temporary copy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import helpers

ROOT = Path(__file__).resolve().parents[2]
PROJECT_FILES = [
    "Snakefile",
    "rules",
    "templates",
    "config",
    "data",
    "envs",
    "report",
    "src",
    "profiles",
]
SNAKEMAKE = str(Path(sys.executable).parent / "snakemake")


def copy_project(dest: Path) -> Path:
    """Copy what a build needs (not reports/, not .snakemake/) into ``dest``."""
    return helpers.copy_project(dest, PROJECT_FILES)


def snakemake(
    project: Path, *args: str, check: bool = True, env: dict | None = None
) -> subprocess.CompletedProcess:
    """Run Snakemake in ``project``; return the completed process (output captured)."""
    proc = helpers.snakemake(project, *args, env=env)
    if check and proc.returncode != 0:
        raise AssertionError(
            f"snakemake {' '.join(args)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}"
        )
    return proc


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """A project copy with every report built once; tests must not modify it."""
    project = copy_project(tmp_path_factory.mktemp("built") / "project")
    snakemake(project)
    return project
