"""Load and validate the data package: CSV tables described by a Frictionless Table Schema.

The descriptor (``data/datapackage.json``) is the single description of every table: field types,
required fields, controlled vocabularies (``enum``), patterns, primary keys and foreign keys. This
module reads every table as text (``NA`` stays ``NA``), checks it against the descriptor and
reports *every* problem in one pass, each naming file, line, field and value.

Supported Table Schema subset (documented in the README):

* field types ``string``, ``integer``, ``number``, ``list`` (Table Schema v2; ``delimiter`` and
  string items);
* constraints ``required``, ``unique``, ``enum``, ``pattern``, ``minimum``, ``maximum`` (for
  ``list`` fields, ``enum`` and ``pattern`` apply to each item);
* ``primaryKey`` (one field) and ``foreignKeys`` (one field);
* the custom schema property ``listForeignKeys``: foreign keys of ``list`` fields, which Table
  Schema does not define (frictionless-py crashes on them in ``foreignKeys``), resolved item by
  item; written like ``foreignKeys``;
* the custom package property ``texts``: authored texts of the package (Markdown with named
  values, never a template: coopdocs.load.authored; e.g. ``{"article": "text/article.md"}``), read
  as UTF-8 text and checked line by line.

``frictionless validate datapackage.json`` checks the same package by the standard (a test
keeps the two in agreement on the standard constraints).

Beyond Table Schema, two rules of the project's citation policy: a record with an empty ``sources``
must say in ``source_note`` where the article states it without a number, and a ``<field>_inferred``
list may only name items of ``<field>``.

Text normalisation (documented): a leading BOM is dropped, CRLF is read as LF, text is NFC
normalised, U+2028/U+2029 and runs of whitespace inside a cell become one space and cells are
stripped. NUL and other control characters, Unicode non-characters (U+FFFE, U+FFFF, ...; not
allowed in XML), bidirectional override characters and bytes that are not UTF-8 are rejected by
line and field.

Editorial notes (the ``note`` and ``*_note`` columns, printed for readers) may not hold a bracketed
number, which a document's reader takes for its own citation, nor a field, file or record name of
the package (:func:`note_problems`, issue 17).

Beyond the descriptor (issue 19), whatever it says:

* a date field (a ``string`` whose pattern is the ISO date prefix ``YYYY[-MM[-DD]]``) must be a
  real calendar date with a year from 1900 to 2100; ``end_year`` may not come before ``start_year``;
* the article's reference numbers (``sources.ref_number``) are unique;
* a row that repeats the header (pasted mid-file) is an error, not a record;
* every primary key is an identifier (letters, digits, single hyphens; a source's id a citation
  key), and every slug, which becomes a file name, is lower-case letters, digits and hyphens, at
  most 100 characters and not a name Windows reserves;
* every character of every text must be one the bundled PDF fonts can draw (coopdocs.load.glyphs);
* a table's path must be a file inside the data folder (not absolute, no ``..``, no symbolic link);
* a pattern that takes longer than :data:`PATTERN_SECONDS` on one value (catastrophic backtracking,
  such as ``(a+)+$``) is reported instead of hanging the build.

Errors that follow from another one are not reported: when a table cannot be read (missing,
not UTF-8, a wrong header, a cell over :data:`CELL_LIMIT` characters), references to its rows are
not checked, and such root causes are listed first.
"""

from __future__ import annotations

import calendar
import csv
import io
import json
import math
import os
import re
import signal
import stat
import threading
import time
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

Record = dict[str, Any]

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
# The csv module's limit for one cell (csv.field_size_limit()), documented in the README.
CELL_LIMIT = 131072
# The largest authored text read (bytes; documented in the README): a review's own words are a
# few thousand; the limit stops a file that never ends (a device, a generated giant) early.
TEXT_LIMIT = 1_048_576
# Dates: the pattern the descriptor gives them, and the years a date may have.
DATE_PATTERN = "^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"
DATE_YEARS = (1900, 2100)
# Pairs of fields where the second may not come before the first.
ORDERED_FIELDS = [("start_year", "end_year")]
# Fields unique whatever the descriptor says: two sources with one reference number print the same "[45]".
ALWAYS_UNIQUE = {("sources", "ref_number")}
# Values that become names of files and anchors, checked whatever the descriptor's patterns say.
_IDENTIFIER = re.compile(r"[A-Za-z0-9]+(-[A-Za-z0-9]+)*")  # coopdocs.render.markdown.anchor
_CITE_KEY = re.compile(r"[a-z][a-z0-9]*")  # coopdocs.render.markdown.cite
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
PATTERN_SECONDS = 2.0
_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")


@dataclass(frozen=True, order=True)
class Problem:
    """One problem found in the data: where it is, what was found and what was expected.

    >>> str(Problem("data/projects.csv", 4, "countries", "XX", "unknown country code", "a code in countries.csv"))
    "data/projects.csv:4: field 'countries': value 'XX': unknown country code (expected a code in countries.csv)"
    """

    file: str
    line: int
    field: str
    value: str
    message: str
    expected: str = ""
    severity: str = "error"
    # A root cause (a table that cannot be read, a broken descriptor): listed before the rest.
    root: bool = field(default=False, compare=False, repr=False)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        parts = [where + ":"]
        if self.severity != "error":
            parts.append(f"{self.severity}:")
        if self.field:
            parts.append(f"field {self.field!r}:")
        if self.value != "":
            shown = self.value if len(self.value) <= 80 else self.value[:77] + "..."
            parts.append(f"value {shown!r}:")
        text = " ".join(parts) + " " + self.message
        if self.expected:
            text += f" (expected {self.expected})"
        return text

    def as_dict(self) -> dict[str, Any]:
        """The problem as a JSON-ready dictionary."""
        out = asdict(self)
        del out["root"]
        return out


