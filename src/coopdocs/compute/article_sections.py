"""The review article's sections, one builder each: what a section's partial words, computed.

:func:`coopdocs.compute.article.article_context` gathers the records; the builders here turn them
into what each section of the review says (templates/partials/article/<section>.md.j2), so that
the templates only word values and never compute. A newcomer who wants to change how the
comparative section reads finds :func:`union_and_states` and ``comparison.md.j2``.

The builders take plain dicts (the article's context parts) and return plain dicts; each is
unit-tested on a small fixture (tests/unit/test_article_sections.py).
"""

from __future__ import annotations

import re
from statistics import median
from typing import Any

from coopdocs import layout
from coopdocs.load.roles import UNION_DOCUMENTS, UNION_PROGRAMME

# How many phrasings each recurring sentence of a state's section has (its partial holds them):
# state n uses phrasing n mod VARIANTS, so that no sentence frame opens more than two of any five
# state sections, and a reader of the sections one after the other does not meet one form five
# times.
VARIANTS = 3
# The roles of an instrument (data model, ``instruments.role``) that bind a state, or the union,
# and the organisation, and those that are the state's or the union's own documents.
WITH_ORGANISATION = ("organisation-agreement", "organisation-programme")
OWN_DOCUMENTS = ("state-document", *UNION_DOCUMENTS)
# The measures a state's section ranks it by, in the order it names them.
RANKED = ("projects", "instruments", "outcomes")


def outline(parts: dict[str, Any]) -> dict[str, Any]:
    """The number of every section and subsection the article shows, in reading order.

    ``parts``: which parts are shown: ``organisation`` (bool), ``states`` (slugs in order),
    ``shared`` (bool), ``union`` (list of its subsection keys, None without a union),
    ``comparison`` (its subsection keys).

    >>> o = outline({"organisation": True, "states": ["a", "b"], "shared": True,
    ...              "union": ["directions"], "comparison": ["profiles", "union"]})
    >>> o["bilateral"], o["state"], o["shared"], o["union"], o["sub"]["profiles"], o["conclusion"]
    ('3', {'a': '3.1', 'b': '3.2'}, '3.3', '4', '5.1', '6')
    """
    n = 1  # the introduction
    numbers: dict[str, Any] = {"introduction": "1", "sub": {}}
    if parts.get("organisation"):
        n += 1
        numbers["organisation"] = str(n)
    n += 1
    numbers["bilateral"] = str(n)
    numbers["state"] = {slug: f"{n}.{i}" for i, slug in enumerate(parts["states"], start=1)}
    numbers["shared"] = f"{n}.{len(parts['states']) + 1}" if parts.get("shared") else None
    if parts.get("union") is not None:
        n += 1
        numbers["union"] = str(n)
        numbers["sub"].update({k: f"{n}.{i}" for i, k in enumerate(parts["union"], start=1)})
    n += 1
    numbers["comparison"] = str(n)
    numbers["sub"].update({k: f"{n}.{i}" for i, k in enumerate(parts["comparison"], start=1)})
    numbers["conclusion"] = str(n + 1)
    return numbers


def by_role(instruments: list[dict]) -> dict[str, int]:
    """How many of ``instruments`` are agreements or programmes with the organisation in force
    (``with``) or only planned, proposed or discussed (``planned``), the state's or union's own
    documents (``own``), the organisation's documents (``organisation``) and multilateral
    conventions (``multilateral``), by the data's ``role`` and ``status``.

    >>> by_role([{"role": "organisation-agreement"}, {"role": "state-document"},
    ...          {"role": "multilateral"}, {"role": "organisation-programme", "status": "planned"},
    ...          {"role": "organisation-document"}, {"role": ""}])
    {'with': 1, 'planned': 1, 'own': 1, 'organisation': 1, 'multilateral': 1, 'total': 6}
    """
    with_org = [i for i in instruments if i.get("role") in WITH_ORGANISATION]
    in_force = [i for i in with_org if (i.get("status") or "actual") == "actual"]
    roles = [i.get("role") or "" for i in instruments]
    return {
        "with": len(in_force),
        "planned": len(with_org) - len(in_force),
        "own": sum(r in OWN_DOCUMENTS for r in roles),
        "organisation": roles.count("organisation-document"),
        "multilateral": roles.count("multilateral"),
        "total": len(roles),
    }


