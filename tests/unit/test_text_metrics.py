"""The widths the DOCX's columns and the workbooks' rows are measured with: the fonts' own."""

from __future__ import annotations

import importlib.util
import json

import pytest

from coopdocs.compute import xlsx_layout
from coopdocs.render import docx
from coopdocs.tools import text_metrics
from locations import ROOT

SERIF, SANS = "Times New Roman", "Arial"


def _generator():
    spec = importlib.util.spec_from_file_location(
        "make_font_metrics", ROOT / "tools" / "make_font_metrics.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_metrics_are_the_installed_fonts():
    pytest.importorskip("fontTools")
    make = _generator()
    if not all(
        (make.FONT_DIR / f).is_file() for faces in make.FACES.values() for f in faces.values()
    ):
        pytest.skip(f"needs Debian's fonts-liberation in {make.FONT_DIR} (.ci/run installs it)")
    committed = json.loads(text_metrics.METRICS_FILE.read_text(encoding="utf-8"))
    assert committed == make.metrics(make.FONT_DIR)


def test_widths_are_the_fonts_advance_widths():
    # Times-Roman and Helvetica's AFM widths, which Liberation Serif and Sans share.
    assert [text_metrics.advance(c, SERIF) for c in "aW .–"] == [444, 944, 250, 250, 500]
    assert [text_metrics.advance(c, SERIF, bold=True) for c in "aW"] == [500, 1000]
    assert [text_metrics.advance(c, SANS) for c in "aW’“"] == [556, 944, 222, 333]
    assert text_metrics.advance("W", SANS, bold=True) == 944
    # Letters beyond ASCII are the font's, not an em: Greek, Cyrillic, Latin with accents.
    assert all(text_metrics.advance(c, face) < 1000 for c in "ΘЖéŁ" for face in (SERIF, SANS))
    assert text_metrics.advance("\u4e2d", SERIF) == text_metrics.UNKNOWN == 1000
    assert text_metrics.text_width("aW", SERIF, 10) == pytest.approx(13.88)
    with pytest.raises(KeyError, match="no metrics for the font 'Comic Sans'"):
        text_metrics.text_width("a", "Comic Sans", 10)


def test_both_layouts_measure_with_the_one_module():
    assert xlsx_layout.text_px("Armenia", bold=True) == pytest.approx(
        text_metrics.text_width("Armenia", SANS, xlsx_layout.SIZE, bold=True) * 96 / 72
    )
    from lxml import etree

    cell = etree.fromstring(
        f'<w:tc xmlns:w="{docx.W}"><w:p><w:r><w:t>Армения ab</w:t></w:r></w:p></w:tc>'
    )
    narrowest, widest = docx.cell_extent(cell, header=False)
    twips = text_metrics.text_width("Армения", SERIF, docx.CELL_SIZE) * 20
    assert narrowest == pytest.approx(twips * docx.SLACK + docx.CELL_MARGINS)
    assert widest > narrowest


def test_one_splitter_cuts_where_a_line_may_break():
    split = text_metrics.pieces
    assert split("Armenia and  Belarus") == ["Armenia", "and", "Belarus"]
    # After a hyphen or slash before a letter, after a dash; not before a digit.
    assert split("co-operation 2019-2020 a/b x–y") == [
        "co-",
        "operation",
        "2019-2020",
        "a/",
        "b",
        "x–",
        "y",
    ]
    # The ';' joining a cell's record IDs; a no-break space joins what it separates.
    assert split("prj-a;prj-b") == ["prj-", "a;", "prj-", "b"]
    assert split("Armenia\u00a0[1]") == ["Armenia\u00a0[1]"]
    text = "  one two-three"
    assert [text[a:b] for a, b in text_metrics.piece_spans(text)] == ["one", "two-", "three"]


def test_one_fitter_shares_the_room_left():
    fit = text_metrics.fit_columns
    # Everything fits: a sheet keeps each column at its widest, a document's table fills the width.
    assert fit([1, 2], [3, 5], 16, exact=False) == [3, 5]
    assert fit([1, 2], [3, 5], 16, exact=True) == [6, 10]
    # Too wide: the narrowest, plus the room left in proportion to what each could still use.
    assert fit([2, 2], [12, 4], 10, exact=False) == pytest.approx([2 + 6 * 10 / 12, 2 + 6 * 2 / 12])
    # Even the narrowest do not fit: kept (a sheet), or scaled to the width (a document).
    assert fit([6, 4], [8, 8], 5, exact=False) == [6, 4]
    assert fit([6, 4], [8, 8], 5, exact=True) == [3, 2]


def test_both_layouts_split_and_fit_with_the_one_module():
    # The workbook's narrowest column is as wide as its longest piece (cut after the hyphen).
    value = "W" * 30 + "-" + "b" * 5
    assert xlsx_layout.narrowest_width("", [value]) == xlsx_layout._chars(
        xlsx_layout.text_px("W" * 30 + "-")
    )
    assert docx.column_widths([100, 100], [300, 500], 1000) == [
        int(w) for w in text_metrics.fit_columns([100, 100], [300, 500], 1000, exact=True)
    ]
    assert xlsx_layout.fit_widths([60.0, 20.0], [18.0, 18.0], 50) == [
        float(int(w)) for w in text_metrics.fit_columns([18, 18], [60, 20], 50, exact=False)
    ]
    assert xlsx_layout.fit_widths([10.0, 8.0], [18.0, 18.0], 50) == [10.0, 8.0]
