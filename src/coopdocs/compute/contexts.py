"""Build the render context of each document from the validated data package.

A context is everything one document needs, ready for presentation: records resolved (actor
names instead of IDs, theme labels instead of theme IDs), sorted by explicit keys, plus the IDs
of the records and sources the document draws on. Contexts are plain JSON, written one file per
document, so that a change to one record changes only the contexts (and so the documents) that
use it.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING, Any

# record_year lives with the brief's timeline: every brief's job imports that module, not this one.
from coopdocs.compute.timeline import record_year
from coopdocs.load.descriptor import OPTIONAL_TABLES
from coopdocs.load.grammar import adds_nothing, join_list, long_date, named
from coopdocs.load.problems import Record
from coopdocs.load.roles import UNION_PROGRAMME
from coopdocs.load.strings import Words, label, period, word
from coopdocs.tools.git import data_version

if TYPE_CHECKING:
    from coopdocs.load.datapackage import Package

UNION_KIND = "union"


def _clean(record: Record) -> Record:
    """A copy of a record without loader bookkeeping (line numbers)."""
    return {k: v for k, v in record.items() if not k.startswith("_")}


def year_span(start: int | None, end: int | None, words: Words | None = None) -> str:
    """A period of years as the strings file words it (coopdocs.load.strings.period).

    >>> year_span(2016, 2019), year_span(2016, 2016), year_span(2016, None, {"period": {"from": "from {start}"}})
    ('2016–2019', '2016', 'from 2016')
    """
    return period(start, end, words)


def record_date(record: Record, words: Words | None = None) -> str:
    """The date or period of a record as shown in documents, a date as the strings' language writes it.

    >>> w = {"language": {"months": ["January", "February", "March", "April"]}}
    >>> record_date({"date": "2018-04-27"}, w), record_date({"date": "2013", "start_year": 2013, "end_year": 2017})
    ('27 April 2018', '2013–2017')
    """
    date = long_date(record.get("date") or "", words)
    span = year_span(record.get("start_year"), record.get("end_year"), words)
    if span and date == str(record.get("start_year")):
        return span  # '2013' adds nothing to '2013–2017'
    if date and span:
        return f"{date} ({span})"
    return date or span


def stated(record: Record, field: str) -> list:
    """The items of a list ``field`` the source states, without those marked inferred (``<field>_inferred``).

    Inferred participation is shown as such and never counted (README, "Citing honestly").

    >>> stated({"countries": ["BY", "RU"], "countries_inferred": ["BY"]}, "countries")
    ['RU']
    """
    inferred = record.get(f"{field}_inferred") or []
    return [x for x in record.get(field) or [] if x not in inferred]


def sort_key_year(record: Record) -> tuple:
    """Chronological order with the ID as tie-break, so row order in files never matters."""
    year = record.get("date") or (str(record["start_year"]) if record.get("start_year") else "")
    return (year or "9999", record["id"])


class Resolver:
    """Look-ups shared by every context: names of actors, labels of themes, countries."""

    @classmethod
    def of(cls, package: Package) -> Resolver:
        """The package's resolver, built once and reused by every context made from it."""
        cached = package.__dict__.get("_resolver")
        if cached is None:
            cached = package.__dict__["_resolver"] = cls(package)
        return cached

    def __init__(self, package: Package):
        self.package = package
        self.actors = package.index("actors")
        self.themes = package.index("themes")
        self.countries = package.index("countries")
        # The government actor of each country, so that a state funding projects elsewhere can be found.
        self.outcomes_by_project: dict[str, list[Record]] = {}
        for o in package.tables["outcomes"]:
            self.outcomes_by_project.setdefault(o["project"], []).append(o)
        self.government_of: dict[str, str] = {}
        for actor in package.tables["actors"]:
            if actor["type"] == "government" and actor.get("country"):
                self.government_of.setdefault(actor["country"], actor["id"])
        self.country_of_government = {g: c for c, g in self.government_of.items()}
        # The unions among the countries (each brief's claims ask; one scan per brief was quadratic).
        self.unions = [c["code"] for c in package.tables["countries"] if c["kind"] == UNION_KIND]
        self.source_numbers = {s["id"]: s["ref_number"] for s in package.tables["sources"]}
        # Records per country, in table order: one pass over each table instead of one per country
        # (a brief per country scanning every table made preparing 1,000 states quadratic).
        t = package.tables
        # Only the countries a record states count: inferred ones are indexed apart (inferred_of).
        self.by_country: dict[str, dict[str, list[Record]]] = {}
        self.inferred_by_country: dict[str, dict[str, list[Record]]] = {}
        for table in ("instruments", "projects", "events", "facts"):
            index: dict[str, list[Record]] = {}
            inferred: dict[str, list[Record]] = {}
            for r in t.get(table, []):
                for code in dict.fromkeys(stated(r, "countries")):
                    index.setdefault(code, []).append(r)
                for code in dict.fromkeys(r.get("countries_inferred") or []):
                    inferred.setdefault(code, []).append(r)
            self.by_country[table] = index
            self.inferred_by_country[table] = inferred
        for table in ("roles", "offices", "contributions"):
            index = {}
            for r in t[table]:
                index.setdefault(r["country"], []).append(r)
            self.by_country[table] = index
        self.funded_by: dict[str, list[Record]] = {}
        for r in t["projects"]:
            for funder in dict.fromkeys(r["funders"]):
                self.funded_by.setdefault(funder, []).append(r)

    def of_country(self, table: str, code: str) -> list[Record]:
        """The records of ``table`` that concern country ``code``, in table order."""
        return self.by_country[table].get(code, [])

    def inferred_of(self, table: str, code: str) -> list[Record]:
        """The records of ``table`` whose participation of country ``code`` is inferred, in table order."""
        return self.inferred_by_country[table].get(code, [])

    def actor_names(self, ids: list[str]) -> list[str]:
        """Display names of actors, in the order given."""
        return [self.actors[i]["short_name"] or self.actors[i]["name"] for i in ids]

    def country_names(self, codes: list[str]) -> list[str]:
        """Short names of countries, in the order given."""
        return [self.countries[c]["name"] for c in codes]

    def theme_labels(self, ids: list[str]) -> list[str]:
        """Labels of themes, in the order given."""
        return [self.themes[t]["label"] for t in ids]