class DataError(Exception):
    """Raised when the data package does not validate; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        # Root causes first (a table that could not be read before the references into it).
        self.problems = sorted(problems, key=lambda p: (not p.root, p))
        errors = [p for p in self.problems if p.severity == "error"]
        super().__init__(f"{len(errors)} error(s) in the data")


@dataclass
class Package:
    """A validated data package: descriptor plus typed records per table, sorted by primary key."""

    descriptor: dict[str, Any]
    tables: dict[str, list[Record]]
    warnings: list[Problem] = field(default_factory=list)
    # Authored texts of the package by name (the custom property ``texts``), e.g. "article".
    texts: dict[str, str] = field(default_factory=dict)

    def index(self, table: str) -> dict[str, Record]:
        """Records of ``table`` keyed by their primary key (built once per table; do not modify)."""
        cache = self.__dict__.setdefault("_indexes", {})
        if table not in cache:
            key = self.primary_key(table)
            cache[table] = {r[key]: r for r in self.tables[table]}
        return cache[table]

    def primary_key(self, table: str) -> str:
        """Name of the primary-key field of ``table``."""
        return _resource(self.descriptor, table)["schema"]["primaryKey"]


def _resource(descriptor: dict[str, Any], name: str) -> dict[str, Any]:
    for res in descriptor["resources"]:
        if res["name"] == name:
            return res
    raise KeyError(name)


def normalise_text(value: str) -> str:
    """Apply the documented text normalisation to one cell.

    >>> normalise_text("  Cafe\\u0301\\u2028 de   Paris ")
    'Café de Paris'
    """
    value = unicodedata.normalize("NFC", value)
    return _WHITESPACE.sub(" ", value.replace("\u2028", " ").replace("\u2029", " ")).strip()


def _display(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            pass
    return path.as_posix()


def _undecodable_cells(text: str, shown: str) -> list[Problem]:
    """Problems for every cell of ``text`` (decoded with surrogateescape) that holds non-UTF-8 bytes."""
    found: list[Problem] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] = []
    start = 1
    try:
        for cells in reader:
            for i, cell in enumerate(cells):
                if any("\udc80" <= ch <= "\udcff" for ch in cell):
                    name = header[i] if header and i < len(header) else ""
                    shown_value = repr(cell.encode("utf-8", errors="surrogateescape"))[2:-1]
                    found.append(
                        Problem(
                            shown,
                            start,
                            name,
                            shown_value,
                            "bytes that are not UTF-8",
                            "UTF-8 text; re-save the file as UTF-8",
                        )
                    )
            if not header:
                header = [c.strip() for c in cells]
            start = reader.line_num + 1
    except csv.Error:
        pass
    return found


def _read_rows(
    path: Path, shown: str, problems: list[Problem]
) -> tuple[list[str] | None, list[tuple[int, list[str]]]]:
    """Read a CSV file as text; return the header and (line number, cells) for each row.

    The header is None when the file is not UTF-8 (already reported, cell by cell). A CSV
    error (broken quoting, a cell over CELL_LIMIT characters) stops the reading: the problem is
    marked as a root cause, since the rows after it are missing.
    """
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Name every cell that holds such bytes (line and field), not just the first offset.
        found = _undecodable_cells(raw.decode("utf-8", errors="surrogateescape"), shown)
        if not found:
            line = raw[: exc.start].count(b"\n") + 1
            bad = raw[exc.start : exc.start + 4]
            found = [
                Problem(
                    shown,
                    line,
                    "",
                    repr(bad)[2:-1],
                    "bytes that are not UTF-8",
                    "UTF-8 text; re-save the file as UTF-8",
                )
            ]
        problems.extend(
            Problem(p.file, p.line, p.field, p.value, p.message, p.expected, root=True)
            for p in found
        )
        return None, []  # no header to check: the file's cells could not be read
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    header: list[str] = []
    start = 1
    try:
        for cells in reader:
            if not header:
                header = [c.strip() for c in cells]
            elif [c.strip() for c in cells] == header:
                problems.append(
                    Problem(
                        shown,
                        start,
                        "",
                        "",
                        "repeats the header row (pasted by mistake?)",
                        "the header once, on the first line",
                    )
                )
            elif any(c.strip() for c in cells):
                rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            problems.append(
                Problem(
                    shown,
                    start,
                    "",
                    "",
                    f"a cell is longer than {CELL_LIMIT:,} characters; "
                    "the rest of the file was not read",
                    f"cells of at most {CELL_LIMIT:,} characters",
                    root=True,
                )
            )
        else:
            problems.append(
                Problem(
                    shown,
                    start,
                    "",
                    "",
                    f"not valid CSV: {exc}; the rest of the file was not read",
                    "RFC 4180 quoting",
                    root=True,
                )
            )
    return header, rows


def _check_text(raw: str, shown: str, line: int, name: str, problems: list[Problem]) -> str | None:
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


def _convert(
    spec: dict[str, Any], text: str, shown: str, line: int, problems: list[Problem]
) -> Any:
    """Convert one non-empty, normalised cell to its typed value; record a problem on failure."""
    name, kind = spec["name"], spec.get("type", "string")
    cons = spec.get("constraints", {})

    def bad(message: str, expected: str, value: str = text) -> None:
        problems.append(Problem(shown, line, name, value, message, expected))

    def check_item(item: str) -> bool:
        ok = True
        if "enum" in cons and item not in cons["enum"]:
            bad(
                "not in the controlled vocabulary",
                "one of " + ", ".join(map(str, cons["enum"])),
                item,
            )
            ok = False
        if "pattern" in cons:
            matched = _PATTERNS.fullmatch(cons["pattern"], item)
            if matched is None:  # the pattern ran out of time: reported once, root cause
                problems.append(
                    Problem(
                        shown,
                        line,
                        name,
                        item,
                        f"the schema's pattern {cons['pattern']} took over "
                        f"{PATTERN_SECONDS:g} s on this value (it backtracks catastrophically); it is "
                        "not checked any further",
                        "a pattern without nested repetition, in datapackage.json",
                        root=True,
                    )
                )
            elif not matched:
                bad("does not match the required form", f"pattern {cons['pattern']}", item)
                ok = False
            elif cons["pattern"] == DATE_PATTERN and not _real_date(item):
                bad(
                    "is not a real date",
                    f"a date of the calendar, year {DATE_YEARS[0]} to {DATE_YEARS[1]}",
                    item,
                )
                ok = False
        return ok

    if kind == "string":
        fault = length_fault(cons, len(text), "characters")
        if fault:
            bad(*fault)
        return text if check_item(text) and not fault else None
    if kind == "list":
        items = [normalise_text(i) for i in text.split(spec.get("delimiter", ","))]
        if any(not i for i in items):
            bad(
                "has an empty item",
                f"items separated by {spec.get('delimiter', ',')!r} with no empty item",
            )
            return None
        if len(set(items)) != len(items):
            bad("repeats an item", "each item once")
            return None
        fault = length_fault(cons, len(items), "items")
        if fault:
            bad(*fault)
            return None
        return items if all([check_item(i) for i in items]) else None
    if kind == "integer":
        if not _INTEGER.fullmatch(text):
            bad("is not a whole number", "an integer such as 2019")
            return None
        if len(text.lstrip("+-")) > INTEGER_DIGITS:
            bad("is too long for a whole number", f"at most {INTEGER_DIGITS} digits")
            return None
        value: Any = int(text)
    elif kind == "number":
        if not _NUMBER.fullmatch(text):
            bad("is not a number", "a decimal number such as 2000000 or 2.6")
            return None
        if len(text) > 100 or not math.isfinite(float(text)):
            bad("is too large a number", "a decimal number of at most 100 characters, below 1e308")
            return None
        value = float(text)
    else:  # pragma: no cover - the descriptor is checked on load
        raise ValueError(f"unsupported field type {kind!r}")
    fault = bound_fault(cons, value) or printable_fault(cons, text, value)
    if fault:
        bad(*fault)
        return None
    if "enum" in cons and value not in cons["enum"]:
        bad("not in the controlled vocabulary", "one of " + ", ".join(map(str, cons["enum"])))
        return None
    return value


# A number a document prints as typed: at most this many significant digits (a double holds
# 15 exactly), no more decimals, and (unless the schema's bounds allow more) a magnitude of at
# most 10^15 and no negative whole number (a count) unless the schema states a minimum. '1e300'
# would be printed as 301 digits nobody typed, '1e-300' as 0; a number field that is a count
# (outcomes' values) says so with "minimum": 0.
PRINTABLE_DIGITS = 15
PRINTABLE_MAGNITUDE = 10**15


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
    from decimal import Decimal

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


class _PatternTimeout(Exception):
    pass


class _PatternGuard:
    """``re.fullmatch`` with a time limit per value (PATTERN_SECONDS), so that a schema pattern that
    backtracks catastrophically (``(a+)+$``) cannot hang validation.

    Python's regular expressions check for signals while matching: a timer ticking every 0.1 s
    interrupts a match that has run too long. Used in the main thread only (where signals are
    delivered) and when nobody else uses SIGALRM; otherwise patterns run unbounded. A pattern that
    ran out of time once is not used again in the same validation.
    """

    def __init__(self):
        self.started: float | None = None
        self.active = False
        self.slow: set[str] = set()

    def __enter__(self):
        self.slow = set()
        self.active = (
            threading.current_thread() is threading.main_thread()
            and hasattr(signal, "setitimer")
            and signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, signal.SIG_IGN, None)
            and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
        )
        if self.active:
            self.previous = signal.signal(signal.SIGALRM, self._tick)
            signal.setitimer(signal.ITIMER_REAL, 0.1, 0.1)
        return self

    def __exit__(self, *exc):
        if self.active:
            signal.setitimer(signal.ITIMER_REAL, 0, 0)
            signal.signal(signal.SIGALRM, self.previous)
            self.active = False
        return False

    def _tick(self, signum, frame):
        if self.started is not None and time.monotonic() - self.started > PATTERN_SECONDS:
            self.started = None
            raise _PatternTimeout()

    def fullmatch(self, pattern: str, text: str) -> bool | None:
        """Whether ``text`` matches ``pattern`` whole; None when the pattern ran out of time (now or before)."""
        if pattern in self.slow:
            return True  # reported once; not checked again
        self.started = time.monotonic()
        try:
            return re.fullmatch(pattern, text) is not None
        except _PatternTimeout:
            self.slow.add(pattern)
            return None
        finally:
            self.started = None


_PATTERNS = _PatternGuard()


SUPPORTED_TYPES = {"string", "integer", "number", "list"}


def load_descriptor(path: Path, shown: str | None = None) -> dict[str, Any]:
    """Read ``datapackage.json`` and check its structure (:func:`check_descriptor`).

    Raises :class:`DataError` naming the file, the JSON path and the value of every problem:
    a malformed descriptor is a message, never a traceback (``KeyError: 'schema'``, ``re.error``).
    """
    shown = shown or path.as_posix()

    def fail(line: int, message: str, expected: str) -> DataError:
        return DataError([Problem(shown, line, "", "", message, expected, root=True)])

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise fail(
            0, "the data package's descriptor is missing", "datapackage.json in the data folder"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(0, f"cannot be read: {exc}", "a UTF-8 JSON file") from None
    try:
        descriptor = json.loads(text)
    except (ValueError, RecursionError) as exc:
        line = getattr(exc, "lineno", 0)
        raise fail(
            line,
            f"not valid JSON: {getattr(exc, 'msg', exc)}",
            "a JSON object as Frictionless Data Package describes",
        ) from None
    problems = check_descriptor(descriptor, shown)
    if not problems:
        problems = missing_tables(descriptor, shown)
    if problems:
        raise DataError(problems)
    return descriptor


# The tables every document is computed from: the program cannot work without any of them (an
# empty table, header only, is fine where no other record refers to it). README, "The data".
REQUIRED_TABLES = tuple(
    "publications sources themes countries actors roles offices instruments projects outcomes "
    "contributions events proposals facts".split()
)


def missing_tables(descriptor: dict[str, Any], shown: str) -> list[Problem]:
    """One problem for each required table (:data:`REQUIRED_TABLES`) the descriptor leaves out."""
    names = {res.get("name") for res in descriptor.get("resources", [])}
    return [
        Problem(
            shown,
            0,
            "resources",
            table,
            "the data package has no such resource; the documents need it",
            f"a resource named {table!r} (its table may hold only the header)",
            root=True,
        )
        for table in REQUIRED_TABLES
        if table not in names
    ]


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 200 else text[:197] + "..."


def check_descriptor(descriptor: Any, shown: str = "datapackage.json") -> list[Problem]:
    """Every structural problem of a descriptor: each names the JSON path (as its field) and the value."""
    problems: list[Problem] = []

    def bad(where: str, value: Any, message: str, expected: str) -> None:
        problems.append(
            Problem(
                shown,
                0,
                where,
                "" if value is None else _short(value),
                message,
                expected,
                root=True,
            )
        )

    if not isinstance(descriptor, dict):
        bad("", descriptor, "is not a JSON object", "an object with a 'resources' list")
        return problems
    resources = descriptor.get("resources")
    if not isinstance(resources, list) or not resources:
        bad(
            "resources",
            resources,
            "is missing or not a non-empty list",
            "a list of table resources",
        )
        return problems
    fields_of: dict[str, set[str]] = {}
    unusable: set[Any] = (
        set()
    )  # resources without a usable schema: references to them are not checked
    for i, res in enumerate(resources):
        where = f"resources[{i}]"
        if not isinstance(res, dict):
            bad(where, res, "is not an object", "an object with name, path and schema")
            continue
        name, path, schema = res.get("name"), res.get("path"), res.get("schema")
        if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", name):
            bad(
                f"{where}.name",
                name,
                "is missing or not a resource name",
                "lower-case letters, digits, '-' and '_'",
            )
        elif name in fields_of:
            bad(f"{where}.name", name, "names a second resource", "each resource name once")
        if not isinstance(path, str) or not path:
            bad(
                f"{where}.path",
                path,
                "is missing or not a path",
                "the table's file, relative to the data folder",
            )
        else:
            pure = PurePosixPath(path)
            if (
                pure.is_absolute()
                or ".." in pure.parts
                or "\\" in path
                or ":" in path
                or path.startswith("~")
            ):
                bad(
                    f"{where}.path",
                    path,
                    "leaves the data folder",
                    "a file name inside the data folder, without '..'",
                )
        if not isinstance(schema, dict):
            bad(
                f"{where}.schema",
                schema,
                "is missing or not an object",
                "a Table Schema with fields and primaryKey",
            )
            unusable.add(name)
            continue
        fields = schema.get("fields")
        if not isinstance(fields, list) or not fields:
            bad(
                f"{where}.schema.fields",
                fields,
                "is missing or not a non-empty list",
                "the table's columns",
            )
            unusable.add(name)
            continue
        names: set[str] = set()
        for j, spec in enumerate(fields):
            fwhere = f"{where}.schema.fields[{j}]"
            if (
                not isinstance(spec, dict)
                or not isinstance(spec.get("name"), str)
                or not spec["name"]
            ):
                bad(fwhere, spec, "is not a field with a name", "an object with 'name' and 'type'")
                continue
            if spec["name"] in names:
                bad(f"{fwhere}.name", spec["name"], "names a second column", "each column once")
            names.add(spec["name"])
            kind = spec.get("type", "string")
            if kind not in SUPPORTED_TYPES:
                bad(
                    f"{fwhere}.type",
                    kind,
                    "is not a supported type",
                    "one of " + ", ".join(sorted(SUPPORTED_TYPES)),
                )
            if "delimiter" in spec and (
                not isinstance(spec["delimiter"], str) or not spec["delimiter"]
            ):
                bad(
                    f"{fwhere}.delimiter",
                    spec["delimiter"],
                    "is not a delimiter",
                    "a non-empty string such as ';'",
                )
            cons = spec.get("constraints", {})
            if not isinstance(cons, dict):
                bad(
                    f"{fwhere}.constraints",
                    cons,
                    "is not an object",
                    "constraints such as required, pattern, enum",
                )
                continue
            if "pattern" in cons:
                try:
                    re.compile(cons["pattern"])
                except (re.error, TypeError, RecursionError, OverflowError) as exc:
                    bad(
                        f"{fwhere}.constraints.pattern",
                        cons["pattern"],
                        f"is not a regular expression ({exc})",
                        "a valid regular expression",
                    )
            if "enum" in cons and not isinstance(cons["enum"], list):
                bad(
                    f"{fwhere}.constraints.enum",
                    cons["enum"],
                    "is not a list",
                    "the list of allowed values",
                )
            for key, value, message, expected in constraint_faults(cons):
                bad(f"{fwhere}.constraints.{key}", value, message, expected)
            for flag in ("required", "unique"):
                if flag in cons and not isinstance(cons[flag], bool):
                    bad(
                        f"{fwhere}.constraints.{flag}",
                        cons[flag],
                        "is not true or false",
                        "true or false",
                    )
        if isinstance(name, str) and name not in fields_of:
            fields_of[name] = names
        key = schema.get("primaryKey")
        if not isinstance(key, str) or key not in names:
            bad(
                f"{where}.schema.primaryKey",
                key,
                "is missing or names no column",
                "the name of one column",
            )
    for i, res in enumerate(resources):
        if not isinstance(res, dict) or not isinstance(res.get("schema"), dict):
            continue
        fks = res["schema"].get("foreignKeys", [])
        if not isinstance(fks, list):
            bad(
                f"resources[{i}].schema.foreignKeys", fks, "is not a list", "a list of foreign keys"
            )
            continue
        own = fields_of.get(res.get("name"), set())
        for j, fk in enumerate(fks):
            where = f"resources[{i}].schema.foreignKeys[{j}]"
            ref = fk.get("reference") if isinstance(fk, dict) else None
            if (
                not isinstance(fk, dict)
                or not isinstance(fk.get("fields"), str)
                or not isinstance(ref, dict)
            ):
                bad(where, fk, "is not a foreign key", "an object with 'fields' and 'reference'")
                continue
            if fk["fields"] not in own:
                bad(
                    f"{where}.fields",
                    fk["fields"],
                    "names no column of this table",
                    "one column's name",
                )
            target = ref.get("resource")
            if target in unusable:
                continue
            target_fields = (
                fields_of.get(target or res.get("name")) if isinstance(target, str) else None
            )
            if target_fields is None:
                bad(
                    f"{where}.reference.resource",
                    target,
                    "names no resource",
                    "a resource's name ('' for this one)",
                )
            elif ref.get("fields") not in target_fields:
                bad(
                    f"{where}.reference.fields",
                    ref.get("fields"),
                    f"names no column of {target or res.get('name')}",
                    "one column's name",
                )
    return problems


def constraint_faults(cons: dict[str, Any]) -> list[tuple[str, Any, str, str]]:
    """(constraint, value, message, expected) for every bound or length a field's constraints
    state that no value could be checked against: NaN or an infinity as ``minimum``/``maximum``
    (every comparison with NaN is false: the check would be silently off), a length that is
    not a whole number of at least 0."""
    faults = []
    for bound in ("minimum", "maximum"):
        value = cons.get(bound)
        if bound not in cons:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            faults.append((bound, value, "is not a number", "a number"))
        elif not math.isfinite(value):
            faults.append((bound, value, "is not a finite number", "a number such as 0 or 2100"))
    for length in ("minLength", "maxLength"):
        value = cons.get(length)
        if length in cons and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            faults.append((length, value, "is not a whole number of at least 0", "e.g. 1 or 200"))
    return faults


def visible(text: str) -> str:
    """``text`` without what a reader cannot see: format characters (zero-width space and
    joiner, word joiner, bidirectional marks) and spaces at either end."""
    return "".join(c for c in text if unicodedata.category(c) != "Cf").strip()


# Labels shown as the rows and columns of tables and figures: two that look the same would be
# two rows a reader cannot tell apart.
LABEL_FIELDS = {"themes": "label", "countries": "name"}


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


def empty_tables(
    descriptor: dict[str, Any], checked: dict[str, list[Record]], shown_of: dict[str, str]
) -> list[Problem]:
    """One root problem for each table without rows that other records refer to (its ``value``
    is the table's name): the references into it are then not listed one by one."""
    problems = []
    for res in descriptor["resources"]:
        for fk in res["schema"].get("foreignKeys", []) + res["schema"].get("listForeignKeys", []):
            target = fk["reference"]["resource"] or res["name"]
            if checked.get(target) or target not in shown_of:
                continue
            if not any(r.get(fk["fields"]) for r in checked.get(res["name"], [])):
                continue
            if any(p.value == target for p in problems):
                continue
            problems.append(
                Problem(
                    shown_of[target],
                    0,
                    "",
                    target,
                    f"the table has no rows, but {res['name']}.{fk['fields']} refers to it",
                    "a row for every value referred to",
                    root=True,
                )
            )
    return problems


def _table_path(data_dir: Path, relative: str, shown: str, problems: list[Problem]) -> Path | None:
    """The table file ``relative`` inside ``data_dir``; None (and a problem) when it would leave it.

    Absolute paths and ``..`` are refused by :func:`check_descriptor`; here no part of the path
    may be a symbolic link, so no file outside the data folder is ever read.
    """
    path = data_dir
    for part in PurePosixPath(relative).parts:
        path = path / part
        if path.is_symlink():
            problems.append(
                Problem(
                    shown,
                    0,
                    "",
                    relative,
                    "is a symbolic link; the data folder's files must be plain files",
                    "a file inside the data folder",
                    root=True,
                )
            )
            return None
    try:
        if not path.resolve().is_relative_to(data_dir.resolve()):
            raise ValueError
    except (OSError, ValueError):
        problems.append(
            Problem(
                shown,
                0,
                "",
                relative,
                "leaves the data folder",
                "a file inside the data folder",
                root=True,
            )
        )
        return None
    return path


def _check_name(
    table: str, fname: str, value: Any, shown: str, line: int, problems: list[Problem]
) -> bool:
    """Values that become file names (slugs) and identifiers, whatever the descriptor's patterns say."""
    text = str(value)
    if fname == "slug":
        if len(text) > SLUG_MAX or not _SLUG.fullmatch(text) or text in _RESERVED:
            problems.append(
                Problem(
                    shown,
                    line,
                    fname,
                    text,
                    "cannot be a file name",
                    f"lower-case letters, digits and single hyphens, at most {SLUG_MAX} characters, "
                    "not a name Windows reserves (con, nul, com1, ...)",
                )
            )
            return False
        return True
    pattern = _CITE_KEY if table == "sources" else _IDENTIFIER
    if len(text) > IDENTIFIER_MAX or not pattern.fullmatch(text):
        problems.append(
            Problem(
                shown,
                line,
                fname,
                text,
                "cannot be an identifier",
                "a lower-case letter, then letters and digits"
                if table == "sources"
                else f"letters, digits and single hyphens, at most {IDENTIFIER_MAX} characters",
            )
        )
        return False
    return True


def load_package(data_dir: Path, root: Path | None = None) -> Package:
    """Read and validate every table of the package in ``data_dir``.

    Returns a :class:`Package` whose records are typed (``int``, ``float``, ``list``, ``str`` or
    ``None`` for an empty cell) and sorted by primary key, so that row order in the files never
    changes any output. Raises :class:`DataError` listing every problem when anything is wrong.
    ``root`` only shortens the file names in messages.
    """
    descriptor_path = data_dir / "datapackage.json"
    descriptor = load_descriptor(descriptor_path, _display(descriptor_path, root))
    with _PATTERNS:
        return _load_tables(data_dir, descriptor, root)


def _load_tables(data_dir: Path, descriptor: dict[str, Any], root: Path | None) -> Package:
    problems: list[Problem] = []
    tables: dict[str, list[Record]] = {}
    # Primary keys of every row, valid or not: a row with one bad cell still exists, so records
    # that refer to it must not get a second, misleading "does not match" error.
    keys: dict[str, set] = {}
    # Every row as far as its cells converted, valid or not: a row with a type error may also
    # hold an unknown reference, and both must be reported in the same pass.
    checked: dict[str, list[Record]] = {}
    shown_of: dict[str, str] = {}
    # Tables whose rows could not all be read: references into them are not checked (the
    # reason is reported; a list of every reference that no longer resolves would bury it).
    broken: set[str] = set()

    for res in descriptor["resources"]:
        name, schema = res["name"], res["schema"]
        shown = _display(data_dir / res["path"], root)
        shown_of[name] = shown
        tables[name], keys[name], checked[name] = [], set(), []
        path = _table_path(data_dir, res["path"], shown, problems)
        if path is None:
            broken.add(name)
            continue
        if not path.is_file():
            problems.append(
                Problem(
                    shown,
                    0,
                    "",
                    "",
                    "the table file is missing",
                    f"the file named by resource {name!r} in datapackage.json",
                    root=True,
                )
            )
            broken.add(name)
            continue
        before = len(problems)
        header, rows = _read_rows(path, shown, problems)
        if any(p.root for p in problems[before:]):
            broken.add(name)
        if header is None:
            continue
        names = [f["name"] for f in schema["fields"]]
        unknown = [h for h in header if h not in names]
        absent = [n for n in names if n not in header]
        for h in unknown:
            problems.append(
                Problem(shown, 1, h, "", "unknown column", "one of " + ", ".join(names), root=True)
            )
        for n in absent:
            problems.append(
                Problem(
                    shown,
                    1,
                    n,
                    "",
                    "column missing from the header",
                    "every column in the schema",
                    root=True,
                )
            )
        if len(set(header)) != len(header):
            problems.append(
                Problem(
                    shown, 1, "", "", "a column name appears twice", "each column once", root=True
                )
            )
        if unknown or absent:
            broken.add(name)
            continue
        seen: dict[str, dict[Any, int]] = {f["name"]: {} for f in schema["fields"]}
        for line, cells in rows:
            if len(cells) != len(header):
                problems.append(
                    Problem(
                        shown,
                        line,
                        "",
                        "",
                        f"has {len(cells)} cells but the header has {len(header)}",
                        "one cell per column",
                    )
                )
                continue
            record: Record = {}
            ok = True
            for spec in schema["fields"]:
                fname = spec["name"]
                raw = cells[header.index(fname)]
                text = _check_text(raw, shown, line, fname, problems)
                if text is None:
                    ok = False
                    continue
                cons = spec.get("constraints", {})
                if text == "" or not visible(text):
                    if cons.get("required"):
                        problems.append(
                            Problem(
                                shown,
                                line,
                                fname,
                                "",
                                "is required but empty",
                                spec.get("description", "a value"),
                            )
                        )
                        ok = False
                    record[fname] = [] if spec.get("type") == "list" else None
                    continue
                value = _convert(spec, text, shown, line, problems)
                if value is None:
                    ok = False
                    continue
                if fname == "slug" or fname == schema["primaryKey"]:
                    if not _check_name(name, fname, value, shown, line, problems):
                        ok = False
                        continue
                if cons.get("unique") or (name, fname) in ALWAYS_UNIQUE:
                    key = tuple(value) if isinstance(value, list) else value
                    if key in seen[fname]:
                        problems.append(
                            Problem(
                                shown,
                                line,
                                fname,
                                text,
                                f"duplicates line {seen[fname][key]}",
                                "a unique value",
                            )
                        )
                        ok = False
                    else:
                        seen[fname][key] = line
                record[fname] = value
            for first, second in ORDERED_FIELDS:
                a, b = record.get(first), record.get(second)
                if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b < a:
                    problems.append(
                        Problem(
                            shown,
                            line,
                            second,
                            str(b),
                            f"comes before {first} {a}",
                            f"{second} at or after {first}",
                        )
                    )
                    ok = False
            if record.get(schema["primaryKey"]) is not None:
                keys[name].add(record[schema["primaryKey"]])
            record["_line"] = line
            checked[name].append(record)
            if ok:
                tables[name].append(record)

    for problem in empty_tables(descriptor, checked, shown_of):
        if problem.value not in broken:  # a table that could not be read is reported already
            problems.append(problem)
            broken.add(problem.value)
    problems += look_alike_labels(checked, shown_of)
    # Foreign keys: every reference resolves (list fields item by item).
    for res in descriptor["resources"]:
        name = res["name"]
        for fk in res["schema"].get("foreignKeys", []) + res["schema"].get("listForeignKeys", []):
            fname = fk["fields"]
            target = fk["reference"]["resource"] or name
            if target in broken:
                continue  # its rows could not be read: that problem is reported, not every reference to them
            tkey = fk["reference"]["fields"]
            target_pk = _resource(descriptor, target)["schema"]["primaryKey"]
            known = (
                keys.get(target, set())
                if tkey == target_pk
                else {r[tkey] for r in tables.get(target, [])}
            )
            for record in checked[name]:
                value = record.get(fname)
                items = value if isinstance(value, list) else ([] if value is None else [value])
                for item in items:
                    if item not in known:
                        hint = ", ".join(sorted(map(str, known))[:12]) + (
                            " ..." if len(known) > 12 else ""
                        )
                        problems.append(
                            Problem(
                                shown_of[name],
                                record["_line"],
                                fname,
                                str(item),
                                f"does not match any {tkey!r} in {target}.csv",
                                f"one of {hint}" if known else f"a row in {target}.csv",
                            )
                        )

    # The citation policy (README, "Citing honestly"): a record without sources says in its
    # 'source_note' where the article states it without a number; an '<x>_inferred' list names only
    # items of '<x>'. A source that no record cites and that gives no 'unused_reason' is worth a
    # warning, not an error.
    for res in descriptor["resources"]:
        name = res["name"]
        names = {f["name"] for f in res["schema"]["fields"]}
        for record in checked[name]:
            if (
                {"sources", "source_note"} <= names
                and not record.get("sources")
                and not record.get("source_note")
            ):
                problems.append(
                    Problem(
                        shown_of[name],
                        record["_line"],
                        "source_note",
                        "",
                        "the record cites no source and does not say why",
                        "where the article states it without a reference number",
                    )
                )
            for fname in sorted(
                n for n in names if n.endswith("_inferred") and n[: -len("_inferred")] in names
            ):
                base = record.get(fname[: -len("_inferred")]) or []
                for item in record.get(fname) or []:
                    if item not in base:
                        problems.append(
                            Problem(
                                shown_of[name],
                                record["_line"],
                                fname,
                                item,
                                f"is not in {fname[: -len('_inferred')]!r}",
                                "a subset of it",
                            )
                        )
    problems += note_problems(descriptor, checked, shown_of)
    problems += role_problems(checked, shown_of)
    fill_roles(tables)
    warnings: list[Problem] = []
    if "sources" in tables:
        citing = [
            (res["name"], fk["fields"])
            for res in descriptor["resources"]
            for fk in res["schema"].get("foreignKeys", [])
            + res["schema"].get("listForeignKeys", [])
            if fk["reference"]["resource"] == "sources"
        ]
        cited = {s for table, fname in citing for r in tables[table] for s in (r.get(fname) or [])}
        for src in tables["sources"]:
            if src["id"] not in cited and not src.get("unused_reason"):
                warnings.append(
                    Problem(
                        shown_of["sources"],
                        src["_line"],
                        "id",
                        src["id"],
                        "no record cites this source",
                        severity="warning",
                    )
                )

    texts = _read_texts(descriptor, data_dir, root, problems)
    # Every row that exists, valid or not: a citation of a row with a bad cell is no second error.
    problems += _text_problems(texts, descriptor, data_dir, root, checked)
    if not problems:
        problems = _undrawable(descriptor, tables, shown_of)
    if problems:
        raise DataError(problems + warnings)
    for name, records in tables.items():
        key = _resource(descriptor, name)["schema"]["primaryKey"]
        records.sort(key=lambda r: str(r[key]))
    return Package(descriptor=descriptor, tables=tables, warnings=sorted(warnings), texts=texts)


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


# The program's vocabulary of what a record is (issue 28; README "Data model"): (table, column) ->
# the values and the value an empty cell or a missing column means. The *kinds* (of office,
# instrument, event) are each package's own enums in its descriptor; these roles are the ones the
# documents count by, so the program fixes them.
STATUSES = ("actual", "planned", "proposed", "discussed", "not-established")
ROLES: dict[tuple[str, str], tuple[tuple[str, ...], str]] = {
    ("instruments", "status"): (STATUSES, "actual"),
    ("instruments", "relation"): (("party", "reviewer", "explicit", "general", "none"), ""),
    (
        "instruments",
        "role",
    ): (
        (
            "organisation-agreement",
            "organisation-programme",
            "organisation-document",
            "state-document",
            "union-document",
            "multilateral",
            "other-agreement",
        ),
        "",
    ),
    ("offices", "status"): (STATUSES, "actual"),
    ("offices", "owner"): (("organisation", "national"), "organisation"),
    ("outcomes", "status"): (STATUSES, "actual"),
    ("outcomes", "scope"): (("state", "project"), "state"),
    ("projects", "status"): (STATUSES, "actual"),
    ("events", "format"): (("gathering", "process", "milestone"), "gathering"),
    ("countries", "union_membership"): (("member", "observer", "former-member"), ""),
}
# List columns that name a part of another list column of the same record (an inferred list is
# checked with the other ``*_inferred`` columns).
SUBLISTS = {("events", "actors_scheduled"): "actors"}


def role_problems(tables: dict[str, list[Record]], shown_of: dict[str, str]) -> list[Problem]:
    """Typed cells outside the program's vocabulary (:data:`ROLES`), and sub-lists naming an item
    their list does not: each with file, line, field and value, all in one pass."""
    problems = []
    for (table, column), (values, _) in ROLES.items():
        for record in tables.get(table, []):
            value = record.get(column)
            if value not in (None, "") and value not in values:
                problems.append(
                    Problem(
                        shown_of[table],
                        record["_line"],
                        column,
                        str(value),
                        "not in the program's vocabulary",
                        "one of " + ", ".join(values),
                    )
                )
    for (table, column), base in SUBLISTS.items():
        for record in tables.get(table, []):
            for item in record.get(column) or []:
                if item not in (record.get(base) or []):
                    problems.append(
                        Problem(
                            shown_of[table],
                            record["_line"],
                            column,
                            item,
                            f"is not in {base!r}",
                            "a subset of it",
                        )
                    )
    return problems


def fill_roles(tables: dict[str, list[Record]]) -> None:
    """An empty typed cell, or a package without the column, takes the value :data:`ROLES` gives
    (in force, the organisation's own office, the project's states, a gathering); a state's
    membership of the union follows its dates when not given."""
    for (table, column), (_, default) in ROLES.items():
        for record in tables.get(table, []):
            if record.get(column) in (None, ""):
                record[column] = default
    for record in tables.get("countries", []):
        if not record.get("union_membership") and record.get("kind") != "union":
            record["union_membership"] = (
                "former-member" if record.get("union_member_until") else "member"
            )
    for table, columns in (("events", ("actors_scheduled", "actors_inferred")),):
        for record in tables.get(table, []):
            for column in columns:
                record.setdefault(column, [])
            record.setdefault("occasion", None)


def text_paths(descriptor: dict[str, Any]) -> dict[str, str]:
    """The authored texts the descriptor declares (custom property ``texts``): name -> path in the package."""
    texts = descriptor.get("texts") or {}
    return {str(k): str(v) for k, v in texts.items()} if isinstance(texts, dict) else {}


def _text_problems(
    texts: dict[str, str],
    descriptor: dict[str, Any],
    data_dir: Path,
    root: Path | None,
    tables: dict[str, list[Record]],
) -> list[Problem]:
    """Every problem of the authored texts (coopdocs.load.authored), by file and line."""
    from coopdocs.load.authored import text_problems

    keys = {str(r.get("id")) for name in ("sources", "publications") for r in tables.get(name, [])}
    paths = text_paths(descriptor)
    return [
        Problem(_display(data_dir / paths[name], root), line, "", shown, message)
        for name, text in sorted(texts.items())
        for line, shown, message in text_problems(text, keys)
    ]


def _read_texts(
    descriptor: dict[str, Any], data_dir: Path, root: Path | None, problems: list[Problem]
) -> dict[str, str]:
    """The authored texts of the package, each read as UTF-8 and NFC-normalised; problems when unreadable."""
    texts: dict[str, str] = {}
    if "texts" in descriptor and not isinstance(descriptor["texts"], dict):
        problems.append(
            Problem(
                "datapackage.json",
                0,
                "texts",
                "",
                "is not a mapping",
                'e.g. {"article": "text/article.md"}',
            )
        )
    for name, rel in sorted(text_paths(descriptor).items()):
        path = data_dir / rel
        shown = _display(path, root)
        if Path(rel).is_absolute() or ".." in Path(rel).parts:
            problems.append(
                Problem(
                    shown,
                    0,
                    "texts",
                    rel,
                    "is not a path inside the package",
                    "a relative path such as text/article.md",
                )
            )
            continue
        text = _read_text_file(data_dir, name, rel, shown, problems)
        if text is not None:
            texts[name] = unicodedata.normalize("NFC", text.lstrip("\ufeff").replace("\r\n", "\n"))
    return texts


def _read_text_file(
    data_dir: Path, name: str, rel: str, shown: str, problems: list[Problem]
) -> str | None:
    """The authored text ``rel`` of the package as text; None (and a problem) when it cannot be.

    Confined like every table (no symbolic link on the way, nothing outside the data folder), a
    regular file (not a device such as /dev/zero, not a pipe) of at most :data:`TEXT_LIMIT` bytes,
    and UTF-8: read once, never more than the limit.
    """
    path = _table_path(data_dir, rel, shown, problems)
    if path is None:
        return None
    fault = None
    try:
        # Non-blocking: opening a pipe would otherwise wait for a writer that never comes.
        with os.fdopen(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                fault = ("is not a regular file", "a Markdown file")
            else:
                data = fh.read(TEXT_LIMIT + 1)
                if len(data) > TEXT_LIMIT:
                    fault = (f"is larger than {TEXT_LIMIT:,} bytes", "a shorter text")
    except FileNotFoundError:
        fault = (f"the authored text {name!r} is missing", "the file named in datapackage.json")
    except OSError as exc:
        fault = (f"cannot be read: {exc.strerror or exc}", "a readable file")
    if fault is None:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            fault = ("bytes that are not UTF-8", "UTF-8 text")
    problems.append(Problem(shown, 0, "texts", rel, *fault))
    return None


def _undrawable(
    descriptor: dict[str, Any], tables: dict[str, list[Record]], shown_of: dict[str, str]
) -> list[Problem]:
    """A problem for every text that holds a character no bundled PDF font draws (coopdocs.load.glyphs).

    Typst's PDF/A export fails on such a character naming neither record nor field, and every
    document using the record fails: say so here, by record, field and character.
    """
    from coopdocs.load.glyphs import describe, missing

    chars: set[str] = set()
    for records in tables.values():
        for record in records:
            for key, value in record.items():
                for text in value if isinstance(value, list) else [value]:
                    if isinstance(text, str) and not text.isascii() and not key.startswith("_"):
                        chars.update(text)
    lacking = missing(chars)
    if not lacking:
        return []
    problems = []
    for res in descriptor["resources"]:
        name, key = res["name"], res["schema"]["primaryKey"]
        for record in tables.get(name, []):
            for fname, value in record.items():
                if fname.startswith("_"):
                    continue
                text = "; ".join(value) if isinstance(value, list) else value
                if isinstance(text, str) and not text.isascii():
                    bad = sorted({c for c in text if c in lacking})
                    if bad:
                        problems.append(
                            Problem(
                                shown_of[name],
                                record["_line"],
                                fname,
                                text,
                                f"record {record.get(key)}: "
                                + ", ".join(map(describe, bad))
                                + " cannot be drawn by any font of the PDF",
                                "characters the bundled fonts have (Latin, Greek, Cyrillic, "
                                "punctuation and symbols); remove it or write it out",
                            )
                        )
    return problems
