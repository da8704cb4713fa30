"""No text of any built PDF runs past the right margin.

A long citation list (``[3,9,10,20,…,47–61]``) was one unbreakable word in a narrow table cell and
ran past the cell and the page's right margin (templates/typst/document.typ now lets a line break
after each comma of a citation). The test reads every word's box with poppler (``pdftotext
-bbox``); the text area is symmetric (the template's ``margin: (x: …)``), so the right limit of a
page is its width less the left margin, and the left margin is where the document's leftmost word
starts.
"""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from coopdocs import layout
from coopdocs.tools.config import load_config

pytestmark = [pytest.mark.workflow]

# Glyph outlines may reach a little past their advance (an italic's overhang); this is far less
# than the overruns this test is for (a citation list ran 40–200 pt past the margin).
TOLERANCE_PT = 1.0


def words(pdf: Path) -> list[tuple[int, float, float, float, str]]:
    """Every word of ``pdf`` as poppler places it: (page, page width, left x, right x, text), in points."""
    html = subprocess.run(
        ["pdftotext", "-bbox", "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # pdftotext -bbox writes XHTML whose only entities are XML's own, so it parses as XML.
    root = ET.fromstring(html)
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    return [
        (number, float(page.get("width")), float(w.get("xMin")), float(w.get("xMax")), w.text or "")
        for number, page in enumerate(root.iterfind(".//x:page", ns), start=1)
        for w in page.iterfind("x:word", ns)
    ]


def overruns(pdf: Path) -> list[str]:
    """The words of ``pdf`` that end right of the right margin, each with its page and overrun."""
    placed = words(pdf)
    assert placed, f"{pdf.name}: no text read"
    left = min(x0 for _, _, x0, _, _ in placed)
    return [
        f"p. {page}: {text!r} ends {x1 - (width - left):.1f} pt past the margin"
        for page, width, _, x1, text in placed
        if x1 > width - left + TOLERANCE_PT
    ]


def test_no_text_runs_past_the_right_margin(built):
    """Every word of every PDF of the build lies inside the text area, citation lists included."""
    if not shutil.which("pdftotext"):
        pytest.skip("needs pdftotext (Debian poppler-utils; .ci/run installs it)")
    settings = load_config(built)
    docs = layout.documents(layout.brief_slugs(built / settings["data_dir"]))
    pdfs = [built / doc.output("pdf") for doc in docs]
    assert len(pdfs) >= 3, "briefs, the tables document and the article"
    found = {pdf.name: overruns(pdf) for pdf in pdfs}
    assert not {name: bad for name, bad in found.items() if bad}
