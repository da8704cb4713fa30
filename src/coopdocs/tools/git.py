"""What version of the data a build used: the git commit, and which records differ from it.

A document states the commit its data comes from and whether *its own* records have
uncommitted changes. Comparing record by record (rather than one repository-wide dirty flag)
keeps incremental builds incremental: editing a Kyrgyz project marks, and rebuilds, only the
documents that use that project.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
from pathlib import Path
from typing import Any


def _git(args: list[str], cwd: Path) -> str | None:
    try:
        out = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        return None
    return out.stdout.decode("utf-8") if out.returncode == 0 else None


# Archival builds and their verification build a source snapshot (a `git archive` of one commit)
# that is not a work tree; they name the commit here, and the snapshot is by definition clean.
SNAPSHOT_COMMIT_ENV = "COOPDOCS_SOURCE_COMMIT"


def head_commit(root: Path) -> str:
    """The full hash of HEAD, or '' outside a git work tree (or before the first commit)."""
    if os.environ.get(SNAPSHOT_COMMIT_ENV):
        return os.environ[SNAPSHOT_COMMIT_ENV]
    out = _git(["rev-parse", "--verify", "-q", "HEAD"], root)
    return out.strip() if out else ""


def is_dirty(root: Path) -> bool:
    """Whether the work tree has uncommitted changes to tracked files (or untracked, unignored files)."""
    if os.environ.get(SNAPSHOT_COMMIT_ENV):
        return False
    out = _git(["status", "--porcelain", "--untracked-files=normal"], root)
    return bool(out and out.strip())


def _rows(text: str, key: str) -> dict[str, dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    out = {}
    for row in reader:
        k = (row.get(key) or "").strip()
        if k:
            out[k] = {f: " ".join((v or "").split()) for f, v in row.items() if f is not None}
    return out


def changed_records(data_dir: Path, descriptor: dict[str, Any]) -> dict[str, Any]:
    """Records whose row differs from HEAD (changed, added or removed), per the descriptor's tables.

    Returns ``{"commit": hash or "", "changed": sorted IDs}``; outside git, ``commit`` is ''
    and nothing is listed.
    """
    commit = head_commit(data_dir)
    if not commit or os.environ.get(SNAPSHOT_COMMIT_ENV):
        return {"commit": commit, "changed": []}
    prefix = (_git(["rev-parse", "--show-prefix"], data_dir) or "").strip()
    changed: set[str] = set()
    for res in descriptor["resources"]:
        key = res["schema"]["primaryKey"]
        path = data_dir / res["path"]
        current = _rows(path.read_text(encoding="utf-8", errors="replace"), key) if path.is_file() else {}
        old_text = _git(["show", f"HEAD:{prefix}{res['path']}"], data_dir)
        previous = _rows(old_text, key) if old_text is not None else {}
        for k in set(current) | set(previous):
            if current.get(k) != previous.get(k):
                changed.add(k)
    return {"commit": commit, "changed": sorted(changed)}


def data_version(git: dict[str, Any], record_ids: list[str]) -> dict[str, Any]:
    """The data version one document states: commit, and whether its records have uncommitted changes.

    >>> data_version({"commit": "0123456789abcdef", "changed": ["prj-a"]}, ["prj-a", "prj-b"])["text"]
    'git commit 0123456789ab, with uncommitted changes to 1 of its records'
    """
    commit = git.get("commit", "")
    if not commit:
        return {"commit": "", "dirty": None, "text": "not under version control"}
    mine = sorted(set(record_ids) & set(git.get("changed", [])))
    text = f"git commit {commit[:12]}"
    if mine:
        text += f", with uncommitted changes to {len(mine)} of its records"
    return {"commit": commit, "dirty": bool(mine), "changed_records": mine, "text": text}
