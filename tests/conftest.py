"""Shared fixtures and the test tiers.

Every test lives in one tier folder, and its markers come from that folder (set here, never by
hand), so that a tier can be chosen by folder or by marker:

* ``tests/unit``: functions and modules in-process, on the two-state fixture package
  (``tests/fixtures/two-states``) or the real data; no Snakemake run. Under a minute.
* ``tests/robustness``: the reliability cases (RELIABILITY.md): bad input, interrupted writes,
  injection, reproducibility. Those that need a finished build are ``workflow`` tests too.
* ``tests/workflow``: the real workflow run end to end on the real data, in temporary copies.
* ``tests/cluster``: the workflow through the cluster executor (also ``workflow``).

``workflow`` means "runs the Snakemake workflow", wherever the test lives: besides the two folders
above, a test that asks for a fixture which builds the project (:data:`BUILD_FIXTURES`) gets it, so
``pytest -m "not workflow"`` never starts a full build. A test file outside the tier folders is an
error. Test file names are unique across the tiers (pytest imports them by their base name), and
shared paths come from ``locations``, not from a conftest (there is one per tier).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from coopdocs.compute.claims import claim_names
from locations import DATA, ROOT, TESTS, TWO_STATES

# Folder -> the markers of every test in it (registered in pyproject.toml's pytest options).
TIERS = {
    "unit": ("unit",),
    "robustness": ("robustness",),
    "workflow": ("workflow",),
    "cluster": ("cluster", "workflow"),
}
# Fixtures that run the whole workflow (tests/robustness/conftest.py, tests/workflow/conftest.py).
BUILD_FIXTURES = {"baseline", "built"}


def tier_of(path: Path) -> str | None:
    """The tier folder a test file is in (``tests/<tier>/...``), or None."""
    try:
        parts = path.resolve().relative_to(TESTS).parts
    except ValueError:
        return None
    return parts[0] if len(parts) > 1 and parts[0] in TIERS else None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark each test with its folder's tier (and ``workflow`` when it needs a full build)."""
    stray = []
    for item in items:
        tier = tier_of(Path(str(item.path)))
        if tier is None:
            stray.append(item.nodeid)
            continue
        for name in TIERS[tier]:
            item.add_marker(name)
        if (
            BUILD_FIXTURES & set(getattr(item, "fixturenames", ()))
            and "workflow" not in TIERS[tier]
        ):
            item.add_marker("workflow")
    if stray:
        raise pytest.UsageError(
            "tests outside the tier folders (put them in tests/unit, tests/robustness, "
            "tests/workflow or tests/cluster; see tests/conftest.py):\n  " + "\n  ".join(stray)
        )


@pytest.fixture(scope="session")
def root() -> Path:
    """The project root."""
    return ROOT


@pytest.fixture(scope="session")
def real_package():
    """The real data package, validated once per session."""
    from coopdocs.load.datapackage import load_package

    return load_package(DATA, root=ROOT, claims=claim_names())


@pytest.fixture(scope="session")
def two_states():
    """The two-state fixture package (the Union, Belarus and Russia), validated once per session."""
    from coopdocs.load.datapackage import load_package

    return load_package(TWO_STATES, root=ROOT, claims=claim_names())


@pytest.fixture()
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the real data folder."""
    dest = tmp_path / "data"
    shutil.copytree(DATA, dest)
    return dest
