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
* the custom package property ``texts``: authored texts of the package (Markdown with Jinja
  expressions, e.g. ``{"article": "text/article.md"}``), read as UTF-8 text.

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
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

Record = dict[str, Any]

# C0/C1 controls except TAB, LF and CR (which are whitespace and get normalised).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Bidirectional embedding/override/isolate controls: they reorder what a reader sees (the
# "Trojan Source" family), so a data file may not contain them.
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
# Unicode non-characters (U+FDD0..U+FDEF and the last two code points of every plane): XML may
# not contain them, so pandoc silently drops them from a DOCX; reject them instead.
_NONCHAR = re.compile("[\ufdd0-\ufdef" + "".join(chr(p * 0x10000 + 0xFFFE) + chr(p * 0x10000 + 0xFFFF) for p in range(17)) + "]")
_WHITESPACE = re.compile(r"\s+")
_INTEGER = re.compile(r"[+-]?[0-9]+")
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
        return asdict(self)


class DataError(Exception):
    """Raised when the data package does not validate; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
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
                    found.append(Problem(shown, start, name, shown_value, "bytes that are not UTF-8",
                                         "UTF-8 text; re-save the file as UTF-8"))
            if not header:
                header = [c.strip() for c in cells]
            start = reader.line_num + 1
    except csv.Error:
        pass
    return found


def _read_rows(path: Path, shown: str, problems: list[Problem]) -> tuple[list[str] | None, list[tuple[int, list[str]]]]:
    """Read a CSV file as text; return the header and (line number, cells) for each row.

    The header is None when the file is not UTF-8 (already reported, cell by cell).
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
            found = [Problem(shown, line, "", repr(bad)[2:-1], "bytes that are not UTF-8", "UTF-8 text; re-save the file as UTF-8")]
        problems.extend(found)
        return None, []  # no header to check: the file's cells could not be read
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    header: list[str] = []
    start = 1
    try:
        for cells in reader:
            if not header:
                header = [c.strip() for c in cells]
            elif any(c.strip() for c in cells):
                rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        problems.append(Problem(shown, reader.line_num, "", "", f"not valid CSV: {exc}", "RFC 4180 quoting"))
    return header, rows


def _check_text(raw: str, shown: str, line: int, name: str, problems: list[Problem]) -> str | None:
    if _CONTROL.search(raw):
        ch = _CONTROL.search(raw).group()
        problems.append(Problem(shown, line, name, raw.encode("unicode_escape").decode("ascii"),
                                f"contains the control character U+{ord(ch):04X}", "printable text"))
        return None
    if _NONCHAR.search(raw):
        ch = _NONCHAR.search(raw).group()
        problems.append(Problem(shown, line, name, raw.encode("unicode_escape").decode("ascii"),
                                f"contains the non-character U+{ord(ch):04X}", "printable text"))
        return None
    if _BIDI.search(raw):
        ch = _BIDI.search(raw).group()
        problems.append(Problem(shown, line, name, raw.encode("unicode_escape").decode("ascii"),
                                f"contains the bidirectional control U+{ord(ch):04X}", "text without bidi overrides"))
        return None
    return normalise_text(raw)


def _convert(spec: dict[str, Any], text: str, shown: str, line: int, problems: list[Problem]) -> Any:
    """Convert one non-empty, normalised cell to its typed value; record a problem on failure."""
    name, kind = spec["name"], spec.get("type", "string")
    cons = spec.get("constraints", {})

    def bad(message: str, expected: str, value: str = text) -> None:
        problems.append(Problem(shown, line, name, value, message, expected))

    def check_item(item: str) -> bool:
        ok = True
        if "enum" in cons and item not in cons["enum"]:
            bad("not in the controlled vocabulary", "one of " + ", ".join(map(str, cons["enum"])), item)
            ok = False
        if "pattern" in cons and not re.fullmatch(cons["pattern"], item):
            bad("does not match the required form", f"pattern {cons['pattern']}", item)
            ok = False
        return ok

    if kind == "string":
        return text if check_item(text) else None
    if kind == "list":
        items = [normalise_text(i) for i in text.split(spec.get("delimiter", ","))]
        if any(not i for i in items):
            bad("has an empty item", f"items separated by {spec.get('delimiter', ',')!r} with no empty item")
            return None
        if len(set(items)) != len(items):
            bad("repeats an item", "each item once")
            return None
        return items if all([check_item(i) for i in items]) else None
    if kind == "integer":
        if not _INTEGER.fullmatch(text):
            bad("is not a whole number", "an integer such as 2019")
            return None
        value: Any = int(text)
    elif kind == "number":
        if not _NUMBER.fullmatch(text) or not math.isfinite(float(text)):
            bad("is not a number", "a decimal number such as 2000000 or 2.6")
            return None
        value = float(text)
    else:  # pragma: no cover - the descriptor is checked on load
        raise ValueError(f"unsupported field type {kind!r}")
    if "minimum" in cons and value < cons["minimum"]:
        bad("is too small", f"at least {cons['minimum']}")
        return None
    if "maximum" in cons and value > cons["maximum"]:
        bad("is too large", f"at most {cons['maximum']}")
        return None
    if "enum" in cons and value not in cons["enum"]:
        bad("not in the controlled vocabulary", "one of " + ", ".join(map(str, cons["enum"])))
        return None
    return value


