"""Claims as code (issue 28): every counted statement a document makes is one named function here.

A claim function takes the package's :class:`Facts` (the typed records and the build's settings)
and its parameters (a state's code, an actor ...) and returns a :class:`Claim`: the number, the ids
of exactly the records counted, and what it counts apart (plans, proposals, inferences, records
that look alike but are not what the name says). Its name and docstring say what it counts.
Plans, proposals and inferences are never counted as established; rankings name ties as ties,
and "most frequent" needs a real winner and :data:`MIN_CASES` cases.

How to call a claim by name (the authored text, coopdocs.load.authored, and the templates)::

    claims = ClaimSet(package, organisation="iawc", union="ANU", union_body="anc")
    c = claims.get("offices_open", country="BY")
    c.number, c.records, c.apart["planned"]

``CLAIMS`` is the registry (name -> function); :meth:`ClaimSet.get` computes a claim once per
name and parameters and keeps it in :attr:`ClaimSet.register`, the register of every claim a
document states (written by the build, coopdocs.describe.claims_register).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from coopdocs.compute.contexts import (
    UNION_KIND,
    Resolver,
    established,
    names_organisation,
    stated,
)
from coopdocs.load.datapackage import Package, Record
from coopdocs.load.roles import UNION_DOCUMENTS
from coopdocs.tools.collation import collation_key

# Fewer cases than this make no "most frequent" (a theme that two of two projects share is not
# a pattern).
MIN_CASES = 3
# Instrument roles that are cooperation *with* the organisation (README "Data model").
WITH_ORGANISATION = ("organisation-agreement", "organisation-programme")
ESTABLISHED = "actual"


@dataclass(frozen=True)
class Claim:
    """A computed statement: its ``name`` and parameters, the ``number`` it states, the ids of the
    ``records`` it counts (sorted), and the ids it counts apart, by reason (``apart``). For a
    ranking, ``value`` is the winner (None when there is none: a tie or too few cases) and
    ``ties`` the keys sharing the top count."""

    name: str
    params: tuple[tuple[str, Any], ...]
    number: int
    records: tuple[str, ...]
    apart: dict[str, tuple[str, ...]] = field(default_factory=dict)
    value: Any = None
    ties: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()  # the sources of the records counted

    def as_dict(self) -> dict[str, Any]:
        """The claim as plain data (the register's entry, a template's view)."""
        return {
            "name": self.name,
            "params": dict(self.params),
            "number": self.number,
            "records": list(self.records),
            "apart": {k: list(v) for k, v in sorted(self.apart.items()) if v},
            "value": self.value,
            "ties": list(self.ties),
            "sources": list(self.sources),
        }


def _ids(records) -> tuple[str, ...]:
    return tuple(sorted({str(r.get("id") or r.get("code")) for r in records}))


def _claim(
    name: str, params: dict, counted, apart: dict | None = None, number: int | None = None, **extra
) -> Claim:
    """A claim counting ``counted`` (its number: how many distinct records, unless ``number``
    says otherwise, e.g. occasions made of several events)."""
    counted = list(counted)
    ids = _ids(counted)
    sources = tuple(sorted({s for r in counted for s in r.get("sources") or []}))
    return Claim(
        name,
        tuple(sorted(params.items())),
        len(ids) if number is None else number,
        ids,
        {k: _ids(v) for k, v in (apart or {}).items()},
        sources=sources,
        **extra,
    )


def _by_status(records) -> dict[str, list[Record]]:
    """Records that are not established, by status (planned, proposed, discussed ...)."""
    out: dict[str, list[Record]] = {}
    for r in records:
        if r.get("status", ESTABLISHED) != ESTABLISHED:
            out.setdefault(r["status"], []).append(r)
    return out


def _established(records) -> list[Record]:
    """The records in force, open, under way or achieved (contexts.established)."""
    return established(records)


class Facts:
    """The typed records of a package and the build's settings that claims count by."""

    def __init__(
        self,
        package: Package,
        organisation: str,
        union: str | None = None,
        union_body: str | None = None,
    ):
        self.package = package
        self.t = package.tables
        self.res = Resolver.of(package)
        self.organisation = organisation
        unions = self.res.unions
        self.union = union or (unions[0] if len(unions) == 1 else None)
        self.union_body = union_body

    def actor_country(self, actor_id: str) -> str | None:
        """The country an actor belongs to (a government, a ministry), if any."""
        return (self.res.actors.get(actor_id) or {}).get("country") or None


