"""Type what a record *is* (issue 28); idempotent: run it again at will, also over CSV files that
other changes have edited in other columns.

Run:  .venv/bin/python tools/migrate_schema_28.py [DATA_DIR] [--organisation ID]
      (defaults: data, the organisation of config/config.yaml)

Columns it adds (the values are the program's vocabulary, coopdocs.load.datapackage.ROLES, checked
by the loader; README "Data model" documents them):

* instruments: ``status``, ``relation`` (to the organisation), ``role`` (in the cooperation);
  ``mentions_organisation`` (yes/no, which counted any mention, even through a general formula,
  as naming) is dropped: ``relation`` says it.
* offices: ``status``, ``owner`` (the organisation's own office or a national centre it supports).
* outcomes: ``status``, ``scope`` (the project's stated state(s), or the whole project).
* projects: ``status``.
* events: ``format`` (a gathering, a work process, a milestone), ``actors_scheduled`` and
  ``actors_inferred`` (sub-lists of ``actors``, as ``countries_inferred`` is of ``countries``),
  ``occasion`` (events that are one occasion share it).
* countries: ``union_membership`` (member, observer, former member; dates in ``union_member_*``).

The value of a typed cell is, in this order: the value this script holds for the record (``TYPED``,
each with the article's words that justify it), else the cell's value when the column exists and is
filled, else the value derived by the rule of ``derive_*`` (said in each docstring). Status words in
names ("(planned)") are removed, since the status is now a column. Nothing else is reworded.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from migrate_schema_16 import read_csv, write_csv  # noqa: E402

# id -> value, one-line justification from the article (the seed package, data/).
TYPED: dict[tuple[str, str], dict[str, tuple[str, str]]] = {
    ("instruments", "status"): {
        "ins-eaeu-digital-high-tech-proposals": (
            "proposed",
            "an intention, not an adopted document",
        ),
        "ins-eaeu-eec-unido-innovation-programme-2015": (
            "planned",
            "'back in 2015 the EEC and UNIDO have planned to develop a program'; adoption not said",
        ),
        "ins-eaeu-eec-unido-roadmap": ("planned", "work began in 2019; not adopted as of 2022"),
        "ins-kg-national-industrial-development-programme": (
            "planned",
            "UNIDO assists in drafting it: not yet adopted",
        ),
    },
    ("instruments", "relation"): {
        "ins-by-framework-programme-2020": (
            "explicit",
            "a programme of cooperation 'between Belarus and the United Nations'",
        ),
        "ins-eaeu-concept-digital-transformation-industry": (
            "none",
            "'does not itself mention UNIDO'",
        ),
        "ins-eaeu-concept-machine-tool-center": ("explicit", "developed with UNIDO assistance"),
        "ins-eaeu-concepts-industrial-innovation-infrastructure": (
            "explicit",
            "UNIDO experts took part in drafting",
        ),
        "ins-eaeu-digital-high-tech-proposals": ("explicit", "to take UNIDO's experience"),
        "ins-eaeu-industrial-cooperation-directions-2020": ("reviewer", "UNIDO examined the draft"),
        "ins-eaeu-industrial-cooperation-directions-2025": (
            "reviewer",
            "UNIDO examined it in 2021",
        ),
        "ins-eaeu-onmd-2015-2016": ("general", "only 'the UN and its specialised agencies'"),
        "ins-eaeu-onmd-2017": ("general", "repeats the 2015-2016 general formula"),
        "ins-eaeu-onmd-2018": ("general", "repeats the 2015-2016 general formula"),
        "ins-eaeu-onmd-2019": ("none", "does not mention cooperation with UNIDO"),
        "ins-eaeu-onmd-2020": ("general", "repeats the 2015-2016 general formula"),
        "ins-eaeu-onmd-2021": ("explicit", "plans cooperation with UNIDO by name"),
        "ins-eaeu-onmd-2022": ("explicit", "names cooperation areas with UNIDO"),
        "ins-eaeu-strategic-directions-2025": ("none", "criticised for not covering UNIDO"),
        "ins-kg-national-industrial-development-programme": (
            "explicit",
            "UNIDO technical assistance",
        ),
        "ins-kg-sustainable-industrial-development-strategy-2019": (
            "explicit",
            "developed within the PCP with UNIDO support",
        ),
        "ins-kz-green-bridge-partnership-programme": ("explicit", "UNIDO supported the initiative"),
        "ins-ru-idf-contribution-decision-2009": ("explicit", "commits funds to UNIDO's IDF"),
        "ins-unga-res-2152-1966": ("explicit", "the resolution that set UNIDO up"),
    },
    ("instruments", "role"): {
        "ins-by-framework-programme-2020": (
            "multilateral",
            "a programme with the United Nations system, not with UNIDO alone",
        ),
        "ins-by-minecon-skolkovo-agreement": (
            "other-agreement",
            "between Belarus's Ministry of Economy and the Skolkovo Foundation",
        ),
        "ins-kz-ecolux-pops-installation-agreement-2019": (
            "other-agreement",
            "its parties are UNIDO and a private company, not the state",
        ),
        "ins-kz-green-bridge-charter": (
            "multilateral",
            "the charter of a multi-country partnership",
        ),
        "ins-kz-green-bridge-partnership-programme": (
            "multilateral",
            "a partnership programme open to several countries",
        ),
        "ins-ru-minobr-unido-foresight-agreement": (
            "organisation-agreement",
            "between Russia's Ministry of Education and Science and UNIDO",
        ),
        "ins-eaeu-unido-observer-status-2015": (
            "organisation-document",
            "a decision of UNIDO's Industrial Development Board",
        ),
        "ins-eaeu-eec-unido-innovation-programme-2015": (
            "organisation-programme",
            "a programme planned jointly by the EEC and UNIDO",
        ),
        "ins-am-quality-infrastructure-2021": (
            "organisation-programme",
            "a programme document for 2021-2025 with UNIDO as partner organisation",
        ),
        "ins-eaeu-concept-machine-tool-center": ("union-document", "a concept of the Union"),
        "ins-eaeu-concepts-industrial-innovation-infrastructure": (
            "union-document",
            "the Union's conceptual documents, drafted with UNIDO experts",
        ),
    },
    ("offices", "status"): {
        "off-by-grodno-research-centre": ("planned", "foreseen in the project's second stage"),
        "off-by-production-modernization-center": (
            "planned",
            "'as planned, should' provide services",
        ),
        "off-by-unido-ciic-planned": ("planned", "'this Center has not yet been established'"),
        "off-kz-itpo-nur-sultan": ("discussed", "opening discussed during the 2019 working visit"),
    },
    ("offices", "owner"): {
        "off-am-low-gwp-training-centre": (
            "national",
            "a national centre set up under a UNIDO project",
        ),
        "off-by-brest-industry40-centre": (
            "national",
            "based at the Brest Science and Technology Park",
        ),
        "off-by-grodno-research-centre": ("national", "at Grodno State Agrarian University"),
        "off-by-ncrecp": ("national", "the BSU Institute of Business's centre"),
        "off-by-production-modernization-center": ("national", "UNIDO finances it only at first"),
        "off-by-rttc": ("national", "a national centre created by a UNIDO/UNDP project"),
        "off-by-unido-ciic-planned": ("organisation", "a UNIDO centre"),
        "off-kz-damu-industrial-enterprise-centre": ("national", "a centre within the Damu fund"),
        "off-kz-green-technologies-centre": (
            "national",
            "set up by Government decree with UNIDO support",
        ),
        "off-kz-itpo-nur-sultan": ("organisation", "a UNIDO investment and technology office"),
        "off-ru-regional-foresight-centre": ("organisation", "UNIDO's regional foresight centre"),
        "off-ru-unido-centre-icic": ("organisation", "part of UNIDO's ITPO network"),
    },
    ("outcomes", "status"): {
        "out-am-qi-calibration-labs": ("planned", "laboratories 'to be created and equipped'"),
        "out-eurasec-centres-in-unido-network": ("planned", "'ensuring the integration': an aim"),
    },
    ("outcomes", "scope"): {
        "out-kg-shp-pilot-plants": (
            "project",
            "the figure is for all five participating countries",
        ),
        "out-cis-green-finance-access": ("project", "'CIS countries'"),
        "out-eurasec-centres-in-unido-network": ("project", "the EurAsEC countries' centres"),
        "out-eurasec-partner-network": ("project", "a network in the EurAsEC countries"),
        "out-eurasec-investment-flows": ("project", "a result for the EurAsEC countries"),
    },
    ("projects", "status"): {
        "prj-am-textile-phase-3": ("planned", "the programme's third stage, described as planned"),
        "prj-eaeu-industry40-innovation-platform": ("proposed", "at the concept stage in 2022"),
        "prj-by-learning-factories-modernization-centre": (
            "planned",
            "'the next stage of support consists in' creating the Center",
        ),
    },
    ("events", "format"): {
        "evt-eaeu-eec-unido-roadmap-work-2019": (
            "process",
            "the parties 'began working out' a roadmap",
        ),
        "evt-eaeu-eec-unido-tasks-2016": ("process", "tasks and steps defined at the end of 2016"),
        "evt-unido-established-1967": ("milestone", "the organisation's establishment"),
        "evt-unido-intib-established-1981": ("milestone", "the information bank's establishment"),
        "evt-unido-specialised-agency-1985": ("milestone", "UNIDO becomes a specialised agency"),
    },
    ("events", "actors_scheduled"): {
        "evt-gc19-2021": ("eec", "'the EEC delegation is scheduled to participate'"),
    },
    ("events", "actors_inferred"): {
        "evt-eaeu-idb43-2015": ("eec", "the decision concerns the EEC; its presence is not stated"),
        "evt-eaeu-roundtable-industry40-2022": ("eec", "only 'UNIDO experts took part'"),
    },
    ("events", "occasion"): {
        "evt-kz-dg-visit-expo-2017": ("kz-expo-2017", "the visit was to EXPO-2017"),
        "evt-kz-expo-2017": ("kz-expo-2017", "the exhibition the Director General visited"),
        "evt-kz-ministerial-energy-2017": ("kz-expo-2017", "'held simultaneously with' EXPO-2017"),
    },
}
# The new columns: (table, column) -> descriptor field (type, description, list or not).
COLUMNS: dict[tuple[str, str], dict] = {
    ("instruments", "status"): {
        "type": "string",
        "description": "actual (in force), planned, proposed, discussed or not-established.",
    },
    ("instruments", "relation"): {
        "type": "string",
        "description": "How the instrument relates to the organisation: party, reviewer, explicit "
        "(names it), general (only through a general formula such as 'the UN and its specialised "
        "agencies') or none.",
    },
    ("instruments", "role"): {
        "type": "string",
        "description": "Its role in the cooperation: organisation-agreement, organisation-programme "
        "(with the organisation), organisation-document (the organisation's own), state-document, "
        "union-document, union-programme (the union's yearly programme of activity), multilateral, "
        "other-agreement (between other parties).",
    },
    ("offices", "status"): {
        "type": "string",
        "description": "actual (open), planned, proposed, discussed or not-established.",
    },
    ("offices", "owner"): {
        "type": "string",
        "description": "organisation (its own office or centre) or national (a national centre it "
        "supports).",
    },
    ("outcomes", "status"): {
        "type": "string",
        "description": "actual (achieved) or planned, proposed, discussed, not-established.",
    },
    ("outcomes", "scope"): {
        "type": "string",
        "description": "state (the states the project names) or project (the whole project, "
        "including participants the data does not name).",
    },
    ("projects", "status"): {
        "type": "string",
        "description": "actual (carried out or under way), planned, proposed, discussed or "
        "not-established.",
    },
    ("events", "format"): {
        "type": "string",
        "description": "gathering (people met), process (a work process of the parties) or "
        "milestone (a date in an institution's history).",
    },
    ("events", "actors_scheduled"): {
        "type": "list",
        "description": "Actors of 'actors' only scheduled to take part, ';'-separated.",
    },
    ("events", "actors_inferred"): {
        "type": "list",
        "description": "Actors of 'actors' whose part is inferred, not stated, ';'-separated.",
    },
    ("events", "occasion"): {
        "type": "string",
        "description": "Events with the same value are one occasion; empty: an occasion of its own.",
    },
    ("countries", "union_membership"): {
        "type": "string",
        "description": "member, observer or former-member of the union (dates in union_member_from "
        "and union_member_until); empty for the union's own row.",
    },
}
LIST_KEYS = {("events", "actors_scheduled"), ("events", "actors_inferred")}
DROPPED = {("instruments", "mentions_organisation")}
# Status words in a name that the status column now says.
STATUS_IN_NAME = re.compile(r"\s*\((?:planned|proposed)\)\s*$")
NAME_FIELDS = {"offices": "name", "instruments": "title", "projects": "title"}
PROGRAMME_TYPES = {"framework-programme", "country-programme", "partnership-programme"}


class Context:
    """What the derivation rules need to know of the package: the organisation, its bodies, the
    union's code and the actors' types."""

    def __init__(self, data_dir: Path, organisation: str):
        self.organisation = organisation
        actors = read_csv(data_dir / "actors.csv")[1] if (data_dir / "actors.csv").exists() else []
        self.types = {a["id"]: a.get("type", "") for a in actors}
        self.bodies = {a["id"] for a in actors if a.get("type") == "organisation-body"}
        countries = read_csv(data_dir / "countries.csv")[1]
        self.unions = {c["code"] for c in countries if c.get("kind") == "union"}


def _items(value: str) -> list[str]:
    return [x for x in (value or "").split(";") if x]


def derive_instrument(row: dict, column: str, ctx: Context) -> str:
    """Rules for an instrument not listed in TYPED. status: actual. relation: party when the
    organisation is a party, explicit when the old ``mentions_organisation`` said yes, else none.
    role: with the organisation a party, its own document when no one else is (its bodies aside), a
    programme when its type is one, else an agreement; without it, a union document when it
    concerns the union only, multilateral without parties or with a UN-system or intergovernmental
    party, else the state's own document."""
    parties = set(_items(row.get("parties", "")))
    if column == "status":
        return "actual"
    if column == "relation":
        if ctx.organisation in parties:
            return "party"
        return "explicit" if row.get("mentions_organisation") == "yes" else "none"
    if ctx.organisation in parties:
        if not parties - {ctx.organisation} - ctx.bodies:
            return "organisation-document"
        if row.get("type") in PROGRAMME_TYPES:
            return "organisation-programme"
        return "organisation-agreement"
    countries = set(_items(row.get("countries", "")))
    if countries and countries <= ctx.unions:
        return "union-document"
    if not parties or any(ctx.types.get(p) in {"un-system", "intergovernmental"} for p in parties):
        return "multilateral"
    return "state-document"