def _instrument(r: Record, res: Resolver, words: Words | None = None, org: str = "") -> Record:
    """An instrument as a brief shows it: parties and states by name, its date in words, and its
    type as the strings file words it (``labels``; its role may decide the word; ``org``: the
    organisation's short name)."""
    out = _clean(r)
    out["party_names"] = res.actor_names(r["parties"])
    out["country_names"] = res.country_names(r["countries"])
    out["when"] = record_date(r, words)
    out["type_label"] = label(words, "instruments", "type", r["type"], r, org=org)
    return out


def project_entry(
    r: Record, res: Resolver, outcomes: list[Record], words: Words | None = None
) -> Record:
    """A project as documents show it: names of funders, partners, states and themes resolved."""
    out = _clean(r)
    out["funder_names"] = res.actor_names(stated(r, "funders"))
    out["funder_names_inferred"] = res.actor_names(r.get("funders_inferred") or [])
    out["partner_names"] = res.actor_names(r["partners"])
    out["country_names"] = res.country_names(stated(r, "countries"))
    out["country_names_inferred"] = res.country_names(r.get("countries_inferred") or [])
    out["theme_labels"] = res.theme_labels(r["themes"])
    out["when"] = year_span(r.get("start_year"), r.get("end_year"), words)
    out["outcomes"] = [outcome_entry(o) for o in sorted(outcomes, key=lambda o: o["id"])]
    return out


TIMELINE_MIN_ITEMS = 3
TIMELINE_MIN_YEARS = 2


def timeline_carries(records: list[Record]) -> bool:
    """Whether a brief's timeline figure carries enough to read: the rule for drawing it.

    At least three dated records (instruments, events, projects) over at least two years; with
    fewer, the figure is one mark on an axis and the text or table says it better.

    >>> timeline_carries([{"date": "2019"}, {"start_year": 2020}, {"date": "2021-05-01"}])
    True
    >>> timeline_carries([{"date": "2019"}, {"date": "2019-02-01"}, {"id": "x"}])
    False
    """
    years = [y for y in (record_year(r) for r in records) if y is not None]
    return len(years) >= TIMELINE_MIN_ITEMS and len(set(years)) >= TIMELINE_MIN_YEARS


def _named_states(record: Record) -> list[str]:
    """The states a record names, stated before inferred, each once."""
    return list(
        dict.fromkeys(stated(record, "countries") + list(record.get("countries_inferred") or []))
    )


def _brief_title(home: Record, words: Words | None, org: str) -> str:
    """The title of a state's (or the union's) brief, as the strings file writes it."""
    kind = "union_brief" if home["kind"] == UNION_KIND else "brief"
    return word(
        words, f"documents.{kind}.title", "{country} · {org}", **_title_names(home, org, words)
    )


