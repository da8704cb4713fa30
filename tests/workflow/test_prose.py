"""The editorial checker (tests/prose_check.py, a vendored copy of ../shared/checks/prose.py) finds
nothing in the documents built from the seed data, the two-state fixture and the invented package
(tests/workflow/test_other_package.py runs it there: its state Valdoria has no project, event or
role). A finding fails the test with the checker's own line, so a template seam that comes back
(an echo, a hedge, a section that only says nothing is there) is caught before circulation.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from workflow_build import copy_project, snakemake

TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS))
import prose_check  # noqa: E402  (tests/ is not a package)

TWO_STATES = TESTS / "fixtures" / "two-states"


def findings(project: Path) -> list[str]:
    """Every finding of the checker on the project's HTML documents, each document and the set."""
    paths = sorted(
        p
        for p in (project / "reports").rglob("*.html")
        if "diff" not in p.relative_to(project).parts
    )
    assert len(paths) >= 3, paths
    docs = {p: prose_check.parse(p) for p in paths}
    lines = [
        prose_check.line(str(p.name), f) for p, d in docs.items() for f in prose_check.findings(d)
    ]
    lines += [prose_check.line("set", f) for f in prose_check.cross_doc_repeat(docs)]
    return lines


@pytest.fixture(scope="module")
def two_states(tmp_path_factory) -> Path:
    """The project built on the two-state fixture package."""
    project = copy_project(tmp_path_factory.mktemp("two") / "project")
    package = project.parent / "two-states-data"
    shutil.copytree(TWO_STATES, package)
    snakemake(project, "--config", f"data_dir={package}")
    return project


def test_seed_documents_have_no_editorial_findings(built):
    assert findings(built) == []


def test_two_state_documents_have_no_editorial_findings(two_states):
    assert findings(two_states) == []
