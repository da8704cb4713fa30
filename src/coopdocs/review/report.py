"""The change report of ``coopdocs diff``: ``changes.md`` from a template, then DOCX and HTML.

The report is ``templates/review/change-report.md.j2``, rendered like every other document
(:func:`coopdocs.render.markdown.render`: every value escaped for Markdown), in the language of
the config's ``language`` (its template folder and strings file); its words are the strings
file's ``diff_report`` block (:func:`report_words`). This module gives it its context and writes
the three files. The one-line summary printed on stdout is :func:`summary_line`, which the report
repeats.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from coopdocs import layout
from coopdocs.load.grammar import count
from coopdocs.load.strings import Words, load_strings, with_locale, word
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
# The strings file's block that holds the report's words.
WORDS = "diff_report"
# How the report writes a citation's number in a run of renumbered ones ("[12]–[88] → [13]–[89]"):
# the brackets of the house citation style (templates/csl), not words.
CITATION_FORM = "[{n}]"


class ReportWordsError(ValueError):
    """The strings file has no ``diff_report`` block (a project's own templates folder)."""


def report_words(templates_dir: Path, language: str | None) -> Words:
    """The strings the report and the redlines' first paragraph are written in: the strings file
    of ``templates_dir`` in ``language`` (its language folder's, as every document's), with the
    language for the grammar's CLDR rules. A language folder whose file has no ``diff_report``
    block borrows the base file's (said on stderr); ReportWordsError naming the file when neither
    has one."""
    path = Path(layout.strings_file(str(templates_dir), language))
    words = load_strings(path) if path.is_file() else {}
    if not isinstance(words.get(WORDS), dict):
        base = Path(layout.strings_file(str(templates_dir)))
        fallback = load_strings(base) if base != path and base.is_file() else {}
        if not isinstance(fallback.get(WORDS), dict):
            raise ReportWordsError(
                f"{path}: no {WORDS} block (the words of the change report; "
                "see templates/strings.yaml)"
            )
        print(f"coopdocs diff: {path} has no {WORDS} block; using {base}'s", file=sys.stderr)
        words = {**words, WORDS: fallback[WORDS]}
    return with_locale(words, language) or words


def summary_line(
    changes: list[RecordChange],
    docs: list[DocumentResult],
    tables: list[TableChange],
    out: str | None,
    words: Words,
) -> str:
    """The one-line summary printed on stdout (``out``: the report's folder, named at the end), in
    the strings file's ``diff_report.summary`` words."""
    n = {k: sum(1 for c in changes if c.kind == k) for k in ("changed", "added", "removed")}
    changed_docs = sum(1 for d in docs if d.status != "unchanged")
    changed_tables = sum(1 for t in tables if t.status != "unchanged")

    def counted(value: int, noun: str) -> str:
        return count(value, word(words, f"{WORDS}.nouns.{noun}"), words=words, spelled=False)

    text = word(
        words,
        f"{WORDS}.summary",
        records=counted(n["changed"], "record"),
        documents=counted(changed_docs, "document"),
        tables=counted(changed_tables, "table"),
        documents_changed=changed_docs,
        documents_unchanged=len(docs) - changed_docs,
        tables_changed=changed_tables,
        tables_unchanged=len(tables) - changed_tables,
        **n,
    )
    return text + (f" → {out}" if out else "")


def runs_text(runs: list[tuple[int, int, int, int]], form: str) -> str:
    """Renumbered runs (coopdocs.review.numbering.runs) as the report writes them, each number in
    ``form`` ("R{n}", "[{n}]"): "R40–R219 → R41–R220, R230 → R232"."""

    def number(n: int) -> str:
        return form.replace("{n}", str(n))

    def span(first: int, last: int) -> str:
        return number(first) if first == last else f"{number(first)}–{number(last)}"

    return ", ".join(f"{span(r[0], r[1])} → {span(r[2], r[3])}" for r in runs)


def _version(v: Version, words: Words) -> dict[str, Any]:
    """A version as the report names it: its label, and with its commit's short hash."""
    return {"label": v.label, "name": v.describe(words)}


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
                "mark_runs": runs_text(
                    d.renumbered.get("marks", []), d.renumbered.get("form", "{n}")
                ),
                "citation_runs": runs_text(d.renumbered.get("citations", []), CITATION_FORM),
            }
            for d in changed
        ],
        "without_records": [d.name for d in changed if not d.records],
        "unchanged": [d.name for d in docs if d.status == "unchanged"],
    }


def _table_file(change: TableChange) -> str:
    """The file of a comparative table, which the comparison reads and the report names it by
    ("timeline.csv": a name in any language)."""
    return f"{change.table}.{layout.TABLE_FORMATS[0]}"


def _data_tables(table_changes: list[TableChange]) -> dict[str, Any]:
    """The Tables part: each changed table's rows added and removed and cells changed, and the
    unchanged tables."""
    return {
        "data_tables": [
            {
                "name": t.table,
                # The table's file, which the comparison reads ("timeline.csv").
                "file": _table_file(t),
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
        "tables_unchanged": [_table_file(t) for t in table_changes if t.status == "unchanged"],
    }


def report_context(
    a: Version,
    b: Version,
    changes: list[RecordChange],
    docs: list[DocumentResult],
    table_changes: list[TableChange],
    record_sections: dict[tuple[str, Key], list[str]],
    epoch: int,
    words: Words,
) -> dict[str, Any]:
    """What the change report template shows, in the order it shows it (``words``:
    :func:`report_words`; their language is the report's)."""
    titles = {d.key: d.title for d in docs}
    return {
        # The language the template is rendered in (render: its folder and strings).
        "build": {"language": words.get("locale")},
        "a": _version(a, words),
        "b": _version(b, words),
        "date": iso_date(epoch),
        "epoch": epoch,
        "summary": summary_line(changes, docs, table_changes, None, words),
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


def write_report(
    out_dir: Path,
    markdown: str,
    epoch: int,
    styles: dict[str, Path | None],
    language: str | None = None,
) -> None:
    """Write ``changes.md`` and, converted by pandoc in the house style, ``changes.docx`` and
    ``.html`` (``language``: the report's BCP 47 tag, stated in both; English when None)."""
    md = out_dir / "changes.md"
    with atomic_output(md) as tmp:
        tmp.write_text(markdown, encoding="utf-8")
    meta = {"lang": language} if language else None
    docx, html = md.with_suffix(".docx"), md.with_suffix(".html")
    pandoc(md, docx, "docx", epoch=epoch, reference_doc=styles.get("reference_docx"), metadata=meta)
    pandoc(md, html, "html", epoch=epoch, template=styles.get("html_template"), metadata=meta)
    inject_css(html)
