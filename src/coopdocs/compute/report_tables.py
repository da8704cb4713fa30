"""Write the comparative tables (CSV, XLSX), the overview figures, and the tables document's context.

Run once per data change by the ``compute_tables`` rule (``coopdocs tables``). The heavy
libraries (matplotlib with pandas for the figures, openpyxl for the workbooks) are imported only
when a figure or workbook is not in the cache, i.e. when its data changed.
"""

from __future__ import annotations

import copy
import datetime as dt
import gc
import io
import json
import math
import re
from pathlib import Path
from typing import Any

from coopdocs.compute.contexts import digest
from coopdocs.tools.builddate import iso_datetime
from coopdocs.tools.files import atomic_output, write_json
from coopdocs.tools.zips import ZIP_EPOCH_MIN, rewrite_zip
from coopdocs.compute.tables import TABLES, Frame, compute_tables, group_records

# Column headings for people (CSV keeps the tidy machine names).
HEADINGS = {
    "country_code": "Code", "country": "State", "unido_member_since": "UNIDO member since",
    "cooperation_since": "Cooperation since", "governing_body_roles": "Roles in UNIDO bodies",
    "unido_offices": "UNIDO offices and centres", "programmes": "Framework and country programmes",
    "funds_projects_elsewhere": "Funds projects elsewhere", "projects_funded_elsewhere": "Projects funded elsewhere",
    "instrument_type": "Instrument type", "count": "Count", "instruments": "Instruments",
    "theme_id": "Theme id", "theme": "Thematic area", "projects": "Projects", "funder_id": "Funder id",
    "funder": "Funder", "funder_country": "Funder's country", "budget_usd": "Budget (USD)",
    "projects_with_budget": "Projects with a stated budget", "year": "Year", "kind": "Kind",
    "record_id": "Record", "title": "Title", "date": "Date", "start_year": "Start", "end_year": "End",
    "mentions_unido": "Names UNIDO", "how": "How", "records": "Records", "sources": "Sources",
}


def _cell(value: Any) -> str:
    """A cell as text: integers without '.0', missing values empty."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def to_csv_text(df: Frame) -> str:
    """Tidy CSV text: one header row, LF line ends, integers without a decimal part."""
    import csv

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(list(df.columns))
    for row in df.rows:
        writer.writerow([_cell(row[c]) for c in df.columns])
    return buf.getvalue()


def normalise_zip(data: bytes, epoch: int) -> bytes:
    """Rewrite an OOXML zip with fixed entry times and fixed document dates (reproducible bytes)."""
    iso = iso_datetime(max(epoch, ZIP_EPOCH_MIN))  # the document dates, as the entries' (no earlier than 1980)

    def fix_dates(name: str, content: bytes) -> bytes:
        if name != "docProps/core.xml":
            return content
        text = re.sub(r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)", rf"\g<1>{iso}\g<3>", content.decode("utf-8"))
        return text.encode("utf-8")

    return rewrite_zip(data, fix_dates, epoch)


def to_xlsx_bytes(df: Frame, title: str, epoch: int) -> bytes:
    """A formatted workbook for editors: title row, bold frozen header, widths, wrapped text."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "table"
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=12, color="1F3864")
    headers = [HEADINGS.get(c, c) for c in df.columns]
    ws.append(headers)
    for cell in ws[2]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F3864")
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    for row in df.rows:
        values = []
        for v in (row[c] for c in df.columns):
            if v is None or (isinstance(v, float) and math.isnan(v)):
                values.append(None)
            elif isinstance(v, float) and v.is_integer():
                values.append(int(v))
            else:
                values.append(v)
        ws.append(values)
    # One style for every data cell, registered once: assigning an Alignment per cell makes
    # openpyxl hash and deduplicate it each time (17 s for the tables of 400 states).
    ws["A3"].alignment = Alignment(vertical="top", wrap_text=True)
    data_style = ws["A3"]._style
    for row in ws.iter_rows(min_row=3):
        for cell in row:
            cell._style = copy.copy(data_style)
    for idx, column in enumerate(df.columns, start=1):
        longest = max([len(HEADINGS.get(column, column))] + [len(_cell(v)) for v in df.column(column)])
        ws.column_dimensions[get_column_letter(idx)].width = max(8, min(60, longest + 2))
    ws.freeze_panes = "A3"
    ws.auto_filter.ref = f"A2:{get_column_letter(len(df.columns))}{len(df) + 2}"
    fixed = dt.datetime.fromtimestamp(epoch, tz=dt.timezone.utc).replace(tzinfo=None)
    wb.properties.creator = "coopdocs"
    wb.properties.created = fixed
    wb.properties.modified = fixed
    wb.properties.lastModifiedBy = "coopdocs"
    buf = io.BytesIO()
    wb.save(buf)
    return normalise_zip(buf.getvalue(), epoch)


