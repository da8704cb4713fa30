"""The one reader of a document's text (tests/support/documents.py) gives the same text for the
same document in DOCX, HTML and PDF: every paragraph of the DOCX is a line of the HTML's text and
is in the PDF's, on the built documents. Tests that compare the formats rely on this."""

from __future__ import annotations

import pytest

from support.documents import LEAKS, document_text, docx_text, html_text, in_pdf_text, squash

BRIEFS = ["armenia", "belarus", "eaeu", "kazakhstan", "kyrgyzstan", "russia"]
DOCUMENTS = [f"briefs/{slug}" for slug in BRIEFS] + ["tables/comparative-tables"]


@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_docx_paragraph_is_a_line_of_the_html(built, name):
    base = built / "reports" / name
    docx = docx_text(base.with_suffix(".docx")).splitlines()
    html = set(html_text(base.with_suffix(".html")).splitlines())
    assert len(docx) > 50
    assert [line for line in docx if line not in html] == []


@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_docx_paragraph_outside_tables_is_in_the_pdf(built, name):
    """Outside tables only: pypdf reads a table's lines across its columns, so one cell's text is
    interleaved with its neighbours'."""
    base = built / "reports" / name
    pdf = squash(document_text(base.with_suffix(".pdf")))
    # Typst's markup prints "..." as an ellipsis (a difference of the PDF, not of the readers).
    paragraphs = docx_text(base.with_suffix(".docx"), tables=False).replace("...", "\u2026")
    assert [line for line in paragraphs.splitlines() if not in_pdf_text(line, pdf)] == []


def test_the_readers_give_blocks_as_lines_without_markup(built):
    base = built / "reports" / "briefs" / "belarus"
    for fmt in ("docx", "html", "pdf"):
        text = document_text(base.with_suffix("." + fmt))
        lines = text.splitlines()
        assert all(line == line.strip() and "  " not in line and line for line in lines), fmt
        assert not LEAKS.search(text), (fmt, LEAKS.search(text))
    html = html_text(base.with_suffix(".html")).splitlines()
    # A reference-list entry is one line, its number first (citeproc writes them as two divs).
    assert any(line.startswith("1. ") and "2022" in line for line in html)
    with pytest.raises(ValueError, match="no text reader for belarus.md"):
        document_text(base.with_suffix(".md"))
