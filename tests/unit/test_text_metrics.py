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
