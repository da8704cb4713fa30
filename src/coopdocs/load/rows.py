"""The rows of one table: its file found inside the data folder, read as CSV text, every cell
checked and converted (coopdocs.load.cells), into records.

A row that repeats the header (pasted mid-file) is an error, not a record. A file that cannot be
read whole (not UTF-8, broken quoting, a cell over :data:`CELL_LIMIT` characters) is a root cause:
the references into its rows are then not checked (coopdocs.load.keys).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from coopdocs.load.cells import Cell, check_text, convert, visible
from coopdocs.load.keys import check_name
from coopdocs.load.problems import Problem, Record, display

# The csv module's limit for one cell (csv.field_size_limit()), documented in the README.
CELL_LIMIT = 131072
# Pairs of fields where the second may not come before the first.
ORDERED_FIELDS = [("start_year", "end_year")]
# Fields unique within the records that share the named column, whatever the descriptor says: two
# sources of one citing work with one reference number print the same "[45]"; two citing works
# may each number theirs from 1.
UNIQUE_WITHIN = {("sources", "ref_number"): "citing_work"}
# A cell that was not read (its problem is reported): the record has no value for it.
_UNREAD = object()


@dataclass
class Reading:
    """What reading a package's tables has found so far, table by table."""

    problems: list[Problem] = field(default_factory=list)
    # The records without a problem, by table.
    tables: dict[str, list[Record]] = field(default_factory=dict)
    # Primary keys of every row, valid or not: a row with one bad cell still exists, so records
    # that refer to it must not get a second, misleading "does not match" error.
    keys: dict[str, set] = field(default_factory=dict)
    # Every row as far as its cells converted, valid or not: a row with a type error may also
    # hold an unknown reference, and both must be reported in the same pass.
    checked: dict[str, list[Record]] = field(default_factory=dict)
    shown_of: dict[str, str] = field(default_factory=dict)
    # Tables whose rows could not all be read: references into them are not checked (the
    # reason is reported; a list of every reference that no longer resolves would bury it).
    broken: set[str] = field(default_factory=set)


def read_table(reading: Reading, data_dir: Path, res: dict[str, Any], root: Path | None) -> None:
    """Read the table of resource ``res`` into ``reading``: its records and its problems."""
    name, schema = res["name"], res["schema"]
    shown = display(data_dir / res["path"], root)
    reading.shown_of[name] = shown
    reading.tables[name], reading.keys[name], reading.checked[name] = [], set(), []
    problems = reading.problems
    path = table_path(data_dir, res["path"], shown, problems)
    if path is not None and not path.is_file():
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
        path = None
    if path is None:
        reading.broken.add(name)
        return
    before = len(problems)
    header, rows = read_rows(path, shown, problems)
    if any(p.root for p in problems[before:]):
        reading.broken.add(name)
    if header is None:
        return
    if not _header_fits(header, [f["name"] for f in schema["fields"]], shown, problems):
        reading.broken.add(name)
        return
    seen: dict[Any, dict[Any, int]] = {f["name"]: {} for f in schema["fields"]}
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
        record, ok = _read_record(
            name, schema, header, cells, Cell(shown, line, "", problems), seen
        )
        if record.get(schema["primaryKey"]) is not None:
            reading.keys[name].add(record[schema["primaryKey"]])
        record["_line"] = line
        reading.checked[name].append(record)
        if ok:
            reading.tables[name].append(record)


def _header_fits(header: list[str], names: list[str], shown: str, problems: list[Problem]) -> bool:
    """Whether the header names exactly the schema's columns (``names``); a problem for each that
    it adds or lacks, and for a name given twice."""
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
            Problem(shown, 1, "", "", "a column name appears twice", "each column once", root=True)
        )
    return not unknown and not absent


def _read_record(
    name: str,
    schema: dict[str, Any],
    header: list[str],
    cells: list[str],
    row: Cell,
    seen: dict[Any, dict[Any, int]],
) -> tuple[Record, bool]:
    """One row as a record (the cells that could be read) and whether it holds no problem."""
    record: Record = {}
    ok = True
    for spec in schema["fields"]:
        fname = spec["name"]
        cell = Cell(row.shown, row.line, fname, row.problems)
        value, good = _read_cell(name, schema, spec, cells[header.index(fname)], cell, seen)
        ok = ok and good
        if value is not _UNREAD:
            record[fname] = value
    ok = _unique_within(name, record, row, seen) and ok
    for first, second in ORDERED_FIELDS:
        a, b = record.get(first), record.get(second)
        if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b < a:
            row.problems.append(
                Problem(
                    row.shown,
                    row.line,
                    second,
                    str(b),
                    f"comes before {first} {a}",
                    f"{second} at or after {first}",
                )
            )
            ok = False
    return record, ok