def derive(table: str, column: str, row: dict, ctx: Context) -> str:
    """The value of a typed cell that neither TYPED nor the cell gives (rules in each branch)."""
    if table == "instruments":
        return derive_instrument(row, column, ctx)
    if column == "status":
        return "actual"
    if column == "owner":
        # The table is of the organisation's offices: its own unless said otherwise.
        return "organisation"
    if column == "scope":
        return "state"
    if column == "format":
        return "gathering"
    if column == "union_membership":
        if row.get("kind") == "union":
            return ""
        return "former-member" if row.get("union_member_until") else "member"
    return ""  # actors_scheduled, actors_inferred, occasion: none


# The seed's instrument type for the union's yearly programme of activity (issue 34): these rows
# take the role union-programme, by which the program finds the union's programme table, even where
# an earlier run filled union-document.
UNION_PROGRAMME_TYPE = "main-directions"


def typed_value(table: str, column: str, row: dict, ctx: Context) -> str:
    """The typed cell: the value TYPED holds, else the filled cell, else the derived value (the
    union's yearly programme, by its type, always union-programme)."""
    held = TYPED.get((table, column), {}).get(row.get("id", ""))
    if held:
        return held[0]
    if (table, column) == ("instruments", "role") and row.get("type") == UNION_PROGRAMME_TYPE:
        return "union-programme"
    if row.get(column):
        return row[column]
    return derive(table, column, row, ctx)


