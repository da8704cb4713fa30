"""The documents diff: which documents changed between two versions, their redlines, where records appear.

A document is compared on its pandoc AST (its Markdown with citations resolved, then normalised by
:func:`coopdocs.review.redline.normalise`): the AST the version's build wrote (:func:`built_ast`;
about 0.3 s against 5 s for pandoc to read the review's Markdown again), else its Markdown read
by pandoc. Two documents with the same Markdown and bibliography are the same document and are
not read at all.
"""

from __future__ import annotations

import concurrent.futures
import json
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from coopdocs import layout
from coopdocs.load.strings import Words
from coopdocs.render.metadata import document_metadata
from coopdocs.review.numbering import pin_marks, renumbered
from coopdocs.review.records import RecordChange
from coopdocs.review.redline import (
    Merger,
    count_changes,
    image_data_uri,
    join_strs,
    normalise,
    stringify,
)
from coopdocs.review.redlines import with_preamble
from coopdocs.review.versions import DiffError, Version
from coopdocs.tools.builddate import iso_datetime
from coopdocs.tools.config import ConfigError, load_config
from coopdocs.tools.pandoc import PANDOC_READER, ConversionError, read_ast

Key = tuple[str, str]  # (folder, name) of a document: ("briefs", "armenia")

# Sections that name every record (the provenance appendix, the reference list): a record's
# appearance there says nothing about where the document uses it.
_SKIP_SECTIONS = {"data-provenance", "references"}


@dataclass
class DocumentResult:
    """What happened to one document."""

    key: Key
    title: str
    status: str  # changed | unchanged | added | removed
    records: list[str] = field(default_factory=list)
    sources_added: list[str] = field(default_factory=list)
    sources_removed: list[str] = field(default_factory=list)
    insertions: int = 0
    deletions: int = 0
    # Record marks and citations only renumbered (numbering.renumbered), shown untracked.
    renumbered: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """``folder/name``, as the change report names the document."""
        return f"{self.key[0]}/{self.key[1]}"

    @property
    def stem(self) -> str:
        """``folder-name``, the file name of its redlines."""
        return f"{self.key[0]}-{self.key[1]}"


def _csl(project: Path) -> Path | None:
    try:
        # The version's own settings, which its build has just validated.
        config = load_config(project, validate=False)
    except ConfigError:
        return None
    return project / config["csl"] if config.get("csl") else None


def pandoc_ast(md: Path, bib: Path | None, csl: Path | None, epoch: int) -> dict:
    """A document's Markdown as pandoc JSON, citations resolved by citeproc (when it has a bibliography)."""
    options: dict[str, Any] = {"source_format": PANDOC_READER}
    if bib is not None:
        options["bibliography"] = bib
        if csl is not None and csl.is_file():
            options["csl"] = csl
    try:
        return read_ast(md, epoch=epoch, **options)
    except ConversionError as exc:
        raise DiffError(f"pandoc could not read {md}:\n{exc}") from exc


def document_ast(version: Version, key: Key, epoch: int) -> dict | None:
    """The normalised AST of one document of a version (None if the version lacks it)."""
    doc = version.documents.get(key)
    if doc is None:
        return None
    if "ast" not in doc:
        assert version.project is not None
        project = version.project

        def picture(src: str) -> str | None:
            # A document names a figure by its SVG; its DOCX shows the PNG twin.
            return image_data_uri(
                project / layout.figure_output(PurePosixPath(src).stem, layout.FIGURE_FORMATS[1])
            )

        ast = built_ast(doc) or pandoc_ast(doc["md"], doc["bib"], _csl(project), epoch)
        doc["ast"] = normalise(ast, image=picture)
    return doc["ast"]


def built_ast(doc: dict) -> dict | None:
    """The AST a version's build wrote for a document (``build/ast``), as :func:`pandoc_ast` reads
    the document's Markdown: the build reads it with the same reader and citeproc, and adds what
    its writers need, taken off here. That is the metadata of
    :func:`coopdocs.render.metadata.document_metadata` (so that a document is not changed by its
    keywords alone) and the links from citations to the reference list (``link-citations``; a
    citation is compared and shown by what it cites). None when the build wrote none (a version
    built before the build kept its ASTs): the Markdown is read instead."""
    if doc.get("built_ast") is None:
        return None
    ast = unlink_citations(json.loads(doc["built_ast"].read_text(encoding="utf-8")))
    added = document_metadata(doc["context"]).keys() | {"link-citations"}
    ast["meta"] = {k: v for k, v in (ast.get("meta") or {}).items() if k not in added}
    return ast


def unlink_citations(node: Any) -> Any:
    """``node`` with each citation's links to the reference list replaced by their text, as
    citeproc writes a citation without ``link-citations`` ("[12]" one string, not "[", a link
    "12" and "]")."""
    if isinstance(node, list):
        return [unlink_citations(n) for n in node]
    if not isinstance(node, dict):
        return node
    if node.get("t") == "Cite":
        content: list = []
        for x in node["c"][1]:
            content += x["c"][1] if x.get("t") == "Link" else [x]
        return {"t": "Cite", "c": [node["c"][0], join_strs(content)]}
    return {k: unlink_citations(v) for k, v in node.items()}


