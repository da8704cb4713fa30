"""Every git command the project runs, and what the build asks of git.

One wrapper (:func:`run`, :func:`query`) runs git for the build (the commit a document states and
which of its records have uncommitted changes; the build date, :mod:`coopdocs.tools.builddate`),
for ``coopdocs diff`` (revisions, the work tree's files) and for ``coopdocs archive`` (a clean work
tree, a source snapshot of HEAD).

A document states the commit its data comes from and whether *its own* records have uncommitted
changes. Comparing record by record (rather than one repository-wide dirty flag) keeps incremental
builds incremental: editing a Kyrgyz project marks, and rebuilds, only the documents that use that
project.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

# Archival builds and their verification build a source snapshot (a `git archive` of one commit)
# that is not a work tree; they name the commit here, and the snapshot is by definition clean.
SNAPSHOT_COMMIT_ENV = "COOPDOCS_SOURCE_COMMIT"


class GitError(RuntimeError):
    """git is not installed, or a git command failed; the message holds git's own."""


def run_bytes(root: Path, *args: str) -> bytes:
    """The standard output of ``git args`` run in ``root``; GitError when git is missing or fails."""
    try:
        proc = subprocess.run(["git", *args], cwd=root, capture_output=True, check=False)
    except FileNotFoundError as exc:
        raise GitError("git is not installed") from exc
    if proc.returncode != 0:
        raise GitError(f"git {' '.join(args)}: {proc.stderr.decode('utf-8', 'replace').strip()}")
    return proc.stdout


def run(root: Path, *args: str) -> str:
    """The standard output of ``git args`` as text, without surrounding whitespace (GitError on failure)."""
    return run_bytes(root, *args).decode("utf-8").strip()


def query(root: Path, *args: str, strip: bool = True) -> str | None:
    """Like :func:`run`, but None when git is missing or the command fails (outside a work tree...)."""
    try:
        out = run_bytes(root, *args).decode("utf-8")
    except GitError:
        return None
    return out.strip() if strip else out


def run_as(root: Path, *args: str, author: str, when: int | None = None) -> str:
    """The standard output of ``git args`` run in ``root`` as ``author`` (name; e-mail
    ``<author>@example.org``) at ``when`` (seconds since the epoch; git's own clock when None), for
    the scratch repositories the tests and benchmarks make; GitError when git fails."""
    env = dict(
        os.environ,
        GIT_AUTHOR_NAME=author,
        GIT_AUTHOR_EMAIL=f"{author}@example.org",
        GIT_COMMITTER_NAME=author,
        GIT_COMMITTER_EMAIL=f"{author}@example.org",
    )
    if when is not None:
        env.update(GIT_AUTHOR_DATE=f"@{when} +0000", GIT_COMMITTER_DATE=f"@{when} +0000")
    proc = subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise GitError(f"git {' '.join(args)}: {proc.stderr.strip()}")
    return proc.stdout


# --------------------------------------------------------------------------------------------
# Revisions and the work tree


def is_work_tree(root: Path) -> bool | None:
    """True inside a git work tree, False inside a repository but not its work tree (``.git``),
    None outside any repository (or without git)."""
    inside = query(root, "rev-parse", "--is-inside-work-tree")
    return None if inside is None else inside == "true"