def began(name: str, since: list[dict]) -> dict[str, Any] | None:
    """When a state began to cooperate (``since``: every state's year, earliest first) and its
    place in that order: ``order`` 1 is the first, ``last`` whether no state began later.

    >>> began("B", [{"name": "A", "year": 1985}, {"name": "B", "year": 1992},
    ...             {"name": "C", "year": 1997}])
    {'year': 1992, 'order': 2, 'of': 3, 'first': False, 'last': False, 'after': 7}
    """
    mine = next((s for s in since if s["name"] == name), None)
    if mine is None:
        return None
    ahead = sum(1 for s in since if s["year"] < mine["year"])
    return {
        "year": mine["year"],
        "order": ahead + 1,
        "of": len(since),
        "first": ahead == 0,
        "last": all(s["year"] <= mine["year"] for s in since) and ahead > 0,
        "after": mine["year"] - since[0]["year"],
    }


def ranks(position: dict[str, dict], measures: dict[str, dict]) -> dict[str, Any]:
    """Where a state stands by each :data:`RANKED` measure it has any record of (rank, tie, count
    and, below the top, the leaders' count), and the measures it has nothing of.

    >>> m = {"projects": {"top": 5, "leaders": ["A"]}, "instruments": {"top": 3, "leaders": ["B"]},
    ...      "outcomes": {"top": 2, "leaders": ["A"]}}
    >>> p = {"projects": {"rank": 2, "tied": False, "count": 4},
    ...      "instruments": {"rank": 1, "tied": True, "count": 3},
    ...      "outcomes": {"rank": 3, "tied": False, "count": 0}}
    >>> r = ranks(p, m)
    >>> [(x["measure"], x["rank"], x["top"]) for x in r["ranked"]], r["missing"]
    ([('projects', 2, 5), ('instruments', 1, None)], ['outcomes'])
    """
    ranked, missing = [], []
    for m in RANKED:
        x = position[m]
        if not x["count"]:
            missing.append(m)
            continue
        below = x["rank"] > 1
        ranked.append(
            {
                "measure": m,
                "rank": x["rank"],
                "tied": x["tied"],
                "count": x["count"],
                "top": measures[m]["top"] if below else None,
                "leaders": measures[m]["leaders"] if below else [],
            }
        )
    return {"ranked": ranked, "missing": missing}


def events_span(events: list[dict]) -> dict[str, Any] | None:
    """A state's events as its section names them: how many, the first and last dated ones and
    whether they fall in one year.

    >>> s = events_span([{"date": "2017-05-02", "title": "A"}, {"date": ""},
    ...                  {"date": "2019-01-01", "title": "B"}])
    >>> s["n"], s["first"]["title"], s["last"]["title"], s["from"], s["to"], s["one_year"]
    (3, 'A', 'B', '2017', '2019', False)
    """
    if not events:
        return None
    dated = [e for e in events if e.get("date")]
    first, last = (dated[0], dated[-1]) if dated else (None, None)
    return {
        "n": len(events),
        "dated": len(dated),
        "first": first,
        "last": last if len(dated) > 1 else None,
        "from": first["date"][:4] if first else "",
        "to": last["date"][:4] if last else "",
        "one_year": bool(dated) and first["date"][:4] == last["date"][:4],
    }


