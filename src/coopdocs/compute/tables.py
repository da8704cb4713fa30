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

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from coopdocs import layout
from coopdocs.compute.contexts import established, record_year, relation_word, stated
from coopdocs.load.grammar import unsaid
from coopdocs.load.money import totals
from coopdocs.load.strings import Words, fill, period, word
from coopdocs.tools.collation import by_name

Tables = dict[str, list[dict[str, Any]]]
LIST_SEP = "; "


@dataclass
class Frame:
    """A tidy table: its column names in order and one dict per row, each holding every column."""

    columns: list[str]
    rows: list[dict[str, Any]]
    # The columns that hold money, each with its currency (ISO 4217): "budget_eur" -> "EUR".
    money: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, rows: list[dict[str, Any]]) -> Frame:
        """A frame of ``rows``, all built with the same keys in the same order (none: no columns)."""
        return cls(list(rows[0]) if rows else [], rows)

    def __len__(self) -> int:
        return len(self.rows)

    def column(self, name: str) -> list[Any]:
        """The values of column ``name``, in row order."""
        return [r[name] for r in self.rows]

    def where(self, keep: Callable[[dict[str, Any]], bool]) -> Frame:
        """The rows for which ``keep(row)`` is true, same columns."""
        return Frame(self.columns, [r for r in self.rows if keep(r)], self.money)


@dataclass(frozen=True)
class TableSpec:
    """One comparative table, declared once: its identifier, its kind and its builder.

    ``kind`` is ``"list"`` (the document shows its rows) or ``"matrix"`` (the document shows
    counts of the records of data table ``counts`` per value of column ``row_column`` and state).
    ``own_section``: templates/tables.md.j2 lays the table out by hand; otherwise the document
    shows its rows under its columns' headings (the context entry's ``columns``).
    Its words live in the templates' strings file, not here: ``tables.<id>.caption``, ``.note``
    and ``.heading`` (its section's heading), and a heading under ``headings`` for each of its
    columns (:func:`check_strings`).
    Adding a table is a declaration in :data:`TABLES`, its builder and its strings (and its id in
    coopdocs.layout.TABLE_IDS, the outputs' contract, which tests/unit/test_layout.py keeps equal).
    """

    id: str
    build: Callable[..., Frame]
    kind: str = "list"
    row_column: str | None = None
    counts: str | None = None
    own_section: bool = False

    @property
    def needs(self) -> tuple[str, str, str] | None:
        """The (data table, column, value) whose rows the table exists for
        (:data:`coopdocs.layout.TABLE_ROWS`); None for a table every package has."""
        return layout.TABLE_ROWS.get(self.id)

    def has_rows(self, t: Tables) -> bool:
        """Whether the data has the rows this table exists for (always, without :attr:`needs`):
        a table without them is written nowhere (coopdocs.layout.table_ids says the same)."""
        if self.needs is None:
            return True
        table, column, value = self.needs
        return any(r.get(column) == value for r in t.get(table, []))


def subjects(t: Tables) -> list[dict[str, Any]]:
    """Member states in name order (by collation), then the union level."""
    states = by_name((c for c in t["countries"] if c["kind"] != "union"), lambda c: c["name"])
    union = by_name((c for c in t["countries"] if c["kind"] == "union"), lambda c: c["name"])
    return states + union


def group_records(
    records, keys: Callable[[dict[str, Any]], Any]
) -> dict[Any, list[dict[str, Any]]]:
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


def government_of(t: Tables) -> dict[str, str]:
    """The government actor of each country code (first by id when there are several)."""
    out: dict[str, str] = {}
    for a in sorted(t["actors"], key=lambda a: a["id"]):
        if a["type"] == "government" and a.get("country"):
            out.setdefault(a["country"], a["id"])
    return out


PROGRAMME_TYPES = ("framework-programme", "country-programme", "partnership-programme")
INSTITUTIONAL_COLUMNS = [
    "country_code",
    "country",
    "organisation_member_since",
    "cooperation_since",
    "union_member_from",
    "union_member_until",
    "governing_body_roles",
    "organisation_offices",
    "programmes",
    "funds_projects_elsewhere",
    "projects_funded_elsewhere",
    "records",
    "sources",
]


def _span(r: dict[str, Any], words: Words | None) -> str:
    """A record's years in brackets after its name (" (2016–2019)"), or '' when it has none or
    its title states them."""
    if not r.get("start_year"):
        return ""
    # Not after a title that holds its years ("Framework Programme … for 2013-2017 (2013–2017)").
    years = unsaid(period(r.get("start_year"), r.get("end_year"), words), r.get("title"))
    return f" ({years})" if years else ""