# --- offices -------------------------------------------------------------------------------------


def offices_open(f: Facts, country: str) -> Claim:
    """Offices and centres of the organisation itself (``owner`` organisation) that are open in
    ``country``; its planned, proposed or discussed ones apart, and national centres it supports
    apart (they are not the organisation's)."""
    offices = f.res.of_country("offices", country)
    own = [o for o in offices if o.get("owner") == "organisation"]
    apart = _by_status(own)
    apart["national"] = [o for o in offices if o.get("owner") == "national"]
    return _claim("offices_open", {"country": country}, _established(own), apart)


def national_centres_supported(f: Facts, country: str) -> Claim:
    """National centres in ``country`` that the organisation supports (``owner`` national) and
    that exist; planned ones apart."""
    centres = [o for o in f.res.of_country("offices", country) if o.get("owner") == "national"]
    return _claim(
        "national_centres_supported",
        {"country": country},
        _established(centres),
        _by_status(centres),
    )


# --- instruments ---------------------------------------------------------------------------------


def instruments_with_organisation(f: Facts, country: str) -> Claim:
    """Instruments in force that ``country`` (a state or the union) concluded with the
    organisation: agreements and programmes (``role``) to which the organisation is a party and
    that the data states for the country. Planned ones apart; the country's own documents,
    multilateral conventions and agreements between other parties apart as ``other``."""
    here = f.res.of_country("instruments", country)
    bound = [
        i
        for i in here
        if i.get("role") in WITH_ORGANISATION and f.organisation in (i.get("parties") or [])
    ]
    apart = _by_status(bound)
    apart["other"] = [i for i in here if i not in bound]
    return _claim("instruments_with_organisation", {"country": country}, _established(bound), apart)


def union_documents_naming_organisation(f: Facts) -> Claim:
    """The union's own documents (``role`` union-document or union-programme) in force that name
    the organisation (as a party, reviewer or explicitly); those that mention it only through a general formula
    and those that do not mention it apart."""
    docs = _established(
        i
        for i in f.res.of_country("instruments", f.union or "")
        if i.get("role") in UNION_DOCUMENTS
    )
    named = [i for i in docs if names_organisation(i)]
    apart = {
        "general": [i for i in docs if i.get("relation") == "general"],
        "none": [i for i in docs if i.get("relation") in ("none", "", None)],
    }
    return _claim("union_documents_naming_organisation", {}, named, apart)


def union_documents(f: Facts) -> Claim:
    """The union's own documents (``role`` union-document or union-programme) in force; planned or
    proposed ones apart."""
    docs = [
        i
        for i in f.res.of_country("instruments", f.union or "")
        if i.get("role") in UNION_DOCUMENTS
    ]
    return _claim("union_documents", {}, _established(docs), _by_status(docs))


# --- events --------------------------------------------------------------------------------------


def present(event: Record, actor: str) -> bool:
    """Whether the data states that ``actor`` was at ``event`` (not only scheduled, not inferred)."""
    return (
        actor in (event.get("actors") or [])
        and actor not in (event.get("actors_scheduled") or [])
        and actor not in (event.get("actors_inferred") or [])
    )


def occasions(events) -> int:
    """How many occasions ``events`` are: events sharing an ``occasion`` are one."""
    return len({e.get("occasion") or f"event:{e['id']}" for e in events})