def frame_rows(df: Frame) -> list[dict[str, Any]]:
    """A table's rows as JSON-ready dicts, with ``records`` and ``sources`` as lists of IDs."""
    rows = [dict(r) for r in df.rows]
    for row in rows:
        row["records"] = cell_ids(row.get("records"))
        row["sources"] = cell_ids(row.get("sources"))
    return rows


def cell_ids(cell: Any) -> list[str]:
    """The IDs of a ``records`` or ``sources`` cell (';'-separated)."""
    return [x for x in str(cell or "").split(";") if x]


OTHER = "OTHER"  # country code of the 'Other states' column of a focused table


def focus_states(t: dict[str, list], limit: int | None) -> tuple[list[str], int]:
    """The member states the aggregate documents show one by one, and how many others there are.

    With at most ``limit`` member states (or no limit) every state is shown. With more, the
    ``limit`` states with the most instruments, projects and events (ties by name) are shown and
    the others are summed as "Other states": a document with a section or column per state stops
    being readable, and pandoc's time and memory grow with it (1.7 GB at 200 states). The CSV and
    XLSX tables and the states' own briefs stay complete. The Union level is always shown.
    """
    states = [c for c in t["countries"] if c["kind"] != "union"]
    unions = [c["code"] for c in t["countries"] if c["kind"] == "union"]
    if limit is None or len(states) <= limit:
        return [c["code"] for c in states] + unions, 0
    counts: dict[str, int] = {}
    for table in ("instruments", "projects", "events"):
        for r in t[table]:
            for code in dict.fromkeys(r.get("countries") or []):
                counts[code] = counts.get(code, 0) + 1
    ranked = sorted(states, key=lambda c: (-counts.get(c["code"], 0), c["name"], c["code"]))
    return [c["code"] for c in ranked[:limit]] + unions, len(states) - limit


def focus_frames(frames: dict[str, Frame], keep: list[str], others: int) -> dict[str, Frame]:
    """The tables restricted to the states in ``keep``; per-state counts of the others summed.

    Counts (legal basis, projects by theme) of the states not kept are summed into one row per
    line with country code ``OTHER``, without records or sources: those rows are traced in the
    complete CSV and in the states' briefs, not in the aggregate documents.
    """
    if not others:
        return frames
    kept = set(keep)
    out = dict(frames)
    for tid in ("institutional-profile", "timeline"):
        out[tid] = frames[tid].where(lambda r: r["country_code"] in kept)
    out["projects-by-funder"] = frames["projects-by-funder"].where(
        lambda r: r["country_code"] in kept or r["funder_country"] in kept)
    for tid, key, label_col in (("legal-basis", "instrument_type", None), ("projects-by-theme", "theme_id", "theme")):
        df = frames[tid]
        group_cols = [key] + ([label_col] if label_col else [])
        sums: dict[tuple, int] = {}
        for r in df.rows:
            if r["country_code"] not in kept:
                group = tuple(r[c] for c in group_cols)
                sums[group] = sums.get(group, 0) + r["count"]
        summed = []
        for group, count in sorted(sums.items()):
            row = dict.fromkeys(df.columns, "")
            row.update(zip(group_cols, group))
            row.update(count=count, country_code=OTHER, country=f"Other states ({others})")
            summed.append(row)
        out[tid] = Frame(df.columns, [r for r in df.rows if r["country_code"] in kept] + summed)
    return out


def group_rows(df: Frame, column: str) -> list[tuple[Any, list[dict[str, Any]]]]:
    """The rows of ``df`` grouped by the value of ``column``, groups sorted by it, rows in order."""
    return sorted(group_records(df.rows, lambda r: [r[column]]).items(), key=lambda kv: kv[0])


def _matrix(df: Frame, row: str, order: list[tuple[str, str]], labels: dict[str, str]) -> dict[str, Any]:
    """A wide counts matrix (rows × states) with the sources behind each row."""
    codes = [c for c, _ in order]
    rows = []
    for key, group in group_rows(df, row):
        counts = {r["country_code"]: int(r["count"]) for r in group}
        if not sum(counts.values()):
            continue
        sources = sorted({s for r in group for s in cell_ids(r["sources"])})
        first = {}
        for r in group:
            first.setdefault(r["country_code"], r)
        cells = []
        for code, name in order:
            hit = first.get(code)
            if hit is not None and int(hit["count"]) and str(hit["records"]):
                cells.append({"state": name, "count": int(hit["count"]), "entries": [labels[x] for x in cell_ids(hit["records"])],
                              "sources": cell_ids(hit["sources"])})
        rows.append({"label": str(key), "counts": [counts.get(c, 0) for c in codes],
                     "total": sum(counts.values()), "sources": sources, "cells": cells})
    return {"columns": [n for _, n in order], "rows": rows}