def home_brief(record: Record, code: str, res: Resolver, words: Words | None, org: str) -> str:
    """The title of the brief that describes a record shared by several states, or "" for this one.

    A record that concerns two or more states (stated or inferred) is described in full in one
    brief only, that of the first state the record names, stated before inferred; the others list
    it and refer to that brief (issue 30: "said once"; no passage repeated across the set).
    """
    codes = _named_states(record)
    if len(codes) < 2 or codes[0] == code or codes[0] not in res.countries:
        return ""
    return _brief_title(res.countries[codes[0]], words, org)


def notes_elsewhere(
    package: Package, entries: list[Record], code: str, words: Words | None, org: str
) -> None:
    """Give each provenance entry whose notes another brief carries that brief's title
    (``notes_in``): a record about another state (the first it names, stated before inferred; an
    outcome's project's, an office's country) has its source and editorial notes in that state's
    brief, which presents it in full; this brief lists it and refers there (issue 30: a note said
    once across the set, and a brief's back matter kept to its own state's records)."""
    res = Resolver.of(package)
    projects = package.index("projects") if package.declares("projects") else {}
    for e in entries:
        if not (e["note"] or e["source_note"]):
            continue
        record = package.index(e["table"])[e["id"]]
        record = projects.get(record.get("project"), record)
        codes = _named_states(record) or [record.get("country")]
        if codes[0] != code and codes[0] in res.countries:
            e["notes_in"] = _brief_title(res.countries[codes[0]], words, org)


def _title_names(country: Record, org: str, words: Words | None) -> dict[str, str]:
    """The names a brief's title and subtitle fill in: ``country`` (short name), ``org``,
    ``official`` and ``named`` (the official and the capitalised short name, each with the
    article the data gives it: countries.article)."""
    return {
        "country": country["name"],
        "org": org,
        "official": named(country, "official_name", words),
        "named": named(country, "name", words, capital=True),
    }


def outcome_entry(r: Record) -> Record:
    """An outcome as documents show it: its sentence split before the final full stop.

    ``clause`` and ``end`` let a template put the outcome's figure inside its sentence ("… under a
    2019 agreement (one installation).") rather than after it as a separate fragment.

    >>> e = outcome_entry({"id": "out-a", "description": "An installation was transferred."})
    >>> e["clause"], e["end"]
    ('An installation was transferred', '.')
    """
    out = _clean(r)
    text = str(r.get("description") or "").rstrip()
    ends = text.endswith(".") and not text.endswith("..")
    out["clause"], out["end"] = (text[:-1], ".") if ends else (text, "")
    return out


# A year or a span of years as descriptions write them ("2016", "2016-2019", "2016–19").
_YEARS = re.compile(r"\b\d{4}(?:\s*[-–]\s*\d{2,4})?\b")


def role_groups(roles: list[Record], res: Resolver) -> list[dict[str, Any]]:
    """A brief's roles as it narrates them: several terms in one role on one body, one entry.

    Terms are grouped when their descriptions say the same thing apart from the years (the data
    writes one record per term, "… for 1992-1995.", "… for 2000-2003."), so that the brief says
    once "served on the Industrial Development Board in 1992–1995, 2000–2003 and 2016–2019"; a
    term whose description says more stays an entry of its own. Entries keep the order of their
    first term; ``sources`` is the union of the terms' sources.

    >>> class R:  # the one look-up used: display names of bodies
    ...     actor_names = staticmethod(lambda ids: [i.upper() for i in ids])
    >>> terms = [{"id": f"rol-{y}", "body": "b", "role": "member", "start_year": y,
    ...           "end_year": y + 3, "description": f"Member for {y}-{y + 3}.", "sources": []}
    ...          for y in (1992, 2000)]
    >>> [(g["grouped"], [t["id"] for t in g["terms"]]) for g in role_groups(terms, R())]
    [(True, ['rol-1992', 'rol-2000'])]
    """
    groups: dict[tuple, list[Record]] = {}
    for r in roles:
        said = _YEARS.sub("", str(r.get("description") or "")).strip()
        groups.setdefault((r["body"], r["role"], said), []).append(r)
    entries = []
    for (body, role, _), terms in groups.items():
        entries.append(
            {
                "grouped": len(terms) > 1,
                "body": body,
                "body_name": res.actor_names([body])[0],
                "role": role,
                "terms": terms,
                "sources": sorted({s for t in terms for s in t.get("sources") or []}),
                "source_note": next((t["source_note"] for t in terms if t.get("source_note")), ""),
            }
        )
    return entries