def meetings_of_union_body_and_organisation(f: Facts) -> Claim:
    """Occasions at which the union's body (the build's ``union_body``) and the organisation met:
    gatherings at which the data states both present. Apart: those the body was only scheduled to
    attend, those at which its presence is inferred, and work processes (no meeting)."""
    body, org = f.union_body or "", f.organisation
    events = [e for e in f.t["events"] if body in (e.get("actors") or [])]
    gatherings = [e for e in events if e.get("format", "gathering") == "gathering"]
    met = [e for e in gatherings if present(e, body) and present(e, org)]
    apart = {
        "scheduled": [e for e in gatherings if body in (e.get("actors_scheduled") or [])],
        "inferred": [e for e in gatherings if body in (e.get("actors_inferred") or [])],
        "process": [e for e in events if e.get("format") == "process"],
    }
    return _claim(
        "meetings_of_union_body_and_organisation",
        {"union_body": body},
        met,
        apart,
        number=occasions(met),
    )


def events_of(f: Facts, country: str) -> Claim:
    """Occasions (gatherings; several events of one occasion count once) that the data states for
    ``country``; work processes and milestones apart, and events whose participation of the
    country is inferred apart."""
    here = f.res.of_country("events", country)
    gatherings = [e for e in here if e.get("format", "gathering") == "gathering"]
    apart = {
        "process": [e for e in here if e.get("format") == "process"],
        "milestone": [e for e in here if e.get("format") == "milestone"],
        "inferred": f.res.inferred_of("events", country),
    }
    return _claim(
        "events_of", {"country": country}, gatherings, apart, number=occasions(gatherings)
    )


# --- projects and outcomes -----------------------------------------------------------------------


def projects_of(f: Facts, country: str) -> Claim:
    """Projects under way or completed that the data states for ``country``; planned or proposed
    ones apart, and those in which the country's participation is inferred apart."""
    here = f.res.of_country("projects", country)
    apart = _by_status(here)
    apart["inferred"] = f.res.inferred_of("projects", country)
    return _claim("projects_of", {"country": country}, _established(here), apart)


def projects_funded_beyond_borders(f: Facts, country: str) -> Claim:
    """Projects under way or completed that ``country``'s government funds (stated, not inferred)
    and that are carried out outside it: the country is not among the project's states, stated or
    inferred. The rule, stated: a regional project that includes the funder itself is not "beyond
    its borders"; it is counted apart (``including_itself``), as are projects whose funding by the
    country is inferred and planned ones."""
    government = f.res.government_of.get(country)
    funded = [p for p in f.res.funded_by.get(government, [])] if government else []
    stated_funding = [p for p in funded if government in stated(p, "funders")]
    abroad = [p for p in stated_funding if country not in (p.get("countries") or [])]
    apart = _by_status(abroad)
    apart["including_itself"] = [
        p
        for p in _established(stated_funding)
        if country in (p.get("countries") or []) and len(p.get("countries") or []) > 1
    ]
    apart["inferred"] = [p for p in funded if p not in stated_funding]
    return _claim(
        "projects_funded_beyond_borders", {"country": country}, _established(abroad), apart
    )


def donor_states(f: Facts) -> Claim:
    """Member states that fund at least one project beyond their borders (by the rule of
    :func:`projects_funded_beyond_borders`); counted: the states' rows. The authored text's
    "donors" (data/text/article.md) are these."""
    states = [c for c in f.t["countries"] if c["kind"] != UNION_KIND]
    donors = [c for c in states if projects_funded_beyond_borders(f, c["code"]).number]
    return _claim("donor_states", {}, donors)