def _role_terms(
    roles: list[dict[str, Any]], body_names: dict[str, str], words: Words | None
) -> list[str]:
    """A state's roles on governing bodies, one entry per role on one body with its terms
    together ("Board: member (1992–1995, 2000–2003)"), in the order of their first term: the
    body's name once, not once per term."""
    terms: dict[tuple[str, str], list[str]] = {}
    for r in roles:
        span = period(r.get("start_year"), r.get("end_year"), words) if r.get("start_year") else ""
        terms.setdefault((r["body"], r["role"]), []).append(span)
    out = []
    for (body, role), spans in terms.items():
        years = ", ".join(s for s in spans if s)
        out.append(f"{body_names.get(body, body)}: {role}" + (f" ({years})" if years else ""))
    return out


def _profile_row(
    c: dict[str, Any], parts: dict[str, list], body_names: dict[str, str], words: Words | None
) -> dict[str, Any]:
    """A member state's row of the institutional profile from its roles, offices, programmes
    and the projects it funds in other states (``parts``); ``body_names``: actor id -> name."""
    roles, offices = parts["roles"], parts["offices"]
    programmes, funded = parts["programmes"], parts["funded"]
    used = [c] + roles + offices + programmes + funded
    return {
        "country_code": c["code"],
        "country": c["name"],
        "organisation_member_since": c.get("organisation_member_since") or "",
        "cooperation_since": c.get("cooperation_since") or "",
        "union_member_from": c.get("union_member_from") or "",
        "union_member_until": c.get("union_member_until") or "",
        "governing_body_roles": _join(_role_terms(roles, body_names, words)),
        "organisation_offices": _join(o["name"] for o in offices),
        "programmes": _join(f"{i['title']}{_span(i, words)}" for i in programmes),
        "funds_projects_elsewhere": word(words, "values.yes", "yes")
        if funded
        else word(words, "values.no", "no"),
        "projects_funded_elsewhere": len(funded),
        "records": _ids(used),
        "sources": _sources(used),
    }


def institutional_profile(t: Tables, words: Words | None = None) -> Frame:
    """One row per member state: membership, roles, offices, programmes, funding of others."""
    govs = government_of(t)
    body_names = {a["id"]: a["name"] for a in t["actors"]}
    roles_of = group_records(t["roles"], lambda r: [r["country"]])
    offices_of = group_records(t["offices"], lambda o: [o["country"]])
    programmes_of = group_records(
        (i for i in t["instruments"] if i["type"] in PROGRAMME_TYPES),
        lambda i: stated(i, "countries"),
    )
    # Only what the article states counts: inferred funders and recipients are left out.
    funded_by = group_records(t["projects"], lambda p: stated(p, "funders"))
    rows = []
    for c in subjects(t):
        if c["kind"] == "union":
            continue
        code, gov = c["code"], govs.get(c["code"])
        parts = {
            "roles": sorted(
                roles_of.get(code, []), key=lambda r: (r.get("start_year") or 0, r["id"])
            ),
            "offices": sorted(offices_of.get(code, []), key=lambda o: o["id"]),
            "programmes": sorted(
                programmes_of.get(code, []), key=lambda i: (record_year(i) or 0, i["id"])
            ),
            "funded": sorted(
                (
                    p
                    for p in (funded_by.get(gov, []) if gov else [])
                    if any(x != code for x in stated(p, "countries"))
                ),
                key=lambda p: p["id"],
            ),
        }
        rows.append(_profile_row(c, parts, body_names, words))
    return Frame(INSTITUTIONAL_COLUMNS, rows)


def legal_basis(t: Tables, words: Words | None = None) -> Frame:
    """Instrument types × member states and the union: count and list with dates (instruments in
    force: planned, proposed or discussed ones are not the legal basis)."""
    instruments = established(t["instruments"])
    types = sorted({i["type"] for i in instruments if stated(i, "countries")})
    by_cell = group_records(
        instruments, lambda i: ((i["type"], code) for code in stated(i, "countries"))
    )
    rows = []
    for kind in types:
        for c in subjects(t):
            found = sorted(
                by_cell.get((kind, c["code"]), []), key=lambda i: (record_year(i) or 0, i["id"])
            )
            rows.append(
                {
                    "instrument_type": kind,
                    "country_code": c["code"],
                    "country": c["name"],
                    "count": len(found),
                    "instruments": _join(
                        i["title"]
                        + (
                            f" ({i.get('date') or period(i.get('start_year'), i.get('end_year'), words)})"
                            if (i.get("date") or i.get("start_year"))
                            else ""
                        )
                        for i in found
                    ),
                    "records": _ids(found),
                    "sources": _sources(found),
                }
            )
    return Frame(
        [
            "instrument_type",
            "country_code",
            "country",
            "count",
            "instruments",
            "records",
            "sources",
        ],
        rows,
    )


