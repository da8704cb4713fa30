"""A document's file properties say what its metadata says, in every format (issue 17).

pandoc writes the metadata escaped for the format it writes: as XML character references in the
DOCX's core properties (an apostrophe as ``&#39;``) and as Typst markup in the PDF's template (an
apostrophe as ``\\'``, a hash as ``\\#``). Neither escape may reach the properties a reader's
program shows; and a title block without an author gives no empty author line in the DOCX.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pypdf

from coopdocs.render.docx import core_properties, drop_empty_author
from coopdocs.tools.pandoc import pandoc_command
from coopdocs.tools.typst import typst_pdf

ROOT = Path(__file__).resolve().parents[2]
SUBJECT = 'Tables comparing the member states\' cooperation with "#1" & co'
CREATOR = "O'Neill's #2 team"
KEYWORDS = "Côte d'Ivoire, a_b, UNIDO"


def test_docx_core_properties_are_escaped_once():
    pandoc_core = (
        "<cp:coreProperties><dc:title>A title</dc:title>"
        "<dc:subject>Tables comparing the member states&#39; cooperation &amp; co</dc:subject>"
        "</cp:coreProperties>"
    )
    core, _ = core_properties(pandoc_core, "", "2022-12-30T00:00:00Z", {"creator": CREATOR})
    assert (
        "<dc:subject>Tables comparing the member states' cooperation &amp; co</dc:subject>" in core
    )
    assert "&amp;#39;" not in core and "<dc:creator>O'Neill's #2 team</dc:creator>" in core


def test_pdf_properties_carry_no_typst_escape(tmp_path):
    md = tmp_path / "doc.md"
    md.write_text(
        "% A title with an apostrophe's #hash\n%\n% 2022-12-30\n\nText.\n", encoding="utf-8"
    )
    typ = tmp_path / "doc.typ"
    metadata = {"subject": SUBJECT, "creator": CREATOR, "keywords": KEYWORDS}
    cmd = pandoc_command(
        "typst", template=ROOT / "templates" / "typst" / "document.typ", metadata=metadata
    )
    subprocess.run([*cmd, "--output", str(typ), str(md)], check=True)
    pdf = tmp_path / "doc.pdf"
    typst_pdf(typ, pdf, epoch=1672358400, pdf_a=False)
    meta = pypdf.PdfReader(pdf).metadata
    assert meta["/Subject"] == SUBJECT
    assert meta["/Author"] == CREATOR
    assert meta["/Keywords"] == KEYWORDS
    assert meta["/Title"] == "A title with an apostrophe's #hash"


def test_an_empty_author_line_is_dropped_from_the_docx():
    xml = (
        b'<w:p><w:pPr><w:pStyle w:val="Title"/></w:pPr><w:r><w:t>T</w:t></w:r></w:p>\n'
        b'    <w:p>\n      <w:pPr>\n        <w:pStyle w:val="Author"/>\n      </w:pPr>\n      \n    </w:p>\n'
        b'<w:p><w:pPr><w:pStyle w:val="Author"/></w:pPr><w:r><w:t>Ann</w:t></w:r></w:p>'
    )
    assert drop_empty_author(xml) == (
        b'<w:p><w:pPr><w:pStyle w:val="Title"/></w:pPr><w:r><w:t>T</w:t></w:r></w:p>'
        b'\n<w:p><w:pPr><w:pStyle w:val="Author"/></w:pPr><w:r><w:t>Ann</w:t></w:r></w:p>'
    )
