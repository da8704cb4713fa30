"""Migrate a data package to the generic schema of issue 16 (idempotent: run it again at will).

Run:  .venv/bin/python tools/migrate_schema_16.py [DATA_DIR]     (default: data)

What it does, to ``datapackage.json`` and to the CSV files it names:

* ``countries.unido_member_since`` -> ``organisation_member_since``; new columns
  ``union_member_from`` and ``union_member_until`` (ISO dates, empty by default); country codes
  are any 2-4 capital letters (the union's code is data).
* ``instruments.mentions_unido`` -> ``mentions_organisation``, ``unido_mention`` ->
  ``organisation_mention``.
* ``sources.kind`` ``unido-document`` -> ``organisation-document``, ``eaeu-document`` ->
  ``union-document``; ``sources.section`` becomes free text.
* ``actors.type`` ``unido-body`` -> ``organisation-body``.
* ``roles.body`` names an actor (a foreign key to ``actors``) instead of an enum of one
  organisation's bodies: ``general-conference``, ``industrial-development-board`` and
  ``programme-and-budget-committee`` become the actors ``unido-gc``, ``unido-idb`` and
  ``unido-pbc`` (the last two are added to actors.csv when missing, citing the sources of the
  roles that name them).
* ``publications.reference_list``: whether the work's reference list survives in full or only as
  numbers (the seed's article: ``numbers-only``).
* Foreign keys on list fields move from ``foreignKeys`` (which Table Schema defines for single
  values only; frictionless-py crashes on them) to the custom schema property
  ``listForeignKeys``, which coopdocs checks item by item.
* Descriptions that named UNIDO or the EAEU are worded for any organisation and union.

Columns are renamed wherever they are, other columns (added by other changes) are kept as they
are, so the script can run again on a package that has been edited since.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

DATE = "^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"
RENAMED_COLUMNS = {
    "countries": {"unido_member_since": "organisation_member_since"},
    "instruments": {
        "mentions_unido": "mentions_organisation",
        "unido_mention": "organisation_mention",
    },
}
RENAMED_VALUES = {
    ("sources", "kind"): {
        "unido-document": "organisation-document",
        "eaeu-document": "union-document",
    },
    ("actors", "type"): {"unido-body": "organisation-body"},
    ("roles", "body"): {
        "general-conference": "unido-gc",
        "industrial-development-board": "unido-idb",
        "programme-and-budget-committee": "unido-pbc",
    },
}
# Bodies that roles.csv named by an enum value and that become actors.
NEW_BODIES = [
    {
        "id": "unido-idb",
        "name": "Industrial Development Board of UNIDO",
        "short_name": "Industrial Development Board",
        "type": "organisation-body",
        "country": "",
        "description": "UNIDO governing body on which member states hold elected terms.",
        "note": "The article calls it the 'Industrial Development Council'.",
    },
    {
        "id": "unido-pbc",
        "name": "Programme and Budget Committee of UNIDO",
        "short_name": "Programme and Budget Committee",
        "type": "organisation-body",
        "country": "",
        "description": "UNIDO committee on which member states hold elected terms.",
        "note": "The article calls it the 'Committee on Budget and Program Issues'.",
    },
]
FIELD_TEXT = {
    ("countries", "code"): (
        "Code of the state (ISO 3166-1 alpha-2 where there is one) or of the union: 2 to 4 "
        "capital letters.",
        "^[A-Z]{2,4}$",
    ),
    ("countries", "kind"): ("Member state or the union.", None),
    ("countries", "organisation_member_since"): (
        "Date membership of the organisation began (ISO 8601, year precision allowed).",
        DATE,
    ),
    ("countries", "cooperation_since"): (
        "Date cooperation with the organisation began (ISO 8601, year precision allowed).",
        DATE,
    ),
    ("instruments", "mentions_organisation"): (
        "For the union's yearly main directions of activity: whether it "
        "names the organisation ('yes', 'no'); empty otherwise.",
        None,
    ),
    ("instruments", "organisation_mention"): (
        "How the instrument mentions the organisation, in our own words.",
        None,
    ),
    ("roles", "body"): ("The body (actors.csv) on which the role was held.", None),
    ("sources", "section"): ("Section of the citing work where it is cited (free text).", None),
}
COUNTRY_LIST = (
    "Country codes (countries.csv) the record concerns, ';'-separated; the union's code for the union "
    "level; empty for the organisation's own framework documents and events that concern no member "
    "state in particular."
)
RESOURCE_TEXT = {
    "countries": (
        "Countries and the union",
        "The member states (and the union itself, kind 'union') whose "
        "cooperation the data describes; one brief each.",
    ),
    "roles": (
        "Roles in the organisation's bodies",
        "Terms a country held on the organisation's governing bodies, and offices held.",
    ),
    "offices": (
        "Offices and centres of the organisation",
        "The organisation's offices, centres and networks located in a country.",
    ),
    "instruments": (
        "Instruments",
        "Legal, political and programmatic instruments: agreements, protocols, memoranda, "
        "joint statements, programmes, decrees, strategies, the union's main directions of activity.",
    ),
    "contributions": (
        "Financial contributions",
        "Money a state gives to the organisation or through it, outside single projects.",
    ),
}
UNION_FIELDS = [
    {
        "name": "union_member_from",
        "type": "string",
        "description": "Date the state joined the union (ISO 8601, year precision allowed); empty when not recorded.",
        "constraints": {"pattern": DATE},
    },
    {
        "name": "union_member_until",
        "type": "string",
        "description": "Date the state left the union (ISO 8601, year precision allowed); empty while it is a member.",
        "constraints": {"pattern": DATE},
    },
]
REFERENCE_LIST = {
    "name": "reference_list",
    "type": "string",
    "description": "Whether the work's reference list survives in full ('full') or only as numbers ('numbers-only').",
    "constraints": {"required": True, "enum": ["full", "numbers-only"]},
}


class Row(dict):
    """A CSV row that remembers its text as read, so that an unchanged row is written back unchanged."""

    raw: str = ""
    original: list[str] = []


def read_csv(path: Path) -> tuple[list[str], list[Row]]:
    """Header and rows of a CSV file (each row with its original text)."""
    text = path.read_text(encoding="utf-8-sig")
    lines = text.splitlines(keepends=True)
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] = []
    rows: list[Row] = []
    start = 0
    for cells in reader:
        raw = "".join(lines[start : reader.line_num])
        start = reader.line_num
        if not header:
            header = cells
            continue
        row = Row(zip(header, cells))
        row.raw = raw if raw.endswith("\n") else raw + "\n"
        row.original = list(cells)
        rows.append(row)
    return header, rows


def _line(cells: list[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(cells)
    return buf.getvalue()


def write_csv(
    path: Path, header: list[str], rows: list[Row], old_header: list[str] | None = None
) -> None:
    """Write rows as CSV (LF line ends, minimal quoting); a row whose cells did not change keeps its text."""
    out = [_line(header)]
    for row in rows:
        raw = getattr(row, "raw", "")
        if raw and header == old_header and [row.get(h, "") for h in header] == row.original:
            out.append(raw)
        else:
            out.append(_line([row.get(h, "") for h in header]))
    text = "".join(out)
    if path.read_text(encoding="utf-8-sig") != text:
        path.write_text(text, encoding="utf-8")


def _field(resource: dict, name: str) -> dict | None:
    return next((f for f in resource["schema"]["fields"] if f["name"] == name), None)


def migrate_descriptor(descriptor: dict) -> None:
    """Apply the schema changes to the descriptor in place."""
    resources = {r["name"]: r for r in descriptor["resources"]}
    for table, renames in RENAMED_COLUMNS.items():
        for f in resources[table]["schema"]["fields"]:
            f["name"] = renames.get(f["name"], f["name"])
    countries = resources["countries"]["schema"]["fields"]
    if not any(f["name"] == "union_member_from" for f in countries):
        at = (
            next(i for i, f in enumerate(countries) if f["name"] == "organisation_member_since") + 1
        )
        countries[at:at] = [dict(f) for f in UNION_FIELDS]
    publications = resources["publications"]["schema"]["fields"]
    if not any(f["name"] == "reference_list" for f in publications):
        at = next(i for i, f in enumerate(publications) if f["name"] == "language") + 1
        publications.insert(at, dict(REFERENCE_LIST))
    for (table, column), mapping in RENAMED_VALUES.items():
        cons = _field(resources[table], column).get("constraints", {})
        if "enum" in cons:
            cons["enum"] = list(dict.fromkeys(mapping.get(v, v) for v in cons["enum"]))
    body = _field(resources["roles"], "body")
    body.get("constraints", {}).pop("enum", None)
    _field(resources["sources"], "section").get("constraints", {}).pop("enum", None)
    for (table, column), (text, pattern) in FIELD_TEXT.items():
        spec = _field(resources[table], column)
        spec["description"] = text
        if pattern:
            spec.setdefault("constraints", {})["pattern"] = pattern
    for table in ("instruments", "events", "facts"):
        if table in resources:
            _field(resources[table], "countries")["description"] = COUNTRY_LIST
    _field(resources["projects"], "countries")["description"] = (
        "Country codes (countries.csv) the record concerns, ';'-separated; the union's code for the union level."
    )
    for name, (title, text) in RESOURCE_TEXT.items():
        resources[name]["title"], resources[name]["description"] = title, text
    for res in descriptor["resources"]:
        schema = res["schema"]
        lists = {f["name"] for f in schema["fields"] if f.get("type") == "list"}
        keys = schema.get("foreignKeys", [])
        if res["name"] == "roles" and not any(fk["fields"] == "body" for fk in keys):
            keys.insert(1, {"fields": "body", "reference": {"resource": "actors", "fields": "id"}})
        moved = [fk for fk in keys if fk["fields"] in lists]
        schema["foreignKeys"] = [fk for fk in keys if fk["fields"] not in lists]
        if moved:
            known = schema.setdefault("listForeignKeys", [])
            known += [fk for fk in moved if fk not in known]
        # Keep the schema's keys in the usual order: fields, primaryKey, foreignKeys, listForeignKeys, missingValues.
        order = ["fields", "primaryKey", "foreignKeys", "listForeignKeys", "missingValues"]
        res["schema"] = {k: schema[k] for k in order if k in schema} | {
            k: v for k, v in schema.items() if k not in order
        }


def migrate_tables(data_dir: Path, descriptor: dict) -> None:
    """Apply the column renames, the new columns and the value renames to the CSV files."""
    paths = {r["name"]: data_dir / r["path"] for r in descriptor["resources"]}
    for table, path in paths.items():
        if not path.is_file():
            continue
        old_header, rows = read_csv(path)
        renames = RENAMED_COLUMNS.get(table, {})
        header = [renames.get(h, h) for h in old_header]
        for r in rows:
            for old, new in renames.items():
                if old in r:
                    r[new] = r.pop(old)
        if table == "countries" and "union_member_from" not in header:
            at = header.index("organisation_member_since") + 1
            header[at:at] = ["union_member_from", "union_member_until"]
        if table == "publications" and "reference_list" not in header:
            header.insert(header.index("language") + 1, "reference_list")
            for r in rows:
                # The seed's article: its reference list survives only as numbers 1 to 139.
                r["reference_list"] = "numbers-only"
        for (t, column), mapping in RENAMED_VALUES.items():
            if t == table:
                for r in rows:
                    r[column] = mapping.get(r[column], r[column])
        write_csv(path, header, rows, old_header)
    _add_bodies(paths)


def _add_bodies(paths: dict[str, Path]) -> None:
    """Add the bodies that roles.csv names and actors.csv lacks, citing the roles' sources."""
    _, roles = read_csv(paths["roles"])
    header, actors = read_csv(paths["actors"])
    known = {a["id"] for a in actors}
    for body in NEW_BODIES:
        naming = [r for r in roles if r["body"] == body["id"]]
        if body["id"] in known or not naming:
            continue
        sources = sorted({s for r in naming for s in r["sources"].split(";") if s})
        added = {"sources": ";".join(sources)}
        if not sources and "source_note" in header:
            # A record without sources says where the citing work names the body (issue 18's rule).
            notes = sorted({r.get("source_note", "") for r in naming if r.get("source_note")})
            added["source_note"] = (
                " ".join(notes) or "Named by the roles on this body; no reference number is given."
            )
        actors.append(
            Row({h: "" for h in header} | {k: v for k, v in body.items() if k in header} | added)
        )
    actors.sort(key=lambda a: a["id"])
    write_csv(paths["actors"], header, actors, header)


def main(argv: list[str]) -> int:
    """Migrate the package in ``argv[0]`` (default ``data``)."""
    data_dir = Path(argv[0] if argv else "data")
    path = data_dir / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    migrate_descriptor(descriptor)
    path.write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    migrate_tables(data_dir, descriptor)
    print(f"migrated {data_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
