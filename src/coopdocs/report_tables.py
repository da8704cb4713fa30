"""Write the comparative tables (CSV, XLSX), the figures, and the tables document's context.

Run once per data change by the ``compute_tables`` rule (``coopdocs tables``); heavy imports
(pandas, matplotlib, openpyxl) are paid once for all tables and figures.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd

from .contexts import digest
from .convert import atomic_output
from .tables import TABLES, compute_tables

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
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def to_csv_text(df: pd.DataFrame) -> str:
    """Tidy CSV text: one header row, LF line ends, integers without a decimal part."""
    import csv

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(list(df.columns))
    for row in df.itertuples(index=False):
        writer.writerow([_cell(v) for v in row])
    return buf.getvalue()


def normalise_zip(data: bytes, epoch: int) -> bytes:
    """Rewrite an OOXML zip with fixed entry times and fixed document dates (reproducible bytes)."""
    stamp = dt.datetime.fromtimestamp(max(epoch, 315532800), tz=dt.timezone.utc)  # zip cannot hold dates before 1980
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = content.decode("utf-8")
                text = re.sub(r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)", rf"\g<1>{iso}\g<3>", text)
                content = text.encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, stamp.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, content)
    return out.getvalue()


def to_xlsx_bytes(df: pd.DataFrame, title: str, epoch: int) -> bytes:
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
    for row in df.itertuples(index=False):
        values = []
        for v in row:
            if v is None or (isinstance(v, float) and pd.isna(v)):
                values.append(None)
            elif isinstance(v, float) and v.is_integer():
                values.append(int(v))
            else:
                values.append(v.item() if hasattr(v, "item") else v)
        ws.append(values)
    for idx, column in enumerate(df.columns, start=1):
        longest = max([len(HEADINGS.get(column, column))] + [len(_cell(v)) for v in df[column]])
        ws.column_dimensions[get_column_letter(idx)].width = max(8, min(60, longest + 2))
        for cell in ws.iter_rows(min_row=3, min_col=idx, max_col=idx):
            cell[0].alignment = Alignment(vertical="top", wrap_text=True)
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


def frame_rows(df: pd.DataFrame) -> list[dict[str, Any]]:
    """A table's rows as JSON-ready dicts, with ``records`` and ``sources`` as lists of IDs."""
    rows = json.loads(df.to_json(orient="records", force_ascii=False))
    for row in rows:
        row["records"] = [x for x in str(row.get("records") or "").split(";") if x]
        row["sources"] = [x for x in str(row.get("sources") or "").split(";") if x]
    return rows


def _matrix(df: pd.DataFrame, row: str, order: list[tuple[str, str]], labels: dict[str, str]) -> dict[str, Any]:
    """A wide counts matrix (rows × states) with the sources behind each row."""
    codes = [c for c, _ in order]
    rows = []
    for key, group in df.groupby(row, sort=True):
        counts = {r["country_code"]: int(r["count"]) for _, r in group.iterrows()}
        if not sum(counts.values()):
            continue
        sources = sorted({s for v in group["sources"] for s in v.split(";") if s})
        cells = []
        for code, name in order:
            hit = group[group["country_code"] == code]
            if len(hit) and int(hit.iloc[0]["count"]):
                items = [labels[x] for x in str(hit.iloc[0]["records"]).split(";") if x]
                cells.append({"state": name, "count": int(hit.iloc[0]["count"]), "entries": items,
                              "sources": [x for x in str(hit.iloc[0]["sources"]).split(";") if x]})
        rows.append({"label": str(key), "counts": [counts.get(c, 0) for c in codes],
                     "total": sum(counts.values()), "sources": sources, "cells": cells})
    return {"columns": [n for _, n in order], "rows": rows}


def build_document_context(frames: dict[str, pd.DataFrame], t: dict[str, list], build: dict[str, Any]) -> dict[str, Any]:
    """Context of the comparative-tables document: captions, notes, rows and their sources."""
    from .tables import _subjects

    order = [(c["code"], c["name"]) for c in _subjects(t)]
    states = [(c, n) for c, n in order if any(x["code"] == c and x["kind"] != "union" for x in t["countries"])]
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
    records = sorted({r for df in frames.values() for v in df["records"] for r in str(v).split(";") if r})
    sources = sorted({s for df in frames.values() for v in df["sources"] for s in str(v).split(";") if s})
    works = sorted({x["citing_work"] for x in t["sources"] if x["id"] in sources})
    context = {
        "document": {"kind": "tables", "id": "comparative-tables", "title": "Comparative tables of the member states"},
        "build": build,
        "tables": tables,
        "states": [n for _, n in states],
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


def write_all(bundle_path: Path, tables_dir: Path, figures_dir: Path, context_path: Path, bib_path: Path,
              epoch: int, build: dict[str, Any], article_meta: dict[str, Any] | None = None,
              article_context_path: Path | None = None, article_bib_path: Path | None = None,
              organisation_id: str = "unido") -> None:
    """Compute every table and figure from the data bundle and write them all (and the article's context)."""
    from . import figures
    from .contexts import bibliography, organisation, provenance
    from .datapackage import Package
    from .tables import _subjects

    bundle = json.loads(bundle_path.read_text(encoding="utf-8"))
    t = bundle["tables"]
    frames = compute_tables(t)
    for spec in TABLES:
        df = frames[spec.id]
        with atomic_output(tables_dir / f"{spec.id}.csv") as tmp:
            tmp.write_text(to_csv_text(df), encoding="utf-8")
        with atomic_output(tables_dir / f"{spec.id}.xlsx") as tmp:
            tmp.write_bytes(to_xlsx_bytes(df, spec.caption, epoch))
    order = [(c["code"], c["name"]) for c in _subjects(t)]
    figures.timeline_overview(frames["timeline"], order, figures_dir / "timeline")
    figures.theme_matrix(frames["projects-by-theme"], [o for o in order if o[0] != "EAEU"] + [o for o in order if o[0] == "EAEU"],
                         figures_dir / "themes-by-state")
    for c in t["countries"]:
        figures.timeline_country(frames["timeline"], c["code"], c["name"], figures_dir / f"timeline-{c['slug']}")
    package = Package(descriptor=bundle["descriptor"], tables=t)
    context = build_document_context(frames, t, build)
    context["org"] = organisation(package, organisation_id)
    context["provenance"] = provenance(package, context["records"], bundle.get("git"))
    unions = [c for c in t["countries"] if c["kind"] == "union"]
    context["union"] = {k: v for k, v in unions[0].items() if not k.startswith("_")} if unions else None
    with atomic_output(context_path) as tmp:
        tmp.write_text(json.dumps(context, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    with atomic_output(bib_path) as tmp:
        tmp.write_text(json.dumps(bibliography(package, context["sources"]), indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                       encoding="utf-8")
    if article_context_path is not None:
        from .article import article_context

        article = article_context(package, frames, article_meta or {}, build, organisation_id)
        article["provenance"] = provenance(package, article["records"], bundle.get("git"))
        with atomic_output(article_context_path) as tmp:
            tmp.write_text(json.dumps(article, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
        with atomic_output(article_bib_path) as tmp:
            tmp.write_text(json.dumps(bibliography(package, article["sources"]), indent=1, sort_keys=True,
                                      ensure_ascii=False) + "\n", encoding="utf-8")
