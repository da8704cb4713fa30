"""Context of the comparative-tables document: its tables, matrices, figures and sources."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from coopdocs import layout
from coopdocs.compute.contexts import is_member, stated
from coopdocs.compute.overview import describe_theme_matrix, describe_timeline_overview
from coopdocs.compute.selection import cell_ids, count_matrix, focus_order, frame_rows
from coopdocs.compute.tables import TABLES, Frame, caption, subjects
from coopdocs.load.grammar import long_date, unsaid
from coopdocs.load.strings import Words, label, period, word
from coopdocs.tools.collation import by_name

# The text alternative of each overview figure: what it shows, worded from its table (issue 20).
ALT_TEXT = {
    layout.TIMELINE_FIGURE: describe_timeline_overview,
    layout.THEMES_FIGURE: describe_theme_matrix,
}


def _columns(df: Frame, words: Words | None, org: dict[str, Any] | None) -> list[dict[str, str]]:
    """The columns a table without a section of its own shows, in its order: machine name and
    heading from the strings file (not records and sources: its rows' marks and citations)."""
    short = (org or {}).get("short_name", "")
    return [
        {"name": c, "heading": word(words, f"headings.{c}", c, org=short)}
        for c in df.columns
        if c not in ("records", "sources")
    ]


def _row_keys(t: dict[str, list], table_id: str) -> Callable[[dict[str, Any]], list[str]]:
    """The row keys of one record in a matrix table, as its row column holds them."""
    if table_id == layout.PROJECTS_BY_THEME:
        labels = {th["id"]: th["label"] for th in t["themes"]}
        return lambda p: [labels[x] for x in p.get("themes") or []]
    return lambda i: [i["type"]]


# The matrix tables whose row keys are a field's codes: (table, field) of their labels
# (strings ``labels``); other rows (themes) are labels already.
ROW_FIELDS = {"instrument_type": ("instruments", "type")}


def _row_label(spec: Any, words: Words | None, org: dict[str, Any] | None) -> Callable[[Any], str]:
    """How a matrix table's row key is written: its label when the key is a field's code."""
    if spec.row_column not in ROW_FIELDS:
        return str
    table, field = ROW_FIELDS[spec.row_column]
    short = (org or {}).get("short_name", "")
    return lambda key: label(words, table, field, key, org=short)


def _when(record: dict[str, Any], words: Words | None = None) -> str:
    """A record's date or period, or '' when its title already gives those years.

    >>> _when({"title": "Strategy until 2050", "end_year": 2050})
    ''
    >>> _when({"title": "Programme for 2013-2017", "start_year": 2013, "end_year": 2018})
    '2013–2018'
    """
    when = long_date(record.get("date") or "", words) or period(
        record.get("start_year"), record.get("end_year"), words
    )
    years = [str(y) for y in (record.get("start_year"), record.get("end_year")) if y]
    if not record.get("date") and years and all(y in record["title"] for y in years):
        return ""
    return unsaid(when, record["title"])


def _inferred_cells(
    records: list[dict[str, Any]], row_keys: Callable[[dict[str, Any]], list[str]]
) -> dict[tuple[str, str], list[str]]:
    """The records whose participation of a state is only inferred, by (row key, state code)."""
    cells: dict[tuple[str, str], list[str]] = {}
    for r in sorted(records, key=lambda r: r["id"]):
        for code in r.get("countries_inferred") or []:
            for key in dict.fromkeys(row_keys(r)):
                cells.setdefault((key, code), []).append(r["id"])
    return cells


def _register_entry(
    r: dict[str, Any], mark: str, names: dict[str, str], words: Words | None
) -> dict[str, Any]:
    """A record's entry in a table's register: its label ``mark``, title, date, and the states
    whose participation the source states and, apart, those only inferred (``names`` order)."""
    stated_codes = set(stated(r, "countries"))
    inferred_codes = set(r.get("countries_inferred") or [])
    return {
        "label": mark,
        "id": r["id"],
        "title": r["title"],
        "when": _when(r, words),
        "states": [name for c, name in names.items() if c in stated_codes],
        "inferred": [name for c, name in names.items() if c in inferred_codes],
        "sources": list(r.get("sources") or []),
        "source_note": r.get("source_note") or "",
    }


def record_register(
    matrix: dict[str, Any],
    records: list[dict[str, Any]],
    row_keys: Callable[[dict[str, Any]], list[str]],
    order: list[tuple[str, str]],
    names: dict[str, str],
    label: Callable[[int], str],
    words: Words | None = None,
) -> list[dict[str, Any]]:
    """Describe each record behind a counts matrix once, and let each cell refer to it by a label.

    A record that counts in several cells (several states, several rows) is said once: it has one
    entry in the returned register, numbered in order of first mention (row by row, state by
    state, in ``order``) and labelled by ``label(n)`` ("P1"), and each of the ``matrix``'s rows
    gets ``refs``: per state, the labels of the records it counts
    and of those in which the state's participation is only inferred (``<field>_inferred``),
    which are referred to but never counted. A register entry names the states whose
    participation the source states and, apart, those only inferred (``names``: code → name).

    >>> m = {"rows": [{"key": "energy", "cells": [
    ...     {"code": "AM", "state": "Armenia", "count": 1, "records": ["p2"], "sources": []},
    ...     {"code": "BY", "state": "Belarus", "count": 1, "records": ["p2"], "sources": []}]}]}
    >>> ps = [{"id": "p1", "title": "One", "countries": ["AM", "BY"], "countries_inferred": ["AM", "BY"]},
    ...       {"id": "p2", "title": "Two", "countries": ["AM", "BY"], "start_year": 2019}]
    >>> reg = record_register(m, ps, lambda p: ["energy"], [("AM", "Armenia"), ("BY", "Belarus")],
    ...                       {"AM": "Armenia", "BY": "Belarus"}, "P{}".format)
    >>> [(e["label"], e["title"], e["states"], e["inferred"]) for e in reg]
    [('P1', 'Two', ['Armenia', 'Belarus'], []), ('P2', 'One', [], ['Armenia', 'Belarus'])]
    >>> [(c["state"], c["count"], c["refs"], c["inferred"]) for c in m["rows"][0]["refs"]]
    [('Armenia', 1, ['P1'], ['P2']), ('Belarus', 1, ['P1'], ['P2'])]
    """
    numbers: dict[str, int] = {}  # record id -> its number, in order of first mention

    def refer(ids: list[str]) -> list[str]:
        for x in ids:
            numbers.setdefault(x, len(numbers) + 1)
        return [label(n) for n in sorted(numbers[x] for x in dict.fromkeys(ids))]

    inferred_cells = _inferred_cells(records, row_keys)
    for row in matrix["rows"]:
        counted = {c["code"]: c for c in row["cells"]}
        row["refs"] = []
        for code, name in order:
            cell = counted.get(code)
            inferred = inferred_cells.get((row["key"], code), [])
            if cell is None and not inferred:
                continue
            row["refs"].append(
                {
                    "state": name,
                    "count": cell["count"] if cell else 0,
                    "refs": refer(cell["records"]) if cell else [],
                    "inferred": refer(inferred),
                }
            )
    by_id = {r["id"]: r for r in records}
    return [
        _register_entry(by_id[rid], label(number), names, words)
        for rid, number in sorted(numbers.items(), key=lambda kv: kv[1])
    ]


def one_row_per_record(rows: list[dict[str, Any]], names: list[str]) -> list[dict[str, Any]]:
    """The timeline's rows (one per record and state) with each record once, naming its states.

    The tidy CSV keeps a row per record and state; the document says a record that concerns
    several states once, where it first stands, with its states (``countries``) in ``names`` order.

    >>> rows = [{"record_id": "e1", "country": "Russia"}, {"record_id": "e2", "country": "Belarus"},
    ...         {"record_id": "e1", "country": "Belarus"}]
    >>> [(r["record_id"], r["countries"]) for r in one_row_per_record(rows, ["Belarus", "Russia"])]
    [('e1', ['Belarus', 'Russia']), ('e2', ['Belarus'])]
    """
    rank = {n: i for i, n in enumerate(names)}
    merged: dict[str, dict[str, Any]] = {}
    for r in rows:
        row = merged.setdefault(r["record_id"], dict(r, countries=[]))
        row["countries"].append(r["country"])
    for row in merged.values():
        row["countries"].sort(key=lambda n: (rank.get(n, len(rank)), n))
    return list(merged.values())


def _table_entry(
    spec: Any,
    df: Frame,
    t: dict[str, list],
    order: list[tuple[str, str]],
    names: dict[str, str],
    words: Words | None,
    org: dict[str, Any] | None,
) -> dict[str, Any]:
    """One table of the document: caption, note, rows, and for a matrix its counts and register."""
    entry = {
        "id": spec.id,
        "heading": caption(words, spec.id, org, "heading"),
        "caption": caption(words, spec.id, org),
        "note": caption(words, spec.id, org, "note"),
        "csv": f"{spec.id}.csv",
        "rows": frame_rows(df),
    }
    if not spec.own_section:
        entry["columns"] = _columns(df, words, org)
    if spec.id == layout.TIMELINE_TABLE:
        entry["rows"] = one_row_per_record(entry["rows"], list(names.values()))
    if spec.kind == "matrix":
        entry["matrix"] = count_matrix(
            df, spec.row_column, order, with_records=True, label=_row_label(spec, words, org)
        )
        if spec.row_column in ROW_FIELDS:  # rows of codes: in the order of their words
            entry["matrix"]["rows"] = by_name(entry["matrix"]["rows"], lambda r: r["label"])
        form = word(words, f"tables.{spec.id}.entry", "{n}")
        entry["register"] = record_register(
            entry["matrix"],
            t[spec.counts],
            _row_keys(t, spec.id),
            order,
            names,
            lambda n, form=form: form.format(n=n),
            words,
        )
    return entry


def _document_figures(
    by_id: dict[str, dict[str, Any]],
    frames: dict[str, Frame],
    order: list[tuple[str, str]],
    words: Words | None,
) -> list[dict[str, Any]]:
    """The document's figures, numbered in order of first mention (each is first named in its
    table's note); a figure of a table the document leaves out is not shown. Each table shown
    with a figure gets its number (``figure``)."""
    figures = []
    for fid, anchor in (
        (layout.TIMELINE_FIGURE, "fig-timeline"),
        (layout.THEMES_FIGURE, "fig-themes"),
    ):
        table = layout.FIGURE_TABLES[fid]
        if table in by_id:
            figures.append(
                {
                    "id": anchor,
                    "file": layout.figure_file(fid, "svg"),
                    "table": table,
                    "caption": word(words, f"figures.{fid}.caption", ""),
                    "alt": ALT_TEXT[fid](frames[table], order, words),
                }
            )
    figures.sort(key=lambda f: by_id[f["table"]]["number"])
    for n, f in enumerate(figures, start=1):
        f["number"] = n
        by_id[f["table"]]["figure"] = n
    return figures


def _marks_and_sources(
    frames: dict[str, Frame], tables: list[dict[str, Any]]
) -> tuple[list[str], list[str]]:
    """The records and sources the document shows: the tables' and their registers'. A register
    also names records a table does not count (participation only inferred): they are marks and
    citations of this document too."""
    registers = [e for t_ in tables for e in t_.get("register", [])]
    records = sorted(
        {r for df in frames.values() for row in df.rows for r in cell_ids(row["records"])}
        | {e["id"] for e in registers}
    )
    sources = sorted(
        {s for df in frames.values() for row in df.rows for s in cell_ids(row["sources"])}
        | {s for e in registers for s in e["sources"]}
    )
    return records, sources


def _tables_header(words: Words | None, org: dict[str, Any] | None) -> dict[str, Any]:
    """What the comparative-tables document says about itself: kind, id, title, subtitle,
    audience and keyword."""
    short = (org or {}).get("short_name", "")
    return {
        "kind": layout.TABLES_DOCUMENT.folder,
        "id": layout.TABLES_DOCUMENT.name,
        "title": word(words, "documents.tables.title", ""),
        "subtitle": word(words, "documents.tables.subtitle", "", org=short),
        "audience": word(words, "documents.tables.audience", "", org=short),
        "keyword": word(words, "documents.tables.keyword", ""),
    }


def build_document_context(
    frames: dict[str, Frame],
    t: dict[str, list],
    build: dict[str, Any],
    keep: list[str] | None = None,
    others: int = 0,
    words: Words | None = None,
    org: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Context of the comparative-tables document: captions, notes, rows and their sources.

    ``frames`` are the tables as the document shows them (see :func:`focus_frames`): with
    ``others`` > 0 only the states in ``keep`` have rows and columns of their own. A table with
    nothing to show (no rows, or a matrix of zeros) is left out with its section; the others are
    numbered in order. Captions and notes come from the strings file (``words``), with the
    organisation's short name filled in.
    """
    if keep is None:
        keep = [c["code"] for c in t["countries"]]
    order = focus_order(t, keep, others, with_other=True, words=words)
    states = [
        (c, n)
        for c, n in focus_order(t, keep, others, with_other=False, words=words)
        if any(x["code"] == c and x["kind"] != "union" for x in t["countries"])
    ]
    names = {c["code"]: c["name"] for c in subjects(t)}
    tables = []
    for spec in TABLES:
        entry = _table_entry(spec, frames[spec.id], t, order, names, words, org)
        if not (entry["matrix"]["rows"] if "matrix" in entry else entry["rows"]):
            continue  # nothing to show: no section, caption or reference
        entry["number"] = len(tables) + 1
        tables.append(entry)
    figures = _document_figures({t_["id"]: t_ for t_ in tables}, frames, order, words)
    records, sources = _marks_and_sources(frames, tables)
    works = sorted({x["citing_work"] for x in t["sources"] if x["id"] in sources})
    countries = {c["code"]: c for c in t["countries"]}
    context = {
        "document": _tables_header(words, org),
        "build": build,
        "tables": tables,
        "states": [n for _, n in states],
        # Member states that have left the union (a date in union_member_until), among those shown.
        "former_members": [n for c, n in states if c in countries and not is_member(countries[c])],
        "focus": {"shown": len(states), "others": others, "total": len(states) + others},
        "figures": figures,
        "citing_works": [
            {k: v for k, v in w.items() if not k.startswith("_")}
            for w in t["publications"]
            if w["id"] in works
        ],
        "records": records,
        "sources": sources,
    }
    return context
