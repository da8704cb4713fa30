"""Shared fixtures: the project root, the real data, and small data-package builders."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"


@pytest.fixture(scope="session")
def root() -> Path:
    """The project root."""
    return ROOT


@pytest.fixture(scope="session")
def real_package():
    """The real data package, validated once per session."""
    from coopdocs.load.datapackage import load_package

    return load_package(DATA, root=ROOT)


@pytest.fixture()
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the real data folder."""
    dest = tmp_path / "data"
    shutil.copytree(DATA, dest)
    return dest