def sections(ast: dict | None, rid: str, label: str) -> list[str]:
    """The headings under which a record appears in a document (nearest preceding heading).

    A block mentions the record when an element carries its ID, links to its provenance entry
    (``#prov-<id>``), or (failing both anywhere in the document) contains its label. The
    provenance appendix and the reference list, which name every record, are left out.
    """
    if ast is None:
        return []

    def has_id(n: Any) -> bool:
        if isinstance(n, list):
            if len(n) == 3 and n[0] == rid and isinstance(n[1], list) and isinstance(n[2], list):
                return True
            return any(has_id(x) for x in n)
        if isinstance(n, dict):
            if n.get("t") == "Link" and n["c"][2][0] == f"#prov-{rid}":
                return True
            return has_id(n.get("c"))
        return False

    def scan(by_label: bool) -> list[str]:
        found: list[str] = []
        heading, heading_id = "", ""
        for block in ast.get("blocks", []):
            if block.get("t") == "Header":
                heading, heading_id = stringify(block["c"][2]), block["c"][1][0]
                if block["c"][1][0] == rid and heading not in found:
                    found.append(heading)
                continue
            if heading_id in _SKIP_SECTIONS:
                continue
            hit = has_id(block) if not by_label else (len(label) >= 6 and label in stringify(block))
            if hit and (heading or "(before the first heading)") not in found:
                found.append(heading or "(before the first heading)")
        return found

    return scan(False) or scan(True)


def _same_file(a: Path | None, b: Path | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.read_bytes() == b.read_bytes()


def _records_of(version: Version, key: Key) -> set[str]:
    """The records and sources a version's document uses: a change to any of them affects it."""
    doc = version.documents.get(key)
    return (doc["records"] | doc["sources"]) if doc else set()


def _differs(a: Version, b: Version, key: Key) -> bool:
    """Whether the document ``key`` may differ: same Markdown and bibliography means the same."""
    da, db = a.documents.get(key), b.documents.get(key)
    if da is None or db is None:
        return True
    return not (_same_file(da["md"], db["md"]) and _same_file(da["bib"], db["bib"]))


def compare(
    a: Version,
    b: Version,
    changes: list[RecordChange],
    epoch: int,
    cores: int = 2,
    words: Words | None = None,
) -> tuple[list[DocumentResult], dict[Key, dict]]:
    """Every document's result, and the merged AST (tracked changes) of each changed document
    (``words``: the strings its redline's first paragraph is written in, ``diff_report``)."""
    changed_ids = {c.id for c in changes}
    keys = sorted(set(a.documents) | set(b.documents))

    candidates = [k for k in keys if _differs(a, b, k)]
    # Read what is needed (one pandoc run per version of each candidate document), in parallel.
    with concurrent.futures.ThreadPoolExecutor(max(2, cores)) as pool:
        list(
            pool.map(
                lambda vk: document_ast(*vk, epoch), [(v, k) for k in candidates for v in (a, b)]
            )
        )

    date = iso_datetime(epoch)
    results: list[DocumentResult] = []
    merged_docs: dict[Key, dict] = {}
    for key in keys:
        da, db = a.documents.get(key), b.documents.get(key)
        title = (db or da)["title"]
        res = DocumentResult(key, title, "unchanged")
        res.records = sorted((_records_of(a, key) | _records_of(b, key)) & changed_ids)
        sa, sb = (da["sources"] if da else set()), (db["sources"] if db else set())
        res.sources_added, res.sources_removed = sorted(sb - sa), sorted(sa - sb)
        if key in candidates:
            old = document_ast(a, key, epoch) or {
                "blocks": [],
                "meta": {},
                "pandoc-api-version": document_ast(b, key, epoch)["pandoc-api-version"],
            }
            new = document_ast(b, key, epoch) or dict(old, blocks=[])
            if da is None:
                res.status = "added"
            elif db is None:
                res.status = "removed"
            elif json.dumps(old["blocks"], sort_keys=True) != json.dumps(
                new["blocks"], sort_keys=True
            ) or json.dumps(old.get("meta"), sort_keys=True) != json.dumps(
                new.get("meta"), sort_keys=True
            ):
                res.status = "changed"
            if res.status != "unchanged":
                merged_docs[key] = _redline(old, new, a, b, res, date, words or {})
        if res.status == "unchanged":
            res.records = []
        results.append(res)
    return results, merged_docs


def _redline(
    old: dict, new: dict, a: Version, b: Version, res: DocumentResult, date: str, words: Words
) -> dict:
    """A changed document's redline (merged AST); its counts and renumbering go to ``res``."""
    merged = pin_marks(Merger(date).merge(old, new), old, new)
    merged = with_preamble(merged, a, b, res.title, date, words)
    res.insertions, res.deletions = count_changes(merged["blocks"])
    res.renumbered = renumbered(old, new)
    return merged


def record_sections(
    a: Version, b: Version, changes: list[RecordChange], results: list[DocumentResult], epoch: int
) -> dict[tuple[str, Key], list[str]]:
    """For each changed record and each document it affects: the sections it appears under. Also
    lists those documents in each change's ``documents``. A record affects a document that uses it
    (in either version) and changed (``results``, :func:`compare`): the same documents that list
    the record among theirs, so that the report's Records and Documents parts agree."""
    out: dict[tuple[str, Key], list[str]] = {}
    for c in changes:
        for key in [r.key for r in results if c.id in r.records]:
            c.documents.append(key)
            secs: list[str] = []
            for v in (b, a):
                ast = document_ast(v, key, epoch) if v.documents.get(key) else None
                for s in sections(ast, c.id, c.label):
                    if s not in secs:
                        secs.append(s)
            out[(c.id, key)] = secs
    return out