def outcome_groups(figures: list[dict]) -> list[dict]:
    """Outcome figures (value other than 1) grouped by the project they belong to, in order.

    >>> g = outcome_groups([{"project": "P", "value": 3}, {"project": "Q", "value": 1},
    ...                     {"project": "P", "value": 5}])
    >>> [(x["project"], [f["value"] for f in x["figures"]]) for x in g]
    [('P', [3, 5])]
    """
    groups: dict[str, dict] = {}
    for f in figures:
        if f.get("value") not in (None, 1):
            groups.setdefault(f["project"], {"project": f["project"], "figures": []})
            groups[f["project"]]["figures"].append(f)
    return list(groups.values())


def key_instruments(instruments: list[dict], shown: int = 3) -> list[dict]:
    """The agreements and programmes with the organisation in force that a state's section names:
    all of them up to ``shown``, else the first and the latest (``instruments`` in date order).

    >>> ks = key_instruments([{"id": i, "role": "organisation-agreement"} for i in "abcde"]
    ...                      + [{"id": "x", "role": "state-document"}])
    >>> [k["id"] for k in ks]
    ['a', 'd', 'e']
    """
    with_org = [
        i
        for i in instruments
        if i.get("role") in WITH_ORGANISATION and (i.get("status") or "actual") == "actual"
    ]
    return with_org if len(with_org) <= shown else [with_org[0]] + with_org[-(shown - 1) :]


def _apart(claim: dict[str, Any] | None, *keys: str) -> list[str]:
    """The records a claim counts apart under any of ``keys`` (none without the claim).

    >>> _apart({"apart": {"planned": ["a"], "proposed": ["b"]}}, "planned", "proposed")
    ['a', 'b']
    """
    apart = (claim or {}).get("apart") or {}
    return [r for k in keys for r in apart.get(k, [])]


def state_view(st: dict[str, Any], index: int, highlights: dict[str, Any]) -> dict[str, Any]:
    """What a state's section says beyond its records: its phrasing (``variant``), its basis by
    role, where it ranks, when it began, its events and its outcome figures by project."""
    name = st["country"]["name"]
    measures = highlights["measures"]
    return {
        "variant": index % VARIANTS,
        "key": key_instruments(st["instruments"]),
        "basis": by_role(st["instruments"]),
        "ranks": ranks(st["position"], measures),
        "began": began(name, highlights["firsts"]["since"]),
        "events_span": events_span(st["events"]),
        "outcome_groups": outcome_groups(st["outcome_figures"]),
        "funders": sorted({d for p in st["funded_by_others"] for d in p["donors"]}),
        "funder_sources": sorted({s for p in st["funded_by_others"] for s in p["sources"]}),
        "donor_sources": sorted({s for f in st["funds_elsewhere"] for s in f["sources"]}),
        "office_sources": sorted({s for o in st["offices"] for s in o["sources"]}),
        "inferred": len(st["inferred_projects"]) + len(st["inferred_events"]),
        # What a claim counts apart (coopdocs.compute.claims): offices and projects not yet open
        # or under way, outcomes only planned, regional projects that include the donor itself.
        "offices_later": _apart(st.get("offices_claim"), "planned", "proposed", "discussed"),
        "projects_later": _apart(st.get("projects_claim"), "planned", "proposed"),
        "outcomes_later": _apart(st.get("outcomes_claim"), "planned"),
        "funds_itself": _apart(st.get("funds_claim"), "including_itself"),
        "project_share": st["position"]["projects"]["share"],
        "projects_total": measures["projects"]["total"],
        "compared": highlights["n_compared"],
    }


def against_union(state: dict[str, int] | None, union: dict[str, int] | None) -> dict | None:
    """A state's agreements and programmes with the organisation in force against the union's
    (:func:`coopdocs.compute.article.level_counts`): both numbers and whether the union has
    ``more``, ``fewer`` or the ``same``; None without a union or the state's counts.

    >>> against_union({"with": 3}, {"with": 2})
    {'state': 3, 'union': 2, 'relation': 'fewer'}
    """
    if not state or not union:
        return None
    a, b = state["with"], union["with"]
    relation = "more" if b > a else "fewer" if b < a else "same"
    return {"state": a, "union": b, "relation": relation}