SUPPORTED_TYPES = {"string", "integer", "number", "list"}


def load_descriptor(path: Path) -> dict[str, Any]:
    """Read ``datapackage.json`` and check that it only uses the supported Table Schema subset."""
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    for res in descriptor["resources"]:
        for spec in res["schema"]["fields"]:
            if spec.get("type", "string") not in SUPPORTED_TYPES:
                raise ValueError(f"{path}: resource {res['name']!r} field {spec['name']!r}: unsupported type {spec['type']!r}")
    return descriptor


def load_package(data_dir: Path, root: Path | None = None) -> Package:
    """Read and validate every table of the package in ``data_dir``.

    Returns a :class:`Package` whose records are typed (``int``, ``float``, ``list``, ``str`` or
    ``None`` for an empty cell) and sorted by primary key, so that row order in the files never
    changes any output. Raises :class:`DataError` listing every problem when anything is wrong.
    ``root`` only shortens the file names in messages.
    """
    descriptor_path = data_dir / "datapackage.json"
    descriptor = load_descriptor(descriptor_path)
    problems: list[Problem] = []
    tables: dict[str, list[Record]] = {}
    # Primary keys of every row, valid or not: a row with one bad cell still exists, so records
    # that refer to it must not get a second, misleading "does not match" error.
    keys: dict[str, set] = {}
    # Every row as far as its cells converted, valid or not: a row with a type error may also
    # hold an unknown reference, and both must be reported in the same pass.
    checked: dict[str, list[Record]] = {}
    shown_of: dict[str, str] = {}

    for res in descriptor["resources"]:
        name, schema = res["name"], res["schema"]
        path = data_dir / res["path"]
        shown = _display(path, root)
        shown_of[name] = shown
        tables[name], keys[name], checked[name] = [], set(), []
        if not path.is_file():
            problems.append(Problem(shown, 0, "", "", "the table file is missing", f"the file named by resource {name!r} in datapackage.json"))
            continue
        header, rows = _read_rows(path, shown, problems)
        if header is None:
            continue
        names = [f["name"] for f in schema["fields"]]
        unknown = [h for h in header if h not in names]
        absent = [n for n in names if n not in header]
        for h in unknown:
            problems.append(Problem(shown, 1, h, "", "unknown column", "one of " + ", ".join(names)))
        for n in absent:
            problems.append(Problem(shown, 1, n, "", "column missing from the header", "every column in the schema"))
        if len(set(header)) != len(header):
            problems.append(Problem(shown, 1, "", "", "a column name appears twice", "each column once"))
        if unknown or absent:
            continue
        seen: dict[str, dict[Any, int]] = {f["name"]: {} for f in schema["fields"]}
        for line, cells in rows:
            if len(cells) != len(header):
                problems.append(Problem(shown, line, "", "", f"has {len(cells)} cells but the header has {len(header)}", "one cell per column"))
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
                if text == "":
                    if cons.get("required"):
                        problems.append(Problem(shown, line, fname, "", "is required but empty", spec.get("description", "a value")))
                        ok = False
                    record[fname] = [] if spec.get("type") == "list" else None
                    continue
                value = _convert(spec, text, shown, line, problems)
                if value is None:
                    ok = False
                    continue
                if cons.get("unique"):
                    key = tuple(value) if isinstance(value, list) else value
                    if key in seen[fname]:
                        problems.append(Problem(shown, line, fname, text, f"duplicates line {seen[fname][key]}", "a unique value"))
                        ok = False
                    else:
                        seen[fname][key] = line
                record[fname] = value
            if record.get(schema["primaryKey"]) is not None:
                keys[name].add(record[schema["primaryKey"]])
            record["_line"] = line
            checked[name].append(record)
            if ok:
                tables[name].append(record)

    # Foreign keys: every reference resolves (list fields item by item).
    for res in descriptor["resources"]:
        name = res["name"]
        for fk in res["schema"].get("foreignKeys", []) + res["schema"].get("listForeignKeys", []):
            fname = fk["fields"]
            target = fk["reference"]["resource"] or name
            tkey = fk["reference"]["fields"]
            target_pk = _resource(descriptor, target)["schema"]["primaryKey"]
            known = keys.get(target, set()) if tkey == target_pk else {r[tkey] for r in tables.get(target, [])}
            for record in checked[name]:
                value = record.get(fname)
                items = value if isinstance(value, list) else ([] if value is None else [value])
                for item in items:
                    if item not in known:
                        hint = ", ".join(sorted(map(str, known))[:12]) + (" ..." if len(known) > 12 else "")
                        problems.append(Problem(shown_of[name], record["_line"], fname, str(item),
                                                f"does not match any {tkey!r} in {target}.csv",
                                                f"one of {hint}" if known else f"a row in {target}.csv"))

    # The citation policy (README, "Citing honestly"): a record without sources says in its
    # 'source_note' where the article states it without a number; an '<x>_inferred' list names only
    # items of '<x>'. A source that no record cites and that gives no 'unused_reason' is worth a
    # warning, not an error.
    for res in descriptor["resources"]:
        name = res["name"]
        names = {f["name"] for f in res["schema"]["fields"]}
        for record in checked[name]:
            if {"sources", "source_note"} <= names and not record.get("sources") and not record.get("source_note"):
                problems.append(Problem(shown_of[name], record["_line"], "source_note", "",
                                        "the record cites no source and does not say why",
                                        "where the article states it without a reference number"))
            for fname in sorted(n for n in names if n.endswith("_inferred") and n[: -len("_inferred")] in names):
                base = record.get(fname[: -len("_inferred")]) or []
                for item in record.get(fname) or []:
                    if item not in base:
                        problems.append(Problem(shown_of[name], record["_line"], fname, item,
                                                f"is not in {fname[: -len('_inferred')]!r}", "a subset of it"))
    warnings: list[Problem] = []
    if "sources" in tables:
        citing = [(res["name"], fk["fields"]) for res in descriptor["resources"]
                  for fk in res["schema"].get("foreignKeys", []) + res["schema"].get("listForeignKeys", [])
                  if fk["reference"]["resource"] == "sources"]
        cited = {s for table, fname in citing for r in tables[table] for s in (r.get(fname) or [])}
        for src in tables["sources"]:
            if src["id"] not in cited and not src.get("unused_reason"):
                warnings.append(Problem(shown_of["sources"], src["_line"], "id", src["id"],
                                        "no record cites this source", severity="warning"))

    texts = _read_texts(descriptor, data_dir, root, problems)
    if problems:
        raise DataError(problems + warnings)
    for name, records in tables.items():
        key = _resource(descriptor, name)["schema"]["primaryKey"]
        records.sort(key=lambda r: str(r[key]))
    return Package(descriptor=descriptor, tables=tables, warnings=sorted(warnings), texts=texts)