def said_once(records: list[Record], field: str, label: str = "when", min_words: int = 8) -> None:
    """Mark the records whose ``field`` repeats, word for word, what an earlier record says.

    A repeated fact is said once: the first record that says it gets ``<field>_also`` (the
    ``label`` of each later record saying the same, in order) and each later one
    ``<field>_as_in`` (the first one's label), so that a template states the text once and
    refers to it elsewhere. Only a text of ``min_words`` words or more counts: a short statement
    ("The organisation is a party.") is an attribute each record may state, a long one repeated is a copy.
    Records are changed in place.

    >>> rs = [{"m": "Same.", "when": "2017"}, {"m": "Other.", "when": "2018"},
    ...       {"m": "Same.", "when": "2020"}]
    >>> said_once(rs, "m", min_words=1)
    >>> rs[0]["m_also"], rs[2]["m_as_in"], rs[1]["m_as_in"]
    (['2020'], '2017', None)
    """
    first: dict[str, Record] = {}
    for r in records:
        r[f"{field}_also"], r[f"{field}_as_in"] = [], None
        text = " ".join(str(r.get(field) or "").split())
        if len(text.split()) < min_words:
            continue
        if text in first:
            earlier = first[text]
            earlier[f"{field}_also"].append(r.get(label) or r.get("title") or r["id"])
            r[f"{field}_as_in"] = earlier.get(label) or earlier.get("title") or earlier["id"]
        else:
            first[text] = r


def said_already(
    records: list[Record], field: str, within: tuple[str, ...], words: Words | None
) -> None:
    """Mark ``<field>_said`` on each record whose ``field`` adds no significant word to its
    ``within`` fields (:func:`coopdocs.load.grammar.adds_nothing`), so that a template leaves out
    a sentence that only says again what the record's title, description and parties say.
    Records are changed in place.

    >>> rs = [{"m": "A programme for Norland.", "title": "Programme of Norland"},
    ...       {"m": "The organisation chairs it.", "title": "Programme of Norland"}]
    >>> said_already(rs, "m", ("title",), {"language": {"minor_words": ["a", "for", "of"]}})
    >>> rs[0]["m_said"], rs[1]["m_said"]
    (True, False)
    """
    for r in records:
        said = " ".join(
            " ".join(v) if isinstance(v, list) else str(v or "") for v in (r.get(f) for f in within)
        )
        r[f"{field}_said"] = adds_nothing(r.get(field), said, words)


def _mentions_said_once(instruments: list[Record], words: Words | None) -> None:
    """What the organisation is told by several instruments in the same words is said once
    (:func:`said_once`), and what only repeats an instrument's title, description and parties is
    not said at all (:func:`said_already`)."""
    said_once(instruments, "organisation_mention")
    said_already(
        instruments, "organisation_mention", ("title", "description", "party_names"), words
    )


def event_entry(r: Record, res: Resolver) -> Record:
    """An event as documents show it: names of its actors and states resolved."""
    out = _clean(r)
    out["actor_names"] = res.actor_names(r["actors"])
    out["country_names"] = res.country_names(stated(r, "countries"))
    out["country_names_inferred"] = res.country_names(r.get("countries_inferred") or [])
    return out


# The order in which documents group facts, and the facts a brief's overview shows.
FACT_TYPES = ["function", "network", "goal", "history", "context", "position", "prerequisite"]


def sort_key_fact(record: Record) -> tuple:
    """Facts by kind, then year; statements before figures, figures from the lowest; then ID."""
    value = record.get("value")
    return (
        FACT_TYPES.index(record["type"]),
        record.get("start_year") or 0,
        value is not None,
        value or 0,
        record["id"],
    )


def organisation(package: Package, actor_id: str) -> Record:
    """The organisation the documents are about (an actor; the config's ``organisation``)."""
    return _clean(package.index("actors")[actor_id])


def union_of(package: Package, code: str | None) -> Record | None:
    """The union's row of countries.csv (the config's ``union``), or None when the data has none."""
    row = package.index("countries").get(code) if code else None
    return _clean(row) if row else None


def is_member(country: Record) -> bool:
    """Whether a state is a member of the union now: its ``union_membership`` says so (an observer
    or a former member is not), or, without it, it has no date of leaving.

    >>> stays = {"kind": "member-state", "union_member_until": None}
    >>> left = {"kind": "member-state", "union_member_until": "2020"}
    >>> observer = {"kind": "member-state", "union_membership": "observer"}
    >>> is_member(stays), is_member(left), is_member(observer)
    (True, False, False)
    """
    if country.get("kind") == UNION_KIND:
        return False
    if country.get("union_membership"):
        return country["union_membership"] == "member"
    return not country.get("union_member_until")


