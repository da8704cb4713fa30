"""One cell of a table: its text normalised and checked, then converted to its typed value.

Text normalisation (documented in the README): a leading BOM is dropped (coopdocs.load.rows), text
is NFC normalised, U+2028/U+2029 and runs of whitespace become one space and cells are stripped.
Control characters, Unicode non-characters and bidirectional overrides are refused.
"""

from __future__ import annotations

import calendar
import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from coopdocs.load.patterns import PATTERN_SECONDS, PATTERNS
from coopdocs.load.problems import Problem

# C0/C1 controls except TAB, LF and CR (which are whitespace and get normalised).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Bidirectional embedding/override/isolate controls: they reorder what a reader sees (the
# "Trojan Source" family), so a data file may not contain them.
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
# Unicode non-characters (U+FDD0..U+FDEF and the last two code points of every plane): XML may
# not contain them, so pandoc silently drops them from a DOCX; reject them instead.
_NONCHAR = re.compile(
    "[\ufdd0-\ufdef"
    + "".join(chr(p * 0x10000 + 0xFFFE) + chr(p * 0x10000 + 0xFFFF) for p in range(17))
    + "]"
)
_WHITESPACE = re.compile(r"\s+")
_INTEGER = re.compile(r"[+-]?[0-9]+")
INTEGER_DIGITS = (
    18  # more digits than any count, year or amount here (Python refuses int() past 4,300)
)
# Dates: the pattern the descriptor gives them, and the years a date may have.
DATE_PATTERN = "^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"
DATE_YEARS = (1900, 2100)
_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
# A number a document prints as typed: at most this many significant digits (a double holds
# 15 exactly), no more decimals, and (unless the schema's bounds allow more) a magnitude of at
# most 10^15 and no negative whole number (a count) unless the schema states a minimum. '1e300'
# would be printed as 301 digits nobody typed, '1e-300' as 0; a number field that is a count
# (outcomes' values) says so with "minimum": 0.
PRINTABLE_DIGITS = 15
PRINTABLE_MAGNITUDE = 10**15


@dataclass
class Cell:
    """Where a cell is (file as shown, line, column), and the list its problems go to."""

    shown: str
    line: int
    name: str
    problems: list[Problem]

    def bad(self, message: str, expected: str, value: str, root: bool = False) -> None:
        """Report a problem of this cell holding ``value``."""
        self.problems.append(
            Problem(self.shown, self.line, self.name, value, message, expected, root=root)
        )


def normalise_text(value: str) -> str:
    """Apply the documented text normalisation to one cell.

    >>> normalise_text("  Cafe\\u0301\\u2028 de   Paris ")
    'Café de Paris'
    """
    value = unicodedata.normalize("NFC", value)
    return _WHITESPACE.sub(" ", value.replace("\u2028", " ").replace("\u2029", " ")).strip()


def visible(text: str) -> str:
    """``text`` without what a reader cannot see: format characters (zero-width space and
    joiner, word joiner, bidirectional marks) and spaces at either end."""
    if (
        text.isascii()
    ):  # no format character is ASCII: most cells, read without a per-character scan
        return text.strip()
    return "".join(c for c in text if unicodedata.category(c) != "Cf").strip()


def check_text(raw: str, shown: str, line: int, name: str, problems: list[Problem]) -> str | None:
    """The cell ``raw`` normalised, or None (and a problem) when it holds a character data may not."""
    for pattern, what, expected in (
        (_CONTROL, "the control character", "printable text"),
        (_NONCHAR, "the non-character", "printable text"),
        (_BIDI, "the bidirectional control", "text without bidi overrides"),
    ):
        found = pattern.search(raw)
        if found:
            shown_value = raw.encode("unicode_escape").decode("ascii")
            message = f"contains {what} U+{ord(found.group()):04X}"
            problems.append(Problem(shown, line, name, shown_value, message, expected))
            return None
    return normalise_text(raw)


def convert(spec: dict[str, Any], text: str, shown: str, line: int, problems: list[Problem]) -> Any:
    """Convert one non-empty, normalised cell to its typed value; record a problem on failure."""
    cell = Cell(shown, line, spec["name"], problems)
    kind = spec.get("type", "string")
    cons = spec.get("constraints", {})
    if kind == "string":
        fault = length_fault(cons, len(text), "characters")
        if fault:
            cell.bad(*fault, text)
        return text if _check_item(cell, cons, text) and not fault else None
    if kind == "list":
        return _convert_list(cell, spec, cons, text)
    if kind in ("integer", "number"):
        return _convert_number(cell, kind, cons, text)
    raise ValueError(f"unsupported field type {kind!r}")  # pragma: no cover - checked on load


def _check_item(cell: Cell, cons: dict[str, Any], item: str) -> bool:
    """Whether one text value (a string, or an item of a list) is in the field's ``enum`` and
    matches its ``pattern`` (a date pattern: a real date too)."""
    ok = True
    if "enum" in cons and item not in cons["enum"]:
        cell.bad(
            "not in the controlled vocabulary", "one of " + ", ".join(map(str, cons["enum"])), item
        )
        ok = False
    if "pattern" in cons:
        matched = PATTERNS.fullmatch(cons["pattern"], item)
        if matched is None:  # the pattern ran out of time: reported once, root cause
            cell.bad(
                f"the schema's pattern {cons['pattern']} took over "
                f"{PATTERN_SECONDS:g} s on this value (it backtracks catastrophically); it is "
                "not checked any further",
                "a pattern without nested repetition, in datapackage.json",
                item,
                root=True,
            )
        elif not matched:
            cell.bad("does not match the required form", f"pattern {cons['pattern']}", item)
            ok = False
        elif cons["pattern"] == DATE_PATTERN and not _real_date(item):
            cell.bad(
                "is not a real date",
                f"a date of the calendar, year {DATE_YEARS[0]} to {DATE_YEARS[1]}",
                item,
            )
            ok = False
    return ok


