"""Numbers a document gives its record marks and citations, compared between two versions.

With the data's numbering register (coopdocs.load.register) both versions give a record or
source the same number, so nothing here finds a renumbering unless the register itself changed.
Without one, a document numbers them by itself: ``templates/filters/records.lua`` numbers the provenance
appendix's entries in document order ("R12"), citeproc numbers the sources in order of first
citation ("[12]"). A record or source added or removed in a version moves the numbers after it,
although nothing changed for those records and sources. The redline keeps such number-only
changes out of its tracked changes (an editor sees the real edits only): it shows every number as
the new version does, untracked (:func:`pin_marks`; the redline's alignment compares a citation by
the sources it cites and a reference entry without its number). Accepting every change therefore
gives the new version exactly; rejecting every change gives the old version except for the
renumbered marks and citations, which keep their new numbers. The change report lists those,
per document, as runs ``old → new`` (:func:`renumbered`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from coopdocs.render.markdown import RECORD_NUMBER

# The appendix entries records.lua numbers: spans whose identifier is "prov-" and an identifier.
ENTRY = re.compile(r"^prov-[A-Za-z0-9-]+$")
FORM_ATTRIBUTE = "record-mark"
# The class of the number before each entry of citeproc's reference list.
REFERENCE_NUMBER = "csl-left-margin"


def _elements(node: Any) -> Iterator[dict]:
    """Every AST element under ``node``, in document order (an element before its content)."""
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, list):
            stack.extend(reversed(n))
        elif isinstance(n, dict) and "t" in n:
            yield n
            if isinstance(n.get("c"), list):
                stack.append(n["c"])


def entry_numbers(ast: dict) -> dict[str, int]:
    """The number records.lua gives each provenance entry of a document: the number it states
    (``record-number``: the numbering register's), else its first occurrence's position among
    the entries, in document order (``{"prov-prj-x": 12}``)."""
    numbers: dict[str, int] = {}
    for el in _elements(ast.get("blocks", [])):
        if el["t"] == "Span" and ENTRY.match(el["c"][0][0]) and el["c"][0][0] not in numbers:
            stated = dict(el["c"][0][2]).get(RECORD_NUMBER, "")
            numbers[el["c"][0][0]] = int(stated) if stated.isdigit() else len(numbers) + 1
    return numbers


def mark_form(ast: dict) -> str | None:
    """The record marks' form a document declares ("R{n}"), None when it declares none."""
    for el in _elements(ast.get("blocks", [])):
        if el["t"] == "Header":
            form = dict(el["c"][1][2]).get(FORM_ATTRIBUTE)
            if form:
                return form
    return None


def pin_marks(merged: dict, old: dict, new: dict) -> dict:
    """``merged`` (a redline) with each provenance entry's number fixed to the new version's (the
    old version's for an entry only the old one has), so that records.lua numbers the redline's
    marks as the versions do, not by the redline's own appendix of old and new entries."""
    numbers = {**entry_numbers(old), **entry_numbers(new)}
    for el in _elements(merged.get("blocks", [])):
        if el["t"] == "Span" and el["c"][0][0] in numbers:
            attr = el["c"][0]
            kv = [kv for kv in attr[2] if kv[0] != RECORD_NUMBER]
            el["c"][0] = [attr[0], attr[1], [*kv, [RECORD_NUMBER, str(numbers[attr[0]])]]]
    return merged


def citation_numbers(ast: dict) -> dict[str, int]:
    """The number of each source in a document's reference list (``{"ref045": 12}``), read from
    citeproc's entries (``ref-<key>``, headed by the number)."""
    numbers: dict[str, int] = {}
    for el in _elements(ast.get("blocks", [])):
        if el["t"] != "Div" or not el["c"][0][0].startswith("ref-"):
            continue
        for inner in _elements(el["c"][1]):
            if inner["t"] == "Span" and REFERENCE_NUMBER in inner["c"][0][1]:
                digits = re.search(r"\d+", _text(inner["c"][1]))
                if digits:
                    numbers[el["c"][0][0][len("ref-") :]] = int(digits.group())
                break
    return numbers


def _text(inlines: list) -> str:
    return "".join(el["c"] for el in _elements(inlines) if el["t"] == "Str")


def runs(pairs: list[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
    """Renumberings ``(old, new)`` as runs ``(first old, last old, first new, last new)`` of
    consecutive numbers moved by the same amount.

    >>> runs([(5, 6), (3, 4), (4, 5), (9, 9), (10, 12)])
    [(3, 5, 4, 6), (10, 10, 12, 12)]
    """
    out: list[list[int]] = []
    for a, b in sorted(p for p in pairs if p[0] != p[1]):
        if out and a == out[-1][1] + 1 and b == out[-1][3] + 1:
            out[-1][1], out[-1][3] = a, b
        else:
            out.append([a, a, b, b])
    return [(r[0], r[1], r[2], r[3]) for r in out]


def renumbered(old: dict, new: dict) -> dict[str, Any]:
    """What the redline of ``old`` → ``new`` shows renumbered, untracked: the record marks and
    the citations of records and sources in both versions whose number differs, as :func:`runs`,
    with the marks' form."""
    marks_old, marks_new = entry_numbers(old), entry_numbers(new)
    cites_old, cites_new = citation_numbers(old), citation_numbers(new)
    return {
        "form": mark_form(new) or mark_form(old) or "{n}",
        "marks": runs([(marks_old[k], marks_new[k]) for k in marks_old.keys() & marks_new.keys()]),
        "citations": runs(
            [(cites_old[k], cites_new[k]) for k in cites_old.keys() & cites_new.keys()]
        ),
    }
