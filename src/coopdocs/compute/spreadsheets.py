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
from coopdocs.tools.cache import cache_key
from coopdocs.tools.builddate import iso_datetime
from coopdocs.tools.files import atomic_output
from coopdocs.tools.zips import ZIP_EPOCH_MIN, rewrite_zip

# Column headings for people come from the strings file (``headings``); the CSV keeps the tidy
# machine names, and a column without a heading shows its machine name.


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
        writer.writerow([_cell(row[c]) for c in df.columns])
    return buf.getvalue()


def normalise_zip(data: bytes, epoch: int) -> bytes:
    """Rewrite an OOXML zip with fixed entry times and fixed document dates (reproducible bytes)."""
    iso = iso_datetime(max(epoch, ZIP_EPOCH_MIN))  # the document dates, as the entries' (no earlier than 1980)

    def fix_dates(name: str, content: bytes) -> bytes:
        if name != "docProps/core.xml":
            return content
        text = re.sub(r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)", rf"\g<1>{iso}\g<3>", content.decode("utf-8"))
        return text.encode("utf-8")

    return rewrite_zip(data, fix_dates, epoch)


def to_xlsx_bytes(df: Frame, title: str, epoch: int, headings: dict[str, str] | None = None) -> bytes:
    """A formatted workbook for editors: title row, bold frozen header, widths, wrapped text.

    ``headings``: the column headings by machine name (the strings file's ``headings``).
    """
    headings = headings or {}
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "table"
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=12, color="1F3864")
    headers = [headings.get(c, c) for c in df.columns]
    ws.append(headers)
    for cell in ws[2]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F3864")
        cell.alignment = Alignment(vertical="top", wrap_text=True)
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
    # One style for every data cell, registered once: assigning an Alignment per cell makes
    # openpyxl hash and deduplicate it each time (17 s for the tables of 400 states).
    ws["A3"].alignment = Alignment(vertical="top", wrap_text=True)
    data_style = ws["A3"]._style
    for row in ws.iter_rows(min_row=3):
        for cell in row:
            cell._style = copy.copy(data_style)
    for idx, column in enumerate(df.columns, start=1):
        longest = max([len(headings.get(column, column))] + [len(_cell(v)) for v in df.column(column)])
        ws.column_dimensions[get_column_letter(idx)].width = max(8, min(60, longest + 2))
    ws.freeze_panes = "A3"
    ws.auto_filter.ref = f"A2:{get_column_letter(len(df.columns))}{len(df) + 2}"
    fixed = dt.datetime.fromtimestamp(epoch, tz=dt.timezone.utc).replace(tzinfo=None)
    wb.properties.creator = "coopdocs"
    wb.properties.created = fixed
    wb.properties.modified = fixed
    wb.properties.lastModifiedBy = "coopdocs"
    buf = io.BytesIO()
    wb.save(buf)
    return normalise_zip(buf.getvalue(), epoch)


def cached_xlsx(df: Frame, csv_text: str, title: str, epoch: int, cache_dir: Path | None,
                headings: dict[str, str] | None = None) -> bytes:
    """The XLSX of a table, from ``cache_dir`` when the same table was written before.

    Keyed by what the workbook is made of (the table's CSV text, its title and headings, the
    epoch, this module's code and openpyxl's version): an edit that leaves a table alone then
    skips openpyxl (0.25 s to import) for it.
    """
    if cache_dir is None:
        return to_xlsx_bytes(df, title, epoch, headings)
    shown = json.dumps([(headings or {}).get(c, c) for c in df.columns], ensure_ascii=False)
    cached = cache_dir / f"xlsx-{cache_key('openpyxl', Path(__file__), csv_text, title, shown, str(epoch))}.xlsx"
    if cached.is_file():
        return cached.read_bytes()
    data = to_xlsx_bytes(df, title, epoch, headings)
    with atomic_output(cached) as tmp:
        tmp.write_bytes(data)
    return data
