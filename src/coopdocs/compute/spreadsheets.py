"""The comparative tables as files: tidy CSV text and styled XLSX workbooks with fixed bytes.

openpyxl is imported only when a workbook is not in the cache, i.e. when its table changed.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import json
import math
import re
from pathlib import Path
from typing import Any

from coopdocs.compute.tables import Frame
from coopdocs.tools.builddate import iso_datetime
from coopdocs.tools.zips import ZIP_EPOCH_MIN, rewrite_zip

# Column headings for people come from the strings file (``headings``); the CSV keeps the tidy
# machine names, and a column without a heading shows its machine name.


# A text cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets
# (OWASP, "CSV Injection"): "=HYPERLINK(...)", "=cmd|' /C calc'!A0", "@SUM(...)", "+1+1", "-1+1".
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """A CSV text cell that a spreadsheet program shows as text: a single quote before a formula trigger.

    As OWASP recommends; numbers are left alone (-5 stays a number), only text is changed.

    >>> neutralise("=1+1"), neutralise("-"), neutralise("a=b")
    ("'=1+1", "'-", 'a=b')
    """
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def _cell(value: Any) -> str:
    """A cell as text: integers without '.0', missing values empty."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def to_csv_text(df: Frame) -> str:
    """Tidy CSV text: one header row, LF line ends, integers without a decimal part."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(list(df.columns))
    for row in df.rows:
        writer.writerow(
            [neutralise(row[c]) if isinstance(row[c], str) else _cell(row[c]) for c in df.columns]
        )
    return buf.getvalue()


def normalise_zip(data: bytes, epoch: int) -> bytes:
    """Rewrite an OOXML zip with fixed entry times and fixed document dates (reproducible bytes)."""
    iso = iso_datetime(
        max(epoch, ZIP_EPOCH_MIN)
    )  # the document dates, as the entries' (no earlier than 1980)

    def fix_dates(name: str, content: bytes) -> bytes:
        if name != "docProps/core.xml":
            return content
        text = re.sub(
            r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
            rf"\g<1>{iso}\g<3>",
            content.decode("utf-8"),
        )
        return text.encode("utf-8")

    return rewrite_zip(data, fix_dates, epoch)


def to_xlsx_bytes(
    df: Frame, title: str, epoch: int, headings: dict[str, str] | None = None
) -> bytes:
    """A formatted workbook for editors: title row, bold frozen header, widths, wrapped text.

    Row heights fit the wrapped text and the sheet prints one page wide (coopdocs.compute.xlsx_layout).
    ``headings``: the column headings by machine name (the strings file's ``headings``).
    """
    headings = headings or {}
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.indexed_list import IndexedList

    from coopdocs.compute import xlsx_layout as sheet

    wb = Workbook()
    # The sheet's font (also the unit of column widths): Arial, whose metrics LibreOffice's
    # Liberation Sans shares (coopdocs.compute.xlsx_layout).
    wb._fonts = IndexedList([Font(name=sheet.FONT, size=sheet.SIZE, family=2)])
    wb._named_styles["Normal"].font = Font(name=sheet.FONT, size=sheet.SIZE, family=2)
    ws = wb.active
    ws.title = sheet_name(title)
    ws.append([title])
    ws["A1"].font = Font(name=sheet.FONT, bold=True, size=sheet.TITLE_SIZE, color="1F3864")
    headers = [headings.get(c, c) for c in df.columns]
    ws.append(headers)
    for cell in ws[2]:
        cell.font = Font(name=sheet.FONT, size=sheet.SIZE, bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F3864")
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    numeric = numeric_columns(df)
    table_rows = []
    for row in df.rows:
        values = [_xlsx_value(row[c], c in numeric) for c in df.columns]
        ws.append(values)
        table_rows.append(values)
    _text_as_text(ws)
    # One style for every data cell, registered once: assigning an Alignment per cell makes
    # openpyxl hash and deduplicate it each time (17 s for the tables of 400 states).
    ws["A3"].alignment = Alignment(vertical="top", wrap_text=True)
    data_style = ws["A3"]._style
    for row in ws.iter_rows(min_row=3):
        for cell in row:
            cell._style = copy.copy(data_style)
    _money_formats(ws, df)
    # Widths from the text, every row as high as its wrapped lines, and a print setup.
    sheet.lay_out(ws, headers, [[_cell(v) for v in r] for r in table_rows], title)
    ws.freeze_panes = "A3"
    ws.auto_filter.ref = f"A2:{get_column_letter(len(df.columns))}{len(df) + 2}"
    fixed = dt.datetime.fromtimestamp(epoch, tz=dt.UTC).replace(tzinfo=None)
    wb.properties.creator = "coopdocs"
    wb.properties.title = title
    wb.properties.created = fixed
    wb.properties.modified = fixed
    wb.properties.lastModifiedBy = "coopdocs"
    buf = io.BytesIO()
    wb.save(buf)
    return normalise_zip(buf.getvalue(), epoch)


def money_format(currency: str, values: list[Any]) -> str:
    """The number format of a money column: grouped digits and the ISO code of its currency,
    with cents only when an amount has them.

    >>> money_format("EUR", [1500, None]), money_format("USD", [2.5])
    ('#,##0 "EUR"', '#,##0.00 "USD"')
    """
    whole = all(v is None or float(v).is_integer() for v in values)
    return f'#,##0{"" if whole else ".00"} "{currency}"'


def _money_formats(ws, df: Frame) -> None:
    """Give the money columns' cells (below the title and heading rows) their currency's format."""
    for i, column in enumerate(df.columns, start=1):
        if column in df.money:
            shown = money_format(df.money[column], df.column(column))
            for (cell,) in ws.iter_rows(min_row=3, min_col=i, max_col=i):
                cell.number_format = shown


def frame_text(df: Frame) -> str:
    """The table's columns and values with their types (1, 1.0 and "1" differ): part of a cache key."""
    import json

    return json.dumps(
        [df.columns, [[row[c] for c in df.columns] for row in df.rows]],
        ensure_ascii=False,
        separators=(",", ":"),
        default=repr,
    )


_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_MAX = 31  # characters, Excel's limit


def numeric_columns(df: Frame) -> set[str]:
    """The columns whose every filled cell is a number or a number written as text ("2019").

    Such a column is stored as numbers, so that a spreadsheet sums and sorts it; a column with one
    word in it ("2009-10", "none") stays text throughout.

    >>> numeric_columns(Frame(["year", "code"], [{"year": "2019", "code": "AM"}, {"year": 2020, "code": "1"}]))
    {'year'}
    """

    def number(v: Any) -> bool:
        return (
            isinstance(v, (int, float))
            and not isinstance(v, bool)
            or (isinstance(v, str) and bool(_NUMBER.fullmatch(v.strip())))
        )

    def empty(v: Any) -> bool:
        return v is None or v == "" or (isinstance(v, float) and math.isnan(v))

    return {
        c
        for c in df.columns
        if any(not empty(r[c]) for r in df.rows)
        and all(empty(r[c]) or number(r[c]) for r in df.rows)
    }


def _xlsx_value(v: Any, numeric: bool) -> Any:
    """A cell's value for the workbook: None for missing, integers without '.0', numbers as numbers."""
    if v is None or (isinstance(v, float) and math.isnan(v)) or v == "":
        return None
    if numeric and isinstance(v, str):
        v = float(v) if "." in v else int(v)
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def sheet_name(title: str) -> str:
    """The sheet's name after its table: the title without the characters Excel forbids, cut at a
    word to Excel's 31 characters.

    >>> sheet_name("Projects by funder and recipient state"), sheet_name("a/b: c")
    ('Projects by funder and', 'ab c')
    >>> sheet_name("Timeline of instruments, projects and events")
    'Timeline of instruments'
    """
    name = " ".join(_SHEET_FORBIDDEN.sub("", title).split()).strip("'")
    if len(name) > SHEET_NAME_MAX:
        name = name[: SHEET_NAME_MAX + 1].rsplit(" ", 1)[0].rstrip(",;–- ")
    return name[:SHEET_NAME_MAX] or "table"


def _text_as_text(ws) -> None:
    """Store every text cell as text: openpyxl makes a string starting with "=" a live formula.

    Data is text, never code (RELIABILITY.md): "=HYPERLINK(...)" in a description must show as
    typed, not run when an editor opens the workbook.
    """
    for row in ws.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"


def cached_xlsx(
    df: Frame,
    csv_text: str,
    title: str,
    epoch: int,
    cache_dir: Path | None,
    headings: dict[str, str] | None = None,
    used: set[Path] | None = None,
) -> bytes:
    """The XLSX of a table, from ``cache_dir`` when the same table was written before (the entry's
    path is added to ``used``, for the stage to prune the others).

    Keyed by what the workbook is made of (the table's values with their types, its title and headings, the
    epoch, this module's code, openpyxl's and zlib's versions) in a verified store
    (coopdocs.tools.cache): an edit that leaves a table alone then skips openpyxl (0.25 s to
    import) for it, and a damaged entry is made again.
    """
    if cache_dir is None:
        return to_xlsx_bytes(df, title, epoch, headings)
    import zlib

    from coopdocs.tools.cache import Store, digest

    store = Store(cache_dir, ".xlsx.entry")
    shown = json.dumps([(headings or {}).get(c, c) for c in df.columns], ensure_ascii=False)
    key = digest(
        "xlsx",
        frame_text(df),
        title,
        shown,
        str(epoch),
        zlib.ZLIB_RUNTIME_VERSION,
        code=[Path(__file__), Path(__file__).with_name("xlsx_layout.py")],
        libraries=["openpyxl"],
    )
    if used is not None:
        used.add(store.path(key))
    data = store.get(key)
    if data is None:
        data = to_xlsx_bytes(df, title, epoch, headings)
        store.put(key, data)
    return data
