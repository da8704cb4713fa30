"""Context of the consolidated review article.

The article consolidates the briefs (one section per member state, built from the same records
through :func:`coopdocs.compute.contexts.brief_context`) and the comparative tables and figures (from
:mod:`coopdocs.compute.tables`). Every name, date, number or count the article's prose shows comes from
here; the template only words it. Tables and figures are numbered in the order the article shows
them, so "Table 2" means the same table in DOCX, PDF and HTML.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from coopdocs import layout
from coopdocs.compute.article_sections import section_views
from coopdocs.compute.claims import ClaimSet, claim_names
from coopdocs.compute.contexts import (
    Resolver,
    brief_context,
    citing_works,
    declared_tables,
    established,
    event_entry,
    is_member,
    names_organisation,
    organisation,
    project_entry,
    provenance,
    record_date,
    record_year,
    sort_key_fact,
    sort_key_year,
    stated,
    union_of,
    year_span,
)
from coopdocs.compute.overview import (
    describe_theme_matrix,
    describe_timeline_overview,
    timeline_period,
)
from coopdocs.compute.selection import OTHER, count_matrix, frame_rows, other_states
from coopdocs.compute.tables import PROGRAMME_TYPES, Frame
from coopdocs.load.authored import cited_keys, known_names, parse_authored, used_names
from coopdocs.load.datapackage import Package
from coopdocs.load.grammar import join_list, long_date, named
from coopdocs.load.strings import Words, label, word
from coopdocs.tools.collation import by_name, collation_key

# The order in which the article shows its tables and figures (section by section); their
# captions are the strings file's ``article_tables`` and ``figures``. A table with nothing to
# show is left out, and the others are numbered in order.
ARTICLE_TABLES = [
    layout.UNION_PROGRAMME,
    layout.INSTITUTIONAL_PROFILE,
    layout.LEGAL_BASIS,
    layout.PROJECTS_BY_THEME,
    layout.PROJECTS_BY_FUNDER,
]
# The heat map of themes is mentioned (section "Projects and themes") before the time line.
ARTICLE_FIGURES = [layout.THEMES_FIGURE, layout.TIMELINE_FIGURE]
# The measures the comparative analysis ranks the states by (keys of :func:`state_measures`).
MEASURES = ("instruments", "projects", "outcomes", "events", "roles", "offices")
# How many of a state's instruments with the organisation its section names (the rest are counted).
KEY_INSTRUMENTS = 3
# A year in a title or a period ("Programme for 2013-2017", "2013–2017").
YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")


def _row_labels(words: Words | None, org: dict[str, Any]) -> dict[str, Any]:
    """How each counts matrix writes its row keys: an instrument type by its word in the
    strings' ``labels`` (the type's own word, not one decided by a record's role, as a row counts
    records of every role), a theme by its name as the data gives it."""
    return {
        layout.LEGAL_BASIS: lambda key: label(
            words, "instruments", "type", key, org=org["short_name"]
        ),
        layout.PROJECTS_BY_THEME: str,
    }


def _leaders(counter: Counter) -> dict[str, Any]:
    """The keys with the highest count (all of them when tied, by collation) and that count."""
    best = max(counter.values(), default=0)
    names = by_name((k for k, v in counter.items() if v == best and v), str) if best else []
    return {"name": names[0] if len(names) == 1 else None, "names": names, "count": best}


def ranking(counts: dict[str, int], total: int) -> dict[str, Any]:
    """States ranked by a count: rank (tied states share it), share of ``total``, leaders, gap.

    ``total`` is the number of distinct records behind the counts (a record naming two states
    counts for each, so shares may add up to more than 100).

    >>> r = ranking({"A": 4, "B": 1, "C": 4}, 8)
    >>> [(x["name"], x["rank"], x["share"]) for x in r["rows"]]
    [('A', 1, 50), ('C', 1, 50), ('B', 3, 12)]
    >>> r["leaders"], r["lasts"], r["gap"], r["ratio"]
    (['A', 'C'], ['B'], 3, 4.0)
    """
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], collation_key(kv[0])))
    rows = [
        {
            "name": name,
            "count": n,
            "rank": 1 + sum(1 for v in counts.values() if v > n),
            "share": round(100 * n / total) if total else 0,
            "tied": sum(1 for v in counts.values() if v == n) > 1,
        }
        for name, n in ordered
    ]
    top = ordered[0][1] if ordered else 0
    bottom = ordered[-1][1] if ordered else 0
    return {
        "rows": rows,
        "by_name": {r["name"]: r for r in rows},
        "total": total,
        "top": top,
        "bottom": bottom,
        "leaders": [n for n, v in ordered if v == top],
        "lasts": [n for n, v in ordered if v == bottom],
        "gap": top - bottom,
        "ratio": round(top / bottom, 1) if bottom else None,
        "without": [n for n, v in ordered if v == 0],
    }


# The claim (coopdocs.compute.claims) each measure ranks the states by.
MEASURE_CLAIMS = {
    "instruments": "instruments_with_organisation",
    "projects": "projects_of",
    "outcomes": "outcomes_of",
    "events": "events_of",
    "roles": "roles_held",
    "offices": "offices_open",
}


def state_measures(claims: ClaimSet, states: list[dict]) -> dict[str, dict[str, Any]]:
    """Per measure (:data:`MEASURES`), the ranking of ``states`` by the claim that measure names
    (:data:`MEASURE_CLAIMS`): instruments in force with the organisation, projects under way or
    done that the data states for the state (inferred participation counts nowhere, plans apart),
    their achieved outcomes, occasions (several events of one occasion count once), terms on the
    organisation's bodies, the organisation's own open offices."""
    counts: dict[str, dict[str, int]] = {m: {} for m in MEASURES}
    behind: dict[str, set] = {m: set() for m in MEASURES}
    for c in states:
        for m in MEASURES:
            claim = claims.get(MEASURE_CLAIMS[m], country=c["code"])
            counts[m][c["name"]] = claim.number
            behind[m].update(claim.records)
    return {m: ranking(counts[m], len(behind[m])) for m in MEASURES}


def shown_rankings(measures: dict[str, dict[str, Any]], shown: list[str]) -> dict[str, dict]:
    """The rankings as a review with summed states words them (issue 35): per measure, the
    ``rows`` (with a count) and ``without`` (none) of the states in ``shown``, by name, and
    ``rest``, the other states in numbers: how many (``n``), how many have some (``some``) and
    the least and most of those (``low``, ``high``). A sentence that named every state grew
    with the data (536 citations in one section at 50 states).

    >>> m = {"projects": ranking({"A": 4, "B": 0, "C": 2, "D": 0, "E": 3}, 9)}
    >>> v = shown_rankings(m, ["A", "B"])["projects"]
    >>> [x["name"] for x in v["rows"]], v["without"], [v["rest"][k] for k in ("n", "some", "low", "high")]
    (['A'], ['B'], [3, 2, 2, 3])
    """
    keep = set(shown)
    out = {}
    for m, rank in measures.items():
        rest = [x["count"] for x in rank["rows"] if x["name"] not in keep]
        out[m] = {
            "rows": [x for x in rank["rows"] if x["name"] in keep and x["count"]],
            "without": [n for n in rank["without"] if n in keep],
            "rest": rest_counts(rest),
        }
    return out


def rest_counts(counts: list[int]) -> dict[str, Any]:
    """The other states of a ranking in numbers (:func:`shown_rankings`), with the words' keys
    chosen: ``key`` the strings file's sentence (None without other states: nothing to say) and
    ``range_key`` how the least and most of those that have some read ("4" or "4 to 15").

    >>> rest_counts([0, 4, 15])["key"], rest_counts([4, 4])["range_key"], rest_counts([])["key"]
    ('summed_states.rest_some', 'summed_states.range_one', None)
    """
    some = [n for n in counts if n]
    low, high = min(some, default=0), max(some, default=0)
    key = None
    if counts:
        key = "summed_states." + ("rest_all" if len(some) == len(counts) else "rest_some")
        key = key if some else "summed_states.rest_none"
    return {
        "n": len(counts),
        "some": len(some),
        "low": low,
        "high": high,
        "key": key,
        "range_key": "summed_states." + ("range_one" if low == high else "range"),
    }


def firsts(claims: ClaimSet, states: list[dict]) -> dict[str, Any]:
    """Who came first: the earliest and latest start of cooperation (the data's start of
    cooperation when it gives one, else membership: claim ``cooperation_start``), the first
    instrument in force with the organisation and the first project under way or done, each with
    its state, year and record."""
    res = claims.facts.res

    def earliest(claim: str) -> dict[str, Any] | None:
        found = []
        for c in states:
            for rid in claims.get(claim, country=c["code"]).records:
                r = claims.facts.package.index(TABLE_OF[claim])[rid]
                year = record_year(r)
                if year is not None:
                    found.append((year, collation_key(c["name"]), r["id"], c["name"], r))
        if not found:
            return None
        year, _, _, name, r = min(found)
        return {
            "name": name,
            "year": year,
            "title": r["title"],
            "sources": r["sources"],
            "source_note": r.get("source_note") or "",
        }

    starts = [(claims.get("cooperation_start", country=c["code"]), c) for c in states]
    since = sorted((s.value, res.countries[c["code"]]["name"]) for s, c in starts if s.value)
    return {
        "since": [{"year": y, "name": n} for y, n in since],
        "span": since[-1][0] - since[0][0] if since else None,
        "instrument": earliest("instruments_with_organisation"),
        "project": earliest("projects_of"),
    }


TABLE_OF = {"instruments_with_organisation": "instruments", "projects_of": "projects"}


def role_groups(roles: list[dict], res: Resolver, words: Words | None = None) -> list[dict]:
    """A state's terms on the organisation's bodies, one entry per body and role, its periods in
    order: the article says "a member of the Board in 1992–1995, 2000–2003 and 2016–2019" once."""
    groups: dict[tuple, dict[str, Any]] = {}
    for r in sorted(roles, key=lambda r: (r.get("start_year") or 0, r["id"])):
        key = (r["body"], r["role"])
        g = groups.setdefault(
            key,
            {
                "body": res.actors[r["body"]]["name"] if r["body"] in res.actors else r["body"],
                "role": r["role"],
                "periods": [],
                "sources": set(),
                "source_note": "",
                "records": [],
            },
        )
        g["periods"].append(year_span(r.get("start_year"), r.get("end_year"), words))
        g["sources"].update(r["sources"])
        g["source_note"] = g["source_note"] or (r.get("source_note") or "")
        g["records"].append(r["id"])
    return [dict(g, sources=sorted(g["sources"])) for g in groups.values()]


def article_when(record: dict[str, Any], words: Words | None = None) -> str:
    """A record's date or period as the review writes it after the title, in parentheses: a
    period of several years when it has one (a date of signature beside it would nest
    parentheses), else its date; empty when the title already gives those years.

    >>> article_when({"title": "Programme", "date": "2021-12-23", "start_year": 2021,
    ...               "end_year": 2025})
    '2021–2025'
    >>> article_when({"title": "Programme for 2013-2017", "start_year": 2013, "end_year": 2017})
    ''
    >>> article_when({"title": "General Conference, 2013", "date": "2013"})
    ''
    >>> article_when({"title": "Joint Statement", "date": "2014-10-30", "start_year": 2014},
    ...              {"language": {"months": ["October"] * 12}})
    '30 October 2014'
    >>> article_when({"title": "Joint Statement", "date": "2014-10-30"}, {"locale": "ru"})
    '30 октября 2014\u202fг.'
    >>> article_when({"title": "Partnership", "date": "2017", "start_year": 2017}, {"period": {
    ...     "from": "from {start}"}})
    'from 2017'
    """
    start, end = record.get("start_year"), record.get("end_year")
    span = year_span(start, end, words)
    date = str(record.get("date") or "")
    if start and end and start != end:
        when = span
    elif date and date != str(start or ""):
        when = long_date(date, words)  # '17 November 1966', never '1966-11-17'
    else:
        when = span or date  # 'from 2017' says more than the bare year '2017'
    years = YEAR.findall(when)
    if years and set(years) <= set(YEAR.findall(str(record.get("title") or ""))):
        return ""
    return when


def _reword_when(node: Any, words: Words | None) -> None:
    """Every titled record in ``node`` (nested dicts and lists) with its ``when`` as the review
    writes it (:func:`article_when`)."""
    if isinstance(node, dict):
        if "when" in node and "title" in node:
            node["when"] = article_when(node, words)
        for value in node.values():
            _reword_when(value, words)
    elif isinstance(node, list):
        for value in node:
            _reword_when(value, words)


def figure_bound(description: str, words: Words | None = None) -> str:
    """The words before an outcome's figure when its description states the figure as a bound
    (strings file ``article_outcomes.bounds``): "more than" for "More than 500 specialists were
    trained."; empty for an exact figure or without a strings file.

    The bound is the listed words right before a number (a currency sign or code may stand
    between them). The data has no column for it; its descriptions say it in words.

    >>> bounds = {"article_outcomes": {"bounds": ["more than", "at least"]}}
    >>> figure_bound("An effect of more than 1,000,000 USD over two years.", bounds)
    'more than'
    >>> figure_bound("More than $1 million.", bounds)
    'more than'
    >>> figure_bound("Four laboratories, more than planned.", bounds)
    ''
    """
    text = description or ""
    for bound in ((words or {}).get("article_outcomes") or {}).get("bounds") or []:
        pattern = r"(?<!\w)" + r"\s+".join(map(re.escape, str(bound).split())) + r"\s+\D{0,4}\d"
        if re.search(pattern, text, re.IGNORECASE):
            return str(bound)
    return ""


def recipients(funded: list[dict], union_name: str | None) -> dict[str, Any]:
    """Whom a donor's projects go to: the states by name and, apart, whether the union as such
    receives one (the text says "in Armenia and Belarus and for the union", not "in Armenia,
    Belarus and ANU").

    >>> recipients([{"recipients": ["Belarus", "ANU"]}, {"recipients": ["Armenia"]}], "ANU")
    {'states': ['Armenia', 'Belarus'], 'union': True}
    """
    names = {r for f in funded for r in f["recipients"]}
    return {"states": by_name(names - {union_name}, str), "union": union_name in names}


def role_bodies(groups: list[dict]) -> list[dict]:
    """A state's terms (:func:`role_groups`) by body, in the order of each body's first term: a
    table cell names each body once ("Board: member 1992–1995 and 2000–2003; Committee: ...").

    >>> bodies = role_bodies([{"body": "B", "role": "member", "periods": ["1992", "2000"]},
    ...                       {"body": "C", "role": "member", "periods": ["2016"]},
    ...                       {"body": "B", "role": "chair", "periods": ["2001"]}])
    >>> [(b["body"], [(x["role"], x["periods"]) for x in b["roles"]]) for b in bodies]
    [('B', [('member', ['1992', '2000']), ('chair', ['2001'])]), ('C', [('member', ['2016'])])]
    """
    bodies: dict[str, dict[str, Any]] = {}
    for g in groups:
        entry = bodies.setdefault(g["body"], {"body": g["body"], "roles": []})
        entry["roles"].append({"role": g["role"], "periods": list(g["periods"])})
    return list(bodies.values())


def leading(ranked: list[dict], n: int) -> list[dict]:
    """The first ``n`` of ``ranked`` (by ``count``, highest first) without stopping inside a tie:
    those counted more than the first left out, or, when the top ``n`` are all tied with the rest,
    only the ties with the first (a list never leaves out one as frequent as the last named).

    >>> [t["k"] for t in leading([{"k": "a", "count": 5}, {"k": "b", "count": 3},
    ...                            {"k": "c", "count": 2}, {"k": "d", "count": 2}], 3)]
    ['a', 'b']
    >>> [t["k"] for t in leading([{"k": "a", "count": 1}, {"k": "b", "count": 1}], 3)]
    ['a', 'b']
    """
    if len(ranked) <= n:
        return list(ranked)
    cut = ranked[n]["count"]
    above = [t for t in ranked if t["count"] > cut]
    return above or [t for t in ranked if t["count"] == ranked[0]["count"]]


def claim_records(claims: ClaimSet) -> set[str]:
    """The ids of every record the claims computed so far count or count apart (their marks
    link to the provenance appendix, which must hold them)."""
    ids = set()
    for c in claims.register:
        ids.update(c["records"])
        for apart in c["apart"].values():
            ids.update(apart)
    return ids


def claim_sources(package: Package, record_ids: set[str]) -> set[str]:
    """The sources of the given records (of the tables of statements, not actors or
    countries), for the bibliography."""
    out: set[str] = set()
    for table in (
        "instruments",
        "projects",
        "events",
        "offices",
        "outcomes",
        "roles",
        "facts",
        "contributions",
    ):
        if table not in package.tables:
            continue
        index = package.index(table)
        for rid in record_ids & set(index):
            out.update(index[rid].get("sources") or [])
    return out


def funded_abroad(brief: dict[str, Any], claims: ClaimSet, code: str) -> list[dict]:
    """The entries of a brief's ``funds_elsewhere`` that claim ``projects_funded_beyond_borders``
    counts for state ``code`` (stated funding, outside the state, under way or done)."""
    counted = set(claims.get("projects_funded_beyond_borders", country=code).records)
    return [f for f in brief["funds_elsewhere"] if f["project"] in counted]


def is_shared(project: dict, state_codes: set[str]) -> bool:
    """Whether a project concerns several member states, or some only by inference: such a
    project is described once, in the section on shared projects, and referred to elsewhere."""
    stated_states = [c for c in stated(project, "countries") if c in state_codes]
    return len(stated_states) > 1 or bool(project.get("countries_inferred"))


def article_tables(
    frames: dict[str, Frame],
    org: dict[str, Any],
    order: list[tuple[str, str]],
    all_states: list[dict],
    res: Resolver,
    words: Words | None = None,
) -> dict[str, dict[str, Any]]:
    """The article's tables (:data:`ARTICLE_TABLES`), each with its caption, its rows or count
    matrix (columns in ``order``), whether it is shown and its number among those shown."""
    matrices = {layout.LEGAL_BASIS: "instrument_type", layout.PROJECTS_BY_THEME: "theme"}
    tables: dict[str, dict[str, Any]] = {}
    for tid in ARTICLE_TABLES:
        entry: dict[str, Any] = {
            "id": tid,
            "caption": word(words, f"article_tables.{tid}", "", org=org["short_name"]),
        }
        if tid in matrices:
            entry["matrix"] = count_matrix(
                frames[tid], matrices[tid], order, label=_row_labels(words, org)[tid]
            )
            # Rows read in the order of their words, whatever the data's codes.
            entry["matrix"]["rows"].sort(key=lambda r: collation_key(r["label"]))
            entry["shown"] = bool(entry["matrix"]["rows"])
        else:
            entry["rows"] = frame_rows(frames[tid])
            entry["shown"] = bool(entry["rows"])
        tables[tid] = entry
    # The profile's roles cell names each body once, its terms grouped, and its programmes
    # cell gives a period only where the title does not (the frame, shared with the
    # spreadsheets, repeats the body in every term and the period after every title).
    codes = {c["name"]: c["code"] for c in all_states}
    for row in tables[layout.INSTITUTIONAL_PROFILE].get("rows", []):
        code = codes.get(row["country"])
        row["role_bodies"] = (
            role_bodies(role_groups(res.of_country("roles", code), res, words)) if code else []
        )
        programmes = sorted(
            (
                i
                for i in (res.of_country("instruments", code) if code else [])
                if i["type"] in PROGRAMME_TYPES
            ),
            key=lambda i: (record_year(i) or 0, i["id"]),
        )
        row["programme_list"] = [
            {"title": i["title"], "when": article_when(i, words)} for i in programmes
        ]
    for n, entry in enumerate((e for e in tables.values() if e["shown"]), start=1):
        entry["number"] = n
    return tables


def article_figures(
    frames: dict[str, Frame],
    tables: dict[str, dict[str, Any]],
    order: list[tuple[str, str]],
    words: Words | None = None,
) -> dict[str, dict[str, Any]]:
    """The article's figures (:data:`ARTICLE_FIGURES`) that have something to show, numbered in
    order, each with its file, caption and text alternative."""
    figures: dict[str, dict[str, Any]] = {}
    for fid in ARTICLE_FIGURES:
        table = layout.FIGURE_TABLES[fid]
        shown = bool(frames[table].rows) if table not in tables else tables[table]["shown"]
        if shown:
            figures[fid] = {
                "id": f"fig-{fid}",
                "number": len(figures) + 1,
                "file": layout.figure_file(fid, "svg"),
                "caption": word(words, f"figures.{fid}.caption", ""),
            }
    if layout.TIMELINE_FIGURE in figures:
        figures[layout.TIMELINE_FIGURE]["alt"] = describe_timeline_overview(
            frames[layout.TIMELINE_TABLE], order, words
        )
        # The years the text gives for the figure are those its text alternative gives.
        figures[layout.TIMELINE_FIGURE]["period"] = timeline_period(frames[layout.TIMELINE_TABLE])
    if layout.THEMES_FIGURE in figures:
        figures[layout.THEMES_FIGURE]["alt"] = describe_theme_matrix(
            frames[layout.PROJECTS_BY_THEME], order, words
        )
    return figures


def authored_values(
    org: dict[str, Any],
    union_row: dict[str, Any] | None,
    union_body: dict[str, Any] | None,
    members: list[dict],
    donors: list[str],
    union_programme: list[dict],
    words: Words | None = None,
) -> dict[str, Any]:
    """The value of every name an authored text may use (coopdocs.load.authored.NAMES).

    A name the data leaves empty (no union, no executive body) is filled with an empty string.

    >>> v = authored_values({"name": "Org", "short_name": "O"}, None, None,
    ...                     [{"name": "A"}, {"name": "B"}], ["B"], [])
    >>> v["states"], v["n_states"], v["donor_states"], v["union_name"]
    ('A and B', 2, 'B', '')
    """
    union_row = union_row or {}
    union_body = union_body or {}
    return {
        "org_name": org["name"],
        "org_short_name": org["short_name"],
        "union_name": union_row.get("name") or "",
        "union_official_name": union_row.get("official_name") or "",
        "union_body_name": union_body.get("name") or "",
        "union_body_short_name": union_body.get("short_name") or "",
        "n_states": len(members),
        "states": join_list([c["name"] for c in members], words=words),
        "donor_states": join_list(donors, words=words),
        "n_donor_states": len(donors),
        "union_programme_naming": sum(
            1 for r in union_programme if r["mentions_organisation"] == "yes"
        ),
        "union_programme_total": len(union_programme),
    }


@dataclass
class Review:
    """What every part of the review's context is built from: the package and its tables, the
    build's settings, the states (all, members, those with a section), their briefs, the claims
    and the article's tables and figures (:func:`review_inputs`)."""

    package: Package
    words: Words | None
    settings: dict[str, Any]
    union_row: dict[str, Any] | None
    front: dict[str, Any]
    authored: dict[str, str]
    all_states: list[dict]
    states: list[dict]
    briefs: dict[str, dict]
    res: Resolver
    org: dict[str, Any]
    claims: ClaimSet
    tables: dict[str, dict[str, Any]]
    figures: dict[str, dict[str, Any]]
    # What a review with summed states counts instead of listing (issue 35), by part.
    summed: dict[str, Any] = field(default_factory=dict)

    @property
    def t(self) -> dict[str, list[dict]]:
        """The package's tables by name."""
        return self.package.tables

    @property
    def members(self) -> list[dict]:
        """The states that are members of the union now."""
        return [c for c in self.all_states if is_member(c)]

    @property
    def unions(self) -> list[dict]:
        """The union, as a one-item list (empty without one)."""
        return [self.union_row] if self.union_row else []

    @property
    def union_body(self) -> dict[str, Any] | None:
        """The union's executive body (settings ``union_body``) as an organisation, or None."""
        body = self.settings.get("union_body")
        return organisation(self.package, body) if body else None

    @property
    def union_name(self) -> str | None:
        """The union's name, None without a union."""
        return (self.union_row or {}).get("name")


def review_inputs(
    package: Package,
    frames: dict[str, Frame],
    settings: dict[str, Any],
    build: dict[str, Any],
    keep: list[str] | None,
    others: int,
    words: Words | None,
) -> Review:
    """The :class:`Review` of ``package``: the states with a section are those in ``keep`` (all
    without it); ``others`` states left out are one column "Other states" of the tables."""
    t = package.tables
    organisation_id = settings["organisation"]
    union_row = union_of(package, settings.get("union"))
    front, authored = (
        parse_authored(package.texts["article"], known_names(claim_names()))
        if "article" in package.texts
        else ({}, {})
    )
    all_states = by_name((c for c in t["countries"] if c["kind"] != "union"), lambda c: c["name"])
    kept = set(keep) if keep is not None else {c["code"] for c in t["countries"]}
    states = [c for c in all_states if c["code"] in kept]
    unions = [union_row] if union_row else []
    order = [(c["code"], c["name"]) for c in states]
    if others:
        order.append((OTHER, other_states(others, words)))
    order += [(c["code"], c["name"]) for c in unions]
    briefs = {
        c["code"]: brief_context(
            package,
            c["code"],
            build,
            organisation_id,
            with_provenance=False,
            words=words,
            union_code=settings.get("union"),
        )
        for c in states + unions
    }
    res = Resolver.of(package)
    org = organisation(package, organisation_id)
    # Every count the review states is a named claim (coopdocs.compute.claims), kept in the
    # document's register.
    claims = ClaimSet(
        package, organisation_id, (union_row or {}).get("code"), settings.get("union_body")
    )
    tables = article_tables(frames, org, order, all_states, res, words)
    figures = article_figures(frames, tables, order, words)
    return Review(
        package, words, settings, union_row, front, authored, all_states, states, briefs, res,
        org, claims, tables, figures,
    )  # fmt: skip


def organisation_part(r: Review) -> dict[str, list[dict]]:
    """The organisation's own framework: instruments, events, its own offices and facts tied to
    no member state, each in date order."""
    t = r.t
    part = {
        "framework": sorted(
            (dict(i) for i in t["instruments"] if not i["countries"]),
            key=lambda i: (i.get("date") or str(i.get("start_year") or "9999"), i["id"]),
        ),
        "events": sorted(
            (dict(e) for e in t["events"] if not e["countries"]),
            key=lambda e: (e["date"] or "9999", e["id"]),
        ),
        # The organisation's own offices and centres (owner), not the national ones it supports:
        # a role the data types, whatever kinds of office the package has.
        "offices": [dict(o) for o in t["offices"] if o.get("owner") == "organisation"],
        "facts": sorted(
            (dict(f) for f in t.get("facts", []) if not f["countries"]), key=sort_key_fact
        ),
    }
    if len(r.states) < len(r.all_states):
        part["offices"], r.summed["offices"] = summed_offices(
            part["offices"], {c["code"] for c in r.states}
        )
    return part


def summed_offices(offices: list[dict], shown: set[str]) -> tuple[list[dict], dict[str, int]]:
    """With states summed as "Other states": the organisation's ``offices`` in the states shown
    one by one (or in none), and those of the others counted (``n`` offices in ``states``
    states), which their briefs list. The list named every office of every state (75 at 50
    states; issue 35).

    >>> kept, rest = summed_offices([{"country": "A"}, {"country": "B"}, {"country": ""}], {"A"})
    >>> len(kept), rest
    (2, {'n': 1, 'states': 1})
    """
    rest = [o for o in offices if o.get("country") and o["country"] not in shown]
    kept = [o for o in offices if not (o.get("country") and o["country"] not in shown)]
    return kept, {"n": len(rest), "states": len({o["country"] for o in rest})}


def regional_part(r: Review) -> dict[str, list[dict]]:
    """Projects of several member states, or in which some state's participation is only
    inferred, and events whose states are inferred: described once (in the section on shared
    projects), referred to from each state's section; inferred participation is counted nowhere."""
    state_codes = {c["code"] for c in r.all_states}
    t, res = r.t, r.res
    projects = sorted((p for p in t["projects"] if is_shared(p, state_codes)), key=sort_key_year)
    events = sorted((e for e in t["events"] if e.get("countries_inferred")), key=sort_key_year)
    if len(r.states) < len(r.all_states):
        summed = state_codes - {c["code"] for c in r.states}
        projects, rest_projects = partition_summed(projects, summed)
        events, rest_events = partition_summed(events, summed)
        r.summed["regional"] = {"projects": len(rest_projects), "events": len(rest_events)}
    return {
        "projects": [
            project_entry(p, res, res.outcomes_by_project.get(p["id"], []), r.words)
            for p in projects
        ],
        "events": [event_entry(e, res) for e in events],
    }


def partition_summed(records: list[dict], summed: set[str]) -> tuple[list[dict], list[dict]]:
    """``records`` split into those a review with summed states describes (any state they name,
    stated or inferred, is shown one by one, or they name none) and those that name only summed
    states, which their briefs describe (issue 35).

    >>> r = [{"countries": ["A", "B"]}, {"countries": ["B", "C"], "countries_inferred": []},
    ...      {"countries": [], "countries_inferred": ["C"]}, {"countries": []}]
    >>> [len(x) for x in partition_summed(r, {"B", "C"})]
    [2, 2]
    """
    kept, rest = [], []
    for x in records:
        named = set(x.get("countries") or []) | set(x.get("countries_inferred") or [])
        (rest if named and named <= summed else kept).append(x)
    return kept, rest


def donor_entries(r: Review) -> list[dict]:
    """The states with a section that fund projects beyond their borders: how many, to whom
    (the states, and apart whether the union), their sources and the claim that counts them."""
    donors = []
    for c in r.states:
        elsewhere = funded_abroad(r.briefs[c["code"]], r.claims, c["code"])
        if elsewhere:
            to = recipients(elsewhere, r.union_name)
            donors.append(
                {
                    "name": c["name"],
                    "count": len(elsewhere),
                    "recipients": to["states"],
                    "to_union": to["union"],
                    "sources": sorted({s for f in elsewhere for s in f["sources"]}),
                    "claim": r.claims.view("projects_funded_beyond_borders", country=c["code"]),
                }
            )
    return donors


def funding_part(r: Review, donors: list[dict]) -> dict[str, list[dict]]:
    """What the funding section says of its table beyond the donors: the other funders with
    the states they fund, and the budgets the data states."""
    donor_names = {d["name"] for d in donors}
    other_funders: dict[str, list[str]] = {}
    budgets = []
    for row in r.tables[layout.PROJECTS_BY_FUNDER].get("rows", []):
        if row["funder"] not in donor_names:
            other_funders.setdefault(row["funder"], []).append(row["country"])
        if row.get("budgets"):
            budgets.append(
                {
                    "funder": row["funder"],
                    "country": row["country"],
                    "budgets": row["budgets"],
                    "with_budget": row.get("projects_with_budget") or 0,
                    "count": row["count"],
                }
            )
    return {
        "other_funders": [
            {"name": name, "recipients": by_name(set(to), str)}
            for name, to in sorted(other_funders.items(), key=lambda kv: collation_key(kv[0]))
        ],
        "budgets": budgets,
    }


def union_programme_part(r: Review) -> dict[str, list]:
    """The years of the union's yearly programme (role union-programme) that name the
    organisation and those that do not (its table, :data:`coopdocs.layout.UNION_PROGRAMME`)."""
    instruments = r.package.index("instruments")
    rows = r.tables[layout.UNION_PROGRAMME]["rows"]
    named = {row["year"]: names_organisation(instruments[row["records"][0]]) for row in rows}
    return {
        "md_yes": [year for year, yes in named.items() if yes],
        "md_no": [year for year, yes in named.items() if not yes],
    }


def highlights_part(r: Review, donors: list[dict], measures: dict[str, Any]) -> dict[str, Any]:
    """What the comparative analysis says, computed, never typed: leaders by instruments and
    projects, the top theme, donors and other funders, budgets, the union's yearly programme, the
    rankings (``measures``), who came first and the earliest and latest start."""
    res, t, claims = r.res, r.t, r.claims
    count = {
        table: Counter({c["name"]: len(res.of_country(table, c["code"])) for c in r.all_states})
        for table in ("instruments", "projects")
    }
    top_theme = claims.get("most_frequent_theme")
    since = sorted(
        (c.get("organisation_member_since") or c.get("cooperation_since") or "", c["name"])
        for c in r.all_states
        if c.get("organisation_member_since") or c.get("cooperation_since")
    )
    return {
        "most_instruments": _leaders(count["instruments"]),
        "most_projects": _leaders(count["projects"]),
        "top_theme": {
            "label": top_theme.value or "",
            "count": top_theme.number,
            "ties": list(top_theme.ties),
        },
        # The same projects the most frequent theme is counted in: those under way or completed.
        "projects_established": len(established(t["projects"])),
        "themes_used": len({th for p in established(t["projects"]) for th in p["themes"]}),
        "donors": donors,
        **funding_part(r, donors),
        **union_programme_part(r),
        "measures": measures,
        "firsts": firsts(claims, r.all_states),
        "n_compared": len(r.all_states),
        "earliest": since[0] if since else None,
        "latest": since[-1] if since else None,
    }


def own_projects(r: Review, brief: dict[str, Any], code: str, shared_ids: set[str]) -> dict:
    """A state's projects that are its own (not shared with other states), its first and latest
    dated ones, and the achieved outcome figures that are the state's (claim
    ``outcome_figures_of``: a planned result or a figure for a whole region is not)."""
    own = [p for p in brief["projects"] if p["id"] not in shared_ids]
    dated = [p for p in own if p.get("start_year")]
    mine = set(r.claims.get("outcome_figures_of", country=code).records)
    return {
        "own_projects": own,
        "shared_projects": [
            {"id": p["id"], "title": p["title"]} for p in brief["projects"] if p["id"] in shared_ids
        ],
        "first_project": min(dated, key=lambda p: (p["start_year"], p["id"])) if dated else None,
        "latest_project": max(dated, key=lambda p: (p["start_year"], p["id"]))
        if len(dated) > 1
        else None,
        "outcome_figures": [
            dict(o, project=p["title"], bound=figure_bound(o["description"], r.words))
            for p in own
            for o in p["outcomes"]
            if o["id"] in mine
        ],
    }


def state_themes(matrix: dict[str, Any], name: str, n: int = 3) -> list[dict]:
    """A state's most frequent themes as Table "projects-by-theme" counts them (its column of
    the matrix), highest first, at most ``n`` and never stopping inside a tie (:func:`leading`).

    >>> m = {"columns": ["A", "B"], "rows": [{"label": "X", "counts": [1, 2]},
    ...      {"label": "Y", "counts": [3, 0]}, {"label": "Z", "counts": [1, 1]}]}
    >>> [(t["label"], t["count"]) for t in state_themes(m, "A", 1)]
    [('Y', 3)]
    """
    if name not in (matrix or {}).get("columns", []):
        return []
    i = matrix["columns"].index(name)
    counted = [{"label": row["label"], "count": row["counts"][i]} for row in matrix["rows"]]
    ranked = sorted(
        (x for x in counted if x["count"]), key=lambda x: (-x["count"], collation_key(x["label"]))
    )
    return leading(ranked, n)


def state_section(r: Review, c: dict, shared_ids: set[str], measures: dict) -> dict[str, Any]:
    """One member state's section: its brief's records, its key instruments with the
    organisation, its own and shared projects, terms, offices, funding, themes and its position
    by every measure."""
    b, code, claims = r.briefs[c["code"]], c["code"], r.claims
    bound = set(claims.get("instruments_with_organisation", country=code).records)
    with_org = [i for i in b["instruments"] if i["id"] in bound]
    # The first instrument with the organisation and the latest ones: what it rests on.
    if len(with_org) > KEY_INSTRUMENTS:
        key = [with_org[0]] + with_org[-(KEY_INSTRUMENTS - 1) :]
    else:
        key = with_org
    offices_claim = claims.get("offices_open", country=code)
    abroad = funded_abroad(b, claims, code)
    theme_matrix = r.tables[layout.PROJECTS_BY_THEME].get("matrix")
    return {
        "country": b["country"],
        "brief_title": b["document"]["title"],
        "key_instruments": key,
        "n_instruments_with_org": len(with_org),
        "n_national_instruments": len(b["instruments"]) - len(with_org),
        **own_projects(r, b, code, shared_ids),
        "role_groups": role_groups(b["roles"], r.res, r.words),
        "position": {m: measures[m]["by_name"][c["name"]] for m in MEASURES},
        "roles": b["roles"],
        # The organisation's own open offices; its plans and the national centres it
        # supports are counted apart (claim offices_open).
        "offices": [o for o in b["offices"] if o["id"] in offices_claim.records],
        "offices_claim": offices_claim.as_dict(),
        "national_centres": claims.view("national_centres_supported", country=code),
        "contributions": b["contributions"],
        "instruments": b["instruments"],
        "projects": b["projects"],
        "events": b["events"],
        "funded_by_others": b["funded_by_others"],
        "funds_elsewhere": abroad,
        "funds_to": recipients(abroad, r.union_name),
        "funds_claim": claims.view("projects_funded_beyond_borders", country=code),
        # As Table "projects-by-theme" counts them, so that the text and the table agree.
        "themes": state_themes(theme_matrix, c["name"]) if theme_matrix else [],
        "facts": b["facts"],
        "inferred_projects": b["inferred_projects"],
        "inferred_events": b["inferred_events"],
        "n_outcomes": claims.get("outcomes_of", country=code).number,
        "outcomes_claim": claims.view("outcomes_of", country=code),
        "projects_claim": claims.view("projects_of", country=code),
        "member": is_member(c),
    }


def level_counts(claims: ClaimSet, code: str) -> dict[str, int]:
    """A state's or the union's counts for the comparison of the union level with the states,
    each a registered claim: agreements and programmes with the organisation in force (``with``;
    ``planned`` apart), projects under way or done, occasions, and the first year of cooperation."""
    with_org = claims.get("instruments_with_organisation", country=code)
    start = claims.get("cooperation_start", country=code).value
    return {
        "with": with_org.number,
        "planned": len(with_org.apart.get("planned", ())),
        "projects": claims.get("projects_of", country=code).number,
        "events": claims.get("events_of", country=code).number,
        "since": int(start) if start else None,
    }


def levels_part(r: Review) -> dict[str, Any]:
    """The counts of :func:`level_counts` for every member state (not only those with a
    section) and, with the union's own documents and instruments, for the union."""
    states = {c["name"]: level_counts(r.claims, c["code"]) for c in r.members}
    if not r.union_row:
        return {"states": states, "union": None}
    union = level_counts(r.claims, r.union_row["code"])
    union["own"] = r.claims.get("union_documents").number
    union["instruments"] = len(r.res.of_country("instruments", r.union_row["code"]))
    return {"states": states, "union": union}


def union_part(r: Review, claimed: dict[str, Any]) -> dict[str, Any]:
    """The union's section: its brief's instruments (each marked whether it binds the
    organisation and whether it names it), by type, its projects, events, facts and
    prerequisites, and the claims about its body's meetings, documents and joint projects."""
    union = r.briefs[r.union_row["code"]] if r.union_row else None
    by_type: dict[str, list] = {}
    if union:
        code = r.union_row["code"]
        with_org = set(r.claims.get("instruments_with_organisation", country=code).records)
        named = set(r.claims.get("union_documents_naming_organisation").records)
        for i in union["instruments"]:
            i["with_organisation"] = i["id"] in with_org
            i["names_organisation"] = i["id"] in named
            by_type.setdefault(i["type"], []).append(i)
    part = {"country": union["country"] if union else None, "by_type": by_type}
    for key in ("instruments", "projects", "events"):
        part[key] = union[key] if union else []
    part.update(
        met=claimed["met"],
        documents=claimed["documents"],
        documents_naming=claimed["documents_naming"],
        joint_projects=claimed["joint"],
    )
    for key in ("facts", "prerequisites"):
        part[key] = union[key] if union else []
    return part


def claimed_views(r: Review) -> dict[str, Any]:
    """The claims the context states beside the sections', computed now so that their records
    are in the provenance appendix and their sources in the bibliography."""
    union, claims = bool(r.union_row), r.claims
    return {
        "met": claims.view("meetings_of_union_body_and_organisation") if union else None,
        "documents": claims.view("union_documents") if union else None,
        "documents_naming": claims.view("union_documents_naming_organisation") if union else None,
        "joint": claims.view("joint_projects_of_union_and_organisation") if union else None,
        "members": claims.get("union_members"),
        # What the funding section says; the authored text's donors (data/text/article.md), by
        # name for its claims syntax.
        "highlights": {
            "projects_with_budget": claims.view("projects_with_budget"),
            "donor_states": claims.view("donor_states"),
        },
    }


def used_records(r: Review, parts: dict[str, Any], claimed_ids: set[str]) -> set[str]:
    """Every record the review uses: those its claims count and those of :func:`part_records`."""
    return set(claimed_ids) | part_records(r, parts)


def part_records(r: Review, parts: dict[str, Any]) -> set[str]:
    """The records the briefs of the states and the union the review shows one by one present,
    and those of its organisation, regional and proposals parts. With states summed, the
    provenance appendix lists these one by one besides those the text links to
    (:func:`linked_records`); the records only the counts of the summed states draw on are
    counted there instead: their briefs' appendices and the tables' CSV files list them
    (issue 35)."""
    ids = {x for b in r.briefs.values() for x in b["records"]}
    ids.update(x["id"] for group in parts["organisation"].values() for x in group)
    ids.update(p["id"] for p in r.t["proposals"])
    regional = parts["regional"]
    ids.update(x["id"] for x in regional["projects"] + regional["events"])
    ids.update(o["id"] for p in regional["projects"] for o in p["outcomes"])
    return ids


def linked_records(context: dict[str, Any]) -> set[str]:
    """The records the review's text links to by their marks beyond :func:`part_records`: those
    of every claim of the sections of the states it shows one by one (counted or counted apart:
    partials/article/state), of the union's meetings (partials/article/union), of the rows of the
    union's programme table and the budgets' marks (``highlights.budget_marks``). A superset of
    the marks printed (a claim's records its sentence leaves unmarked), bounded by the states
    shown: the provenance appendix lists them so that every mark finds its entry (issue 35)."""
    ids = set(context["highlights"]["budget_marks"])
    for row in context["tables"].get(layout.UNION_PROGRAMME, {}).get("rows", []):
        ids.update(row.get("records") or [])
    for value in [*context["states"], context["union"].get("met")]:
        ids.update(claim_view_records(value))
    return ids


def claim_view_records(value: Any) -> set[str]:
    """The records of every claim view (a dict with ``records`` and ``apart``) in ``value``, at
    any depth.

    >>> v = {"a": {"records": ["r1"], "apart": {"planned": ["r2"]}}, "b": [{"x": 1}]}
    >>> sorted(claim_view_records(v))
    ['r1', 'r2']
    """
    if isinstance(value, list):
        return set().union(*(claim_view_records(v) for v in value))
    if not isinstance(value, dict):
        return set()
    ids = set()
    if "records" in value and isinstance(value.get("apart"), dict):
        ids.update(value["records"])
        for apart in value["apart"].values():
            ids.update(apart)
    for v in value.values():
        ids |= claim_view_records(v)
    return ids


def review_sources(r: Review, parts: dict[str, Any], claimed_ids: set[str]) -> list[str]:
    """The sources the review cites, for the bibliography: those of the briefs' records but
    what it leaves to the briefs (the countries' summaries, the facts other than the union's
    prerequisites), of the years of cooperation, of its own parts, the authored text's and the
    claims'."""
    t, package = r.t, r.package
    known_keys = {s["id"] for s in t["sources"]} | {w["id"] for w in t["publications"]}
    authored = {k for text in r.authored.values() for k in cited_keys(text)} & known_keys
    left_to_briefs = {c["code"] for c in t["countries"]} | {
        f["id"] for f in t.get("facts", []) if f["countries"] and f["type"] != "prerequisite"
    }
    briefed = set().union(*(b["records"] for b in r.briefs.values())) - left_to_briefs
    own = [x for group in parts["organisation"].values() for x in group]
    own += parts["regional"]["projects"] + parts["regional"]["events"] + t["proposals"]
    return sorted(
        claim_sources(package, briefed)
        | {s for c in r.all_states + r.unions for s in c.get("since_sources") or []}
        | {s for x in own for s in x["sources"]}
        | {s for p in parts["regional"]["projects"] for o in p["outcomes"] for s in o["sources"]}
        | (authored - {w["id"] for w in t["publications"]})
        | claim_sources(package, claimed_ids)
    )


def front_matter(r: Review, meta: dict[str, Any]) -> dict[str, Any]:
    """The document's identity and the article's metadata: title, subtitle and keywords from
    the config's ``meta``, else the authored text's front matter, else the strings file; the
    authors are people or a body named by the authored text (or the config), never the program."""
    front, words = r.front, r.words
    # The full name in running text takes its article ("with the United Nations ..."): named().
    names = {
        "org": named(r.org, words=words),
        "union": (r.union_row or {}).get("official_name", ""),
    }

    def pick(key: str) -> Any:
        return meta.get(key) or front.get(key)

    title = pick("title") or word(words, "documents.article.title", "", **names)
    short_title = pick("short_title") or title
    subtitle = pick("subtitle") or word(words, "documents.article.subtitle", "", **names)
    keywords = pick("keywords") or [x for x in (r.union_name, r.org["short_name"]) if x]
    authors = [
        {"name": a["name"], "affiliation": a.get("affiliation") or ""}
        for a in pick("authors") or []
    ]
    return {
        "document": {
            "kind": layout.ARTICLE.folder,
            "id": layout.ARTICLE.name,
            "title": title,
            "subtitle": subtitle,
            "short_title": short_title,
            "audience": word(words, "documents.article.audience", "", **names),
        },
        "meta": dict(
            meta, title=title, subtitle=subtitle, keywords=list(keywords), authors=authors
        ),
    }


def stats_part(r: Review) -> dict[str, Any]:
    """The counts the abstract and introduction give: states, observers and former members,
    records by table, the years the dated records span, the sources never cited."""
    t, claims = r.t, r.claims
    years = [
        int((x.get("date") or str(x.get("start_year") or ""))[:4])
        for table in ("instruments", "projects", "events")
        for x in t[table]
        if (x.get("date") or x.get("start_year"))
    ]
    members = claims.get("union_members")
    return {
        "states": [c["name"] for c in r.members],
        "n_states": members.number,
        "observers": [r.res.countries[code]["name"] for code in members.apart.get("observer", ())],
        "former_members": [
            {"name": c["name"], "until": c["union_member_until"]}
            for c in r.all_states
            if not is_member(c)
        ],
        **{
            f"n_{table}": len(t.get(table, []))
            for table in ("instruments", "projects", "events", "outcomes", "proposals", "facts")
        },
        "n_sources": len(t["sources"]),
        "n_actors": len(t["actors"]),
        "first_year": min(years) if years else None,
        "last_year": max(years) if years else None,
        "uncited_sources": sorted(s["ref_number"] for s in t["sources"] if s["cited_count"] == 0),
    }


def proposals_part(proposals: list[dict]) -> dict[str, list[dict]]:
    """The proposals in their order, all of them, the author's own and those derived from the
    author's assessments (``origin``), each without its line number."""
    ordered = [
        {k: v for k, v in p.items() if k != "_line"}
        for p in sorted(proposals, key=lambda p: p["number"])
    ]
    return {
        "proposals": ordered,
        "proposals_author": [dict(p) for p in ordered if p.get("origin") == "author"],
        "proposals_derived": [dict(p) for p in ordered if p.get("origin") != "author"],
    }


def _reword_dates(context: dict[str, Any], words: Words | None) -> None:
    """The organisation's records without their line numbers and with their dates in words;
    every titled record's ``when`` as the review writes it (:func:`article_when`)."""
    for group in context["organisation"].values():
        for x in group:
            x.pop("_line", None)
            if "date" in x or "start_year" in x:
                x["when"] = record_date(x, words)
    for part in ("organisation", "regional", "states", "union"):
        _reword_when(context[part], words)


def article_context(
    package: Package,
    frames: dict[str, Frame],
    meta: dict[str, Any],
    build: dict[str, Any],
    settings: dict[str, Any],
    keep: list[str] | None = None,
    others: int = 0,
    words: Words | None = None,
) -> dict[str, Any]:
    """Everything the review article's template needs, ready to word.

    ``frames``: the tables as the article shows them (coopdocs.compute.selection.focus_frames).
    With ``others`` > 0 only the member states in ``keep`` get a section, and the lists that grow
    with the states are bounded (:func:`summed_views`); counts cover every state. ``settings``:
    the checked ``organisation``, ``union`` and ``union_body``. The author's judgements: the
    package's authored text ``article`` (coopdocs.load.authored), if any. Each part has its own
    builder (above, and coopdocs.compute.article_sections for what the partials word)."""
    r = review_inputs(package, frames, settings, build, keep, others, words)
    parts = {"organisation": organisation_part(r), "regional": regional_part(r)}
    shared_ids = {p["id"] for p in parts["regional"]["projects"]}
    donors = donor_entries(r)
    measures = state_measures(r.claims, r.all_states)
    states = [state_section(r, c, shared_ids, measures) for c in r.states]
    claimed = claimed_views(r)
    # The records of the claims computed so far go to the provenance and their sources to the
    # references; the claims computed later count records the briefs already present.
    r.claims.get("most_frequent_theme")
    claimed_ids = claim_records(r.claims)
    sources = review_sources(r, parts, claimed_ids)
    context = {
        **front_matter(r, meta),
        "org": r.org,
        "union_body": r.union_body,
        "authored": r.authored,
        "authored_values": authored_context_values(r, r.union_body),
        "build": build,
        "declared": declared_tables(r.package),
        "focus": {"shown": len(r.states), "others": others, "total": len(r.all_states)},
        "stats": stats_part(r),
        **parts,
        "states": states,
        "union": union_part(r, claimed),
        "levels": levels_part(r),
        "highlights": dict(highlights_part(r, donors, measures), **claimed["highlights"]),
        "tables": r.tables,
        "figures": r.figures,
        **proposals_part(r.t["proposals"]),
        "citing_works": citing_works(package, sources),
        "records": sorted(used_records(r, parts, claimed_ids)),
        # The records a brief presents (their notes are in its provenance, not the review's).
        "brief_records": sorted({x for b in r.briefs.values() for x in b["records"]}),
        "sources": sources,
    }
    summed_views(context, r, parts, measures)
    _reword_dates(context, words)
    context.update(section_views(context, r.t, settings["organisation"]))
    context["claims"] = r.claims.register
    return context


def summed_views(
    context: dict[str, Any], r: Review, parts: dict[str, Any], measures: dict[str, Any]
) -> None:
    """What a review with states summed as "Other states" words in numbers instead of naming
    every state (issue 35), in every context so that the templates only word it: the rankings of
    the comparisons by the states shown one by one and the others counted
    (``highlights.ranked``), the marks of the budgets of the projects it describes
    (``highlights.budget_marks``), what the parts counted (``summed``: the organisation's offices
    in the other states, the shared projects and events of only those, whether the budget marks
    are a part) and, only with states summed, the records its provenance lists one by one
    (``detailed_records``, :func:`article_provenance`)."""
    summing = len(r.states) < len(r.all_states)
    highlights = context["highlights"]
    highlights["ranked"] = shown_rankings(measures, [c["name"] for c in r.states])
    budget = highlights["projects_with_budget"]["records"]
    listed = part_records(r, parts) if summing else set(budget)
    # The budgets' marks: of the projects the review describes (all of them: 80 at 100 states).
    highlights["budget_marks"] = [x for x in budget if x in listed]
    context["summed"] = {
        "offices": r.summed.get("offices", {"n": 0, "states": 0}),
        "regional": r.summed.get("regional", {"projects": 0, "events": 0}),
        "budget_marks": summing,
    }
    if summing:
        context["detailed_records"] = sorted(listed | linked_records(context))


def article_provenance(package: Package, context: dict[str, Any], git: Any) -> dict[str, Any]:
    """The review's provenance appendix (coopdocs.compute.contexts.provenance) of its
    ``records``: with states summed, the entries of ``detailed_records`` only, and ``unlisted``
    the number of the others (their briefs' appendices and the CSV records column list them;
    issue 35); without, every entry and ``unlisted`` 0."""
    out = provenance(package, context["records"], git)
    listed = context.get("detailed_records")
    out["unlisted"] = 0
    if listed is not None:
        keep = set(listed)
        shown = [e for e in out["records"] if e["id"] in keep]
        out["unlisted"] = len(out["records"]) - len(shown)
        out["records"] = shown
    return out


def authored_context_values(r: Review, union_body: dict[str, Any] | None) -> dict[str, Any]:
    """The values of the names the authored text may use (:func:`authored_values`) and the
    numbers of the claims it names, traced in the register. A name of both keeps its words: the
    seed's "funded by {donor_states}" names the donors, not their number (the claim
    ``donor_states`` is still computed and registered, so its records stay traced)."""
    donors = [d["name"] for d in donor_entries(r)]
    md = r.tables[layout.UNION_PROGRAMME]["rows"]
    values = authored_values(r.org, r.union_row, union_body, r.members, donors, md, r.words)
    used = sorted(used_names(r.authored) & claim_names() - set(values))
    return dict(values, **{n: r.claims.get(n).number for n in used})