def migrate_table(path: Path, table: str, ctx: Context) -> None:
    """Add the typed columns of ``table`` (after ``id``-level columns, before ``description``),
    fill them, drop the replaced ones and take status words out of names."""
    header, rows = read_csv(path)
    old = list(header)
    new_cols = [c for (t, c) in COLUMNS if t == table]
    for row in rows:
        for col in new_cols:
            row[col] = typed_value(table, col, row, ctx)
        name = NAME_FIELDS.get(table)
        if name and row.get(name):
            row[name] = STATUS_IN_NAME.sub("", row[name])
    header = [h for h in header if (table, h) not in DROPPED]
    anchor = header.index("description") if "description" in header else len(header)
    if table == "countries":
        anchor = header.index("union_member_from") if "union_member_from" in header else anchor
    header[anchor:anchor] = [c for c in new_cols if c not in header]
    write_csv(path, header, rows, old)


def migrate_descriptor(descriptor: dict) -> None:
    """Declare the typed columns (after ``id`` columns, as in the CSV) and drop the replaced ones;
    list columns of actors get their item foreign key."""
    for res in descriptor["resources"]:
        table = res["name"]
        fields = res["schema"]["fields"]
        fields[:] = [f for f in fields if (table, f["name"]) not in DROPPED]
        names = [f["name"] for f in fields]
        for (t, col), spec in COLUMNS.items():
            if t == table and col in names:  # a column already typed: its description refreshed
                fields[names.index(col)]["description"] = spec["description"]
            if t != table or col in names:
                continue
            anchor = names.index("description") if "description" in names else len(names)
            if table == "countries":
                anchor = names.index("union_member_from")
            fields.insert(anchor, {"name": col, **spec})
            names.insert(anchor, col)
            if (t, col) in LIST_KEYS:
                res["schema"].setdefault("listForeignKeys", []).append(
                    {"fields": col, "reference": {"resource": "actors", "fields": "id"}}
                )


def _organisation(argv: list[str]) -> str:
    if "--organisation" in argv:
        return argv[argv.index("--organisation") + 1]
    config = Path(__file__).resolve().parent.parent / "config" / "config.yaml"
    match = re.search(r"^organisation:\s*(\S+)", config.read_text(encoding="utf-8"), re.M)
    return match.group(1) if match else ""


def main(argv: list[str]) -> int:
    """Migrate DATA_DIR (default: data): its descriptor and the CSV files it names."""
    args = [
        a
        for i, a in enumerate(argv)
        if a != "--organisation" and (i == 0 or argv[i - 1] != "--organisation")
    ]
    data_dir = Path(args[0] if args else "data")
    ctx = Context(data_dir, _organisation(argv))
    path = data_dir / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    migrate_descriptor(descriptor)
    for res in descriptor["resources"]:
        if any(t == res["name"] for (t, _) in COLUMNS):
            migrate_table(data_dir / res["path"], res["name"], ctx)
    path.write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