def joint_projects_of_union_and_organisation(f: Facts) -> Claim:
    """Projects under way or done at the union's level in which the union's body (the build's
    ``union_body``) and the organisation both take part (as partners or funders); the union's other
    projects apart (``other``: without one of them), plans apart."""
    body, org = f.union_body or "", f.organisation
    here = f.res.of_country("projects", f.union or "")

    def joint(p: Record) -> bool:
        actors = set(p.get("partners") or []) | set(stated(p, "funders"))
        return body in actors and org in actors

    both = [p for p in here if joint(p)]
    apart = _by_status(both)
    apart["other"] = [p for p in _established(here) if not joint(p)]
    return _claim(
        "joint_projects_of_union_and_organisation", {"union_body": body}, _established(both), apart
    )


def projects_with_budget(f: Facts) -> Claim:
    """Projects under way or completed for which the data states a budget, each counted once
    however many funders and recipients it has."""
    projects = _established(f.t["projects"])
    return _claim("projects_with_budget", {}, [p for p in projects if p.get("budget") is not None])


def outcome_figures_of(f: Facts, country: str) -> Claim:
    """Achieved outcomes with a figure that belong to ``country``: outcomes of the projects the
    data states for it whose figure is the project's states' (``scope`` state). Planned outcomes
    apart, and figures that cover the whole project (more states than the data names) apart."""
    projects = _established(f.res.of_country("projects", country))
    outs = [
        o
        for p in projects
        for o in f.res.outcomes_by_project.get(p["id"], [])
        if o.get("value") is not None
    ]
    mine = [o for o in outs if o.get("scope", "state") == "state"]
    apart = _by_status(mine)
    apart["project"] = [o for o in outs if o.get("scope") == "project"]
    return _claim("outcome_figures_of", {"country": country}, _established(mine), apart)


def outcomes_of(f: Facts, country: str) -> Claim:
    """Achieved outcomes of the projects under way or completed that the data states for
    ``country``, whose result is the project's named states' (``scope`` state); planned outcomes
    and results of the whole project (more states than the data names) apart."""
    projects = _established(f.res.of_country("projects", country))
    outs = [o for p in projects for o in f.res.outcomes_by_project.get(p["id"], [])]
    mine = [o for o in outs if o.get("scope", "state") == "state"]
    apart = _by_status(mine)
    apart["project"] = [o for o in outs if o.get("scope") == "project"]
    return _claim("outcomes_of", {"country": country}, _established(mine), apart)


def outcomes_achieved(f: Facts) -> Claim:
    """Outcomes the data records as achieved, of every project; planned ones apart."""
    return _claim(
        "outcomes_achieved", {}, _established(f.t["outcomes"]), _by_status(f.t["outcomes"])
    )


def records_established(f: Facts, table: str) -> Claim:
    """Records of ``table`` (instruments, projects, offices) in force, under way or open; those
    only planned, proposed or discussed apart. For events: occasions, not rows."""
    rows = f.t[table]
    if table == "events":
        return _claim("records_established", {"table": table}, rows, number=occasions(rows))
    return _claim("records_established", {"table": table}, _established(rows), _by_status(rows))


# --- states and the union ------------------------------------------------------------------------


def roles_held(f: Facts, country: str) -> Claim:
    """Terms ``country`` has held on the organisation's bodies (rows of roles.csv)."""
    return _claim("roles_held", {"country": country}, f.res.of_country("roles", country))


def union_members(f: Facts) -> Claim:
    """Member states of the union now (``union_membership`` member); observers and former members
    apart."""
    states = [c for c in f.t["countries"] if c["kind"] != UNION_KIND]
    by = {
        m: [c for c in states if c.get("union_membership") == m]
        for m in ("member", "observer", "former-member")
    }
    return _claim(
        "union_members",
        {},
        by["member"],
        {"observer": by["observer"], "former-member": by["former-member"]},
    )


def cooperation_start(f: Facts, country: str) -> Claim:
    """The year ``country``'s cooperation with the organisation began: the data's
    ``cooperation_since`` when it gives one, else the year of membership of the organisation
    (``value``: the year, None when the data gives neither)."""
    c = f.res.countries[country]
    since = c.get("cooperation_since") or c.get("organisation_member_since")
    year = int(str(since)[:4]) if since else None
    return _claim(
        "cooperation_start", {"country": country}, [c] if year else [], number=year or 0, value=year
    )