def established(records) -> list[Record]:
    """The records in force, open, under way or achieved (``status`` actual or not given):
    plans, proposals and what was only discussed are never counted as established.

    >>> [r["id"] for r in established([{"id": "a", "status": "actual"}, {"id": "b", "status": "planned"}, {"id": "c"}])]
    ['a', 'c']
    """
    return [r for r in records if (r.get("status") or "actual") == "actual"]


def names_organisation(instrument: Record) -> bool:
    """Whether an instrument names the organisation: as a party, as reviewer or explicitly (a
    general formula such as "the UN and its specialised agencies" does not name it)."""
    return instrument.get("relation") in ("party", "reviewer", "explicit")


def relation_word(instrument: Record, words: Words | None = None) -> str:
    """How an instrument names the organisation, as the tables word it (strings file
    ``values.relation``); "not stated" without a relation."""
    relation = instrument.get("relation") or ""
    if not relation:
        return word(words, "values.not_stated", "")
    return word(words, f"values.relation.{relation}", relation)


# The field that names a record in the provenance appendix, per table.
LABEL_FIELD = {
    "countries": "name",
    "actors": "name",
    "roles": "description",
    "offices": "name",
    "instruments": "title",
    "projects": "title",
    "outcomes": "description",
    "contributions": "description",
    "events": "title",
    "proposals": "title",
    "facts": "statement",
    "publications": "title",
    "sources": "description",
    "themes": "label",
}


def reading_order(entry: dict[str, Any]) -> tuple[int, str]:
    """The sort key of a provenance entry in reading order: by table (as :data:`LABEL_FIELD`
    lists them), then identifier; the order records.lua numbers without a numbering register."""
    tables = list(LABEL_FIELD)
    return (tables.index(entry["table"]), str(entry["id"]))


def provenance(
    package: Package, record_ids: list[str], git: dict[str, Any] | None
) -> dict[str, Any]:
    """The 'Data provenance' appendix of one document: its records with their sources, and the data version.

    Each entry names the record, its table, a short label, the source IDs and the source numbers in
    the citing work (the article's reference numbers).
    """
    numbers = Resolver.of(package).source_numbers
    entries = []
    tables = [table for table in LABEL_FIELD if table not in ("sources", "publications", "themes")]
    for rid in sorted(set(record_ids), key=str):
        for table in tables:
            r = package.index(table).get(rid)
            if r is None:
                continue
            field = LABEL_FIELD[table]
            label = str(r.get(field) or "").rstrip(". ")
            if len(label) > 90:
                label = label[:89].rsplit(" ", 1)[0] + "…"
            srcs = sorted(r.get("sources") or [])
            # What the appendix says beyond the numbers: where the article states, without a
            # number, what the record holds, and the editorial note (original wording, inferences).
            entries.append(
                {
                    "id": rid,
                    "table": table,
                    "label": label,
                    "sources": srcs,
                    "numbers": sorted(numbers[x] for x in srcs if x in numbers),
                    "source_note": r.get("source_note") or "",
                    "note": r.get("note") or "",
                }
            )
    entries.sort(key=reading_order)
    # Only the numbers of this document's sources: the whole table would put every source of a
    # thousand states into every brief's context.
    cited = sorted({x for e in entries for x in e["sources"] if x in numbers})
    return {
        "version": data_version(git or {}, record_ids),
        "records": entries,
        "source_numbers": {x: numbers[x] for x in cited},
    }


