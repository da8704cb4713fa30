"""Comparative tables across the member states, computed from the data as plain Python rows.

Each table is a tidy :class:`Frame` (named columns, one observation per row) with ``records``
and ``sources`` columns naming the records it counts and the sources they cite, so every row can
be traced. :func:`compute_tables` returns all of them in a fixed order; the writers (CSV, XLSX)
and the documents' contexts read them from there.

The tables are counts and joins over a few thousand records: plain dicts do it in the same time
as pandas did, without pandas' 0.45 s import and ~60 MB, which were a sixth of a one-record
edit's rebuild and the largest part of the tables job's memory at 1,000 states
(docs/performance.md). pandas stays where it reshapes data for matplotlib (coopdocs.compute.figures).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from coopdocs import layout
from coopdocs.compute.contexts import record_year, stated

Tables = dict[str, list[dict[str, Any]]]
LIST_SEP = "; "


@dataclass
class Frame:
    """A tidy table: its column names in order and one dict per row, each holding every column."""

    columns: list[str]
    rows: list[dict[str, Any]]

    @classmethod
    def of(cls, rows: list[dict[str, Any]]) -> "Frame":
        """A frame of ``rows``, all built with the same keys in the same order (none: no columns)."""
        return cls(list(rows[0]) if rows else [], rows)

    def __len__(self) -> int:
        return len(self.rows)

    def column(self, name: str) -> list[Any]:
        """The values of column ``name``, in row order."""
        return [r[name] for r in self.rows]

    def where(self, keep: Callable[[dict[str, Any]], bool]) -> "Frame":
        """The rows for which ``keep(row)`` is true, same columns."""
        return Frame(self.columns, [r for r in self.rows if keep(r)])


@dataclass(frozen=True)
class TableSpec:
    """One comparative table: its identifier, caption, reading note and builder."""

    id: str
    caption: str
    note: str
    build: Callable[[Tables], Frame]


def subjects(t: Tables) -> list[dict[str, Any]]:
    """Member states in name order, then the Union level."""
    states = sorted((c for c in t["countries"] if c["kind"] != "union"), key=lambda c: c["name"])
    union = sorted((c for c in t["countries"] if c["kind"] == "union"), key=lambda c: c["name"])
    return states + union


def group_records(records, keys: Callable[[dict[str, Any]], Any]) -> dict[Any, list[dict[str, Any]]]:
    """Records by each key ``keys(record)`` yields, each record once per key.

    One pass instead of one scan of the whole table per (row, state) cell: the comparative
    tables of 1,000 states were otherwise quadratic (minutes in compute_tables).
    """
    out: dict[Any, list[dict[str, Any]]] = {}
    for r in records:
        for key in dict.fromkeys(keys(r)):
            out.setdefault(key, []).append(r)
    return out


def _join(values) -> str:
    return LIST_SEP.join(values)


def _ids(records) -> str:
    return ";".join(sorted({r.get("id") or r.get("code") for r in records}))


def _sources(records) -> str:
    return ";".join(sorted({s for r in records for s in r.get("sources") or []}))


def _span(start, end) -> str:
    if start and end:
        return str(start) if start == end else f"{start}–{end}"
    return f"from {start}" if start else (f"until {end}" if end else "")


def government_of(t: Tables) -> dict[str, str]:
    """The government actor of each country code (first by id when there are several)."""
    out: dict[str, str] = {}
    for a in sorted(t["actors"], key=lambda a: a["id"]):
        if a["type"] == "government" and a.get("country"):
            out.setdefault(a["country"], a["id"])
    return out


PROGRAMME_TYPES = ("framework-programme", "country-programme", "partnership-programme")


def institutional_profile(t: Tables) -> Frame:
    """One row per member state: membership, roles, offices, programmes, funding of others."""
    govs = government_of(t)
    roles_of = group_records(t["roles"], lambda r: [r["country"]])
    offices_of = group_records(t["offices"], lambda o: [o["country"]])
    programmes_of = group_records((i for i in t["instruments"] if i["type"] in PROGRAMME_TYPES), lambda i: stated(i, "countries"))
    # Only what the article states counts: inferred funders and recipients are left out.
    funded_by = group_records(t["projects"], lambda p: stated(p, "funders"))
    rows = []
    for c in subjects(t):
        if c["kind"] == "union":
            continue
        code = c["code"]
        roles = sorted(roles_of.get(code, []), key=lambda r: (r.get("start_year") or 0, r["id"]))
        offices = sorted(offices_of.get(code, []), key=lambda o: o["id"])
        programmes = sorted(programmes_of.get(code, []), key=lambda i: (record_year(i) or 0, i["id"]))
        gov = govs.get(code)
        funded = sorted((p for p in (funded_by.get(gov, []) if gov else []) if any(x != code for x in stated(p, "countries"))),
                        key=lambda p: p["id"])
        used = [c] + roles + offices + programmes + funded
        rows.append({
            "country_code": code,
            "country": c["name"],
            "unido_member_since": c.get("unido_member_since") or "",
            "cooperation_since": c.get("cooperation_since") or "",
            "governing_body_roles": _join(
                f"{r['body'].replace('-', ' ')}: {r['role']}" + (f" ({_span(r.get('start_year'), r.get('end_year'))})" if r.get("start_year") else "")
                for r in roles),
            "unido_offices": _join(o["name"] for o in offices),
            "programmes": _join(f"{i['title']}" + (f" ({_span(i.get('start_year'), i.get('end_year'))})" if i.get("start_year") else "")
                                for i in programmes),
            "funds_projects_elsewhere": "yes" if funded else "no",
            "projects_funded_elsewhere": len(funded),
            "records": _ids(used),
            "sources": _sources(used),
        })
    return Frame.of(rows)


def legal_basis(t: Tables) -> Frame:
    """Instrument types × member states and the Union: count and list with dates."""
    types = sorted({i["type"] for i in t["instruments"] if stated(i, "countries")})
    by_cell = group_records(t["instruments"], lambda i: ((i["type"], code) for code in stated(i, "countries")))
    rows = []
    for kind in types:
        for c in subjects(t):
            found = sorted(by_cell.get((kind, c["code"]), []), key=lambda i: (record_year(i) or 0, i["id"]))
            rows.append({
                "instrument_type": kind,
                "country_code": c["code"],
                "country": c["name"],
                "count": len(found),
                "instruments": _join(i["title"] + (f" ({i.get('date') or _span(i.get('start_year'), i.get('end_year'))})"
                                                   if (i.get("date") or i.get("start_year")) else "") for i in found),
                "records": _ids(found),
                "sources": _sources(found),
            })
    return Frame.of(rows)


def projects_by_theme(t: Tables) -> Frame:
    """Thematic areas × member states (and the Union): number of projects and which (stated participation only)."""
    by_cell = group_records(t["projects"], lambda p: ((th, code) for th in p["themes"] for code in stated(p, "countries")))
    rows = []
    for theme in sorted(t["themes"], key=lambda th: th["label"]):
        for c in subjects(t):
            found = sorted(by_cell.get((theme["id"], c["code"]), []), key=lambda p: p["id"])
            rows.append({
                "theme_id": theme["id"],
                "theme": theme["label"],
                "country_code": c["code"],
                "country": c["name"],
                "count": len(found),
                "projects": _join(p["title"] for p in found),
                "records": _ids(found),
                "sources": _sources(found),
            })
    return Frame.of(rows)


def projects_by_funder(t: Tables) -> Frame:
    """Funders × recipient states: number of projects and stated budgets (USD)."""
    actors = {a["id"]: a for a in t["actors"]}
    rows = []
    funders = sorted({f for p in t["projects"] for f in stated(p, "funders")}, key=lambda f: actors[f]["name"])
    by_cell = group_records(t["projects"], lambda p: ((f, code) for f in stated(p, "funders") for code in stated(p, "countries")))
    states = subjects(t)
    for fid in funders:
        for c in states:
            found = sorted(by_cell.get((fid, c["code"]), []), key=lambda p: p["id"])
            if not found:
                continue
            budgets = [p["budget_usd"] for p in found if p.get("budget_usd") is not None]
            rows.append({
                "funder_id": fid,
                "funder": actors[fid]["short_name"] or actors[fid]["name"],
                "funder_country": actors[fid].get("country") or "",
                "country_code": c["code"],
                "country": c["name"],
                "count": len(found),
                "budget_usd": float(sum(budgets)) if budgets else None,
                "projects_with_budget": len(budgets),
                "projects": _join(p["title"] for p in found),
                "records": _ids(found),
                "sources": _sources(found),
            })
    return Frame.of(rows)


def timeline(t: Tables) -> Frame:
    """Every dated instrument, project and event, one row per record and state, by year."""
    names = {c["code"]: c["name"] for c in t["countries"]}
    rows = []
    for kind, table in (("instrument", "instruments"), ("project", "projects"), ("event", "events")):
        for r in t[table]:
            year = record_year(r)
            if year is None:
                continue
            for code in stated(r, "countries"):
                rows.append({
                    "year": year,
                    "country_code": code,
                    "country": names[code],
                    "kind": kind,
                    "record_id": r["id"],
                    "title": r["title"],
                    "date": r.get("date") or "",
                    "start_year": r.get("start_year"),
                    "end_year": r.get("end_year"),
                    "records": r["id"],
                    "sources": _sources([r]),
                })
    return Frame.of(sorted(rows, key=lambda r: (r["year"], r["country_code"], r["kind"], r["record_id"])))


def main_directions(t: Tables) -> Frame:
    """The Union's yearly Main Directions of International Activity and whether each names UNIDO."""
    rows = []
    for i in sorted((i for i in t["instruments"] if i["type"] == "main-directions"), key=lambda i: (record_year(i) or 0, i["id"])):
        rows.append({
            "year": _span(i.get("start_year"), i.get("end_year")) or (i.get("date") or "")[:4],
            "title": i["title"],
            "mentions_unido": i.get("mentions_unido") or "not stated",
            "how": i.get("unido_mention") or "",
            "records": i["id"],
            "sources": _sources([i]),
        })
    return Frame.of(rows)


