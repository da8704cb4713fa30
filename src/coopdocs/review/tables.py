"""The tables diff: the comparative tables of two versions compared cell by cell.

Each table of the layout contract (:data:`coopdocs.layout.TABLE_IDS`) is read from its CSV (the
XLSX holds the same cells in a spreadsheet). Rows are matched by the table's row key
(:func:`row_key`); a table's changes are its rows added and removed and its cells changed
(old → new), in the new version's row order.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from coopdocs import layout
from coopdocs.review.versions import Version


@dataclass
class TableChange:
    """What changed in one table (``status``: changed, unchanged, added or removed)."""

    table: str
    status: str
    key: list[str] = field(default_factory=list)  # the columns that identify a row
    added: list[str] = field(default_factory=list)  # row keys, as text
    removed: list[str] = field(default_factory=list)
    cells: list[tuple[str, str, str, str]] = field(default_factory=list)  # (row, column, old, new)
    columns_added: list[str] = field(default_factory=list)
    columns_removed: list[str] = field(default_factory=list)


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """A CSV table's header and rows (``([], [])`` when the file does not exist)."""
    if not path.is_file():
        return [], []
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def _unique(rows: list[dict[str, str]], columns: list[str]) -> bool:
    keys = [tuple(r.get(c, "") for c in columns) for r in rows]
    return len(set(keys)) == len(keys) and all(any(k) for k in keys)


def _is_identifier(column: str) -> bool:
    return column == "id" or column.endswith(("_id", "_code"))


def row_key(columns: list[str], *versions: list[dict[str, str]]) -> list[str]:
    """The columns that identify a row in every version.

    The identifier columns (``id``, ``*_id``, ``*_code``, as the tables name them), as few of
    them in order as are unique together; failing that, the fewest leading columns that are.

    >>> rows = [{"theme_id": "a", "country_code": "AM", "n": "1"},
    ...         {"theme_id": "a", "country_code": "BY", "n": "1"}]
    >>> row_key(["theme_id", "country_code", "n"], rows)
    ['theme_id', 'country_code']
    >>> row_key(["year", "title"], [{"year": "2017", "title": "a"}, {"year": "2018", "title": "a"}])
    ['year']
    """
    identifiers = [c for c in columns if _is_identifier(c)]
    for candidates in (identifiers, columns):
        for n in range(1, len(candidates) + 1):
            if all(_unique(rows, candidates[:n]) for rows in versions):
                return candidates[:n]
    return columns


def _key_text(row: dict[str, str], key: list[str]) -> str:
    return ", ".join(row.get(c, "") for c in key)


def compare_table(table: str, old: Path | None, new: Path | None) -> TableChange:
    """One table of two versions compared cell by cell."""
    cols_a, rows_a = read_csv(old) if old else ([], [])
    cols_b, rows_b = read_csv(new) if new else ([], [])
    if not cols_a and not cols_b:
        return TableChange(table, "unchanged")
    if not cols_a or not cols_b:
        status = "added" if cols_b else "removed"
        key = row_key(cols_b or cols_a, rows_b or rows_a)
        rows = [_key_text(r, key) for r in (rows_b or rows_a)]
        return TableChange(table, status, key, *((rows, []) if cols_b else ([], rows)))
    common = [c for c in cols_b if c in cols_a]
    key = row_key(common, rows_a, rows_b)
    by_key_a = {_key_text(r, key): r for r in rows_a}
    by_key_b = {_key_text(r, key): r for r in rows_b}
    change = TableChange(
        table,
        "unchanged",
        key,
        added=[k for k in by_key_b if k not in by_key_a],
        removed=[k for k in by_key_a if k not in by_key_b],
        columns_added=[c for c in cols_b if c not in cols_a],
        columns_removed=[c for c in cols_a if c not in cols_b],
    )
    for k, rb in by_key_b.items():
        ra = by_key_a.get(k)
        if ra is None:
            continue
        change.cells += [(k, c, ra[c], rb[c]) for c in common if ra[c] != rb[c]]
    if (
        change.added
        or change.removed
        or change.cells
        or change.columns_added
        or change.columns_removed
    ):
        change.status = "changed"
    return change


def table_file(version: Version, table: str) -> Path | None:
    """A version's CSV of ``table`` (None when its build made none)."""
    assert version.project is not None
    path = version.project / layout.table_output(table, layout.TABLE_FORMATS[0])
    return path if path.is_file() else None


def compare_tables(a: Version, b: Version) -> list[TableChange]:
    """Every table of the layout contract compared, in the order the tables document shows them."""
    return [compare_table(t, table_file(a, t), table_file(b, t)) for t in layout.TABLE_IDS]
