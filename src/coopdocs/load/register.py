"""The numbering register: the number each source and each record has in each document.

Without a register a document numbers its citations (citeproc, in order of first citation) and
its record marks (templates/filters/records.lua, in the order of its provenance appendix) from 1,
so one added source or record moves every number after it, and a redline between two versions
shows those moved numbers although nothing changed for their sources and records (issue 33).
The register (``numbering.json`` beside ``datapackage.json``, :data:`coopdocs.layout.NUMBERING`)
fixes the numbers:

    {"<document key>": {"records": {"<record id>": 12, ...}, "sources": {"<source id>": 3, ...}}}

A document's key is its layout key (``briefs/armenia``, ``tables/tables``, ``review/review``).
A build numbers a document's records and sources by its entry; one the entry lacks gets the next
number after the largest the entry gives, in reading order (an added source is [140] and the
others keep theirs); an entry's number for a record or source the document no longer has is
unused (a gap). ``coopdocs number`` writes the register from a build in reading order (1..n per
document, no gaps); ``coopdocs number --check`` says whether it is complete and compact.

Problems are :class:`~coopdocs.load.problems.Problem` s, all found in one pass: a number that is
not a positive whole number and a number given twice in one document's records (or sources) are
errors (the build stops: two records cannot share a mark); a document key no document of the data
has is a warning (a state removed from the data leaves its brief's entry unused, like a removed
record's number).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from coopdocs import layout
from coopdocs.load.problems import Problem

KINDS = ("records", "sources")

# What a register holds: {document key: {"records": {id: n}, "sources": {id: n}}}.
Register = dict[str, dict[str, dict[str, int]]]


def register_path(data_dir: str | Path) -> Path:
    """The register file of the data package in ``data_dir`` (whether or not it exists)."""
    return Path(data_dir) / layout.NUMBERING


def _entry_problems(where: str, key: str, entry: Any) -> tuple[dict[str, dict[str, int]], list]:
    """One document's entry checked: its valid numbers and the problems of the rest."""
    problems: list[Problem] = []
    if not isinstance(entry, dict):
        problems.append(
            Problem(where, 0, key, str(entry)[:80], "not an object", "records, sources")
        )
        return {}, problems
    clean: dict[str, dict[str, int]] = {}
    for kind in KINDS:
        numbers = entry.get(kind) or {}
        if not isinstance(numbers, dict):
            problems.append(Problem(where, 0, f"{key}/{kind}", str(numbers)[:80], "not an object"))
            continue
        seen: dict[int, str] = {}
        clean[kind] = {}
        for ident, n in sorted(numbers.items()):
            field = f"{key}/{kind}/{ident}"
            if isinstance(n, bool) or not isinstance(n, int) or n < 1:
                problems.append(
                    Problem(where, 0, field, str(n), "not a number", "a whole number ≥ 1")
                )
            elif n in seen:
                message = f"number used twice in {key} (also {kind}/{seen[n]})"
                problems.append(Problem(where, 0, field, str(n), message, "one number per id"))
            else:
                seen[n] = ident
                clean[kind][ident] = n
    for extra in sorted(set(entry) - set(KINDS)):
        problems.append(Problem(where, 0, f"{key}/{extra}", "", "unknown key", "records, sources"))
    return clean, problems