TABLES: list[TableSpec] = [
    TableSpec(layout.INSTITUTIONAL_PROFILE, "Institutional profile of the member states' cooperation with UNIDO",
              "One row per member state: when membership or cooperation began, terms on UNIDO governing bodies, "
              "UNIDO offices and centres on its soil, framework and country programmes, and whether the state "
              "funds UNIDO projects in other member states.", institutional_profile),
    TableSpec(layout.LEGAL_BASIS, "Legal and programmatic basis: instruments by type and member state",
              "Number of instruments of each type per member state and at the Union level; a record that names "
              "several states counts once for each.", legal_basis),
    TableSpec(layout.PROJECTS_BY_THEME, "Projects by thematic area and member state",
              "Number of projects in each thematic area per member state; a project with several themes or "
              "states counts in each of its cells. A state whose participation the article does not state, but "
              "which is inferred, is not counted.", projects_by_theme),
    TableSpec(layout.PROJECTS_BY_FUNDER, "Projects by funder and recipient state",
              "Number of projects each funder supports per recipient state, with the sum of budgets where the "
              "data states one; it shows Russia's role as a donor to the other member states. Funders and "
              "recipients that are only inferred are not counted.", projects_by_funder),
    TableSpec(layout.TIMELINE_TABLE, "Timeline of instruments, projects and events",
              "Every dated instrument, project and event, by year (date of adoption or start) and state.", timeline),
    TableSpec(layout.MAIN_DIRECTIONS, "The Union's Main Directions of International Activity by year",
              "Whether each year's Main Directions of International Activity names UNIDO, and how; the year "
              "without UNIDO stands out.", main_directions),
]


def compute_tables(t: Tables) -> dict[str, Frame]:
    """Every comparative table, keyed by table id, in document order."""
    return {spec.id: spec.build(t) for spec in TABLES}
