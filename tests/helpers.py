"""Small helpers shared by the tests (importable as ``helpers``).

Copies of the project and their builds go through :mod:`coopdocs.tools.revision`, the one way the
project builds a version in a folder of its own (as ``coopdocs diff`` and ``archive`` do).
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from coopdocs.tools import git as coopdocs_git
from coopdocs.tools import revision

ROOT = Path(__file__).resolve().parent.parent
# The build date of every test build (2022-12-30), unless a test says otherwise.
EPOCH = 1672358400
# The environment's console scripts (coopdocs, snakemake), beside the interpreter running the tests.
BIN = Path(sys.executable).parent


def read_table(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV table as dictionaries of text."""
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def write_table(path: Path, rows: list[dict[str, str]], header: list[str] | None = None) -> None:
    """Write rows back as CSV with the given (or the first row's) header."""
    header = header or list(rows[0].keys())
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def edit_table(project: Path, table: str, change) -> list[dict[str, str]]:
    """Edit the data table ``table`` of ``project`` in place: ``change`` is given its rows (a list
    of dictionaries) to alter, and they are written back; returns the rows."""
    path = project / "data" / f"{table}.csv"
    rows = read_table(path)
    change(rows)
    write_table(path, rows)
    return rows


def git(repo: Path, *args: str, when: int | None = None) -> str:
    """Run ``git ARGS`` in ``repo`` as the test author "t", at ``when`` (seconds since the epoch;
    git's own clock when None), and return its output; a failure raises GitError."""
    return coopdocs_git.run_as(repo, *args, author="t", when=when)


def copy_files(source: Path, dest: Path, names: Iterable[str]) -> Path:
    """Copy the files and folders ``names`` of ``source`` (those that exist) into ``dest``; return ``dest``."""
    return revision.copy_project(source, dest, names)


def copy_project(dest: Path, names: Iterable[str] = revision.BUILD_FILES) -> Path:
    """A copy of this project's build files (``names``; not reports/, not .snakemake/) in ``dest``."""
    return revision.copy_project(ROOT, dest, names)


def snakemake(
    project: Path,
    *args: str,
    env: dict[str, str] | None = None,
    epoch: int | None = EPOCH,
    cores: int = 2,
    timeout: float = 900,
    umask: int | None = None,
) -> subprocess.CompletedProcess:
    """Run Snakemake in ``project`` (SOURCE_DATE_EPOCH ``epoch``, None: the build's own date; ``env``
    on top), optionally under another umask; the completed process, not checked."""
    preexec = (lambda: os.umask(umask)) if umask is not None else None
    return revision.build(
        project, *args, epoch=epoch, cores=cores, env=env, timeout=timeout, preexec_fn=preexec
    )