def load_register(data_dir: str | Path, documents: list[str]) -> tuple[Register | None, list]:
    """The register of the data package in ``data_dir`` (None when it has none) and its problems.

    ``documents``: the keys of the documents this data makes (an entry for another is a warning).
    The register returned holds only the valid numbers; with any error the build must stop.
    """
    path = register_path(data_dir)
    if not path.is_file():
        return None, []
    where = str(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, [Problem(where, getattr(exc, "lineno", 0), "", "", f"cannot be read: {exc}")]
    if not isinstance(raw, dict):
        return None, [Problem(where, 0, "", "", "not an object", "{document: {records, sources}}")]
    register: Register = {}
    problems: list[Problem] = []
    for key, entry in sorted(raw.items()):
        register[key], found = _entry_problems(where, key, entry)
        problems += found
        if key not in documents:
            problems.append(
                Problem(
                    where, 0, key, "", "no document of the data has this key", severity="warning"
                )
            )
    return register, problems


def register_for(data_dir: str | Path, slugs: list[str]) -> tuple[Register | None, list]:
    """:func:`load_register` for the documents a data package with briefs ``slugs`` makes."""
    return load_register(data_dir, [d.key for d in layout.documents(sorted(slugs))])


def assign(numbers: dict[str, int], ids: list[str]) -> dict[str, int]:
    """The number of each of ``ids`` (in reading order) by ``numbers`` (a document's register
    entry for one kind): its own, or for one it lacks the next after the largest it gives.

    >>> assign({"a": 2, "b": 5}, ["c", "b", "d", "a"])
    {'c': 6, 'b': 5, 'd': 7, 'a': 2}
    """
    top = max(numbers.values(), default=0)
    out: dict[str, int] = {}
    for ident in ids:
        if ident in numbers:
            out[ident] = numbers[ident]
        else:
            top += 1
            out[ident] = top
    return out


def compact(reading: dict[str, dict[str, list[str]]]) -> Register:
    """The register that numbers every document's records and sources 1..n in reading order
    (``reading``: {document key: {"records": [ids], "sources": [ids]}}): ``coopdocs number``."""
    return {
        key: {kind: {ident: i for i, ident in enumerate(ids[kind], 1)} for kind in KINDS}
        for key, ids in reading.items()
    }


def dumps(register: Register) -> str:
    """The register as its file holds it: JSON, keys sorted, one number a line (stable diffs)."""
    return json.dumps(register, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def check(
    register: Register | None, reading: dict[str, dict[str, list[str]]], order: bool = True
) -> list[str]:
    """What keeps ``register`` from being the compact register of ``reading`` (empty: it is),
    one line a document and kind: ids it lacks, ids no longer used, gaps and order.

    ``order`` False: the numbers need only be 1..n, in any order (another edition of the same
    documents, e.g. another language, may cite its sources in another order than the one the
    register was numbered from).
    """
    if register is None:
        return ["no register: run coopdocs number"]
    lines = []
    for key in sorted(set(register) - set(reading)):
        lines.append(f"{key}: no such document (entry unused)")
    for key, ids in sorted(reading.items()):
        entry = register.get(key, {})
        for kind in KINDS:
            given, wanted = entry.get(kind, {}), ids[kind]
            missing = [i for i in wanted if i not in given]
            unused = sorted(set(given) - set(wanted))
            if missing:
                lines.append(f"{key}: {kind} not numbered: {', '.join(missing)}")
            if unused:
                lines.append(f"{key}: {kind} numbered but unused: {', '.join(unused)}")
            if missing or unused:
                continue
            if order and given != compact({key: ids})[key][kind]:
                lines.append(f"{key}: {kind} not numbered 1..{len(wanted)} in reading order")
            elif not order and sorted(given.values()) != list(range(1, len(wanted) + 1)):
                lines.append(f"{key}: {kind} not numbered 1..{len(wanted)}: a gap")
    return lines


def number_provenance(provenance: dict[str, Any], entry: dict[str, dict[str, int]]) -> None:
    """Give each record of a document's provenance appendix (in reading order) its number by the
    document's register ``entry`` (``number``) and order the appendix by number; records.lua
    then heads each entry, and numbers each mark, with it (the attribute ``record-number``)."""
    records = provenance["records"]
    numbers = assign(entry.get("records", {}), [str(e["id"]) for e in records])
    for e in records:
        e["number"] = numbers[str(e["id"])]
    records.sort(key=lambda e: e["number"])


# The CSL variable that carries a source's register number into citeproc: the style's
# bibliography sorts by it (then by first citation), so that citeproc's citation-number, its
# position in the reference list, is the register's number. The style prints no such variable.
SORT_VARIABLE = "number-of-volumes"
# Placeholders fill the register's unused numbers (a removed source), so that the positions after
# them keep their numbers; the citations filter (templates/filters/citations.lua) lists every
# item and then drops each entry no citation names, the placeholders with them.
GAP_PREFIX = "numbering-gap-"


def number_bibliography(items: list[dict[str, Any]], entry: dict[str, dict[str, int]]) -> None:
    """Give each CSL item of a document's bibliography that the register ``entry`` numbers its
    number (:data:`SORT_VARIABLE`) and add a placeholder for every number up to the largest that
    no item carries. An item the entry lacks is placed after them, in order of first citation."""
    numbers = entry.get("sources", {})
    used = set()
    for item in items:
        if item["id"] in numbers:
            item[SORT_VARIABLE] = numbers[item["id"]]
            used.add(numbers[item["id"]])
    for n in range(1, max(numbers.values(), default=0) + 1):
        if n not in used:
            items.append({"id": f"{GAP_PREFIX}{n}", "type": "document", SORT_VARIABLE: n})
