"""Keys and references: identifiers and slugs that become names of files and anchors, foreign
keys that must resolve, labels a reader must tell apart.

Every primary key is an identifier (letters, digits, single hyphens; a source's id a citation
key), every slug is lower-case letters, digits and hyphens, at most :data:`SLUG_MAX` characters
and not a name Windows reserves, whatever the descriptor's patterns say.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from coopdocs.load.cells import visible
from coopdocs.load.descriptor import resource
from coopdocs.load.problems import Problem, Record

# A citation key: the id of a source or of a citing work, cited as ``@key`` in the documents'
# Markdown and in authored texts. The one definition: the loader checks ids against it, and
# coopdocs.render.markdown.cite, coopdocs.load.authored and coopdocs.describe.trace find keys by it.
# A letter, then letters and digits, single hyphens inside: a key pandoc, citeproc and Typst
# labels all take as one word.
CITATION_KEY = r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*"
# Tables whose ids are citation keys.
CITABLE = ("sources", "publications")
# Values that become names of files and anchors, checked whatever the descriptor's patterns say.
_IDENTIFIER = re.compile(r"[A-Za-z0-9]+(-[A-Za-z0-9]+)*")  # coopdocs.render.markdown.anchor
_CITE_KEY = re.compile(CITATION_KEY)
_SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
SLUG_MAX = 100
IDENTIFIER_MAX = 200
_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(10)),
    *(f"lpt{i}" for i in range(10)),
}
# Labels shown as the rows and columns of tables and figures: two that look the same would be
# two rows a reader cannot tell apart.
LABEL_FIELDS = {"themes": "label", "countries": "name"}


def check_name(
    table: str, fname: str, value: Any, shown: str, line: int, problems: list[Problem]
) -> bool:
    """Values that become file names (slugs) and identifiers, whatever the descriptor's patterns say."""
    text = str(value)
    if fname == "slug":
        fits = len(text) <= SLUG_MAX and _SLUG.fullmatch(text) and text not in _RESERVED
        message = "cannot be a file name"
        expected = (
            f"lower-case letters, digits and single hyphens, at most {SLUG_MAX} characters, "
            "not a name Windows reserves (con, nul, com1, ...)"
        )
    elif table in CITABLE:
        fits = len(text) <= IDENTIFIER_MAX and _CITE_KEY.fullmatch(text)
        message = "cannot be an identifier"
        expected = "a citation key: a letter, then letters, digits and single hyphens"
    else:
        fits = len(text) <= IDENTIFIER_MAX and _IDENTIFIER.fullmatch(text)
        message = "cannot be an identifier"
        expected = f"letters, digits and single hyphens, at most {IDENTIFIER_MAX} characters"
    if not fits:
        problems.append(Problem(shown, line, fname, text, message, expected))
    return bool(fits)


def references(descriptor: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """Every reference the descriptor declares, list fields' too: (table, field, target table,
    target field); a reference to '' is one to its own table."""
    return [
        (
            res["name"],
            fk["fields"],
            fk["reference"]["resource"] or res["name"],
            fk["reference"]["fields"],
        )
        for res in descriptor["resources"]
        for fk in res["schema"].get("foreignKeys", []) + res["schema"].get("listForeignKeys", [])
    ]


def empty_tables(
    descriptor: dict[str, Any], checked: dict[str, list[Record]], shown_of: dict[str, str]
) -> list[Problem]:
    """One root problem for each table without rows that other records refer to (its ``value``
    is the table's name): the references into it are then not listed one by one."""
    problems = []
    for name, fname, target, _ in references(descriptor):
        if checked.get(target) or target not in shown_of:
            continue
        if not any(r.get(fname) for r in checked.get(name, [])):
            continue
        if any(p.value == target for p in problems):
            continue
        problems.append(
            Problem(
                shown_of[target],
                0,
                "",
                target,
                f"the table has no rows, but {name}.{fname} refers to it",
                "a row for every value referred to",
                root=True,
            )
        )
    return problems


def reference_problems(
    descriptor: dict[str, Any],
    keys: dict[str, set],
    tables: dict[str, list[Record]],
    checked: dict[str, list[Record]],
    shown_of: dict[str, str],
    broken: set[str],
) -> list[Problem]:
    """A problem for every reference that does not resolve (list fields item by item), except
    into a table in ``broken`` (its rows could not be read: that problem is reported already)."""
    problems = []
    for name, fname, target, tkey in references(descriptor):
        if target in broken:
            continue
        target_pk = resource(descriptor, target)["schema"]["primaryKey"]
        known = (
            keys.get(target, set())
            if tkey == target_pk
            else {r[tkey] for r in tables.get(target, [])}
        )
        hint = ", ".join(sorted(map(str, known))[:12]) + (" ..." if len(known) > 12 else "")
        for record in checked[name]:
            value = record.get(fname)
            items = value if isinstance(value, list) else ([] if value is None else [value])
            problems += [
                Problem(
                    shown_of[name],
                    record["_line"],
                    fname,
                    str(item),
                    f"does not match any {tkey!r} in {target}.csv",
                    f"one of {hint}" if known else f"a row in {target}.csv",
                )
                for item in items
                if item not in known
            ]
    return problems


def look_alike_labels(checked: dict[str, list[Record]], shown_of: dict[str, str]) -> list[Problem]:
    """A problem for each label (:data:`LABEL_FIELDS`) that is another's after NFKC, case folding
    and without invisible characters ('Ｅｎｅｒｇｙ', 'energy\u200b' and 'Energy')."""
    problems = []
    for table, fname in sorted(LABEL_FIELDS.items()):
        seen: dict[str, Record] = {}
        for record in checked.get(table, []):
            label = record.get(fname)
            if not isinstance(label, str) or not visible(label):
                continue
            key = " ".join(unicodedata.normalize("NFKC", visible(label)).casefold().split())
            if key in seen:
                problems.append(
                    Problem(
                        shown_of[table],
                        record["_line"],
                        fname,
                        label,
                        f"looks the same as line {seen[key]['_line']}'s {seen[key][fname]!r}",
                        "a label a reader can tell apart from every other",
                    )
                )
            else:
                seen[key] = record
    return problems
