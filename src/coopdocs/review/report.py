"""The change report of ``coopdocs diff``: ``changes.md`` from a template, then DOCX and HTML.

The report's words live in ``templates/review/change-report.md.j2``, rendered like every other
document (:func:`coopdocs.render.markdown.render`: every value escaped for Markdown); this module
gives it its context and writes the three files. The one-line summary printed on stdout is
:func:`summary_line`, which the report repeats.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from coopdocs.render.markdown import render
from coopdocs.review.documents import DocumentResult, Key
from coopdocs.review.records import RecordChange
from coopdocs.review.redlines import inject_css
from coopdocs.review.tables import TableChange
from coopdocs.review.versions import Version
from coopdocs.tools.builddate import iso_date
from coopdocs.tools.files import atomic_output
from coopdocs.tools.pandoc import pandoc

TEMPLATE = "review/change-report.md.j2"


def summary_line(
    changes: list[RecordChange],
    docs: list[DocumentResult],
    tables: list[TableChange],
    out: str | None,
) -> str:
    """The one-line summary printed on stdout (``out``: the report's folder, named at the end)."""
    n = {k: sum(1 for c in changes if c.kind == k) for k in ("changed", "added", "removed")}
    changed_docs = sum(1 for d in docs if d.status != "unchanged")
    changed_tables = sum(1 for t in tables if t.status != "unchanged")
    text = (
        f"{n['changed']} record{'s' if n['changed'] != 1 else ''} changed, {n['added']} added, {n['removed']} removed; "
        f"{changed_docs} document{'s' if changed_docs != 1 else ''} changed, "
        f"{len(docs) - changed_docs} unchanged; "
        f"{changed_tables} table{'s' if changed_tables != 1 else ''} changed, "
        f"{len(tables) - changed_tables} unchanged"
    )
    return text + (f" → {out}" if out else "")


def _version(v: Version) -> dict[str, Any]:
    """A version as the report names it: its label and its commit's short hash."""
    return {"label": v.label, "commit": v.commit[:12] if v.commit else None}


def _record_tables(
    changes: list[RecordChange],
    titles: dict[Key, str],
    record_sections: dict[tuple[str, Key], list[str]],
) -> list[dict[str, Any]]:
    """The Records part: per table, the records changed, added and removed, each with its fields'
    old and new values and the documents (and their sections) it affects."""

    def record(c: RecordChange) -> dict[str, Any]:
        return {
            "id": c.id,
            "label": c.label,
            "fields": [{"name": f, "old": old, "new": new} for f, old, new in c.fields],
            "documents": [
                {
                    "name": f"{key[0]}/{key[1]}",
                    "title": titles.get(key, key[1]),
                    "sections": record_sections.get((c.id, key), []),
                }
                for key in c.documents
            ],
        }

    tables = []
    for table in sorted({c.table for c in changes}):
        groups = []
        for kind in ("changed", "added", "removed"):
            items = [record(c) for c in changes if c.table == table and c.kind == kind]
            if items:
                groups.append({"kind": kind, "records": items})
        tables.append({"name": table, "groups": groups})
    return tables


def _documents(docs: list[DocumentResult]) -> dict[str, Any]:
    """The Sources and Documents parts: the sources each document cites anew or no longer, the
    changed documents (with their counts and renumbering), and the unchanged ones."""
    changed = [d for d in docs if d.status != "unchanged"]
    return {
        "cited": [
            {"name": d.name, "added": d.sources_added, "removed": d.sources_removed}
            for d in docs
            if d.sources_added or d.sources_removed
        ],
        "changed": [
            {
                "name": d.name,
                "title": d.title,
                "status": d.status,
                "records": d.records,
                "insertions": d.insertions,
                "deletions": d.deletions,
                "stem": d.stem,
                "renumbered": d.renumbered,
            }
            for d in changed
        ],
        "without_records": [d.name for d in changed if not d.records],
        "unchanged": [d.name for d in docs if d.status == "unchanged"],
    }


def _data_tables(table_changes: list[TableChange]) -> dict[str, Any]:
    """The Tables part: each changed table's rows added and removed and cells changed, and the
    unchanged tables."""
    return {
        "data_tables": [
            {
                "name": t.table,
                "status": t.status,
                "key": t.key,
                "added": t.added,
                "removed": t.removed,
                "cells": [
                    {"row": row, "column": col, "old": old, "new": new}
                    for row, col, old, new in t.cells
                ],
                "columns_added": t.columns_added,
                "columns_removed": t.columns_removed,
            }
            for t in table_changes
            if t.status != "unchanged"
        ],
        "tables_unchanged": [t.table for t in table_changes if t.status == "unchanged"],
    }


def report_context(
    a: Version,
    b: Version,
    changes: list[RecordChange],
    docs: list[DocumentResult],
    table_changes: list[TableChange],
    record_sections: dict[tuple[str, Key], list[str]],
    epoch: int,
) -> dict[str, Any]:
    """What the change report template shows, in the order it shows it."""
    titles = {d.key: d.title for d in docs}
    return {
        "a": _version(a),
        "b": _version(b),
        "date": iso_date(epoch),
        "epoch": epoch,
        "summary": summary_line(changes, docs, table_changes, None),
        "tables": _record_tables(changes, titles, record_sections),
        "data_sources": [
            {"kind": c.kind, "id": c.id, "label": c.label}
            for c in changes
            if c.table == "sources" and c.kind in ("added", "removed")
        ],
        **_documents(docs),
        **_data_tables(table_changes),
    }


def change_report(templates_dir: Path, context: dict[str, Any]) -> str:
    """The change report as Markdown (the template rendered with :func:`report_context`'s context)."""
    return render(templates_dir, TEMPLATE, context)


def write_report(out_dir: Path, markdown: str, epoch: int, styles: dict[str, Path | None]) -> None:
    """Write ``changes.md`` and, converted by pandoc in the house style, ``changes.docx`` and ``.html``."""
    md = out_dir / "changes.md"
    with atomic_output(md) as tmp:
        tmp.write_text(markdown, encoding="utf-8")
    pandoc(
        md, md.with_suffix(".docx"), "docx", epoch=epoch, reference_doc=styles.get("reference_docx")
    )
    pandoc(md, md.with_suffix(".html"), "html", epoch=epoch, template=styles.get("html_template"))
    inject_css(md.with_suffix(".html"))
