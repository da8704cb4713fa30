"""End-to-end fixtures: the real workflow run on the real data in a temporary copy."""

from __future__ import annotations

from pathlib import Path

import pytest
from workflow_build import ROOT, copy_project, snakemake  # noqa: F401 (ROOT: the tier's fixtures)


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """A project copy with every report built once; tests must not modify it."""
    project = copy_project(tmp_path_factory.mktemp("built") / "project")
    snakemake(project)
    return project
