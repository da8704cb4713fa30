"""An independent recount of the claims register (issue 28), with the standard library only.

This module must not import coopdocs: it reads a data package's CSV files with the ``csv`` module
and recomputes, by its own code, every row of ``reports/claims/register.csv`` (the number, the
records counted, the records counted apart and a ranking's winner and ties). The rules are those
the README's data model states, written again from them.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

LISTS = {
    "countries",
    "countries_inferred",
    "parties",
    "funders",
    "funders_inferred",
    "partners",
    "themes",
    "actors",
    "actors_scheduled",
    "actors_inferred",
    "sources",
}
TABLES = ("countries", "actors", "themes", "instruments", "offices", "outcomes", "projects")
TABLES += ("events", "roles")
WITH_ORG = {"organisation-agreement", "organisation-programme"}
MIN_CASES = 3


def read(data: Path) -> dict[str, list[dict]]:
    """The package's tables as rows of strings; list columns split at ';'."""
    out = {}
    for name in TABLES:
        with (data / f"{name}.csv").open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
        for r in rows:
            for k in list(r):
                if k in LISTS:
                    r[k] = [x.strip() for x in (r[k] or "").split(";") if x.strip()]
        out[name] = rows
    return out


def key(r: dict) -> str:
    return r.get("id") or r["code"]


def actual(r: dict) -> bool:
    return (r.get("status") or "actual") == "actual"


def not_actual(rows) -> dict[str, list]:
    out = defaultdict(list)
    for r in rows:
        if not actual(r):
            out[r["status"]].append(r)
    return out


def said(r: dict, field: str) -> list[str]:
    return [x for x in r.get(field, []) if x not in r.get(f"{field}_inferred", [])]


