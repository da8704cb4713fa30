"""Context of the comparative-tables document: its tables, matrices, figures and sources.
"""

from __future__ import annotations

from typing import Any

from coopdocs import layout
from coopdocs.compute.contexts import digest
from coopdocs.compute.selection import cell_ids, count_matrix, focus_order, frame_rows
from coopdocs.compute.overview import describe_theme_matrix, describe_timeline_overview
from coopdocs.compute.tables import TABLES, Frame

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
    by_id[layout.LEGAL_BASIS]["matrix"] = count_matrix(frames[layout.LEGAL_BASIS], "instrument_type", order, labels)
    by_id[layout.PROJECTS_BY_THEME]["matrix"] = count_matrix(frames[layout.PROJECTS_BY_THEME], "theme", order, labels)
    records = sorted({r for df in frames.values() for row in df.rows for r in cell_ids(row["records"])})
    sources = sorted({s for df in frames.values() for row in df.rows for s in cell_ids(row["sources"])})
    works = sorted({x["citing_work"] for x in t["sources"] if x["id"] in sources})
    context = {
        "document": {"kind": layout.TABLES_DOCUMENT.folder, "id": layout.TABLES_DOCUMENT.name,
                     "title": "Comparative tables of the member states"},
        "build": build,
        "tables": tables,
        "states": [n for _, n in states],
        "focus": {"shown": len(states), "others": others,
                  "total": len(states) + others},
        "figures": [
            {"number": 1, "id": "fig-timeline", "file": layout.figure_file(layout.TIMELINE_FIGURE, "svg"),
             "caption": "Instruments, projects and events per member state and the Union, by year",
             "alt": describe_timeline_overview(frames[layout.TIMELINE_TABLE], order)},
            {"number": 2, "id": "fig-themes", "file": layout.figure_file(layout.THEMES_FIGURE, "svg"),
             "caption": "Projects by thematic area and member state",
             "alt": describe_theme_matrix(frames[layout.PROJECTS_BY_THEME], order)},
        ],
        "citing_works": [{k: v for k, v in w.items() if not k.startswith("_")} for w in t["publications"] if w["id"] in works],
        "records": records,
        "sources": sources,
    }
    context["data_digest"] = digest({k: v for k, v in context.items() if k != "build"})
    return context