def _convert_list(cell: Cell, spec: dict[str, Any], cons: dict[str, Any], text: str) -> Any:
    """A list cell as its items, each checked; None (and a problem) when it is not a clean list."""
    delimiter = spec.get("delimiter", ",")
    items = [normalise_text(i) for i in text.split(delimiter)]
    if any(not i for i in items):
        cell.bad("has an empty item", f"items separated by {delimiter!r} with no empty item", text)
        return None
    if len(set(items)) != len(items):
        cell.bad("repeats an item", "each item once", text)
        return None
    fault = length_fault(cons, len(items), "items")
    if fault:
        cell.bad(*fault, text)
        return None
    return items if all([_check_item(cell, cons, i) for i in items]) else None


def _convert_number(cell: Cell, kind: str, cons: dict[str, Any], text: str) -> Any:
    """An integer or number cell as its value; None (and a problem) when it is not one the
    field allows or a document can print as typed."""
    value: Any
    if kind == "integer":
        if not _INTEGER.fullmatch(text):
            cell.bad("is not a whole number", "an integer such as 2019", text)
            return None
        if len(text.lstrip("+-")) > INTEGER_DIGITS:
            cell.bad("is too long for a whole number", f"at most {INTEGER_DIGITS} digits", text)
            return None
        value = int(text)
    else:
        if not _NUMBER.fullmatch(text):
            cell.bad("is not a number", "a decimal number such as 2000000 or 2.6", text)
            return None
        if len(text) > 100 or not math.isfinite(float(text)):
            cell.bad(
                "is too large a number",
                "a decimal number of at most 100 characters, below 1e308",
                text,
            )
            return None
        value = float(text)
    fault = bound_fault(cons, value) or printable_fault(cons, text, value)
    if fault:
        cell.bad(*fault, text)
        return None
    if "enum" in cons and value not in cons["enum"]:
        cell.bad(
            "not in the controlled vocabulary", "one of " + ", ".join(map(str, cons["enum"])), text
        )
        return None
    return value


def bound_fault(cons: dict[str, Any], value: float | int) -> tuple[str, str] | None:
    """(message, expected) when ``value`` breaks the field's ``minimum`` or ``maximum``."""
    if "minimum" in cons and value < cons["minimum"]:
        return "is too small", f"at least {cons['minimum']}"
    if "maximum" in cons and value > cons["maximum"]:
        return "is too large", f"at most {cons['maximum']}"
    return None


def length_fault(cons: dict[str, Any], length: int, unit: str) -> tuple[str, str] | None:
    """(message, expected) when a value's length (characters of a string, items of a list)
    breaks the field's ``minLength`` or ``maxLength``, as Table Schema defines them."""
    if "minLength" in cons and length < cons["minLength"]:
        return f"is too short ({length} {unit})", f"at least {cons['minLength']} {unit}"
    if "maxLength" in cons and length > cons["maxLength"]:
        return f"is too long ({length} {unit})", f"at most {cons['maxLength']} {unit}"
    return None


def printable_fault(cons: dict[str, Any], text: str, value: float | int) -> tuple[str, str] | None:
    """(message, expected) when a number cannot be printed as it was typed (see
    :data:`PRINTABLE_DIGITS`); the schema's ``minimum``/``maximum`` widen the range."""
    if isinstance(value, int) and value < 0 and "minimum" not in cons:
        return "is negative", "a count of zero or more (a schema 'minimum' allows negative values)"
    low, high = cons.get("minimum", -PRINTABLE_MAGNITUDE), cons.get("maximum", PRINTABLE_MAGNITUDE)
    if not min(low, -PRINTABLE_MAGNITUDE) <= value <= max(high, PRINTABLE_MAGNITUDE):
        return "is too large to print as typed", f"at most {PRINTABLE_MAGNITUDE:.0e} in magnitude"
    sign, digits, exponent = Decimal(text).normalize().as_tuple()
    decimals = max(0, -int(exponent))
    significant = len(digits) if value else 0
    if significant > PRINTABLE_DIGITS or decimals > PRINTABLE_DIGITS:
        return (
            "has more digits than a document can print as typed",
            f"at most {PRINTABLE_DIGITS} significant digits and {PRINTABLE_DIGITS} decimals",
        )
    return None


def _real_date(text: str) -> bool:
    """Whether ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` is a date of the calendar within DATE_YEARS."""
    parts = [int(p) for p in text.split("-")]
    year = parts[0]
    if not DATE_YEARS[0] <= year <= DATE_YEARS[1]:
        return False
    if len(parts) > 1 and not 1 <= parts[1] <= 12:
        return False
    return len(parts) < 3 or 1 <= parts[2] <= calendar.monthrange(year, parts[1])[1]