def focus_order(t: dict[str, list], keep: list[str], others: int, with_other: bool) -> list[tuple[str, str]]:
    """(code, name) of the columns of a per-state table: kept states by name, 'Other states', the Union."""
    from coopdocs.compute.tables import _subjects

    kept = set(keep)
    subjects = [c for c in _subjects(t) if c["code"] in kept]
    order = [(c["code"], c["name"]) for c in subjects if c["kind"] != "union"]
    if others and with_other:
        order.append((OTHER, f"Other states ({others})"))
    return order + [(c["code"], c["name"]) for c in subjects if c["kind"] == "union"]


def build_document_context(frames: dict[str, Frame], t: dict[str, list], build: dict[str, Any],
                           keep: list[str] | None = None, others: int = 0) -> dict[str, Any]:
    """Context of the comparative-tables document: captions, notes, rows and their sources.

    ``frames`` are the tables as the document shows them (see :func:`focus_frames`): with
    ``others`` > 0 only the states in ``keep`` have rows and columns of their own.
    """
    if keep is None:
        keep = [c["code"] for c in t["countries"]]
    order = focus_order(t, keep, others, with_other=True)
    states = [(c, n) for c, n in focus_order(t, keep, others, with_other=False)
              if any(x["code"] == c and x["kind"] != "union" for x in t["countries"])]
    tables = []
    for number, spec in enumerate(TABLES, start=1):
        df = frames[spec.id]
        rows = frame_rows(df)
        tables.append({"number": number, "id": spec.id, "caption": spec.caption, "note": spec.note,
                       "csv": f"{spec.id}.csv", "rows": rows})
    by_id = {t_["id"]: t_ for t_ in tables}
    labels = {p["id"]: p["title"] for p in t["projects"]}
    for i in t["instruments"]:
        when = i.get("date") or "–".join(str(y) for y in dict.fromkeys([i.get("start_year"), i.get("end_year")]) if y)
        labels[i["id"]] = i["title"] + (f" ({when})" if when else "")
    by_id["legal-basis"]["matrix"] = _matrix(frames["legal-basis"], "instrument_type", order, labels)
    by_id["projects-by-theme"]["matrix"] = _matrix(frames["projects-by-theme"], "theme", order, labels)
    records = sorted({r for df in frames.values() for row in df.rows for r in cell_ids(row["records"])})
    sources = sorted({s for df in frames.values() for row in df.rows for s in cell_ids(row["sources"])})
    works = sorted({x["citing_work"] for x in t["sources"] if x["id"] in sources})
    context = {
        "document": {"kind": "tables", "id": "comparative-tables", "title": "Comparative tables of the member states"},
        "build": build,
        "tables": tables,
        "states": [n for _, n in states],
        "focus": {"shown": len(states), "others": others,
                  "total": len(states) + others},
        "figures": [
            {"number": 1, "id": "fig-timeline", "file": "timeline.svg",
             "caption": "Instruments, projects and events per member state and the Union, by year"},
            {"number": 2, "id": "fig-themes", "file": "themes-by-state.svg",
             "caption": "Projects by thematic area and member state"},
        ],
        "citing_works": [{k: v for k, v in w.items() if not k.startswith("_")} for w in t["publications"] if w["id"] in works],
        "records": records,
        "sources": sources,
    }
    context["data_digest"] = digest({k: v for k, v in context.items() if k != "build"})
    return context


def _cache_key(library: str, code: Path, *parts: str) -> str:
    """Digest of what a cached file is made of: its inputs, the code that makes it, the library version."""
    import hashlib
    import importlib.metadata

    key = hashlib.sha256()
    for part in (*parts, importlib.metadata.version(library)):
        key.update(part.encode("utf-8") + b"\0")
    key.update(code.read_bytes())
    return key.hexdigest()[:32]


def cached_xlsx(df: Frame, csv_text: str, title: str, epoch: int, cache_dir: Path | None) -> bytes:
    """The XLSX of a table, from ``cache_dir`` when the same table was written before.

    Keyed by what the workbook is made of (the table's CSV text, its title, the epoch, this
    module's code and openpyxl's version): an edit that leaves a table alone then skips
    openpyxl (0.25 s to import) for it.
    """
    if cache_dir is None:
        return to_xlsx_bytes(df, title, epoch)
    cached = cache_dir / f"xlsx-{_cache_key('openpyxl', Path(__file__), csv_text, title, str(epoch))}.xlsx"
    if cached.is_file():
        return cached.read_bytes()
    data = to_xlsx_bytes(df, title, epoch)
    with atomic_output(cached) as tmp:
        tmp.write_bytes(data)
    return data