# --- rankings ------------------------------------------------------------------------------------


def _leader(name: str, params: dict, per_key: dict[str, Claim], min_cases: int = 1) -> Claim:
    """The key with the highest number among ``per_key`` (value), with the records behind it;
    ``ties`` when several share the top (then no value); neither, and nothing counted, with fewer
    than ``min_cases`` records behind all keys together."""
    top = max((c.number for c in per_key.values()), default=0)
    ties = tuple(
        sorted((k for k, c in per_key.items() if c.number == top and top), key=collation_key)
    )
    cases = {r for c in per_key.values() for r in c.records}
    if len(cases) < min_cases:
        return _claim(name, params, [], number=0)
    behind = [r for k in ties for r in per_key[k].records]
    claim = _claim(
        name,
        params,
        [{"id": r} for r in behind],
        number=top,
        value=ties[0] if len(ties) == 1 else None,
        ties=ties if len(ties) > 1 else (),
    )
    sources = {s for k in ties for s in per_key[k].sources}
    return replace(claim, sources=tuple(sorted(sources)))


def most_instruments_with_organisation(f: Facts) -> Claim:
    """The member state with the most instruments in force concluded with the organisation
    (:func:`instruments_with_organisation`); ties named."""
    states = [c["code"] for c in f.t["countries"] if c["kind"] != UNION_KIND]
    per = {f.res.countries[c]["name"]: instruments_with_organisation(f, c) for c in states}
    return _leader("most_instruments_with_organisation", {}, per)


def most_frequent_theme(f: Facts, country: str | None = None) -> Claim:
    """The theme of the most projects under way or completed (of ``country``, or of all): a value
    only with a single winner and at least :data:`MIN_CASES` projects; ties named."""
    projects = _established(f.res.of_country("projects", country) if country else f.t["projects"])
    per: dict[str, list] = {}
    for p in projects:
        for th in p.get("themes") or []:
            per.setdefault(f.res.themes[th]["label"], []).append(p)
    claims = {k: _claim("theme", {}, v) for k, v in per.items()}
    params = {"country": country} if country else {}
    return _leader("most_frequent_theme", params, claims, MIN_CASES)


CLAIMS: dict[str, Callable[..., Claim]] = {
    fn.__name__: fn
    for fn in (
        offices_open,
        national_centres_supported,
        instruments_with_organisation,
        union_documents_naming_organisation,
        union_documents,
        meetings_of_union_body_and_organisation,
        events_of,
        projects_of,
        projects_funded_beyond_borders,
        donor_states,
        joint_projects_of_union_and_organisation,
        projects_with_budget,
        outcome_figures_of,
        outcomes_of,
        outcomes_achieved,
        records_established,
        roles_held,
        union_members,
        cooperation_start,
        most_instruments_with_organisation,
        most_frequent_theme,
    )
}


def claim_names() -> set[str]:
    """The claims of the registry an authored text may name: those that need no parameter (the
    loader checks the text against them; coopdocs.load.authored.known_names).

    >>> "union_documents_naming_organisation" in claim_names(), "offices_open" in claim_names()
    (True, False)
    """
    return {
        name
        for name, function in CLAIMS.items()
        if all(
            p.default is not p.empty
            for p in list(inspect.signature(function).parameters.values())[1:]
        )
    }