def _brief_records(res: Resolver, code: str, words: Words | None, org: str) -> dict[str, Any]:
    """The records of one country's brief, resolved and in reading order: instruments, projects
    and events (and apart, those whose participation of the country is only inferred), facts and
    prerequisites, roles, offices and contributions."""
    outcomes = res.outcomes_by_project

    def projects(records: list[Record]) -> list[Record]:
        return [
            project_entry(r, res, outcomes.get(r["id"], []), words)
            for r in sorted(records, key=sort_key_year)
        ]

    def events(records: list[Record]) -> list[Record]:
        return [event_entry(r, res) for r in sorted(records, key=sort_key_year)]

    all_facts = [_clean(r) for r in sorted(res.of_country("facts", code), key=sort_key_fact)]
    contributions = [_clean(r) for r in res.of_country("contributions", code)]
    for c in contributions:
        c["recipient_name"] = res.actor_names([c["recipient"]])[0]
    return {
        "instruments": [
            _instrument(r, res, words, org)
            for r in sorted(res.of_country("instruments", code), key=sort_key_year)
        ],
        "projects": projects(res.of_country("projects", code)),
        "events": events(res.of_country("events", code)),
        # Records whose participation of this country the article does not state: shown apart,
        # never counted.
        "inferred_projects": projects(res.inferred_of("projects", code)),
        "inferred_events": events(res.inferred_of("events", code)),
        "all_facts": all_facts,
        "facts": [f for f in all_facts if f["type"] != "prerequisite"],
        "prerequisites": [f for f in all_facts if f["type"] == "prerequisite"],
        "roles": [
            _clean(r)
            for r in sorted(
                res.of_country("roles", code), key=lambda r: (r.get("start_year") or 0, r["id"])
            )
        ],
        "offices": [_clean(r) for r in res.of_country("offices", code)],
        "contributions": contributions,
    }


def _funded_by_others(res: Resolver, code: str, projects: list[Record]) -> list[dict[str, Any]]:
    """The projects in country ``code`` that another member state's government funds."""
    links = []
    for p in projects:
        donors = sorted(
            {
                res.country_of_government[f]
                for f in stated(p, "funders")
                if f in res.country_of_government and res.country_of_government[f] != code
            }
        )
        if donors:
            links.append(
                {
                    "project": p["id"],
                    "title": p["title"],
                    "donors": res.country_names(donors),
                    "sources": p["sources"],
                }
            )
    return links


def _funds_elsewhere(res: Resolver, code: str, words: Words | None) -> list[dict[str, Any]]:
    """The projects in other states that country ``code``'s government funds, in year order."""
    government = res.government_of.get(code)
    records = sorted(
        (
            r
            for r in (res.funded_by.get(government, []) if government else [])
            if any(c != code for c in r["countries"])
        ),
        key=sort_key_year,
    )
    links = []
    for r in records:
        # Stated when the article names this state as funder and another state as recipient;
        # otherwise listed as inferred (and left out of the donor counts).
        recipients = [c for c in stated(r, "countries") if c != code]
        links.append(
            {
                "project": r["id"],
                "title": r["title"],
                "when": year_span(r.get("start_year"), r.get("end_year"), words),
                "recipients": res.country_names(
                    recipients or [c for c in r["countries"] if c != code]
                ),
                "sources": r["sources"],
                "source_note": r.get("source_note") or "",
                "inferred": government in (r.get("funders_inferred") or []) or not recipients,
                "here": code in r["countries"],
            }
        )
    return links


