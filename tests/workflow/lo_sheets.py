"""Open workbooks in LibreOffice Calc and report what a reader sees: row heights and print setup.

Run by tests/workflow/test_readers.py with Debian's python3 (which has LibreOffice's `uno` module
from python3-uno), not the project's virtual environment:

    /usr/bin/python3 lo_sheets.py PROFILE_DIR OUT_DIR BOOK.xlsx ...

For each workbook it prints one JSON line: for every row of the used area its height as the file
sets it and the height LibreOffice finds the row's text needs (its "optimal height"), both in
1/100 mm; the page style's orientation and scaling; the print area and repeated rows; and the
number of pages of the PDF that LibreOffice prints from it (into OUT_DIR).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

# lo_uno.py is in tests/, one folder up: the system Python runs this file from any folder.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from lo_uno import office, prop, service  # noqa: E402 - needs the path above


def inspect(desktop, book: Path, out_dir: Path) -> dict:
    doc = desktop.loadComponentFromURL(
        book.resolve().as_uri(), "_blank", 0, (prop("Hidden", True),)
    )
    try:
        sheet = doc.Sheets.getByIndex(0)
        cursor = sheet.createCursor()
        cursor.gotoEndOfUsedArea(False)
        last_row = cursor.RangeAddress.EndRow
        last_col = cursor.RangeAddress.EndColumn
        rows = sheet.Rows
        given = [rows.getByIndex(r).Height for r in range(last_row + 1)]
        for r in range(last_row + 1):
            rows.getByIndex(r).OptimalHeight = True
        needed = [rows.getByIndex(r).Height for r in range(last_row + 1)]
        for r in range(last_row + 1):  # back to the file's heights before printing
            rows.getByIndex(r).Height = given[r]
        style = doc.StyleFamilies.getByName("PageStyles").getByName(sheet.PageStyle)
        areas = [(a.StartColumn, a.StartRow, a.EndColumn, a.EndRow) for a in sheet.getPrintAreas()]
        titles = sheet.getTitleRows()
        widths = [sheet.Columns.getByIndex(c).Width for c in range(last_col + 1)]
        # Each data cell as Calc reads it: a number, or text (below the title and header rows).
        cells = [
            [
                ("number" if cell.Type.value == "VALUE" else "text", cell.String)
                for cell in (sheet.getCellByPosition(c, r) for c in range(last_col + 1))
            ]
            for r in range(2, last_row + 1)
        ]
        pdf = out_dir / (book.stem + ".pdf")
        doc.storeToURL(pdf.resolve().as_uri(), (prop("FilterName", "calc_pdf_Export"),))
        return {
            "book": book.name,
            "sheet_name": doc.Sheets.ElementNames[0],
            "title": doc.DocumentProperties.Title,
            "cells": cells,
            "rows_given": given,
            "rows_needed": needed,
            "column_widths": widths,
            "last_column": last_col,
            "landscape": bool(style.IsLandscape),
            "page_width": style.Width,
            "page_height": style.Height,
            "margins": [style.LeftMargin, style.RightMargin, style.TopMargin, style.BottomMargin],
            "scale_to_pages_x": style.ScaleToPagesX,
            "scale_to_pages_y": style.ScaleToPagesY,
            "print_areas": areas,
            "title_rows": [titles.StartRow, titles.EndRow] if sheet.PrintTitleRows else None,
            "pdf": str(pdf),
        }
    finally:
        doc.close(True)


def main() -> None:
    profile, out_dir, books = Path(sys.argv[1]), Path(sys.argv[2]), [Path(p) for p in sys.argv[3:]]
    out_dir.mkdir(parents=True, exist_ok=True)
    with office(profile) as ctx:
        desktop = service(ctx, "com.sun.star.frame.Desktop")
        for book in books:
            print(json.dumps(inspect(desktop, book, out_dir)), flush=True)


if __name__ == "__main__":
    main()
