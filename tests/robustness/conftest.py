"""Fixtures of the robustness suite (RELIABILITY.md, the 19 cases): one real build shared by the
tests that need a finished project, and the tools in ``rbtools``."""

from __future__ import annotations

from pathlib import Path

import pytest

import rbtools


@pytest.fixture(scope="session")
def baseline(tmp_path_factory) -> Path:
    """A copy of the project with every report built once (-c2); tests copy it, never modify it."""
    project = rbtools.copy_project(tmp_path_factory.mktemp("robust-baseline") / "project")
    rbtools.snakemake(project)
    return project