def resolve_commit(root: Path, spec: str) -> str | None:
    """The full hash of the commit ``spec`` names (a hash, branch, tag, ``HEAD~2``...), or None."""
    return (
        query(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{spec}^{{commit}}")
        or None
    )


def head_commit(root: Path) -> str:
    """The full hash of HEAD, or '' outside a git work tree (or before the first commit)."""
    if os.environ.get(SNAPSHOT_COMMIT_ENV):
        return os.environ[SNAPSHOT_COMMIT_ENV]
    return query(root, "rev-parse", "--verify", "-q", "HEAD") or ""


def status(root: Path) -> str:
    """``git status --porcelain``: uncommitted changes to tracked files and untracked, unignored files."""
    return run(root, "status", "--porcelain", "--untracked-files=normal")


def is_dirty(root: Path, paths: Iterable[str] | None = None) -> bool:
    """Whether the work tree (or ``paths`` in it) has uncommitted changes to tracked files (or
    untracked, unignored files)."""
    if os.environ.get(SNAPSHOT_COMMIT_ENV):
        return False
    args = ["status", "--porcelain", "--untracked-files=normal"]
    if paths is not None:
        args += ["--", *paths]
    return bool(query(root, *args))


def last_commit(root: Path, paths: Iterable[str], revision: str = "HEAD") -> str:
    """The full hash of the last commit up to ``revision`` that changed one of ``paths`` (relative
    to ``root``); HEAD's when none did; '' outside git.

    What a build states as its version: a commit of the README, the docs or the tests alone then
    changes no byte of any output (the build-date policy, coopdocs.tools.builddate).
    """
    if os.environ.get(SNAPSHOT_COMMIT_ENV):
        return os.environ[SNAPSHOT_COMMIT_ENV]
    return query(root, "log", "-1", "--format=%H", revision, "--", *paths) or head_commit(root)


def commit_time(
    root: Path, revision: str = "HEAD", paths: Iterable[str] | None = None
) -> int | None:
    """Committer time of ``revision``, or (``paths`` given) of the last commit up to it that changed
    one of ``paths`` (relative to ``root``); None outside git or when no such commit exists."""
    args = ["log", "-1", "--format=%ct", revision]
    if paths is not None:
        args += ["--", *paths]
    out = query(root, *args)
    return int(out) if out and out.isdigit() else None


def prefix(root: Path) -> str:
    """Where ``root`` lies inside its repository (``''`` at the top, else ``sub/dir/``)."""
    return run(root, "rev-parse", "--show-prefix")


def archive(root: Path, treeish: str, output: Path | None = None) -> bytes:
    """``git archive --format=tar`` of ``treeish``: written to ``output`` if given, else returned."""
    if output is not None:
        run_bytes(root, "archive", "--format=tar", f"--output={output}", treeish)
        return b""
    return run_bytes(root, "archive", "--format=tar", treeish)


def worktree_files(root: Path) -> list[str]:
    """The work tree's files under ``root`` as git sees them: tracked, and untracked but not ignored."""
    listing = run_bytes(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    return sorted(set(p for p in listing.decode("utf-8").split("\0") if p))


# --------------------------------------------------------------------------------------------
# The version of the data a document states


def _rows(text: str, key: str) -> dict[str, dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    out = {}
    for row in reader:
        k = (row.get(key) or "").strip()
        if k:
            out[k] = {f: " ".join((v or "").split()) for f, v in row.items() if f is not None}
    return out


def head_texts(root: Path, paths: list[str]) -> list[str | None]:
    """The text at HEAD of each of ``paths`` (from the top of the work tree holding ``root``);
    None for a path HEAD has no file at, and for all of them when git cannot tell.

    One ``git cat-file --batch`` for every path instead of one ``git show`` each: a process per
    table was ~0.1 s of the prepare job, on the path of every edit (docs/performance.md).
    """
    if any("\n" in p for p in paths):  # the batch reads one name a line
        return [query(root, "show", f"HEAD:{p}", strip=False) for p in paths]
    specs = "".join(f"HEAD:{p}\n" for p in paths).encode("utf-8")
    try:
        proc = subprocess.run(
            ["git", "cat-file", "--batch"], cwd=root, input=specs, capture_output=True, check=False
        )
    except FileNotFoundError:
        return [None] * len(paths)
    if proc.returncode != 0:
        return [None] * len(paths)
    out, pos, texts = proc.stdout, 0, []
    for _ in paths:
        end = out.index(b"\n", pos)
        header = out[pos:end].split(b" ")  # "<oid> <type> <size>", or "<name> missing"
        pos = end + 1
        if len(header) != 3 or not header[2].isdigit():
            texts.append(None)
            continue
        size = int(header[2])
        blob = header[1] == b"blob"
        texts.append(out[pos : pos + size].decode("utf-8", "replace") if blob else None)
        pos += size + 1
    return texts


def changed_records(data_dir: Path, descriptor: dict[str, Any]) -> dict[str, Any]:
    """Records whose row differs from HEAD (changed, added or removed), per the descriptor's tables.

    Returns ``{"commit": hash or "", "changed": sorted IDs}``; outside git, ``commit`` is ''
    and nothing is listed.
    """
    commit = last_commit(data_dir, ["."])  # the data's version: the last commit that changed it
    if not commit or os.environ.get(SNAPSHOT_COMMIT_ENV):
        return {"commit": commit, "changed": []}
    where = query(data_dir, "rev-parse", "--show-prefix") or ""
    resources = descriptor["resources"]
    at_head = head_texts(data_dir, [f"{where}{res['path']}" for res in resources])
    changed: set[str] = set()
    for res, old_text in zip(resources, at_head):
        key = res["schema"]["primaryKey"]
        path = data_dir / res["path"]
        current = (
            _rows(path.read_text(encoding="utf-8", errors="replace"), key) if path.is_file() else {}
        )
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