def _unique_within(name: str, record: Record, row: Cell, seen: dict[Any, dict[Any, int]]) -> bool:
    """Whether the record's values of :data:`UNIQUE_WITHIN` are the first of their group (a
    problem naming the earlier line otherwise)."""
    ok = True
    for (table, fname), group in UNIQUE_WITHIN.items():
        value = record.get(fname)
        if table != name or value is None:
            continue
        earlier = seen.setdefault((fname, group), {})
        key = (record.get(group), value)
        if key in earlier:
            row.problems.append(
                Problem(
                    row.shown,
                    row.line,
                    fname,
                    str(value),
                    f"duplicates line {earlier[key]}",
                    f"a value unique within the records of one {group}",
                )
            )
            ok = False
        else:
            earlier[key] = row.line
    return ok


def _read_cell(
    name: str,
    schema: dict[str, Any],
    spec: dict[str, Any],
    raw: str,
    cell: Cell,
    seen: dict[Any, dict[Any, int]],
) -> tuple[Any, bool]:
    """One cell's value (``_UNREAD`` when it could not be read) and whether it holds no problem:
    its text, its type and constraints, a name it becomes, a value that must be unique."""
    fname = cell.name
    text = check_text(raw, cell.shown, cell.line, fname, cell.problems)
    if text is None:
        return _UNREAD, False
    cons = spec.get("constraints", {})
    if text == "" or not visible(text):
        if cons.get("required"):
            cell.bad("is required but empty", spec.get("description", "a value"), "")
        return ([] if spec.get("type") == "list" else None), not cons.get("required")
    value = convert(spec, text, cell.shown, cell.line, cell.problems)
    if value is None:
        return _UNREAD, False
    if fname == "slug" or fname == schema["primaryKey"]:
        if not check_name(name, fname, value, cell.shown, cell.line, cell.problems):
            return _UNREAD, False
    if cons.get("unique"):
        key = tuple(value) if isinstance(value, list) else value
        if key in seen[fname]:
            cell.bad(f"duplicates line {seen[fname][key]}", "a unique value", text)
            return _UNREAD, False
        seen[fname][key] = cell.line
    return value, True


def read_rows(
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
        problems.extend(_not_utf8(raw, exc, shown))
        return None, []  # no header to check: the file's cells could not be read
    return _parse_rows(text, shown, problems)


def _not_utf8(raw: bytes, exc: UnicodeDecodeError, shown: str) -> list[Problem]:
    """Root problems naming every cell of ``raw`` that holds bytes not UTF-8 (line and field),
    not just the first offset; the offset alone where no cell can be named."""
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
    return [
        Problem(p.file, p.line, p.field, p.value, p.message, p.expected, root=True) for p in found
    ]


def _parse_rows(
    text: str, shown: str, problems: list[Problem]
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the non-empty rows of CSV ``text``; a repeated header is a problem."""
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
        problems.append(_csv_error(exc, shown, start))
    return header, rows


def _csv_error(exc: csv.Error, shown: str, line: int) -> Problem:
    """The root problem of a CSV error at ``line``: the rest of the file was not read."""
    if "field larger than field limit" in str(exc):
        return Problem(
            shown,
            line,
            "",
            "",
            f"a cell is longer than {CELL_LIMIT:,} characters; the rest of the file was not read",
            f"cells of at most {CELL_LIMIT:,} characters",
            root=True,
        )
    return Problem(
        shown,
        line,
        "",
        "",
        f"not valid CSV: {exc}; the rest of the file was not read",
        "RFC 4180 quoting",
        root=True,
    )


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


def table_path(data_dir: Path, relative: str, shown: str, problems: list[Problem]) -> Path | None:
    """The table file ``relative`` inside ``data_dir``; None (and a problem) when it would leave it.

    Absolute paths and ``..`` are refused by the descriptor's check; here no part of the path
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
