"""Synthetic data packages of any size, shaped like the real data, for benchmarks and tests.

``generate(out_dir, n_countries, seed)`` writes a complete data package (``datapackage.json`` and
every table) for ``n_countries`` member states plus the Union (code ``EAEU``, slug ``eaeu``). Per
member state it samples the counts the real data has per member state (instruments, projects,
events, sources, roles, offices, contributions, actors), with the real shares of regional
(several-country) records, projects funded by another state's government, several themes per
project and outcomes with figures. The Union level, UNIDO's own framework (records tied to no
state) and the proposals keep the real data's size, so cost grows with the number of states only.

The same ``(n_countries, seed)`` always writes the same bytes. The output validates with
``coopdocs validate --data OUT``.

Sizes beyond the real data's shape, for the memory benchmark (benchmarks/memory.py):
``events_per_state`` and ``projects_per_state`` replace the sampled number of single-state events
and projects of every state (``--countries 5 --events-per-state 4000`` is 20,000 events), and
``long_cell`` makes the description of the first state's first project (or event, instrument:
``long_cell_table``) that many characters long
(sentences of the usual words; under csv's 131,072-character field limit).

The real schema cannot hold large packages, so the copy written here is widened where needed
(and only here; see :data:`WIDENED_PATTERNS`): source ids ``^ref[0-9]{3}$`` allow 999 sources
(the real data has about 17 per state, so about 50 states are already too many). Country codes
are two letters while they last (676), then three, as the schema allows.

    python benchmarks/synthetic.py OUT --countries 200 --seed 1
    python benchmarks/synthetic.py OUT --countries 5 --events-per-state 4000 --long-cell 130000
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import shutil
import string
import sys
from collections import Counter
from itertools import product
from pathlib import Path
from typing import Any

REAL_DATA = Path(__file__).resolve().parents[1] / "data"

# Per member state in the real data (AM, BY, KZ, KG, RU), records that name only that state.
SINGLE_INSTRUMENTS = [4, 4, 8, 5, 7]
SINGLE_PROJECTS = [8, 12, 5, 9, 7]
SINGLE_EVENTS = [2, 4, 6, 1, 2]
SOURCES_PER_STATE = [9, 26, 16, 11, 25]
ROLES_PER_STATE = [0, 6, 0, 0, 0]
OFFICES_PER_STATE = [1, 6, 3, 0, 2]
CONTRIBUTIONS_PER_STATE = [0, 0, 1, 0, 2]
EXTRA_ACTORS_PER_STATE = [1, 17, 3, 1, 6]
# Themes per project and outcomes per project (0 for most), as counted in the real data.
THEMES_PER_PROJECT = [1] * 4 + [2] * 15 + [3] * 13 + [4] * 4 + [5]
OUTCOMES_PER_PROJECT = [0] * 23 + [1] * 9 + [2] * 3 + [3, 4]
SOURCES_PER_RECORD = [1] * 24 + [2] * 6 + [3] * 6 + [4]
# Shares: regional records per state, projects funded by another state's government.
REGIONAL_PROJECTS_PER_STATE = 0.6  # 3 five-state projects for 5 states
MULTI_EVENTS_PER_STATE = 0.8  # 4 events naming 2 to 5 states, for 5 states
MULTI_INSTRUMENTS_PER_STATE = 0.4
FUNDED_BY_OTHER_STATE = 8 / 37
DONOR_SHARE = 0.2  # one donor state (Russia) among five
# Size of the parts that do not grow with the number of states (as in the real data).
UNION_INSTRUMENTS, UNION_PROJECTS, UNION_EVENTS = 15, 5, 3
FRAMEWORK_INSTRUMENTS, FRAMEWORK_EVENTS = 14, 4
UNION_SOURCES, UNIDO_SOURCES, INTRO_SOURCES = 23, 21, 7

WIDENED_PATTERNS = {
    ("sources", "id"): "^ref[0-9]{3,}$",
}

SYLLABLES = [
    "ba",
    "do",
    "ka",
    "li",
    "mo",
    "ne",
    "ra",
    "si",
    "tu",
    "va",
    "ze",
    "lor",
    "man",
    "ter",
    "sol",
    "vin",
    "dar",
    "kel",
    "rus",
    "tan",
]
WORDS = [
    "industrial",
    "development",
    "cooperation",
    "technology",
    "transfer",
    "energy",
    "efficiency",
    "small",
    "enterprises",
    "export",
    "capacity",
    "training",
    "quality",
    "infrastructure",
    "regional",
    "innovation",
    "agro-industry",
    "value",
    "chains",
    "green",
    "investment",
    "promotion",
    "digital",
    "standards",
    "policy",
    "support",
    "sustainable",
    "production",
    "resource",
    "circular",
]
INSTRUMENT_TYPES = (
    ["other"] * 16
    + ["strategy"] * 11
    + ["agreement"] * 8
    + ["medium-term-programme"] * 4
    + ["partnership-programme"] * 3
    + ["framework-programme"] * 2
    + ["decree"] * 2
    + ["protocol"] * 2
    + [
        "resolution",
        "declaration",
        "country-programme",
        "memorandum",
        "action-plan",
        "roadmap",
        "joint-statement",
    ]
)
EVENT_TYPES = (
    ["conference"] * 6
    + ["other"] * 5
    + ["session"] * 5
    + ["meeting"] * 2
    + ["visit"] * 2
    + ["exhibition"]
)
EXTRA_ACTOR_TYPES = ["ministry", "agency", "company", "academic", "fund"]
OFFICE_TYPES = [
    "centre",
    "country-office",
    "investment-technology-promotion-office",
    "cleaner-production-centre",
    "focal-point",
]
SOURCE_KINDS = (
    ["organisation-document"] * 28
    + ["unknown"] * 27
    + ["news"] * 22
    + ["union-document"] * 15
    + ["government-document"] * 11
    + ["literature"] * 9
    + ["international-agreement"] * 8
    + ["report"] * 8
    + ["web-page"] * 7
    + ["un-document"] * 3
    + ["legal-act"]
)
UNITS = [
    "laboratories",
    "enterprises",
    "people",
    "branches",
    "pilot installations",
    "USD",
    "specialists",
]
BODIES = ["unido-idb", "unido-pbc", "unido-gc"]  # actors of type organisation-body in the real data
COPIED_TABLES = ["publications.csv", "themes.csv"]


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def country_codes(n: int) -> list[str]:
    """``n`` distinct codes: two letters while they last (676), then three.

    >>> country_codes(3), country_codes(700)[676]
    (['AA', 'AB', 'AC'], 'AAA')
    """
    letters = string.ascii_uppercase
    codes = ["".join(p) for p in product(letters, repeat=2)]
    codes += ["".join(p) for p in product(letters, repeat=3)]
    return codes[:n]


def country_name(i: int) -> str:
    """A pronounceable, unique name for the ``i``-th synthetic state (three syllables)."""
    k = len(SYLLABLES)
    digits = [(i // k**2) % k, (i // k) % k, i % k]
    return "".join(SYLLABLES[d] for d in digits).capitalize()


class _Sources:
    """The numbered source list, grouped by section, with the records that cite each source."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.rows: list[dict[str, Any]] = []
        self.cited: Counter = Counter()

    def add(self, section: str, about: str) -> str:
        n = len(self.rows) + 1
        sid = f"ref{n:03d}"
        self.rows.append(
            {
                "id": sid,
                "citing_work": "shugurov2022",
                "ref_number": n,
                "kind": self.rng.choice(SOURCE_KINDS),
                "section": section,
                "description": f"Source {n} on {about}: {_phrase(self.rng, 8)}.",
                "year": self.rng.choice(["", str(self.rng.randint(2005, 2022))]),
            }
        )
        return sid

    def cite(self, pool: list[str]) -> str:
        """A ``sources`` cell: 1 to 4 sources of ``pool`` (distribution of the real data)."""
        k = min(len(pool), self.rng.choice(SOURCES_PER_RECORD))
        chosen = sorted(self.rng.sample(pool, k))
        self.cited.update(chosen)
        return ";".join(chosen)


