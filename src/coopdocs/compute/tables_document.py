"""Context of the comparative-tables document: its tables, matrices, figures and sources."""

from __future__ import annotations

from typing import Any

from coopdocs import layout
from coopdocs.compute.contexts import digest, is_member
from coopdocs.compute.overview import describe_theme_matrix, describe_timeline_overview
from coopdocs.compute.selection import cell_ids, count_matrix, focus_order, frame_rows
from coopdocs.compute.tables import TABLES, Frame, caption
from coopdocs.load.strings import Words, word

# The text alternative of each overview figure: what it shows, worded from its table (issue 20).
ALT_TEXT = {
    layout.TIMELINE_FIGURE: describe_timeline_overview,
    layout.THEMES_FIGURE: describe_theme_matrix,
}

# Tables shown as a counts matrix (rows × states) in the document.
MATRIX_TABLES = {layout.LEGAL_BASIS: "instrument_type", layout.PROJECTS_BY_THEME: "theme"}


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
    labels = {p["id"]: p["title"] for p in t["projects"]}
    for i in t["instruments"]:
        when = i.get("date") or "–".join(
            str(y) for y in dict.fromkeys([i.get("start_year"), i.get("end_year")]) if y
        )
        labels[i["id"]] = i["title"] + (f" ({when})" if when else "")
    tables = []
    number = 0
    for spec in TABLES:
        df = frames[spec.id]
        entry = {
            "id": spec.id,
            "caption": caption(words, spec.id, org),
            "note": caption(words, spec.id, org, "note"),
            "csv": f"{spec.id}.csv",
            "rows": frame_rows(df),
        }
        if spec.id in MATRIX_TABLES:
            entry["matrix"] = count_matrix(df, MATRIX_TABLES[spec.id], order, labels)
        if not (entry["matrix"]["rows"] if "matrix" in entry else entry["rows"]):
            continue  # nothing to show: no section, caption or reference
        number += 1
        entry["number"] = number
        tables.append(entry)
    by_id = {t_["id"]: t_ for t_ in tables}
    records = sorted(
        {r for df in frames.values() for row in df.rows for r in cell_ids(row["records"])}
    )
    sources = sorted(
        {s for df in frames.values() for row in df.rows for s in cell_ids(row["sources"])}
    )
    works = sorted({x["citing_work"] for x in t["sources"] if x["id"] in sources})
    countries = {c["code"]: c for c in t["countries"]}
    figures = []
    for fid, anchor in (
        (layout.TIMELINE_FIGURE, "fig-timeline"),
        (layout.THEMES_FIGURE, "fig-themes"),
    ):
        table = layout.FIGURE_TABLES[fid]
        if table in by_id:  # a figure of an empty table is not shown
            figures.append(
                {
                    "number": len(figures) + 1,
                    "id": anchor,
                    "file": layout.figure_file(fid, "svg"),
                    "table": table,
                    "caption": word(words, f"figures.{fid}.caption", ""),
                    "alt": ALT_TEXT[fid](frames[table], order, words),
                }
            )
    for f in figures:
        by_id[f["table"]]["figure"] = f["number"]
    context = {
        "document": {
            "kind": layout.TABLES_DOCUMENT.folder,
            "id": layout.TABLES_DOCUMENT.name,
            "title": word(words, "documents.tables.title", ""),
        },
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
    context["data_digest"] = digest({k: v for k, v in context.items() if k != "build"})
    return context
