"""Editorial notes (the ``note`` and ``*_note`` columns, printed for readers): a note may not hold a
bracketed number, which a document's reader takes for its own citation, nor a field, file or
record name of the package (issue 17).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

from coopdocs.load.problems import Problem, Record

# A bracket holding reference numbers, the article's own way of citing: "[34]", "[28-31]",
# "[106; 106]", "[34, pp. 127-136; 35]" (numbers, separators and page marks only, so that "[^1]"
# or "[x2]" in a note is left alone).
_BRACKETED_NUMBER = re.compile(r"\[\s*\d[\d\s,;.p–-]*\]")  # one character class: linear time
# A file name of the kind a data package is made of.
_FILE_NAME = re.compile(r"(?<![\w-])[\w-]+\.(?:csv|json|ya?ml|md|j2)\b")
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[_-][A-Za-z0-9]+)*")


def is_note_field(name: str) -> bool:
    """Whether a column holds an editorial note a reader sees (``note``, ``source_note`` ...).

    >>> is_note_field("note"), is_note_field("source_note"), is_note_field("notes_count")
    (True, True, False)
    """
    return name == "note" or name.endswith("_note")


def _unreadable_in_note(
    text: str, machine_fields: set[str], files: set[str], ids: set[str]
) -> list[tuple[str, str, str]]:
    """What in one note only the data's makers understand: (value, message, expected) each."""
    found = [
        (
            m.group(0),
            "an editorial note gives a reference number in brackets, which reads as the "
            "document's own citation",
            'the number spelled out, e.g. "the article\'s reference 34"',
        )
        for m in _BRACKETED_NUMBER.finditer(text)
    ]
    named = {m.group(0) for m in _FILE_NAME.finditer(text)} | {f for f in files if f in text}
    found += [
        (name, "an editorial note names a data file", "words a reader can follow")
        for name in sorted(named)
    ]
    for token in dict.fromkeys(m.group(0) for m in _TOKEN.finditer(text)):
        if token in machine_fields:
            found.append(
                (token, "an editorial note names a data field", "words a reader can follow")
            )
        elif token in ids:
            found.append(
                (
                    token,
                    "an editorial note names a record by its identifier",
                    "the record's name or title",
                )
            )
    return found


def note_problems(
    descriptor: dict[str, Any], tables: dict[str, list[Record]], shown_of: dict[str, str]
) -> list[Problem]:
    """Editorial notes that speak to the data's editors instead of the reader (issue 17).

    The briefs and the review print the notes (``note``, ``*_note`` columns) as they stand, so a
    note may not contain what only the data's makers understand or what misleads a reader:

    * a bracketed number ("[34]", "[28-31]"): in a document it reads as the document's own
      citation and points at another entry of its reference list; spell it out ("the article's
      reference 34");
    * a field name of the package with an underscore (``cooperation_since``), a file name
      (``contributions.csv``) or a record's identifier (``prj-by-x``, ``ref028``).

    Each problem names file, line, field and the offending value.
    """
    fields = {f["name"] for r in descriptor["resources"] for f in r["schema"]["fields"]}
    machine_fields = {f for f in fields if "_" in f}
    files = {PurePosixPath(r["path"]).name for r in descriptor["resources"]}
    # Identifiers that cannot be ordinary words: with a hyphen, or letters followed by digits.
    ids = set()
    for r in descriptor["resources"]:
        key = r["schema"].get("primaryKey")
        for record in tables.get(r["name"], []):
            value = str(record.get(key) or "")
            if "-" in value or re.fullmatch(r"[A-Za-z]+[0-9]+", value):
                ids.add(value)
    problems = []
    for res in descriptor["resources"]:
        notes = [f["name"] for f in res["schema"]["fields"] if is_note_field(f["name"])]
        for record in tables.get(res["name"], []):
            for fname in notes:
                where = (shown_of[res["name"]], record["_line"], fname)
                for value, message, expected in _unreadable_in_note(
                    str(record.get(fname) or ""), machine_fields, files, ids
                ):
                    problems.append(Problem(*where, value, message, expected))
    return problems
