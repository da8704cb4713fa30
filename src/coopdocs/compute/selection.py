"""The states the aggregate documents show one by one, and the tables as those documents show them.

Shared by the comparative-tables document and the review article (coopdocs.compute.tables_document,
coopdocs.compute.article): at scale both show the most active states and sum the others.
"""

from __future__ import annotations

from typing import Any

from coopdocs import layout
from coopdocs.compute.contexts import stated
from coopdocs.compute.tables import Frame, group_records, subjects
from coopdocs.load.strings import Words, word
from coopdocs.tools.collation import collation_key


def cell_ids(cell: Any) -> list[str]:
    """The IDs of a ``records`` or ``sources`` cell (';'-separated)."""
    return [x for x in str(cell or "").split(";") if x]


def frame_rows(df: Frame) -> list[dict[str, Any]]:
    """A table's rows as JSON-ready dicts, with ``records`` and ``sources`` as lists of IDs."""
    rows = [dict(r) for r in df.rows]
    for row in rows:
        row["records"] = cell_ids(row.get("records"))
        row["sources"] = cell_ids(row.get("sources"))
    return rows


OTHER = "OTHER"  # country code of the 'Other states' column of a focused table


def other_states(others: int, words: Words | None = None) -> str:
    """The name of the column that sums the states not shown one by one ("Other states (18)")."""
    return word(words, "other_states", "… ({n})", n=others)


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
            for code in dict.fromkeys(
                stated(r, "countries")
            ):  # inferred participation never counts
                counts[code] = counts.get(code, 0) + 1
    ranked = sorted(
        states, key=lambda c: (-counts.get(c["code"], 0), collation_key(c["name"]), c["code"])
    )
    return [c["code"] for c in ranked[:limit]] + unions, len(states) - limit


def focus_frames(
    frames: dict[str, Frame], keep: list[str], others: int, words: Words | None = None
) -> dict[str, Frame]:
    """The tables restricted to the states in ``keep``; per-state counts of the others summed.

    Counts (legal basis, projects by theme) of the states not kept are summed into one row per
    line with country code ``OTHER``, without records or sources: those rows are traced in the
    complete CSV and in the states' briefs, not in the aggregate documents.
    """
    if not others:
        return frames
    kept = set(keep)
    out = dict(frames)
    for tid in (layout.INSTITUTIONAL_PROFILE, layout.TIMELINE_TABLE):
        out[tid] = frames[tid].where(lambda r: r["country_code"] in kept)
    out[layout.PROJECTS_BY_FUNDER] = frames[layout.PROJECTS_BY_FUNDER].where(
        lambda r: r["country_code"] in kept or r["funder_country"] in kept
    )
    for tid, key, label_col in (
        (layout.LEGAL_BASIS, "instrument_type", None),
        (layout.PROJECTS_BY_THEME, "theme_id", "theme"),
    ):
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
            row.update(count=count, country_code=OTHER, country=other_states(others, words))
            summed.append(row)
        out[tid] = Frame(
            df.columns, [r for r in df.rows if r["country_code"] in kept] + summed, df.money
        )
    return out


def group_rows(df: Frame, column: str) -> list[tuple[Any, list[dict[str, Any]]]]:
    """The rows of ``df`` grouped by the value of ``column``, groups sorted by it, rows in order."""
    return sorted(group_records(df.rows, lambda r: [r[column]]).items(), key=lambda kv: kv[0])


def count_matrix(
    df: Frame,
    row: str,
    order: list[tuple[str, str]],
    with_records: bool = False,
    label=str,
) -> dict[str, Any]:
    """A wide counts matrix (rows × states) with the sources behind each row.

    ``label`` turns a row's key into its label. With ``with_records`` each row also gives its
    ``key`` and lists, per state with a count, the records behind it (``cells``: code, state,
    count, records, sources), so that a document can describe each record once and refer to it
    from every cell (coopdocs.compute.tables_document.record_register).
    """
    codes = [c for c, _ in order]
    rows = []
    for key, group in group_rows(df, row):
        counts = {r["country_code"]: int(r["count"]) for r in group}
        if not sum(counts.values()):
            continue
        entry = {
            "label": label(key),
            "counts": [counts.get(c, 0) for c in codes],
            "total": sum(counts.values()),
            "sources": sorted({s for r in group for s in cell_ids(r["sources"])}),
        }
        if with_records:
            entry["key"] = key
            first = {}
            for r in group:
                first.setdefault(r["country_code"], r)
            entry["cells"] = [
                {
                    "code": code,
                    "state": name,
                    "count": int(first[code]["count"]),
                    "records": cell_ids(first[code]["records"]),
                    "sources": cell_ids(first[code]["sources"]),
                }
                for code, name in order
                if code in first and int(first[code]["count"]) and cell_ids(first[code]["records"])
            ]
        rows.append(entry)
    return {"columns": [n for _, n in order], "rows": rows}


def focus_order(
    t: dict[str, list], keep: list[str], others: int, with_other: bool, words: Words | None = None
) -> list[tuple[str, str]]:
    """(code, name) of the columns of a per-state table: kept states by name, 'Other states', the Union."""
    kept = set(keep)
    shown = [c for c in subjects(t) if c["code"] in kept]
    order = [(c["code"], c["name"]) for c in shown if c["kind"] != "union"]
    if others and with_other:
        order.append((OTHER, other_states(others, words)))
    return order + [(c["code"], c["name"]) for c in shown if c["kind"] == "union"]
