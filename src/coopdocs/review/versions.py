"""The two versions ``coopdocs diff`` compares: which revision each is, and what its build holds.

A version is a git revision or ``WORKTREE`` (the work tree as it is, tracked and untracked files
that git does not ignore). Each is built in a folder of its own (:mod:`coopdocs.tools.revision`);
:func:`load` then reads what the diff needs from that build: every document's context and
Markdown, and the data tables.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from coopdocs import layout
from coopdocs.load.strings import Words, word
from coopdocs.tools import git

WORKTREE = "WORKTREE"


class DiffError(RuntimeError):
    """The diff cannot be made (not a git repository, unknown revision, failed build...)."""


@dataclass
class Version:
    """One side of the comparison: a revision (``commit``) or the work tree (``commit`` None)."""

    label: str
    commit: str | None
    project: Path | None = None
    documents: dict[tuple[str, str], dict] = field(default_factory=dict)
    tables: dict[str, dict[str, dict]] = field(default_factory=dict)

    @property
    def is_worktree(self) -> bool:
        return self.commit is None

    def describe(self, words: Words) -> str:
        """The version as the reports name it, in the words of the strings file's ``diff_report``
        block: ``v1 (commit 0123456789ab)`` or ``WORKTREE (the work tree)``."""
        if self.commit:
            return word(words, "diff_report.commit", label=self.label, commit=self.commit[:12])
        return word(words, "diff_report.work_tree", label=self.label)


def check_repository(root: Path) -> None:
    """DiffError unless ``root`` is inside a git work tree with at least one commit."""
    inside = git.is_work_tree(root)
    if inside is None:
        raise DiffError(f"{root} is not in a git repository (coopdocs diff compares git revisions)")
    if not inside:
        raise DiffError(f"{root} is not in a git work tree")


def default_base(root: Path) -> str:
    """The default first version: the last tag reachable from HEAD, else HEAD."""
    return git.query(root, "describe", "--tags", "--abbrev=0") or "HEAD"


def resolve(root: Path, spec: str) -> Version:
    """A revision name (or ``WORKTREE``) as a :class:`Version`; DiffError when it does not exist."""
    if spec == WORKTREE:
        return Version(spec, None)
    commit = git.resolve_commit(root, spec)
    if not commit:
        raise DiffError(
            f"unknown revision {spec!r} (a commit, branch or tag, or {WORKTREE} for the work tree)"
        )
    return Version(spec, commit)


def same_content(root: Path, a: Version, b: Version) -> bool:
    """Whether both versions hold the same files: one commit, or HEAD against a clean work tree."""
    if a.commit == b.commit:
        return True
    return b.is_worktree and a.commit == git.run(root, "rev-parse", "HEAD") and not git.status(root)


def safe_name(label: str) -> str:
    """A version label usable in a folder name: ``feature/x`` → ``feature-x``.

    >>> safe_name("feature/x~1")
    'feature-x-1'
    """
    return re.sub(r"[^A-Za-z0-9._+-]+", "-", label).strip("-.") or "version"


def load(version: Version) -> None:
    """Read a built version: every document's context, Markdown and AST, and the data tables."""
    project = version.project
    assert project is not None
    for md in sorted((project / layout.MD_DIR).glob("*/*.md")):
        folder, name = md.parent.name, md.stem
        ctx_path = project / layout.context(folder, name)
        ctx = json.loads(ctx_path.read_text(encoding="utf-8")) if ctx_path.is_file() else {}
        bib = project / layout.bibliography(folder, name)
        ast = project / layout.ast(folder, name)
        version.documents[(folder, name)] = {
            "md": md,
            # The AST the build read the Markdown into (citations resolved), when it wrote one.
            "built_ast": ast if ast.is_file() else None,
            "bib": bib if bib.is_file() else None,
            "context": ctx,
            "records": set(ctx.get("records", [])),
            "sources": set(ctx.get("sources", [])),
            "title": (ctx.get("document") or {}).get("title") or name,
        }
    bundle = project / layout.BUNDLE
    if not bundle.is_file():
        raise DiffError(f"the build of {version.label} wrote no data bundle ({layout.BUNDLE})")
    data = json.loads(bundle.read_text(encoding="utf-8"))
    keys = {
        r["name"]: r.get("schema", {}).get("primaryKey", "id")
        for r in data["descriptor"].get("resources", [])
    }
    for name, rows in data["tables"].items():
        key = keys.get(name, "id")
        key = key[0] if isinstance(key, list) else key
        version.tables[name] = {str(r.get(key)): r for r in rows}
