"""Running the real workflow in a temporary project copy: the workflow tier's shared helpers.

Test modules import these from here (``from workflow_build import ...``), never from
``conftest``: there is one conftest.py per tier folder, and which of them ``import conftest``
finds depends on the order of collection (tests/locations.py).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import helpers
from coopdocs.tools.revision import BUILD_FILES

ROOT = Path(__file__).resolve().parents[2]
SNAKEMAKE = str(Path(sys.executable).parent / "snakemake")


def copy_project(dest: Path) -> Path:
    """Copy what a build needs (revision.BUILD_FILES: not reports/, not .snakemake/) into ``dest``."""
    return helpers.copy_project(dest, BUILD_FILES)


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