def body_names(groups: list[dict], org: dict[str, Any]) -> list[str]:
    """The organisation's bodies a state's terms (``groups``, role_groups) were held on, each
    once and without the organisation's name that the sentence already gives ("Industrial
    Development Board of IAWC" after "IAWC's governing bodies" reads "Industrial Development
    Board").

    >>> body_names([{"body": "Board of O"}, {"body": "O Committee"}, {"body": "Board of O"}],
    ...            {"name": "Org", "short_name": "O"})
    ['Board', 'Committee']
    """
    names = [n for n in (org.get("short_name"), org.get("name")) if n]
    out: list[str] = []
    for g in groups:
        body = g["body"]
        for n in names:
            body = re.sub(
                rf"(?:\s+of(?:\s+the)?\s+{re.escape(n)}$|^{re.escape(n)}(?:'s)?\s+)", "", body
            )
        if body not in out:
            out.append(body or g["body"])
    return out


def _middle(values: list[int]) -> int | float:
    """The median of ``values`` as the text gives it: a whole number when it is one."""
    m = median(values) if values else 0
    return int(m) if float(m).is_integer() else round(m, 1)


def _spread(values: list[int]) -> dict[str, Any]:
    """The median, highest and lowest of the states' counts."""
    return {"median": _middle(values), "max": max(values, default=0), "min": min(values, default=0)}


def union_and_states(
    union: dict[str, Any] | None, states: dict[str, dict[str, int]], since: list[dict]
) -> dict[str, Any] | None:
    """The union level set against every member state in numbers (each count a registered claim,
    :func:`coopdocs.compute.article.level_counts`): agreements and programmes with the
    organisation in force, the union's own documents, projects, occasions and when each began.

    ``union``: the union's counts (``with``, ``planned``, ``own``, ``instruments``, ``projects``,
    ``events``, ``since``), None without a union; ``states``: each member state's counts by name
    (``with``, ``projects``, ``events``), every member state, not only those with a section;
    ``since``: each state's first year of cooperation, earliest first.

    >>> u = {"with": 1, "planned": 0, "own": 1, "instruments": 2, "projects": 0, "events": 2,
    ...      "since": 2014}
    >>> s = {"A": {"with": 3, "projects": 4, "events": 1}, "B": {"with": 1, "projects": 2,
    ...      "events": 3}}
    >>> r = union_and_states(u, s, [{"name": "A", "year": 1985}, {"name": "B", "year": 1993}])
    >>> sorted(r["with"].items()), r["states_with"], r["projects"], r["states_projects"], r["events"]
    ([('max', 3), ('median', 2), ('min', 1), ('union', 1)], 4, 0, {'median': 3, 'max': 4, 'min': 2}, 2)
    >>> r["since"], r["years_after_first"], r["years_after_last"], r["states_without_fewer"]
    (2014, 29, 21, [])
    """
    if not union:
        return None
    column = {k: [c[k] for c in states.values()] for k in ("with", "projects", "events")}
    year = union.get("since")
    return {
        "with": dict(_spread(column["with"]), union=union["with"]),
        "planned": union["planned"],
        "states_with": sum(column["with"]),
        "n_states": len(states),
        "own": union["own"],
        "instruments": union["instruments"],
        "projects": union["projects"],
        "states_projects": _spread(column["projects"]),
        "states_projects_total": sum(column["projects"]),
        "events": union["events"],
        "states_events": _middle(column["events"]),
        "since": year,
        "years_after_first": year - since[0]["year"] if year and since else None,
        "years_after_last": year - since[-1]["year"] if year and since else None,
        # The measures by which the union level has less than the median state.
        "below_median": [
            m
            for m, key in (("instruments", "with"), ("projects", "projects"), ("events", "events"))
            if union[key] < _middle(column[key])
        ],
        # States with fewer agreements and programmes in force than the union has.
        "states_without_fewer": [n for n, c in states.items() if c["with"] < union["with"]],
    }


