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
    ws.title = "table"
    ws.append([title])
    ws["A1"].font = Font(name=sheet.FONT, bold=True, size=sheet.TITLE_SIZE, color="1F3864")
    headers = [headings.get(c, c) for c in df.columns]
    ws.append(headers)
    for cell in ws[2]:
        cell.font = Font(name=sheet.FONT, size=sheet.SIZE, bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F3864")
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    table_rows = []
    for row in df.rows:
        values = []
        for v in (row[c] for c in df.columns):
            if v is None or (isinstance(v, float) and math.isnan(v)):
                values.append(None)
            elif isinstance(v, float) and v.is_integer():
                values.append(int(v))
            else:
                values.append(v)
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
    # Widths from the text, every row as high as its wrapped lines, and a print setup.
    sheet.lay_out(ws, headers, [[_cell(v) for v in r] for r in table_rows], title)
    ws.freeze_panes = "A3"
    ws.auto_filter.ref = f"A2:{get_column_letter(len(df.columns))}{len(df) + 2}"
    fixed = dt.datetime.fromtimestamp(epoch, tz=dt.UTC).replace(tzinfo=None)
    wb.properties.creator = "coopdocs"
    wb.properties.created = fixed
    wb.properties.modified = fixed
    wb.properties.lastModifiedBy = "coopdocs"
    buf = io.BytesIO()
    wb.save(buf)
    return normalise_zip(buf.getvalue(), epoch)


def frame_text(df: Frame) -> str:
    """The table's columns and values with their types (1, 1.0 and "1" differ): part of a cache key."""
    import json

    return json.dumps(
        [df.columns, [[row[c] for c in df.columns] for row in df.rows]],
        ensure_ascii=False,
        separators=(",", ":"),
        default=repr,
    )


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
) -> bytes:
    """The XLSX of a table, from ``cache_dir`` when the same table was written before.

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
    data = store.get(key)
    if data is None:
        data = to_xlsx_bytes(df, title, epoch, headings)
        store.put(key, data)
    return data