class ClaimSet:
    """The claims one document states, computed by name and kept in :attr:`register`.

    ``ClaimSet(package, organisation, union=None, union_body=None)``: the arguments are those of
    :class:`Facts` (the build's settings).
    """

    def __init__(self, package: Package, *settings: Any, **named: Any):
        self.facts = Facts(package, *settings, **named)
        self._made: dict[tuple, Claim] = {}

    def get(self, name: str, **params: Any) -> Claim:
        """The claim ``name`` (a key of :data:`CLAIMS`) with ``params``; an unknown name is a
        KeyError naming the known ones."""
        if name not in CLAIMS:
            raise KeyError(f"unknown claim {name!r}; known: {', '.join(sorted(CLAIMS))}")
        key = (name, tuple(sorted(params.items())))
        if key not in self._made:
            self._made[key] = CLAIMS[name](self.facts, **params)
        return self._made[key]

    def view(self, name: str, **params: Any) -> dict[str, Any]:
        """The claim as plain data, for a template's context."""
        return self.get(name, **params).as_dict()

    @property
    def register(self) -> list[dict[str, Any]]:
        """Every claim computed so far, as plain data, in a stable order."""
        return [c.as_dict() for _, c in sorted(self._made.items(), key=lambda kv: repr(kv[0]))]


# The claims a state's or the union's brief states, by the name its template uses.
BRIEF_CLAIMS = (
    "offices_open",
    "national_centres_supported",
    "instruments_with_organisation",
    "projects_of",
    "events_of",
    "projects_funded_beyond_borders",
    "outcomes_of",
    "most_frequent_theme",
)


def add_brief_claims(
    context: dict[str, Any],
    package: Package,
    country: str,
    organisation: str,
    union: str | None = None,
    union_body: str | None = None,
) -> dict[str, Any]:
    """``context`` (a brief's, coopdocs.compute.contexts.brief_context) with what the brief counts:
    ``claim`` (the claims of :data:`BRIEF_CLAIMS` for ``country`` by name, as plain data; the
    union's brief also ``joint_projects_of_union_and_organisation``) and ``claims`` (its register).
    Their records are the brief's own (its offices, instruments, projects, events, outcomes)."""
    claims = ClaimSet(package, organisation, union, union_body)
    views = {name: claims.view(name, country=country) for name in BRIEF_CLAIMS}
    if country == claims.facts.union:
        views["joint_projects_of_union_and_organisation"] = claims.view(
            "joint_projects_of_union_and_organisation"
        )
    context["claim"] = views
    context["claims"] = claims.register
    return context


# Reasons a record is counted apart because it is not established (plans, proposals ...).
NOT_ESTABLISHED = ("planned", "proposed", "discussed", "not-established")


def contradictions(registers: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Counts that contradict each other in a build's documents (``registers``: each document's
    claims as plain data, its context's ``claims``): one claim stating two numbers, in one document
    or in two; a record counted and counted apart by the same claim; a record counted as
    established by one claim and as only planned, proposed or discussed by another. Empty when the
    documents agree. The check is over the contexts, not the wording."""
    problems: list[str] = []
    numbers: dict[tuple, set] = {}
    for document, claims in sorted(registers.items()):
        established_ids: dict[str, str] = {}
        not_established: dict[str, str] = {}
        for c in claims:
            key = (c["name"], tuple(sorted(c["params"].items())))
            numbers.setdefault(key, set()).add((c["number"], document))
            for reason, ids in c["apart"].items():
                both = set(ids) & set(c["records"])
                if both:
                    problems.append(
                        f"{document}: {c['name']} counts {sorted(both)} and counts them apart "
                        f"({reason})"
                    )
                if reason in NOT_ESTABLISHED:
                    not_established.update(dict.fromkeys(ids, f"{c['name']} ({reason})"))
            established_ids.update(dict.fromkeys(c["records"], c["name"]))
        for rid in sorted(set(established_ids) & set(not_established)):
            problems.append(
                f"{document}: {established_ids[rid]} counts {rid} as established, "
                f"{not_established[rid]} does not"
            )
    for (name, params), found in sorted(numbers.items()):
        if len({n for n, _ in found}) > 1:
            problems.append(f"{name} {dict(params)} states {sorted(found)}")
    return problems