def _year(instrument: dict) -> str:
    """The year an instrument is dated (its date's, else its start year), "" when undated."""
    return str(instrument.get("date") or instrument.get("start_year") or "")[:4]


def union_instruments(instruments: list[dict], since: str | None = None) -> dict[str, Any]:
    """The union's instruments besides its yearly programme (role union-programme), by what they
    are: agreements or programmes with the organisation in force (``agreements``; ``predating``
    names those dated before the union's own cooperation, ``since``, as a predecessor's
    agreement filed under the union is), agreements and documents only
    planned, proposed or discussed (``planned``), the organisation's own documents about the
    union (``organisation``: a decision, an expert review), and the union's own documents in
    force (``own``), of which ``named`` name the organisation (as a reviewer or explicitly; a
    general formula does not name it).

    >>> u = union_instruments([{"type": "yearly", "role": "union-programme"},
    ...     {"type": "statement", "role": "organisation-agreement"},
    ...     {"type": "roadmap", "role": "organisation-agreement", "status": "planned"},
    ...     {"type": "review", "role": "organisation-document"},
    ...     {"type": "concept", "role": "union-document", "relation": "explicit"},
    ...     {"type": "strategy", "role": "union-document", "relation": "general"}])
    >>> [len(u[k]) for k in ("general", "agreements", "planned", "organisation", "own", "named")]
    [5, 1, 1, 1, 2, 1]
    >>> union_instruments([{"id": "m", "role": "organisation-agreement", "date": "2009"},
    ...     {"id": "s", "role": "organisation-agreement", "date": "2014-10-30"}], "2014-10-30")["predating"]
    ['m']
    """
    from coopdocs.compute.contexts import names_organisation

    general = [i for i in instruments if i.get("role") != UNION_PROGRAMME]
    in_force = [i for i in general if (i.get("status") or "actual") == "actual"]
    with_org = [i for i in in_force if i.get("role") in WITH_ORGANISATION]
    own = [i for i in in_force if i.get("role") in OWN_DOCUMENTS]
    return {
        "general": general,
        "besides_union_programme": len(general) != len(instruments),
        "agreements": with_org,
        "predating": [i["id"] for i in with_org if _year(i) and since and _year(i) < since[:4]],
        # Agreements and the union's documents not (yet) in force, counted apart.
        "planned": [
            i
            for i in general
            if i not in in_force and i.get("role") in WITH_ORGANISATION + OWN_DOCUMENTS
        ],
        "organisation": [i for i in general if i.get("role") == "organisation-document"],
        "own": own,
        "named": [i for i in own if names_organisation(i)],
    }


def count_columns(columns: list[str]) -> list[int]:
    """How many dashes a count table's column needs in a pipe table's separator line: as wide as
    its heading (at least 5), so that print does not run the headings together.

    >>> count_columns(["Belarus", "KG"])
    [7, 5]
    """
    return [max(len(c), 5) for c in columns]


def evidence_limits(tables: dict[str, list[dict]]) -> dict[str, int]:
    """What the evidence cannot carry, counted: records whose states are only inferred, figures
    the data flags as implausible, records the source gives no reference for, and instruments,
    offices, projects and outcomes that are planned, proposed or discussed rather than in force.

    >>> evidence_limits({"projects": [{"countries_inferred": ["A"], "sources": ["r"]},
    ...                               {"status": "planned", "sources": []}],
    ...                  "outcomes": [{"flag": "implausible", "sources": ["r"]}]})
    {'inferred': 1, 'implausible': 1, 'unsourced': 1, 'not_in_force': 1}
    """
    records = [r for rows in tables.values() for r in rows]
    return {
        "inferred": sum(
            1 for r in records if r.get("countries_inferred") or r.get("funders_inferred")
        ),
        "implausible": sum(1 for r in records if r.get("flag") == "implausible"),
        "unsourced": sum(1 for r in records if "sources" in r and not r["sources"]),
        "not_in_force": sum(
            1
            for name in ("instruments", "offices", "projects", "outcomes")
            for r in tables.get(name, [])
            if (r.get("status") or "actual") != "actual"
        ),
    }


