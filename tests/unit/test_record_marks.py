"""Record marks (issue 17): short numbered marks made by the records filter from the Markdown's ids.

The Markdown is rendered with the project's own Jinja filters (record_link, provenance_anchor)
and strings file, then written by pandoc with templates/filters/records.lua; the colours are read
from the templates themselves (HTML CSS, Typst template, reference.docx).
"""

from __future__ import annotations

import copy
import re
import zipfile
from pathlib import Path

import pytest

from coopdocs.render.markdown import make_environment
from coopdocs.review.redline import Merger
from coopdocs.tools.pandoc import ConversionError, pandoc, read_ast, write_ast
from locations import ROOT

TEMPLATES = ROOT / "templates"
FILTER = TEMPLATES / "filters" / "records.lua"
EPOCH = 1672358400
# A document using two records in reverse order of the appendix, one of them twice, one in a table.
DOCUMENT = """\
# Text

[A sentence about the second record.]{{ "prj-b" | record_attrs }} {{ "prj-b" | record_link }}

Another about the first. {{ "ins-a-long-identifier-2016" | record_link }}

| Item | Sources |
|------|---------|
| b    | [2] {{ "prj-b" | record_link }} |

# Data provenance {{ "data-provenance" | provenance_anchor }}

- [ins-a-long-identifier-2016]{{ "prov-ins-a-long-identifier-2016" | anchor }} (instruments): A.
- [prj-b]{{ "prov-prj-b" | anchor }} (projects): B.
"""


def render(text: str = DOCUMENT) -> str:
    return make_environment(TEMPLATES).from_string(text).render(provenance={})


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("marks")
    md = folder / "doc.md"
    md.write_text(render(), encoding="utf-8")
    out = {}
    for fmt, ext in (("html", "html"), ("docx", "docx"), ("typst", "typ")):
        out[ext] = folder / f"doc.{ext}"
        pandoc(md, out[ext], fmt, epoch=EPOCH, lua_filters=[FILTER])
    return out


def test_the_markdown_names_the_record_in_full_and_declares_the_mark_form():
    md = render()
    assert '[prj-b](#prov-prj-b "Record prj-b"){.record-id}' in md
    assert '# Data provenance {#data-provenance record-mark="R{n}"}' in md


def test_html_marks_are_numbered_in_appendix_order_and_keep_the_id_in_href_and_title(written):
    # pandoc wraps long lines: one space for each run of spaces and newlines (a no-break space stays)
    html = re.sub(r"[ \n]+", " ", written["html"].read_text(encoding="utf-8"))
    marks = re.findall(
        r'<a\s+href="#prov-([\w-]+)"\s+class="record-id"\s+title="([^"]*)">([^<]*)</a>', html
    )
    assert marks == [
        ("prj-b", "Record prj-b", "R2"),
        ("ins-a-long-identifier-2016", "Record ins-a-long-identifier-2016", "R1"),
        ("prj-b", "Record prj-b", "R2"),
    ]
    # each appendix entry is headed by the same mark, beside the full id
    assert '<span id="prov-ins-a-long-identifier-2016"><strong>R1</strong> ins-a-long' in html
    assert '<span id="prov-prj-b"><strong>R2</strong> prj-b</span>' in html
    # the record's own anchor keeps its id
    assert '<span id="prj-b" class="record" title="Record prj-b">' in html
    # glued to the text before it by a no-break space, but in a table cell, where a narrow column
    # would otherwise make Word and LibreOffice break inside the mark
    assert "the first.\u00a0<a" in html and "[2] <a" in html
    # the form is read, not printed
    assert "record-mark" not in html


def test_docx_marks_are_styled_links_to_the_bookmarked_entry(written):
    with zipfile.ZipFile(written["docx"]) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    links = re.findall(r'<w:hyperlink w:anchor="prov-([\w-]+)"[^>]*>(.*?)</w:hyperlink>', xml)
    assert [(target, re.findall(r"<w:t[^>]*>([^<]*)</w:t>", body)) for target, body in links] == [
        ("prj-b", ["R2"]),
        ("ins-a-long-identifier-2016", ["R1"]),
        ("prj-b", ["R2"]),
    ]
    assert all('<w:rStyle w:val="RecordID" />' in body for _, body in links)
    assert 'w:name="prov-prj-b"' in xml