def text_paths(descriptor: dict[str, Any]) -> dict[str, str]:
    """The authored texts the descriptor declares (custom property ``texts``): name -> path in the package."""
    texts = descriptor.get("texts") or {}
    return {str(k): str(v) for k, v in texts.items()} if isinstance(texts, dict) else {}


def _read_texts(descriptor: dict[str, Any], data_dir: Path, root: Path | None, problems: list[Problem]) -> dict[str, str]:
    """The authored texts of the package, each read as UTF-8 and NFC-normalised; problems when unreadable."""
    texts: dict[str, str] = {}
    if "texts" in descriptor and not isinstance(descriptor["texts"], dict):
        problems.append(Problem("datapackage.json", 0, "texts", "", "is not a mapping", 'e.g. {"article": "text/article.md"}'))
    for name, rel in sorted(text_paths(descriptor).items()):
        path = data_dir / rel
        shown = _display(path, root)
        if Path(rel).is_absolute() or ".." in Path(rel).parts:
            problems.append(Problem(shown, 0, "texts", rel, "is not a path inside the package", "a relative path such as text/article.md"))
            continue
        try:
            text = path.read_bytes().decode("utf-8")
        except FileNotFoundError:
            problems.append(Problem(shown, 0, "texts", rel, f"the authored text {name!r} is missing", "the file named in datapackage.json"))
            continue
        except UnicodeDecodeError:
            problems.append(Problem(shown, 0, "texts", rel, "bytes that are not UTF-8", "UTF-8 text"))
            continue
        texts[name] = unicodedata.normalize("NFC", text.lstrip("\ufeff").replace("\r\n", "\n"))
    return texts