def cached_figure(stem: Path, cache_dir: Path | None, kind: str, frame: Frame, order: list) -> None:
    """Draw the overview figure ``kind`` (a function of coopdocs.compute.figures) to ``stem``.svg/.png.

    The figure is looked up first in ``cache_dir`` under a digest of exactly what it draws (the
    table, the order of the states, the drawing code and matplotlib's version): an edit that leaves
    the figure's data alone (a description, a date inside the same year) then costs neither the
    ~1 s import of matplotlib nor the drawing. The files are bytes-identical either way.
    """
    import shutil

    key = _cache_key("matplotlib", Path(__file__).parent / "figures.py", kind, to_csv_text(frame), json.dumps(order))
    name = f"{kind}-{key}"
    cached = [cache_dir / f"{name}{ext}" for ext in (".svg", ".png")] if cache_dir else []
    targets = [stem.with_suffix(ext) for ext in (".svg", ".png")]
    if cached and all(c.is_file() for c in cached):
        for c, target in zip(cached, targets):
            with atomic_output(target) as tmp:
                shutil.copyfile(c, tmp)
        return
    from coopdocs.compute import figures

    getattr(figures, kind)(figures.data_frame(frame), order, stem)
    if cache_dir is not None:
        for c, target in zip(cached, targets):
            with atomic_output(c) as tmp:
                shutil.copyfile(target, tmp)


def write_all(bundle_path: Path, tables_dir: Path, figures_dir: Path, context_path: Path, bib_path: Path,
              epoch: int, build: dict[str, Any], article_meta: dict[str, Any] | None = None,
              article_context_path: Path | None = None, article_bib_path: Path | None = None,
              organisation_id: str = "unido", cache_dir: Path | None = None,
              detailed_states: int | None = None) -> None:
    """Compute every table and figure from the data bundle and write them all (and the article's context)."""
    from coopdocs.compute.contexts import bibliography, organisation, provenance
    from coopdocs.load.datapackage import Package
    from coopdocs.compute.tables import _subjects

    bundle = json.loads(bundle_path.read_text(encoding="utf-8"))
    t = bundle["tables"]
    frames = compute_tables(t)
    # The documents and figures show at most `detailed_states` states one by one (focus_states).
    keep, others = focus_states(t, detailed_states)
    shown = focus_frames(frames, keep, others)
    unions = {c["code"] for c in t["countries"] if c["kind"] == "union"}
    order = focus_order(t, keep, others, with_other=False)
    theme_order = [o for o in focus_order(t, keep, others, with_other=True) if o[0] not in unions] + \
        [o for o in order if o[0] in unions]
    package = Package(descriptor=bundle["descriptor"], tables=t)
    context = build_document_context(shown, t, build, keep, others)
    context["org"] = organisation(package, organisation_id)
    context["provenance"] = provenance(package, context["records"], bundle.get("git"))
    union_rows = [c for c in t["countries"] if c["kind"] == "union"]
    context["union"] = {k: v for k, v in union_rows[0].items() if not k.startswith("_")} if union_rows else None
    write_json(context_path, context)
    write_json(bib_path, bibliography(package, context["sources"]))
    if article_context_path is not None:
        from coopdocs.compute.article import article_context

        article = article_context(package, shown, article_meta or {}, build, organisation_id, keep=keep, others=others)
        article["provenance"] = provenance(package, article["records"], bundle.get("git"))
        write_json(article_context_path, article)
        write_json(article_bib_path, bibliography(package, article["sources"]))
        del article
    # The records are no longer needed: let the workbooks and figures (openpyxl, matplotlib) reuse
    # their memory (the data of 1,000 states is ~85 MB as Python objects; docs/performance.md).
    del bundle, t, package, context
    gc.collect()
    for spec in TABLES:
        df = frames[spec.id]
        csv_text = to_csv_text(df)
        with atomic_output(tables_dir / f"{spec.id}.csv") as tmp:
            tmp.write_text(csv_text, encoding="utf-8")
        with atomic_output(tables_dir / f"{spec.id}.xlsx") as tmp:
            tmp.write_bytes(cached_xlsx(df, csv_text, spec.caption, epoch, cache_dir))
    cached_figure(figures_dir / "timeline", cache_dir, "timeline_overview", shown["timeline"], order)
    cached_figure(figures_dir / "themes-by-state", cache_dir, "theme_matrix", shown["projects-by-theme"], theme_order)
