"""How a comparative table's workbook looks when it is opened and printed (Excel, LibreOffice Calc).

A spreadsheet does not lay its rows out by itself: a row is as high as the file says (or the
default height), so wrapped text beyond the first line is cut off unless the file gives the row
the height of its lines. Here every column gets a width from its text and every row the height
of its longest wrapped cell, measured in the sheet's font: Arial, which ships with Excel, and
which LibreOffice sets in Liberation Sans, with the same metrics (Debian's fonts-liberation).
A table too wide for a landscape page at 80 % has its columns narrowed (their text wraps over
more lines), each in proportion to how much wider it is than its longest unbreakable piece, and
none below that (coopdocs.tools.text_metrics: the same splitter and fitter as the DOCX's
tables). The print setup: the table as print area, A4 landscape when its columns are wider than a
portrait page, scaled to the page width, the header row repeated on every page, page numbers in
the footer.

The widths are the fonts' own (coopdocs.tools.text_metrics); the caller passes the openpyxl
worksheet.
"""

from __future__ import annotations

import math
from typing import Any

from coopdocs.tools.text_metrics import fit_columns, piece_spans, pieces, text_width

FONT = "Arial"
SIZE = 10  # points
TITLE_SIZE = 12

PX_PER_PT = 96 / 72
CHAR_PX = 7  # one unit of column width: the widest digit of the sheet's default font, in pixels
CELL_PADDING_PX = 7  # what a cell keeps free left and right of its text, and rounding
LINE_PT = 12.75  # one line of 10 pt Arial in a row (Excel's and LibreOffice's default row height)
ROW_PADDING_PT = 2.25
FILTER_BUTTON_PX = 18
WRAP_SLACK = (
    1.04  # text measured this much wider when wrapping: the readers' own rounding and margins
)
MIN_WIDTH, MAX_WIDTH = 8, 60  # column widths in characters
MIN_WRAPPED = 18  # a column narrowed to fit the page keeps at least this width (if it had it)
# A4 (210 x 297 mm) less 12.7 mm margins left and right, in pixels at 96 dpi.
MARGIN_IN = 0.5
PORTRAIT_PX = (210 / 25.4 - 2 * MARGIN_IN) * 96
LANDSCAPE_PX = (297 / 25.4 - 2 * MARGIN_IN) * 96
MIN_SCALE = 0.8  # columns are narrowed (and rows wrap more) rather than print smaller than this


def text_px(text: str, bold: bool = False, size: float = SIZE) -> float:
    """Width of ``text`` in pixels at 96 dpi, in the sheet's font (coopdocs.tools.text_metrics)."""
    return text_width(text, FONT, size, bold) * PX_PER_PT


def lines_needed(text: str, width_px: float, bold: bool = False) -> int:
    """Lines that ``text`` takes when wrapped into ``width_px``: at spaces and where a word may
    break (text_metrics.piece_spans); a piece too long for the column is cut at its edge."""
    total = 0
    space = text_px(" ", bold)
    for paragraph in text.split("\n"):
        lines, used, end = 1, 0.0, 0
        for a, b in piece_spans(paragraph):
            w = text_px(paragraph[a:b], bold)
            gap = space if a > end else 0.0  # a piece of the same word follows without a space
            if used and used + gap + w > width_px:
                lines, used = lines + 1, 0.0
            if used:
                used += gap
            # A piece wider than the column is broken where it meets the edge, as both programs do.
            while w > width_px:
                lines += 1
                w -= width_px
            used, end = used + w, b
        total += lines
    return max(total, 1)


def _chars(px: float) -> int:
    return math.ceil((px + CELL_PADDING_PX) / CHAR_PX) + 1


def column_width(header: str, values: list[Any]) -> float:
    """Width (in characters) of a column: its longest line, between MIN_WIDTH and MAX_WIDTH."""
    longest = max(
        [text_px(w, bold=True) + FILTER_BUTTON_PX for w in header.split()]
        + [text_px(str(v)) for v in values if v is not None]
    )
    return float(max(MIN_WIDTH, min(MAX_WIDTH, _chars(longest))))


def narrowest_width(header: str, values: list[Any]) -> float:
    """The width (in characters) below which a column would cut one of its words."""
    words = [text_px(w, bold=True) + FILTER_BUTTON_PX for w in header.split()]
    words += [text_px(p) for v in values if v is not None for p in pieces(str(v))]
    return float(max(MIN_WRAPPED, min(MAX_WIDTH, _chars(max(words, default=0)))))


def fit_widths(widths: list[float], narrowest: list[float], target: float) -> list[float]:
    """Widths (whole characters) whose sum is at most ``target``, as text_metrics.fit_columns
    shares it out; no column goes below its ``narrowest`` width (its longest word) nor above its
    own. If the narrowest widths alone exceed ``target``, those."""
    if sum(widths) <= target:
        return widths
    minimum = [min(n, w) for w, n in zip(widths, narrowest)]
    return [float(math.floor(w)) for w in fit_columns(minimum, widths, target, exact=False)]


def row_height(cells: list[tuple[str, float, bool]]) -> float:
    """Height (points) of a row whose cells are (text, column width in characters, bold)."""
    lines = max(
        (
            lines_needed(text, (width * CHAR_PX - CELL_PADDING_PX) / WRAP_SLACK, bold)
            for text, width, bold in cells
            if text
        ),
        default=1,
    )
    return lines * LINE_PT + ROW_PADDING_PT


def lay_out(ws, headers: list[str], rows: list[list[Any]], title: str) -> None:
    """Column widths, row heights and print setup of a table sheet (title row 1, header row 2)."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    widths = [column_width(h, [r[i] for r in rows]) for i, h in enumerate(headers)]
    # Wider than a landscape page printed at MIN_SCALE: wrap the widest columns more.
    narrowest = [narrowest_width(h, [r[i] for r in rows]) for i, h in enumerate(headers)]
    widths = fit_widths(widths, narrowest, LANDSCAPE_PX / MIN_SCALE / CHAR_PX - len(headers))
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.row_dimensions[1].height = math.ceil(TITLE_SIZE * 1.3 + ROW_PADDING_PT)
    # The header cells hold the autofilter's buttons at their right edge: their text wraps before.
    ws.row_dimensions[2].height = row_height(
        [(h, w - FILTER_BUTTON_PX / CHAR_PX, True) for h, w in zip(headers, widths)]
    )
    for r, row in enumerate(rows, start=3):
        ws.row_dimensions[r].height = row_height(
            [("" if v is None else str(v), w, False) for v, w in zip(row, widths)]
        )
    last = f"{get_column_letter(len(headers))}{len(rows) + 2}"
    ws.print_area = f"A1:{last}"
    ws.print_title_rows = "2:2"
    total_px = sum(w * CHAR_PX + 5 for w in widths)
    ws.page_setup.orientation = "landscape" if total_px > PORTRAIT_PX else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as the rows need
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.gridLines = False
    ws.page_margins.left = ws.page_margins.right = MARGIN_IN
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.oddFooter.center.text = "&P / &N"
    ws.oddFooter.center.size = 8
    ws.oddHeader.left.text = title.replace("&", "&&")
    ws.oddHeader.left.size = 8
