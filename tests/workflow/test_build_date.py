"""The build date policy end to end: a commit that changes only the README rebuilds nothing.

The build is dated by the last commit that changed its inputs (coopdocs.tools.builddate), not by
HEAD. A scratch clone of a finished build is committed at the date that build used; then a
README-only commit leaves Snakemake with nothing to do, and a data commit reruns the documents.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

import helpers
from coopdocs.tools.config import load_config
from coopdocs.workflow.commands import prepare_args
from helpers import git

pytestmark = pytest.mark.workflow


def dry_run(project: Path) -> subprocess.CompletedProcess:
    # No SOURCE_DATE_EPOCH: the workflow dates the build itself, from git.
    proc = helpers.snakemake(project, "-n", epoch=None)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def test_readme_only_commit_rebuilds_nothing(built, tmp_path):
    clone = tmp_path / "clone"
    # The finished build (outputs, Snakemake's records, same modification times) as a repository
    # whose only commit is dated like that build (helpers.EPOCH).
    shutil.copytree(built, clone, symlinks=True)
    (clone / "README.md").write_text("# coopdocs\n", encoding="utf-8")
    (clone / ".gitignore").write_text(
        "reports/\nbuild/\nlogs/\n.snakemake/\n__pycache__/\n", encoding="utf-8"
    )
    git(clone, "init", "-q")
    git(clone, "add", "-A")
    git(clone, "commit", "-q", "-m", "v1", when=helpers.EPOCH)
    assert "Nothing to be done" in dry_run(clone).stdout

    # The version a build states (documents, manifest) is that of the inputs, not HEAD's: made
    # again after a README-only commit, the manifest and a brief's context keep their bytes.
    # (In a copy: making them in the clone would change what its dry run compares.)
    def stated_versions() -> tuple[bytes, bytes]:
        side = tmp_path / f"side-{len(list(tmp_path.glob('side-*')))}"
        shutil.copytree(clone, side, symlinks=True)
        settings = load_config(side)
        prepare = prepare_args(settings, helpers.EPOCH)
        for cmd in (prepare, ["manifest", "--epoch", str(helpers.EPOCH)]):
            subprocess.run(
                [str(helpers.BIN / "coopdocs"), *cmd], cwd=side, check=True, capture_output=True
            )
        return (
            (side / "reports/manifest.json").read_bytes(),
            (side / "build/context/briefs/armenia.json").read_bytes(),
        )

    before = stated_versions()
    (clone / "README.md").write_text("# coopdocs\n\nA new paragraph.\n", encoding="utf-8")
    git(clone, "commit", "-q", "-am", "README only", when=helpers.EPOCH + 86400)
    proc = dry_run(clone)
    assert "Nothing to be done" in proc.stdout, proc.stdout[-3000:]
    assert stated_versions() == before

    # A commit of an input (here the configuration, a comment only) moves the build date: the
    # documents are rebuilt.
    config = clone / "config" / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "# touched\n", encoding="utf-8")
    git(clone, "commit", "-q", "-am", "config", when=helpers.EPOCH + 2 * 86400)
    proc = dry_run(clone)
    assert "Nothing to be done" not in proc.stdout
    assert "reports/briefs/armenia.pdf" in proc.stdout