def answers(measures: dict[str, dict], union_vs: dict[str, Any] | None) -> dict[str, Any]:
    """The numbers with which the conclusion answers the introduction's questions: the member
    states' agreements and programmes with the organisation in force (total, fewest, most:
    ``measures["instruments"]``), projects and outcomes that name a member state; the union's
    figures are ``union_vs``.

    >>> a = answers({"projects": {"total": 9}, "outcomes": {"total": 4},
    ...              "instruments": {"rows": [{"count": 1}, {"count": 0}]}}, None)
    >>> a["with"], a["with_min"], a["with_max"], a["projects"], a["outcomes"], a["union"]
    (1, 0, 1, 9, 4, None)
    """
    with_org = [r["count"] for r in measures["instruments"]["rows"]]
    return {
        "with": sum(with_org),
        "with_min": min(with_org, default=0),
        "with_max": max(with_org, default=0),
        "projects": measures["projects"]["total"],
        "outcomes": measures["outcomes"]["total"],
        "union": union_vs,
    }


def _count_widths(tables: dict[str, dict]) -> None:
    """Give each count table (a matrix) of the article its column widths."""
    for entry in tables.values():
        if entry.get("matrix"):
            entry["matrix"]["widths"] = count_columns(entry["matrix"]["columns"])


def section_views(
    context: dict[str, Any], tables: dict[str, list[dict]], organisation_id: str
) -> dict[str, Any]:
    """What the section partials need beyond the gathered records, added to the article's
    ``context`` (each state section gets its ``view``; the count tables their column widths)."""
    highlights = context["highlights"]
    for i, st in enumerate(context["states"]):
        st["view"] = dict(
            state_view(st, i, highlights),
            themes=[{"label": t["label"], "count": t["count"]} for t in st["themes"]],
            bodies=body_names(st["role_groups"], context["org"]),
            against_union=against_union(
                context["levels"]["states"].get(st["country"]["name"]), context["levels"]["union"]
            ),
        )
    _count_widths(context["tables"])
    union = context["union"]
    union_vs = union_and_states(
        context["levels"]["union"], context["levels"]["states"], highlights["firsts"]["since"]
    )
    shown = context["tables"]
    country = union.get("country") or {}
    comparison = [
        key
        for key, present in (
            ("union-and-states", union_vs is not None),
            ("profiles", shown[layout.INSTITUTIONAL_PROFILE]["shown"]),
            ("instruments", shown[layout.LEGAL_BASIS]["shown"]),
            ("themes", shown[layout.PROJECTS_BY_THEME]["shown"]),
            ("funding", shown[layout.PROJECTS_BY_FUNDER]["shown"]),
            ("time", layout.TIMELINE_FIGURE in context["figures"]),
        )
        if present
    ]
    union_parts = [
        key
        for key, present in (
            ("directions", shown[layout.UNION_PROGRAMME]["shown"]),
            ("union-projects", bool(union["projects"] or union["events"])),
        )
        if present
    ]
    organisation = context["organisation"]
    parts = {
        "organisation": any(organisation.values()) or "organisation" in context["authored"],
        "states": [st["country"]["slug"] for st in context["states"]],
        "shared": bool(context["regional"]["projects"] or context["regional"]["events"]),
        "union": union_parts if country else None,
        "comparison": comparison,
    }
    return {
        "outline": outline(parts),
        "union_instruments": union_instruments(
            union["instruments"], country.get("cooperation_since")
        ),
        "union_events": events_span(union["events"]),
        "union_vs": union_vs,
        "answers": answers(highlights["measures"], union_vs),
        "limits": evidence_limits(tables),
    }