def _brief_themes(res: Resolver, projects: list[Record]) -> list[dict[str, Any]]:
    """The thematic areas of a brief's projects, the most frequent first, with their projects."""
    counts = Counter(th for p in projects for th in p["themes"])
    return [
        {
            "id": th,
            "label": res.themes[th]["label"],
            "count": n,
            "projects": sorted(p["id"] for p in projects if th in p["themes"]),
        }
        for th, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def _brief_document(
    country: Record, org: Record, words: Words | None, is_union: bool
) -> dict[str, Any]:
    """What a brief says about itself: its id, slug, title, subtitle, audience and keyword."""
    kind = "union_brief" if is_union else "brief"
    names = _title_names(country, org["short_name"], words)
    return {
        "kind": "brief",
        "id": f"brief-{country['slug']}",
        "slug": country["slug"],
        "title": word(words, f"documents.{kind}.title", "{country} · {org}", **names),
        "subtitle": word(words, f"documents.{kind}.subtitle", "", **names),
        "audience": word(words, f"documents.{kind}.audience", "", **names),
        "keyword": word(words, f"documents.{kind}.keyword", ""),
    }


def _brief_used(package: Package, country: Record, parts: dict[str, Any]) -> list[Record]:
    """Every record a brief shows (``parts``: its sections), for its marks and sources."""
    used: list[Record] = [country]
    for key in ("roles", "offices", "contributions", "instruments", "projects", "events"):
        used += parts[key]
    used += parts["proposals"] + parts["inferred_projects"] + parts["inferred_events"]
    used += parts["all_facts"]
    used += [o for p in parts["projects"] + parts["inferred_projects"] for o in p["outcomes"]]
    elsewhere_ids = {f["project"] for f in parts["funds_elsewhere"]}
    return used + [package.index("projects")[pid] for pid in sorted(elsewhere_ids)]


def _union_parts(
    package: Package, instruments: list[Record], words: Words | None, is_union: bool
) -> dict[str, list]:
    """What only the union's brief shows (empty lists in a state's): its yearly programme (role
    union-programme, with how each names the organisation) and the proposals in their order, the author's own
    and those derived from the sources apart."""
    if not is_union:
        return {k: [] for k in ("union_programme", "proposals", "author", "derived")}
    proposals = [_clean(p) for p in sorted(package.tables["proposals"], key=lambda p: p["number"])]
    return {
        "union_programme": [
            dict(i, mentions_organisation=relation_word(i, words))
            for i in instruments
            if i.get("role") == UNION_PROGRAMME
        ],
        "proposals": proposals,
        "author": [p for p in proposals if p.get("origin") == "author"],
        "derived": [p for p in proposals if p.get("origin") != "author"],
    }


def declared_tables(package: Package) -> dict[str, bool]:
    """Whether the descriptor has each optional table (issue 34): the templates say nothing of a
    table left out, not even that it holds no rows ("no office", "0 proposals")."""
    return {table: package.declares(table) for table in OPTIONAL_TABLES}


def brief_context(
    package: Package,
    code: str,
    build: dict[str, Any],
    organisation_id: str,
    git: dict[str, Any] | None = None,
    with_provenance: bool = True,
    words: Words | None = None,
    union_code: str | None = None,
) -> dict[str, Any]:
    """The context of the brief of one country (or of the union, kind 'union').

    ``words``: the strings file (titles, periods); ``union_code``: the union's row (the config's
    ``union``). ``with_provenance=False`` skips the appendix, for callers that only reuse the sections.
    """
    res = Resolver.of(package)
    org = organisation(package, organisation_id)
    country = res.countries[code]
    is_union = country["kind"] == UNION_KIND
    parts = _brief_records(res, code, words, org["short_name"])
    instruments, projects = parts["instruments"], parts["projects"]
    _mentions_said_once(instruments, words)
    union_parts = _union_parts(package, instruments, words, is_union)
    parts.update(union_programme=union_parts["union_programme"], proposals=union_parts["proposals"])
    parts["funded_by_others"] = _funded_by_others(res, code, projects)
    parts["funds_elsewhere"] = _funds_elsewhere(res, code, words)
    used = _brief_used(package, country, parts)
    record_ids = sorted({r.get("id") or r.get("code") for r in used})
    sources = sorted(
        {s for r in used for s in r.get("sources") or []} | set(country.get("since_sources") or [])
    )
    for entry in projects + parts["events"] + parts["inferred_projects"] + parts["inferred_events"]:
        entry["described_in"] = home_brief(entry, code, res, words, org["short_name"])
    context = {
        "document": _brief_document(country, org, words, is_union),
        "build": build,
        "org": org,
        "union": union_of(package, union_code) if not is_union else None,
        # A brief shows its timeline figure only when its dated records carry one (timeline_carries).
        "has_timeline": timeline_carries(instruments + parts["events"] + projects),
        "citing_works": citing_works(package, sources),
        "country": _clean(country),
        "is_union": is_union,
        "declared": declared_tables(package),
        "role_groups": role_groups(parts["roles"], res),
        # As claims.most_frequent_theme counts them, so that its sentence and the table agree.
        "themes": _brief_themes(res, established(res.of_country("projects", code))),
        **{k: v for k, v in parts.items() if k != "all_facts"},
        "proposals_author": union_parts["author"],
        "proposals_derived": union_parts["derived"],
        "records": record_ids,
        "sources": sources,
    }
    if with_provenance:
        context["provenance"] = provenance(package, record_ids, git)
        notes_elsewhere(package, context["provenance"]["records"], code, words, org["short_name"])
    return context


def citing_works(package: Package, source_ids: list[str]) -> list[Record]:
    """The works (publications) whose numbered references the given sources are."""
    sources = package.index("sources")
    wanted = {sources[s]["citing_work"] for s in source_ids}
    return [_clean(w) for w in package.tables["publications"] if w["id"] in wanted]


_CITED_PART = re.compile(r"(\d+)(?:\s*[–-]\s*(\d+))?")


def cited_numbers(cited_as: str) -> list[int]:
    """The reference numbers a citation as printed names, ranges expanded, in order, with repeats.

    >>> cited_numbers("[28-31]"), cited_numbers("[106; 106]"), cited_numbers("[60; 61]")
    ([28, 29, 30, 31], [106, 106], [60, 61])
    """
    numbers: list[int] = []
    for m in _CITED_PART.finditer(cited_as):
        first, last = int(m.group(1)), int(m.group(2) or m.group(1))
        numbers += list(range(first, last + 1)) if last >= first else [first]
    return numbers


def cited_as(source: Record, author: str, year: Any, words: Words | None = None) -> str:
    """How the citing work cites a source, said so that no two reference entries read the same.

    A source cited together with others ("[60; 61]", "[28-31]") names the others, so the reader
    sees why two entries share a citation; a citation that prints the number twice ("[106; 106]")
    is given once and says so (strings: ``bibliography``).
    """
    own = int(source["ref_number"])
    printed = source.get("cited_as") or f"[{own}]"
    numbers = cited_numbers(printed)
    others = sorted(set(numbers) - {own})
    names = {"author": author, "year": year, "number": own}
    if others:
        key = "cited_with_one" if len(others) == 1 else "cited_with_many"
        default = "{cited_as} {author} ({year})"
        listed = join_list([str(n) for n in others], words=words)
        return word(words, f"bibliography.{key}", default, cited_as=printed, others=listed, **names)
    if len(numbers) > 1:
        once = f"[{own}]"
        return word(
            words,
            "bibliography.cited_twice",
            "{cited_as} {author} ({year})",
            cited_as=once,
            **names,
        )
    return word(
        words, "bibliography.cited_as", "{cited_as} {author} ({year})", cited_as=printed, **names
    )


def work_authors(work: Record, words: Words | None = None) -> str:
    """The citing work's authors as a citation of it names them (CSL's rule): one or two family
    names ("Shugurov", "Nowak and Tran"), or the first and "et al." (strings:
    ``citing_work.et_al``).

    >>> work_authors({"authors": ["Nowak, Anna", "Tran, Minh"]}, {})
    'Nowak and Tran'
    >>> work_authors({"authors": ["Nowak, Anna", "Tran, Minh", "Le, Van"]}, {})
    'Nowak et al.'
    """
    families = [a.split(",")[0].strip() for a in work["authors"]]
    if len(families) <= 2:
        return join_list(families, words=words)
    return word(words, "citing_work.et_al", "{author} et al.", author=families[0])


def cited_sources(package: Package, context: Any) -> list[str]:
    """Every source id that any record of a document's context carries, in any ``sources`` list
    at any depth, besides the context's own list.

    A document's template may cite any record its context holds (the review cites the first
    instrument of a state it sums under "Other states"); its bibliography gathers from the same
    context, so a citation can never name a source the reference list lacks. Pandoc lists only
    the sources a document cites, so a source held but not cited adds no entry.
    """
    known = package.index("sources")
    found: set[str] = set()
    stack = [context]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            ids = value.get("sources")
            if isinstance(ids, list):
                found.update(s for s in ids if isinstance(s, str) and s in known)
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return sorted(found)


def bibliography(
    package: Package, source_ids: list[str], words: Words | None = None
) -> list[dict[str, Any]]:
    """CSL-JSON items for the given sources and for the work that cites them.

    Each source is known only by its number in the citing work, so its entry is titled with what
    the work says it is and names the work and the number.
    """
    sources = package.index("sources")
    works = package.index("publications")
    items: list[dict[str, Any]] = []
    cited_works = set()
    for sid in sorted(source_ids):
        s = sources[sid]
        work = works[s["citing_work"]]
        cited_works.add(work["id"])
        item: dict[str, Any] = {
            "id": sid,
            "type": "document",
            "title": s["description"],
            "container-title": cited_as(s, work_authors(work, words), work["year"], words),
        }
        if s.get("year"):
            item["issued"] = {"date-parts": [[s["year"]]]}
        if s.get("url"):
            item["URL"] = s["url"]
        items.append(item)
    for wid in sorted(cited_works):
        w = works[wid]
        item = {
            "id": wid,
            # CSL's type, when the package's publications give it (a book, a report ...).
            "type": w.get("type") or "article-journal",
            "title": w["title"],
            "issued": {"date-parts": [[w["year"]]]},
            "author": [
                {"family": a.split(",")[0].strip(), "given": a.split(",", 1)[1].strip()}
                if "," in a
                else {"literal": a}
                for a in w["authors"]
            ],
        }
        if w.get("container_title"):
            item["container-title"] = w["container_title"]
        if w.get("issue"):
            item["issue"] = w["issue"]
        if w.get("doi"):
            item["DOI"] = w["doi"]
        items.append(item)
    return items