def projects_by_theme(t: Tables, words: Words | None = None) -> Frame:
    """Thematic areas × member states (and the union): number of projects under way or done and
    which (stated participation only; plans are not counted)."""
    by_cell = group_records(
        established(t["projects"]),
        lambda p: ((th, code) for th in p["themes"] for code in stated(p, "countries")),
    )
    rows = []
    for theme in by_name(t["themes"], lambda th: th["label"]):
        for c in subjects(t):
            found = sorted(by_cell.get((theme["id"], c["code"]), []), key=lambda p: p["id"])
            rows.append(
                {
                    "theme_id": theme["id"],
                    "theme": theme["label"],
                    "country_code": c["code"],
                    "country": c["name"],
                    "count": len(found),
                    "projects": _join(p["title"] for p in found),
                    "records": _ids(found),
                    "sources": _sources(found),
                }
            )
    return Frame(
        ["theme_id", "theme", "country_code", "country", "count", "projects", "records", "sources"],
        rows,
    )


def projects_by_funder(t: Tables, words: Words | None = None) -> Frame:
    """Funders × recipient states: number of projects under way or done and stated budgets, one
    column per currency the budgets are in (``budget_usd``, ``budget_eur``: amounts in different
    currencies are never added; a project with several funders or recipients shows its whole
    budget in each of its rows). Each row's ``budgets`` (not a column) lists its sums by currency.
    """
    actors = {a["id"]: a for a in t["actors"]}
    rows = []
    funders = by_name(
        {f for p in established(t["projects"]) for f in stated(p, "funders")},
        lambda f: actors[f]["name"],
    )
    by_cell = group_records(
        established(t["projects"]),
        lambda p: ((f, code) for f in stated(p, "funders") for code in stated(p, "countries")),
    )
    money = money_columns(established(t["projects"]))
    for fid in funders:
        for c in subjects(t):
            found = sorted(by_cell.get((fid, c["code"]), []), key=lambda p: p["id"])
            if not found:
                continue
            budgets = budget_totals(found)
            sums = dict(budgets)
            rows.append(
                {
                    "funder_id": fid,
                    "funder": actors[fid]["short_name"] or actors[fid]["name"],
                    "funder_country": actors[fid].get("country") or "",
                    "country_code": c["code"],
                    "country": c["name"],
                    "count": len(found),
                    **{column: sums.get(code) for column, code in money.items()},
                    "projects_with_budget": sum(p.get("budget") is not None for p in found),
                    "projects": _join(p["title"] for p in found),
                    "records": _ids(found),
                    "sources": _sources(found),
                    "budgets": [{"amount": v, "currency": code} for code, v in budgets],
                }
            )
    columns = ["funder_id", "funder", "funder_country", "country_code", "country", "count"]
    columns += [*money, "projects_with_budget", "projects", "records", "sources"]
    return Frame(columns, rows, money)


def money_columns(projects: Iterable[dict[str, Any]]) -> dict[str, str]:
    """The budget columns of a table of ``projects``, one per currency their budgets are in,
    by currency code: ``{"budget_eur": "EUR", "budget_usd": "USD"}``."""
    codes = sorted({p["budget_currency"] for p in projects if p.get("budget") is not None})
    return {f"budget_{code.lower()}": code for code in codes}


def budget_totals(projects: Iterable[dict[str, Any]]) -> list[tuple[str, int | float]]:
    """The stated budgets of ``projects`` summed in each currency apart, by currency code."""
    return totals((p.get("budget"), p.get("budget_currency")) for p in projects)


def timeline(t: Tables, words: Words | None = None) -> Frame:
    """Every dated instrument, project and event, one row per record and state, by year."""
    names = {c["code"]: c["name"] for c in t["countries"]}
    rows = []
    for kind, table in (
        ("instrument", "instruments"),
        ("project", "projects"),
        ("event", "events"),
    ):
        for r in t[table]:
            year = record_year(r)
            if year is None:
                continue
            for code in stated(r, "countries"):
                rows.append(
                    {
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
                    }
                )
    return Frame(
        [
            "year",
            "country_code",
            "country",
            "kind",
            "record_id",
            "title",
            "date",
            "start_year",
            "end_year",
            "records",
            "sources",
        ],
        sorted(rows, key=lambda r: (r["year"], r["country_code"], r["kind"], r["record_id"])),
    )