class Recount:
    """Every claim of the register, recounted from the package's rows."""

    def __init__(self, data: Path, organisation: str, union: str, union_body: str):
        self.t = read(data)
        self.org, self.union, self.body = organisation, union, union_body
        self.gov = {}
        for a in self.t["actors"]:
            if a["type"] == "government" and a["country"]:
                self.gov.setdefault(a["country"], a["id"])

    def here(self, table: str, country: str) -> list[dict]:
        if table in ("offices", "roles"):
            return [r for r in self.t[table] if r["country"] == country]
        return [r for r in self.t[table] if country in said(r, "countries")]

    def offices_open(self, country):
        own = [
            o for o in self.here("offices", country) if o.get("owner", "") in ("", "organisation")
        ]
        apart = not_actual(own)
        apart["national"] = [
            o for o in self.here("offices", country) if o.get("owner") == "national"
        ]
        return [o for o in own if actual(o)], apart

    def national_centres_supported(self, country):
        nat = [o for o in self.here("offices", country) if o.get("owner") == "national"]
        return [o for o in nat if actual(o)], not_actual(nat)

    def instruments_with_organisation(self, country):
        mine = self.here("instruments", country)
        bound = [i for i in mine if i.get("role") in WITH_ORG and self.org in i["parties"]]
        apart = not_actual(bound)
        apart["other"] = [i for i in mine if i not in bound]
        return [i for i in bound if actual(i)], apart

    def union_documents(self):
        # The union's own documents: its acts and its yearly programme (role union-programme).
        docs = [
            i
            for i in self.here("instruments", self.union)
            if i.get("role") in ("union-document", "union-programme")
        ]
        return [i for i in docs if actual(i)], not_actual(docs)

    def union_documents_naming_organisation(self):
        docs = [i for i in self.union_documents()[0]]
        named = [i for i in docs if i.get("relation") in ("party", "reviewer", "explicit")]
        apart = {
            "general": [i for i in docs if i.get("relation") == "general"],
            "none": [i for i in docs if i.get("relation") in ("none", "")],
        }
        return named, apart

    def present(self, e, actor):
        return (
            actor in e["actors"]
            and actor not in e.get("actors_scheduled", [])
            and actor not in e.get("actors_inferred", [])
        )

    def meetings_of_union_body_and_organisation(self, union_body):
        events = [e for e in self.t["events"] if union_body in e["actors"]]
        meet = [e for e in events if (e.get("format") or "gathering") == "gathering"]
        met = [e for e in meet if self.present(e, union_body) and self.present(e, self.org)]
        apart = {
            "scheduled": [e for e in meet if union_body in e.get("actors_scheduled", [])],
            "inferred": [e for e in meet if union_body in e.get("actors_inferred", [])],
            "process": [e for e in events if e.get("format") == "process"],
        }
        return met, apart, len({e.get("occasion") or e["id"] for e in met})

    def events_of(self, country):
        mine = self.here("events", country)
        meet = [e for e in mine if (e.get("format") or "gathering") == "gathering"]
        apart = {
            "process": [e for e in mine if e.get("format") == "process"],
            "milestone": [e for e in mine if e.get("format") == "milestone"],
            "inferred": [e for e in self.t["events"] if country in e.get("countries_inferred", [])],
        }
        return meet, apart, len({e.get("occasion") or e["id"] for e in meet})

    def projects_of(self, country):
        mine = self.here("projects", country)
        apart = not_actual(mine)
        apart["inferred"] = [
            p for p in self.t["projects"] if country in p.get("countries_inferred", [])
        ]
        return [p for p in mine if actual(p)], apart

    def projects_funded_beyond_borders(self, country):
        gov = self.gov.get(country)
        funded = [p for p in self.t["projects"] if gov and gov in p["funders"]]
        stated_ = [p for p in funded if gov in said(p, "funders")]
        abroad = [p for p in stated_ if country not in p["countries"]]
        apart = not_actual(abroad)
        apart["including_itself"] = [
            p
            for p in stated_
            if actual(p) and country in p["countries"] and len(p["countries"]) > 1
        ]
        apart["inferred"] = [p for p in funded if p not in stated_]
        return [p for p in abroad if actual(p)], apart

    def donor_states(self):
        states = [c for c in self.t["countries"] if c["kind"] != "union"]
        return [c for c in states if self.projects_funded_beyond_borders(c["code"])[0]], {}

    def joint_projects_of_union_and_organisation(self, union_body):
        mine = self.here("projects", self.union)
        both = [
            p
            for p in mine
            if {union_body, self.org} <= set(p["partners"]) | set(said(p, "funders"))
        ]
        apart = not_actual(both)
        apart["other"] = [p for p in mine if actual(p) and p not in both]
        return [p for p in both if actual(p)], apart

    def projects_with_budget(self):
        return [p for p in self.t["projects"] if actual(p) and p["budget"]], {}

    def _outcomes(self, country, with_value):
        projects = {p["id"] for p in self.here("projects", country) if actual(p)}
        outs = [
            o
            for o in self.t["outcomes"]
            if o["project"] in projects and (o["value"] or not with_value)
        ]
        mine = [o for o in outs if (o.get("scope") or "state") == "state"]
        apart = not_actual(mine)
        apart["project"] = [o for o in outs if o.get("scope") == "project"]
        return [o for o in mine if actual(o)], apart

    def outcome_figures_of(self, country):
        return self._outcomes(country, True)

    def outcomes_of(self, country):
        return self._outcomes(country, False)

    def outcomes_achieved(self):
        return [o for o in self.t["outcomes"] if actual(o)], not_actual(self.t["outcomes"])

    def records_established(self, table):
        rows = self.t[table]
        if table == "events":
            return rows, {}, len({e.get("occasion") or e["id"] for e in rows})
        return [r for r in rows if actual(r)], not_actual(rows)

    def roles_held(self, country):
        return self.here("roles", country), {}

    def union_members(self):
        states = [c for c in self.t["countries"] if c["kind"] != "union"]

        def membership(c):
            return c.get("union_membership") or (
                "former-member" if c["union_member_until"] else "member"
            )

        by = {m: [c for c in states if membership(c) == m] for m in ("member", "observer")}
        by["former-member"] = [c for c in states if membership(c) == "former-member"]
        return by["member"], {"observer": by["observer"], "former-member": by["former-member"]}

    def cooperation_start(self, country):
        c = next(c for c in self.t["countries"] if c["code"] == country)
        since = c["cooperation_since"] or c["organisation_member_since"]
        year = int(since[:4]) if since else 0
        return ([c] if year else []), {}, year, (year or None)

    def _leader(self, per: dict[str, list], min_cases=1):
        cases = {key(r) for rows in per.values() for r in rows}
        if len(cases) < min_cases:
            return [], {}, 0, None, []
        top = max((len(v) for v in per.values()), default=0)
        ties = sorted(k for k, v in per.items() if len(v) == top and top)
        behind = [r for k in ties for r in per[k]]
        return (
            behind,
            {},
            top,
            (ties[0] if len(ties) == 1 else None),
            (ties if len(ties) > 1 else []),
        )

    def most_instruments_with_organisation(self):
        states = [c for c in self.t["countries"] if c["kind"] != "union"]
        per = {c["name"]: self.instruments_with_organisation(c["code"])[0] for c in states}
        return self._leader(per)

    def most_frequent_theme(self, country=None):
        projects = self.here("projects", country) if country else self.t["projects"]
        labels = {th["id"]: th["label"] for th in self.t["themes"]}
        per = defaultdict(list)
        for p in projects:
            if actual(p):
                for th in p["themes"]:
                    per[labels[th]].append(p)
        return self._leader(per, MIN_CASES)


def recount(row: dict[str, str], counter: Recount) -> dict[str, str]:
    """The register row ``row`` as the recount computes it (same columns)."""
    params = dict(p.split("=", 1) for p in row["params"].split(";") if p)
    got = getattr(counter, row["claim"])(**params)
    counted, apart = got[0], got[1]
    number = got[2] if len(got) > 2 else len({key(r) for r in counted})
    value = got[3] if len(got) > 3 else None
    ties = got[4] if len(got) > 4 else []
    ids = sorted({key(r) if isinstance(r, dict) else r for r in counted})
    return {
        "document": row["document"],
        "claim": row["claim"],
        "params": row["params"],
        "number": str(number),
        "value": "" if value is None else str(value),
        "ties": ";".join(sorted(ties)),
        "records": ";".join(ids),
        "apart": " ".join(
            f"{reason}:{';'.join(sorted({key(r) for r in rows}))}"
            for reason, rows in sorted(apart.items())
            if rows
        ),
        "sources": ";".join(
            sorted({s for r in counted if isinstance(r, dict) for s in r.get("sources", [])})
        ),
    }