def _phrase(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _sentence(rng: random.Random, n: int) -> str:
    return _phrase(rng, n).capitalize() + "."


def _year_span(rng: random.Random) -> tuple[str, str]:
    if rng.random() < 0.5:
        return "", ""
    start = rng.randint(1995, 2022)
    return str(start), str(min(2030, start + rng.randint(0, 6)))


def _descriptor(n_countries: int, n_sources: int) -> tuple[dict[str, Any], list[str]]:
    """The real descriptor, with patterns widened only where this package needs it."""
    descriptor = json.loads((REAL_DATA / "datapackage.json").read_text(encoding="utf-8"))
    widened = []
    need = {("sources", "id"): n_sources > 999}
    for res in descriptor["resources"]:
        for spec in res["schema"]["fields"]:
            key = (res["name"], spec["name"])
            if need.get(key):
                spec["constraints"]["pattern"] = WIDENED_PATTERNS[key]
                widened.append(f"{key[0]}.{key[1]}: {WIDENED_PATTERNS[key]}")
    descriptor.pop("texts", None)  # the real data's authored text is about the real data only
    descriptor["name"] = f"synthetic-{n_countries}"
    descriptor["title"] = f"Synthetic cooperation data ({n_countries} member states)"
    return descriptor, widened


def long_text(rng: random.Random, chars: int) -> str:
    """Sentences of the usual words, exactly ``chars`` characters long (a long cell's text)."""
    sentences, size = [], 0
    while size < chars:
        sentences.append(_sentence(rng, 20))
        size += len(sentences[-1]) + 1
    return " ".join(sentences)[:chars].rstrip().ljust(chars, ".")


def build_tables(
    n_countries: int,
    seed: int,
    events_per_state: int | None = None,
    projects_per_state: int | None = None,
    long_cell: int = 0,
    long_cell_table: str = "projects",
) -> dict[str, list[dict[str, Any]]]:
    """Every generated table (not the copied ones) as rows of text, in a fixed order.

    ``events_per_state`` and ``projects_per_state`` (None: sampled like the real data) fix the
    single-state events and projects of every state; ``long_cell`` (characters, 0: none) is the
    length of the description of the first state's first record of ``long_cell_table``
    (``projects``, ``events`` or ``instruments``).
    """
    if n_countries < 1:
        raise ValueError("n_countries must be at least 1")
    rng = random.Random(f"coopdocs-synthetic-{seed}")
    src = _Sources(rng)
    real_actors = [
        a for a in _read(REAL_DATA / "actors.csv") if not a["country"] and a["type"] != "government"
    ]
    codes = country_codes(n_countries)
    names = {c: country_name(i) for i, c in enumerate(codes)}
    gov = {c: f"gov-{c.lower()}" for c in codes}
    donors = [c for c in codes if rng.random() < DONOR_SHARE] or codes[:1]

    intro = [src.add("introduction", "Eurasian integration") for _ in range(INTRO_SOURCES)]
    unido_pool = [src.add("unido", "UNIDO") for _ in range(UNIDO_SOURCES)]
    union_pool = [src.add("union", "the Union") for _ in range(UNION_SOURCES)]
    pools = {
        c: [
            src.add("none", names[c])
            for _ in range(max(1, rng.choice(SOURCES_PER_STATE) + rng.randint(-2, 2)))
        ]
        for c in codes
    }

    t: dict[str, list[dict[str, Any]]] = {
        k: []
        for k in (
            "countries",
            "actors",
            "roles",
            "offices",
            "instruments",
            "projects",
            "outcomes",
            "contributions",
            "events",
            "proposals",
            "facts",
        )
    }
    counters: Counter = Counter()

    def rid(prefix: str, scope: str) -> str:
        counters[(prefix, scope)] += 1
        return f"{prefix}-{scope.lower()}-{counters[(prefix, scope)]:04d}"

    # Actors: the real multilateral ones, then per state its government and a few others.
    for a in real_actors:
        t["actors"].append(dict(a, sources=src.cite(unido_pool), note=""))
    local_actors: dict[str, list[str]] = {}
    for c in codes:
        t["actors"].append(
            {
                "id": gov[c],
                "name": f"Government of the Republic of {names[c]}",
                "short_name": names[c],
                "type": "government",
                "country": c,
                "description": f"Government of {names[c]}.",
                "sources": src.cite(pools[c]),
                "note": "",
            }
        )
        local_actors[c] = []
        for _ in range(max(0, rng.choice(EXTRA_ACTORS_PER_STATE) + rng.randint(-1, 1))):
            aid = rid("act", c)
            kind = rng.choice(EXTRA_ACTOR_TYPES)
            t["actors"].append(
                {
                    "id": aid,
                    "name": f"{names[c]} {kind} of {_phrase(rng, 2)}",
                    "short_name": f"{c}-{kind[:3].upper()}{counters[('act', c)]}",
                    "type": kind,
                    "country": c,
                    "description": _sentence(rng, 10),
                    "sources": src.cite(pools[c]),
                    "note": "",
                }
            )
            local_actors[c].append(aid)

    # Countries: the states, then the Union.
    for c in codes:
        since = rng.randint(1975, 2015)
        t["countries"].append(
            {
                "code": c,
                "slug": names[c].lower(),
                "name": names[c],
                "official_name": f"Republic of {names[c]}",
                "kind": "member-state",
                "organisation_member_since": rng.choice(["", str(since)]),
                "union_member_from": "",
                "union_member_until": "",
                "cooperation_since": str(since),
                "summary": " ".join(_sentence(rng, 14) for _ in range(4)),
                "sources": src.cite(pools[c]),
                "note": "",
            }
        )
    t["countries"].append(
        {
            "code": "EAEU",
            "slug": "eaeu",
            "name": "EAEU",
            "official_name": "Eurasian Economic Union",
            "article": "the",
            "kind": "union",
            "organisation_member_since": "",
            "union_member_from": "",
            "union_member_until": "",
            "cooperation_since": "2014-10-30",
            "summary": " ".join(_sentence(rng, 14) for _ in range(4)),
            "sources": src.cite(union_pool),
            "note": "",
        }
    )

    def instrument(
        scope: str,
        countries: list[str],
        pool: list[str],
        kind: str | None = None,
        year: int | None = None,
    ) -> None:
        kind = kind or rng.choice(INSTRUMENT_TYPES)
        start, end = (str(year), str(year)) if year else _year_span(rng)
        parties = sorted(
            {gov[c] for c in countries if c in gov} | ({"unido"} if rng.random() < 0.6 else set())
        )
        if scope == "EAEU":
            parties = sorted({"eaeu"} | ({"eec", "unido"} if rng.random() < 0.4 else set()))
        t["instruments"].append(
            {
                "id": rid("ins", scope),
                "type": kind,
                "title": f"{kind.replace('-', ' ').capitalize()} on {_phrase(rng, 4)}",
                "countries": ";".join(countries),
                "parties": ";".join(parties),
                "date": rng.choice(
                    [
                        "",
                        f"{rng.randint(1995, 2022)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                    ]
                )
                if not year
                else "",
                "start_year": start,
                "end_year": end,
                # Typed roles (issue 28) follow from what is drawn, so the random stream (and
                # every other cell of a seed's package) stays as before.
                "relation": _relation(
                    parties,
                    rng.choice(["yes", "yes", "no"])
                    if kind == "main-directions"
                    else rng.choice([""] * 8 + ["yes"]),
                ),
                "role": _instrument_role(kind, scope, parties),
                "status": "planned" if len(t["instruments"]) % 9 == 4 else "actual",
                "organisation_mention": _sentence(rng, 6) if rng.random() < 0.3 else "",
                "description": _sentence(rng, 25),
                "sources": src.cite(pool),
                "note": "",
            }
        )

    themes_all = _themes()

    def project(scope: str, countries: list[str], pool: list[str]) -> None:
        start, end = _year_span(rng)
        funders = ""
        if rng.random() < FUNDED_BY_OTHER_STATE:
            others = [d for d in donors if d not in countries]
            if others:
                funders = gov[rng.choice(others)]
        elif rng.random() < 0.1:
            funders = rng.choice(["unido", "gef"])
        partners = ["unido"]
        if countries and countries[0] in gov and rng.random() < 0.3:
            partners.append(gov[countries[0]])
        for c in countries:
            if local_actors.get(c) and rng.random() < 0.3:
                partners.append(rng.choice(local_actors[c]))
        themes = sorted(rng.sample(themes_all, rng.choice(THEMES_PER_PROJECT)))
        pid = rid("prj", scope)
        t["projects"].append(
            {
                "id": pid,
                "title": f"{_phrase(rng, 6).capitalize()} ({', '.join(names.get(c, c) for c in countries)})"
                if len(countries) < 4
                else f"Regional project on {_phrase(rng, 5)}",
                "countries": ";".join(countries),
                "start_year": start,
                "end_year": end,
                "funders": funders,
                "partners": ";".join(dict.fromkeys(partners)),
                "regions": f"{_phrase(rng, 1).capitalize()} region" if rng.random() < 0.13 else "",
                "themes": ";".join(themes),
                "sdgs": rng.choice(["9"] if rng.random() < 0.05 else [""]),
                "budget": (
                    budget := str(rng.randint(2, 80) * 100000) if rng.random() < 0.1 else ""
                ),
                "budget_currency": "USD" if budget else "",
                "status": "planned" if len(t["projects"]) % 11 == 5 else "actual",
                "description": " ".join(_sentence(rng, 20) for _ in range(2)),
                "sources": src.cite(pool),
                "note": "",
            }
        )
        for k in range(rng.choice(OUTCOMES_PER_PROJECT)):
            with_figure = rng.random() < 0.45
            t["outcomes"].append(
                {
                    "id": f"out{pid[3:]}-{k + 1}",
                    "project": pid,
                    "description": _sentence(rng, 15),
                    "value": str(rng.choice([1, 3, 4, 30, 500, 1000000])) if with_figure else "",
                    "unit": rng.choice(UNITS) if with_figure else "",
                    "flag": "",
                    "status": "planned" if k == 2 else "actual",
                    "scope": "project" if len(countries) > 1 and with_figure else "state",
                    "sources": src.cite(pool),
                    "note": "",
                }
            )

    def event(scope: str, countries: list[str], pool: list[str]) -> None:
        actors = ["unido"] + (
            [gov[countries[0]]] if countries and countries[0] in gov and rng.random() < 0.4 else []
        )
        t["events"].append(
            {
                "id": rid("evt", scope),
                "type": rng.choice(EVENT_TYPES),
                "title": f"{_phrase(rng, 6).capitalize()}",
                "countries": ";".join(countries),
                "date": rng.choice(
                    [
                        str(rng.randint(1995, 2022)),
                        f"{rng.randint(1995, 2022)}-{rng.randint(1, 12):02d}",
                        f"{rng.randint(1995, 2022)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                    ]
                ),
                "place": f"{_phrase(rng, 1).capitalize()}, "
                f"{names.get(countries[0], 'Austria') if countries else 'Austria'}",
                "actors": ";".join(actors),
                "description": _sentence(rng, 22),
                "sources": src.cite(pool),
                "note": "",
            }
        )

    def group(k: int) -> list[str]:
        return sorted(rng.sample(codes, min(len(codes), k)))

    for c in codes:
        for _ in range(max(0, rng.choice(SINGLE_INSTRUMENTS) + rng.randint(-1, 1))):
            instrument(c, [c], pools[c])
        sampled = max(0, rng.choice(SINGLE_PROJECTS) + rng.randint(-2, 2))
        for _ in range(sampled if projects_per_state is None else projects_per_state):
            project(c, [c], pools[c])
        sampled = max(0, rng.choice(SINGLE_EVENTS) + rng.randint(-1, 1))
        for _ in range(sampled if events_per_state is None else events_per_state):
            event(c, [c], pools[c])
        for _ in range(rng.choice(ROLES_PER_STATE)):
            start = rng.randint(1990, 2020)
            t["roles"].append(
                {
                    "id": rid("rol", c),
                    "country": c,
                    "body": rng.choice(BODIES),
                    "role": rng.choice(["member", "vice-president", "president"]),
                    "start_year": str(start),
                    "end_year": str(start + rng.randint(0, 3)),
                    "description": _sentence(rng, 14),
                    "sources": src.cite(pools[c]),
                    "note": "",
                }
            )
        for _ in range(rng.choice(OFFICES_PER_STATE)):
            t["offices"].append(
                {
                    "id": rid("off", c),
                    "country": c,
                    "name": f"{_phrase(rng, 3).capitalize()} centre",
                    "type": rng.choice(OFFICE_TYPES),
                    "city": rng.choice(["", f"{names[c]} City"]),
                    "opened": rng.choice(["", str(rng.randint(1990, 2021))]),
                    "status": "planned" if len(t["offices"]) % 5 == 3 else "actual",
                    "owner": "national" if len(t["offices"]) % 3 == 1 else "organisation",
                    "description": _sentence(rng, 20),
                    "sources": src.cite(pools[c]),
                    "note": "",
                }
            )
        for _ in range(rng.choice(CONTRIBUTIONS_PER_STATE)):
            amount = rng.choice(["", str(rng.randint(1, 50) * 100000)])
            t["contributions"].append(
                {
                    "id": rid("con", c),
                    "country": c,
                    "recipient": "unido",
                    "year": rng.choice(["", str(rng.randint(2000, 2021))]),
                    "amount": amount,
                    "currency": "USD" if amount else "",
                    "period": rng.choice(["annual", "one-off", ""]),
                    "flag": "",
                    "description": _sentence(rng, 16),
                    "sources": src.cite(pools[c]),
                    "note": "",
                }
            )

    # Regional records naming several states, at the real data's rate per state.
    for _ in range(round(REGIONAL_PROJECTS_PER_STATE * n_countries)):
        members = group(rng.randint(3, 5))
        project("reg", members, [s for c in members for s in pools[c]])
    for _ in range(round(MULTI_EVENTS_PER_STATE * n_countries)):
        members = group(rng.randint(2, 5))
        event("reg", members, [s for c in members for s in pools[c]])
    for _ in range(round(MULTI_INSTRUMENTS_PER_STATE * n_countries)):
        members = group(2)
        instrument("reg", members, [s for c in members for s in pools[c]])

    # The Union level and UNIDO's own framework: the size of the real data, whatever n.
    for year in range(2015, 2023):
        instrument("EAEU", ["EAEU"], union_pool, kind="main-directions", year=year)
    for _ in range(UNION_INSTRUMENTS):
        instrument("EAEU", ["EAEU"], union_pool)
    for _ in range(UNION_PROJECTS):
        project("EAEU", ["EAEU"] + group(2), union_pool)
    for _ in range(UNION_EVENTS):
        event("EAEU", ["EAEU"], union_pool)
    for _ in range(FRAMEWORK_INSTRUMENTS):
        instrument("unido", [], unido_pool + intro)
    for _ in range(FRAMEWORK_EVENTS):
        event("unido", [], unido_pool)
    for number in range(1, 15):
        t["proposals"].append(
            {
                "id": f"prp-{number:02d}",
                "number": str(number),
                "origin": "author",
                "title": _phrase(rng, 6).capitalize(),
                "description": _sentence(rng, 22),
                "sources": src.cite(union_pool + intro),
                "note": "",
            }
        )

    # Every source is cited at least once (the validator warns otherwise): an uncited one joins
    # the country (or Union) record of its section; cited_count is the number of citing records.
    owner = {s: ("countries", i) for i, c in enumerate(codes) for s in pools[c]}
    union_index = len(codes)
    for row in src.rows:
        sid = row["id"]
        if not src.cited[sid]:
            table, i = owner.get(sid, ("countries", union_index))
            rec = t[table][i]
            rec["sources"] = ";".join(sorted(set(rec["sources"].split(";")) | {sid}))
            src.cited[sid] += 1
    t["sources"] = [dict(r, url="", cited_count=str(src.cited[r["id"]]), note="") for r in src.rows]
    if long_cell:
        first = next(r for r in t[long_cell_table] if r["countries"] == codes[0])
        first["description"] = long_text(rng, long_cell)
    return t


def _instrument_role(kind: str, scope: str, parties: list[str]) -> str:
    """The typed role (issue 28) of a drawn instrument: the union's yearly programme (issue 34),
    an agreement with the organisation, or the union's or a state's own document."""
    if kind == "main-directions":
        return "union-programme"
    if "unido" in parties:
        return "organisation-agreement"
    return "union-document" if scope == "EAEU" else "state-document"


def _relation(parties: list[str], mentions: str) -> str:
    """An instrument's relation to the organisation: a party when it is one, else what the
    drawn mention ("yes", "no" or "") says."""
    if "unido" in parties:
        return "party"
    return "explicit" if mentions == "yes" else "none"


def _themes() -> list[str]:
    """The theme ids of the real data (read when a package is generated, not at import)."""
    return [r["id"] for r in _read(REAL_DATA / "themes.csv")]


def _csv_text(rows: list[dict[str, Any]], header: list[str]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=header, lineterminator="\n", extrasaction="raise")
    writer.writeheader()
    writer.writerows({h: r.get(h, "") for h in header} for r in rows)
    return buf.getvalue()


def generate(
    out_dir: str | Path,
    n_countries: int,
    seed: int = 0,
    events_per_state: int | None = None,
    projects_per_state: int | None = None,
    long_cell: int = 0,
    long_cell_table: str = "projects",
) -> dict[str, Any]:
    """Write a synthetic data package for ``n_countries`` member states plus the Union into ``out_dir``.

    Returns a summary: rows per table and the schema patterns that had to be widened. The size
    options are those of :func:`build_tables`.

    >>> import tempfile; summary = generate(tempfile.mkdtemp(), 3, seed=1)
    >>> summary["rows"]["countries"]
    4
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tables = build_tables(
        n_countries, seed, events_per_state, projects_per_state, long_cell, long_cell_table
    )
    descriptor, widened = _descriptor(n_countries, len(tables["sources"]))
    for name in COPIED_TABLES:
        shutil.copyfile(REAL_DATA / name, out / name)
    rows = {}
    for res in descriptor["resources"]:
        if res["path"] in COPIED_TABLES:
            rows[res["name"]] = len(_read(out / res["path"]))
            continue
        header = [f["name"] for f in res["schema"]["fields"]]
        (out / res["path"]).write_text(_csv_text(tables[res["name"]], header), encoding="utf-8")
        rows[res["name"]] = len(tables[res["name"]])
    (out / "datapackage.json").write_text(
        json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    summary = {"countries": n_countries, "seed": seed, "rows": rows, "widened_patterns": widened}
    if long_cell:
        summary["long_cell"] = {"table": long_cell_table, "characters": long_cell}
    return summary


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python benchmarks/synthetic.py OUT --countries N --seed S``."""
    parser = argparse.ArgumentParser(
        prog="python benchmarks/synthetic.py", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("out", help="folder to write the data package into (created if missing)")
    parser.add_argument(
        "--countries", type=int, default=50, help="number of member states (the Union is added)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--events-per-state", type=int, help="single-state events of every state (default: sampled)"
    )
    parser.add_argument(
        "--projects-per-state",
        type=int,
        help="single-state projects of every state (default: sampled)",
    )
    parser.add_argument(
        "--long-cell",
        type=int,
        default=0,
        help="characters of the description of the first state's first record of --long-cell-in",
    )
    parser.add_argument(
        "--long-cell-in",
        default="projects",
        choices=["projects", "events", "instruments"],
        help="the table of the long cell (default: projects)",
    )
    args = parser.parse_args(argv)
    summary = generate(
        args.out,
        args.countries,
        args.seed,
        args.events_per_state,
        args.projects_per_state,
        args.long_cell,
        args.long_cell_in,
    )
    json.dump(summary, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