def union_programme(t: Tables, words: Words | None = None) -> Frame:
    """The union's yearly programme of activity (the instruments of that role,
    :data:`coopdocs.layout.TABLE_ROWS`) and whether each year's names the organisation."""
    table, column, value = layout.TABLE_ROWS[layout.UNION_PROGRAMME]
    rows = []
    for i in sorted(
        (i for i in t.get(table, []) if i.get(column) == value),
        key=lambda i: (record_year(i) or 0, i["id"]),
    ):
        rows.append(
            {
                "year": period(i.get("start_year"), i.get("end_year"), words)
                or (i.get("date") or "")[:4],
                "title": i["title"],
                "mentions_organisation": relation_word(i, words),
                "how": i.get("organisation_mention") or "",
                "records": i["id"],
                "sources": _sources([i]),
            }
        )
    return Frame(["year", "title", "mentions_organisation", "how", "records", "sources"], rows)


TABLES: list[TableSpec] = [
    TableSpec(layout.INSTITUTIONAL_PROFILE, institutional_profile, own_section=True),
    TableSpec(
        layout.LEGAL_BASIS,
        legal_basis,
        "matrix",
        "instrument_type",
        "instruments",
        own_section=True,
    ),
    TableSpec(
        layout.PROJECTS_BY_THEME, projects_by_theme, "matrix", "theme", "projects", own_section=True
    ),
    TableSpec(layout.PROJECTS_BY_FUNDER, projects_by_funder, own_section=True),
    TableSpec(layout.TIMELINE_TABLE, timeline, own_section=True),
    TableSpec(layout.UNION_PROGRAMME, union_programme, own_section=True),
]


# The columns that show an optional data table's records, by table: when the descriptor leaves
# the table out they are left out too, not shown empty (issue 34).
COLUMNS_OF_TABLE = {"offices": {layout.INSTITUTIONAL_PROFILE: "organisation_offices"}}


def without_left_out(frames: dict[str, Frame], declared: Collection[str]) -> dict[str, Frame]:
    """``frames`` without the columns of the optional tables not in ``declared`` (the names of
    the tables the descriptor has)."""
    out = dict(frames)
    for table, columns in COLUMNS_OF_TABLE.items():
        for table_id, column in columns.items() if table not in declared else ():
            df = out[table_id]
            out[table_id] = Frame([c for c in df.columns if c != column], df.rows, df.money)
    return out


def compute_tables(t: Tables, words: Words | None = None) -> dict[str, Frame]:
    """Every comparative table, keyed by table id, in document order (``words``: the strings file)."""
    return {spec.id: spec.build(t, words) for spec in TABLES}


class StringsError(ValueError):
    """The strings file lacks words a comparative table needs (every missing one, one a line)."""


def check_strings(words: Words | None, frames: dict[str, Frame]) -> list[str]:
    """What the strings file lacks for the tables in ``frames``: each table's caption and its
    section's heading, and a heading for each of its columns. None without a strings file (the program then writes no
    words at all, by design)."""
    if not words:
        return []
    headings = words.get("headings") or {}
    missing = []
    for spec in TABLES:
        for part in ("caption", "heading"):
            if not word(words, f"tables.{spec.id}.{part}"):
                missing.append(f"tables.{spec.id}.{part}: missing (the {part} of table {spec.id})")
        frame = frames.get(spec.id) or Frame([], [])
        for column in frame.columns:
            if heading_key(frame, column) not in headings:
                key = heading_key(frame, column)
                missing.append(f"headings.{key}: missing (a column of table {spec.id})")
    return missing


def heading_key(frame: Frame, column: str) -> str:
    """The key of a column's heading in the strings file's ``headings``: the column's name, or
    for a money column its name without the currency ("budget" for "budget_eur")."""
    return column.rsplit("_", 1)[0] if column in frame.money else column


def column_headings(headings: dict[str, str], frame: Frame) -> dict[str, str]:
    """The headings of ``frame``'s columns by column name, a money column's with its currency
    filled in ("Budget ({currency})" -> "Budget (EUR)"); a column without one is left out."""
    out = {}
    for column in frame.columns:
        key = heading_key(frame, column)
        if key in headings:
            out[column] = fill(headings[key], currency=frame.money.get(column, ""))
    return out


def caption(
    words: Words | None, table_id: str, org: dict[str, Any] | None = None, part: str = "caption"
) -> str:
    """The caption (or ``part='note'``) of a table from the strings file, with the organisation's name filled in."""
    return word(words, f"tables.{table_id}.{part}", "", org=(org or {}).get("short_name", ""))