def test_typst_marks_are_boxes_of_the_template(written):
    typ = written["typ"].read_text(encoding="utf-8")
    assert re.findall(r"#record-mark\(<prov-([\w-]+)>\)\[(\w+)\]", typ) == [
        ("prj-b", "R2"),
        ("ins-a-long-identifier-2016", "R1"),
        ("prj-b", "R2"),
    ]
    assert "#strong[R2] prj-b<prov-prj-b>" in typ
    # the function the marks call is the house template's
    assert "#let record-mark(target, mark) = box(" in (
        TEMPLATES / "typst" / "document.typ"
    ).read_text(encoding="utf-8")


def test_a_mark_without_an_appendix_entry_fails_the_build(tmp_path):
    md = tmp_path / "doc.md"
    md.write_text(
        render(DOCUMENT.replace("- [prj-b]", "- [prj-c]").replace("prov-prj-b", "prov-prj-c"))
    )
    with pytest.raises(ConversionError, match="prov-prj-b links to no entry"):
        pandoc(md, tmp_path / "doc.html", "html", epoch=EPOCH, lua_filters=[FILTER])


def test_a_document_that_declares_no_form_keeps_its_marks(tmp_path):
    """Markdown of a revision built before marks were numbered (the diff compares such builds)."""
    md = tmp_path / "doc.md"
    md.write_text(render().replace(' record-mark="R{n}"', ""), encoding="utf-8")
    pandoc(md, tmp_path / "doc.html", "html", epoch=EPOCH, lua_filters=[FILTER])
    assert ">ins-a-long-identifier-2016</a>" in (tmp_path / "doc.html").read_text(encoding="utf-8")


def test_a_redline_keeps_the_tracked_change_around_a_renumbered_mark(tmp_path):
    md = tmp_path / "doc.md"
    md.write_text(render(), encoding="utf-8")
    new = read_ast(md, epoch=EPOCH)
    old = copy.deepcopy(new)
    old["blocks"][2]["c"] = old["blocks"][2]["c"][:-2]  # the old version lacks this mark
    merged = Merger("2023-01-01T00:00:00Z").merge(old, new)
    write_ast(merged, tmp_path / "redline.docx", "docx", epoch=EPOCH, lua_filters=[FILTER])
    with zipfile.ZipFile(tmp_path / "redline.docx") as z:
        xml = z.read("word/document.xml").decode("utf-8")
    inserted = re.search(
        r'<w:hyperlink w:anchor="prov-ins-a-long-identifier-2016".*?</w:hyperlink>', xml
    )
    assert inserted and "<w:ins " in inserted.group(0) and ">R1<" in inserted.group(0)


# Contrast (WCAG 2): the colours as the templates set them.


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def long_hex(colour: str) -> str:
    colour = colour.lstrip("#").lower()
    return "".join(c * 2 for c in colour) if len(colour) == 3 else colour


def test_contrast_of_luminance_is_the_wcag_formula():
    assert contrast("000000", "ffffff") == pytest.approx(21.0)
    assert contrast("8a8a8a", "ffffff") == pytest.approx(3.45, abs=0.01)  # the old marks (issue 17)


def test_html_marks_have_aa_contrast_against_the_page():
    css = (TEMPLATES / "html" / "document.html").read_text(encoding="utf-8")
    mark = re.search(r"a\.record-id \{[^}]*?(?<![-\w])color: #([0-9a-fA-F]{3,6});", css)
    page = re.search(r"html \{[^}]*background: #([0-9a-fA-F]{3,6});", css)
    assert mark and page
    assert re.search(r"a\.record-id \{[^}]*white-space: nowrap", css)
    assert contrast(long_hex(mark.group(1)), long_hex(page.group(1))) >= 4.5


def test_pdf_marks_have_aa_contrast_against_the_page():
    typ = (TEMPLATES / "typst" / "document.typ").read_text(encoding="utf-8")
    mark = re.search(r'#let record-mark-colour = rgb\("#([0-9a-fA-F]{6})"\)', typ)
    assert mark
    # Typst's page is white unless the template fills it
    page = re.search(r'#set page\([^)]*fill: rgb\("#([0-9a-fA-F]{6})"\)', typ, re.S)
    assert contrast(mark.group(1), page.group(1) if page else "ffffff") >= 4.5


def test_docx_marks_have_aa_contrast_on_white():
    with zipfile.ZipFile(TEMPLATES / "docx" / "reference.docx") as z:
        styles = z.read("word/styles.xml").decode("utf-8")
    style = re.search(r'w:styleId="RecordID">.*?</w:style>', styles)
    assert style
    colour = re.search(r'<w:color w:val="([0-9A-Fa-f]{6})"/>', style.group(0))
    assert colour and contrast(colour.group(1), "ffffff") >= 4.5
