"""The DOCX laid out as the PDF (issue 20): reference.docx against the Typst template, and what
coopdocs.render.docx adds to pandoc's DOCX (space after tables, list indents).

LibreOffice's page count of a DOCX is held to the PDF's by tests/workflow/test_readers.py; these
check, without LibreOffice, the measures that count shares with the Typst template.
"""

from __future__ import annotations

import re
import zipfile

from lxml import etree

from coopdocs.render.docx import (
    BACK_MATTER,
    BODY,
    CAP_HEIGHT,
    COLUMN_GAP,
    LIST_STEP,
    SPACE_AFTER_TABLE,
    TIMES_LINE,
    back_matter,
    house_bullets,
    keep_tables,
    space_after_tables,
)
from locations import ROOT

TEMPLATES = ROOT / "templates"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
CM_TWIPS = 1440 / 2.54


def _reference(part: str):
    with zipfile.ZipFile(TEMPLATES / "docx" / "reference.docx") as z:
        return etree.fromstring(z.read(part))


def _style_size(styles, style_id: str) -> float:
    """A style's own font size in points (w:sz is in half points)."""
    sz = styles.find(f".//w:style[@w:styleId='{style_id}']/w:rPr/w:sz", NS)
    assert sz is not None, style_id
    return int(sz.get(f"{{{W}}}val")) / 2


def test_reference_page_and_type_sizes_are_the_typst_templates():
    typ = (TEMPLATES / "typst" / "document.typ").read_text(encoding="utf-8")
    margin = re.search(r"margin: \(x: ([\d.]+)cm, top: ([\d.]+)cm, bottom: ([\d.]+)cm\)", typ)
    assert margin and '"a4"' in typ
    x, top, bottom = (float(v) * CM_TWIPS for v in margin.groups())
    sect = _reference("word/document.xml").find(".//w:body/w:sectPr", NS)
    size, mar = sect.find("w:pgSz", NS), sect.find("w:pgMar", NS)
    got = {k: int(mar.get(f"{{{W}}}{k}")) for k in ("left", "right", "top", "bottom")}
    assert abs(int(size.get(f"{{{W}}}w")) - 21.0 * CM_TWIPS) <= 1
    assert abs(int(size.get(f"{{{W}}}h")) - 29.7 * CM_TWIPS) <= 1
    for key, want in (("left", x), ("right", x), ("top", top), ("bottom", bottom)):
        assert abs(got[key] - want) <= 1, (key, got[key], want)

    styles = _reference("word/styles.xml")
    body = float(re.search(r"#set text\(font: .*?size: ([\d.]+)pt", typ).group(1))
    assert _style_size(styles, "BodyText") == body
    table = float(re.search(r"#show table: set text\(size: ([\d.]+)pt\)", typ).group(1))
    assert _style_size(styles, "TableText") == table
    caption = float(re.search(r"#show figure.caption: set text\(size: ([\d.]+)pt", typ).group(1))
    assert _style_size(styles, "TableCaption") == _style_size(styles, "ImageCaption") == caption
    for level in (1, 2, 3):
        typst = re.search(
            rf"heading.where\(level: {level}\).*?set text\(size: ([\d.]+)pt\)", typ
        ).group(1)
        assert _style_size(styles, f"Heading{level}") == float(typst), level


def test_reference_table_cells_are_as_tight_as_the_pdfs():
    """No paragraph spacing in a table cell: the row's height is its lines and the cell margins."""
    styles = _reference("word/styles.xml")
    for style_id in ("TableText", "Table"):
        spacing = styles.find(f".//w:style[@w:styleId='{style_id}']/w:pPr/w:spacing", NS)
        assert spacing is not None, style_id
        assert spacing.get(f"{{{W}}}before") == spacing.get(f"{{{W}}}after") == "0", style_id


STYLES = (
    f'<w:styles xmlns:w="{W}">'
    '<w:style w:type="paragraph" w:default="1" w:styleId="Normal">'
    '<w:pPr><w:spacing w:before="40"/></w:pPr></w:style>'
    '<w:style w:type="paragraph" w:styleId="BodyText"><w:basedOn w:val="Normal"/>'
    '<w:pPr><w:spacing w:after="60"/></w:pPr></w:style>'
    '<w:style w:type="paragraph" w:styleId="Heading1"><w:basedOn w:val="Normal"/>'
    '<w:pPr><w:spacing w:before="246" w:after="92"/></w:pPr></w:style>'
    "</w:styles>"
).encode()

TABLE = "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>cell</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"


def _document(body: str) -> bytes:
    return f'<w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>'.encode()


def _befores(xml: bytes) -> list[str | None]:
    """The direct space before of each paragraph outside tables, in order."""
    root = etree.fromstring(xml)
    out = []
    for p in root.find("w:body", NS).findall("w:p", NS):
        spacing = p.find("w:pPr/w:spacing", NS)
        out.append(spacing.get(f"{{{W}}}before") if spacing is not None else None)
    return out


def test_the_paragraph_after_a_table_gets_the_pdfs_gap_on_top_of_its_own():
    body = (
        '<w:p><w:pPr><w:pStyle w:val="BodyText"/></w:pPr></w:p>'
        + TABLE
        # Body Text has no space before of its own: Normal's (it is based on) counts.
        + '<w:p><w:pPr><w:pStyle w:val="BodyText"/></w:pPr><w:r><w:t>after</w:t></w:r></w:p>'
        + TABLE
        + '<w:bookmarkStart w:id="1" w:name="h"/>'
        + '<w:p><w:pPr><w:pStyle w:val="Heading1"/><w:jc w:val="left"/></w:pPr></w:p>'
        + TABLE
        + "<w:p><w:r><w:t>no style: Normal</w:t></w:r></w:p>"
        + TABLE
        + '<w:p><w:pPr><w:spacing w:before="10" w:after="7"/></w:pPr></w:p>'
    )
    out = space_after_tables(_document(body), STYLES)
    assert _befores(out) == [
        None,
        str(40 + SPACE_AFTER_TABLE),
        str(246 + SPACE_AFTER_TABLE),
        str(40 + SPACE_AFTER_TABLE),
        str(10 + SPACE_AFTER_TABLE),
    ]
    root = etree.fromstring(out)
    last = root.find("w:body", NS).findall("w:p", NS)[-1]
    assert last.find("w:pPr/w:spacing", NS).get(f"{{{W}}}after") == "7"  # kept
    heading = root.find("w:body", NS).findall("w:p", NS)[2]
    # w:spacing where the schema puts it: after the style, before the justification
    names = [etree.QName(c).localname for c in heading.find("w:pPr", NS)]
    assert names == ["pStyle", "spacing", "jc"]


def test_a_document_without_tables_is_left_as_it_is():
    doc = _document('<w:p><w:pPr><w:pStyle w:val="BodyText"/></w:pPr></w:p>')
    assert space_after_tables(doc, STYLES) == doc


def test_list_levels_are_indented_as_the_pdfs():
    lvl = (
        '<w:lvl w:ilvl="{0}"><w:numFmt w:val="bullet" /><w:lvlText w:val="\uf0b7" />'
        '<w:pPr><w:ind w:left="{1}" w:hanging="360" /></w:pPr>'
        '<w:rPr><w:rFonts w:ascii="Symbol" /></w:rPr></w:lvl>'
    )
    xml = (
        "<w:numbering>" + "".join(lvl.format(i, 720 * (i + 1)) for i in range(3)) + "</w:numbering>"
    )
    out = house_bullets(xml)
    indents = re.findall(r'<w:ind w:left="(\d+)" w:hanging="(\d+)" />', out)
    # Each level's bullet where the level above has its text; 9 pt (180 twips) a level.
    assert indents == [(str(LIST_STEP * (i + 1)), str(LIST_STEP)) for i in range(3)]
    assert LIST_STEP == 180
    assert "Symbol" not in out


def test_back_matter_measures_are_the_typst_templates():
    """BACK_MATTER holds document.typ's back-matter function (the filter's, from "references") and
    its show rule on the label back-matter (the review's), and the line model gives the body's 267."""
    typ = (TEMPLATES / "typst" / "document.typ").read_text(encoding="utf-8")
    function = typ[typ.index("#let back-matter(body)") :]
    rule = typ[typ.index("#show <back-matter>") :]
    number = r"([\d.]+)"
    size = float(re.search(rf"set text\(size: {number}pt\)", function).group(1))
    leading, spacing = map(
        float, re.search(rf"leading: {number}em, spacing: {number}em", function).groups()
    )
    gutter = float(re.search(rf"gutter: {number}em", function).group(1))
    shown = float(re.search(rf"set text\(size: {number}pt\)", rule).group(1))
    body = re.search(rf"#set par\(justify: false, leading: {number}em, spacing: {number}em", typ)
    specs = {spec[0]: spec for spec in BACK_MATTER}
    assert specs["references"] == ("references", True, size, leading, spacing)
    assert specs["back-matter"][2:] == (shown, *map(float, body.groups()))
    assert BODY[1:] == tuple(map(float, body.groups())) and COLUMN_GAP == gutter
    normal = _reference("word/styles.xml").find(
        ".//w:style[@w:styleId='Normal']/w:pPr/w:spacing", NS
    )
    assert round(240 * (CAP_HEIGHT + BODY[1]) / TIMES_LINE) == int(normal.get(f"{{{W}}}line"))


def _runs(paragraph) -> list[str | None]:
    return [
        (
            r.find("w:rPr/w:sz", NS).get(f"{{{W}}}val")
            if r.find("w:rPr/w:sz", NS) is not None
            else None
        )
        for r in paragraph.findall("w:r", NS)
    ]


def test_the_back_matter_is_smaller_and_in_two_columns():
    styles = _reference("word/styles.xml")
    styles_xml = etree.tostring(styles)
    sect = (
        '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1361"/><w:titlePg/></w:sectPr>'
    )
    body = (
        '<w:p><w:pPr><w:pStyle w:val="BodyText"/></w:pPr><w:r><w:t>text</w:t></w:r></w:p>'
        '<w:bookmarkStart w:id="1" w:name="references"/>'
        '<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>References</w:t></w:r></w:p>'
        '<w:bookmarkEnd w:id="1"/>'
        '<w:p><w:pPr><w:pStyle w:val="Bibliography"/></w:pPr><w:r><w:t>1.</w:t></w:r>'
        '<w:r><w:rPr><w:rStyle w:val="RecordID"/></w:rPr><w:t>R1</w:t></w:r></w:p>'
        '<w:bookmarkStart w:id="2" w:name="back-matter"/>'
        '<w:p><w:pPr><w:pStyle w:val="BodyText"/></w:pPr><w:r><w:t>provenance</w:t></w:r></w:p>'
        '<w:bookmarkEnd w:id="2"/>'
        '<w:p><w:pPr><w:pStyle w:val="BodyText"/></w:pPr><w:r><w:t>after</w:t></w:r></w:p>' + sect
    )
    root = etree.fromstring(back_matter(_document(body), styles_xml))
    paragraphs = root.find("w:body", NS).findall("w:p", NS)
    text, brk, heading, entry, inner, after = paragraphs
    assert _runs(text) == [None] and _runs(heading) == [
        None
    ]  # the body and headings keep their size
    size = {spec[0]: spec[2] for spec in BACK_MATTER}["references"]
    assert _runs(entry) == [str(int(2 * 10.5 * size / 10.5)), str(int(2 * 8 * size / 10.5))]
    # 7.5 pt inside the review's block; after it, the references' size again
    assert _runs(inner) == ["15"] and _runs(after) == [str(int(2 * size))]
    # Typst's line pitch (cap height plus leading) in Word's 240ths of a single Times line.
    leading = {spec[0]: spec[3] for spec in BACK_MATTER}["references"]
    pitch = str(round(240 * (0.656 + leading) / 1.149))
    assert entry.find("w:pPr/w:spacing", NS).get(f"{{{W}}}line") == pitch
    # The paragraph mark (a list item's bullet takes its size) is as small as the text: a bullet
    # at the body's size made every provenance line a body line high.
    mark = inner.find("w:pPr/w:rPr/w:sz", NS)
    assert mark is not None and mark.get(f"{{{W}}}val") == "15"
    assert [etree.QName(c).localname for c in inner.find("w:pPr", NS)][-1] == "rPr"
    # The section before the back matter ends on an empty line of no height, in one column ...
    first = brk.find("w:pPr/w:sectPr", NS)
    assert first.find("w:cols", NS) is None and not "".join(brk.itertext())
    assert brk.find("w:pPr/w:spacing", NS).get(f"{{{W}}}lineRule") == "exact"
    # ... and the back matter goes on on the same page, in two columns.
    last = root.find("w:body/w:sectPr", NS)
    assert last.find("w:type", NS).get(f"{{{W}}}val") == "continuous"
    assert last.find("w:cols", NS).get(f"{{{W}}}num") == "2"
    names = [etree.QName(c).localname for c in last]
    assert names == ["type", "pgSz", "pgMar", "cols", "titlePg"]  # the schema's order


def test_a_document_without_back_matter_is_left_as_it_is():
    doc = _document('<w:p><w:pPr><w:pStyle w:val="BodyText"/></w:pPr></w:p>')
    assert back_matter(doc, STYLES) == doc


KEEP_STYLES = (
    f'<w:styles xmlns:w="{W}">'
    '<w:style w:type="paragraph" w:styleId="Heading2"><w:pPr><w:outlineLvl w:val="1"/></w:pPr>'
    "</w:style></w:styles>"
).encode()


def _rows(n: int) -> str:
    row = "<w:tr><w:tc><w:p><w:r><w:t>row {i}</w:t></w:r></w:p></w:tc></w:tr>"
    return "<w:tbl>" + "".join(row.format(i=i) for i in range(n)) + "</w:tbl>"


def _para(text: str, style: str | None = None) -> str:
    ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f"<w:p>{ppr}<w:r><w:t>{text}</w:t></w:r></w:p>"


def _kept(root) -> dict[str, bool]:
    """Each paragraph's text and whether it keeps with the next, in document order."""
    return {
        "".join(p.itertext()): p.find("w:pPr/w:keepNext", NS) is not None
        for p in root.iter(f"{{{W}}}p")
    }


def test_a_table_keeps_with_its_caption_and_heading_and_no_row_splits():
    body = (
        _para("Earlier text")
        + _para("Legal basis", "Heading2")
        + _para("The lead-in")
        + '<w:bookmarkStart w:id="3" w:name="t"/>'
        + _para("Table 1. Instruments", "TableCaption")
        + _rows(4)
        + _para("After the table")
    )
    root = etree.fromstring(keep_tables(_document(body), KEEP_STYLES))
    assert _kept(root) == {
        "Earlier text": False,
        "Legal basis": True,
        "The lead-in": True,
        "Table 1. Instruments": True,
        "row 0": True,  # the header row stays with the first row
        "row 1": False,  # later rows may break between them, never inside
        "row 2": False,
        "row 3": False,
        "After the table": False,
    }
    rows = root.findall(".//w:tr", NS)
    assert all(r.find("w:trPr/w:cantSplit", NS) is not None for r in rows)
    # w:keepNext where the schema puts it: after the paragraph's style
    caption = root.findall(".//w:body/w:p", NS)[3]
    assert [etree.QName(c).localname for c in caption.find("w:pPr", NS)] == ["pStyle", "keepNext"]


def test_a_heading_far_from_its_table_and_a_header_row_keep_their_order():
    body = (
        _para("Heading", "Heading2")
        + _para("one")
        + _para("two")
        + _para("Caption")
        + '<w:tbl><w:tr><w:trPr><w:tblHeader w:val="on"/></w:trPr>'
        + "<w:tc><w:p><w:r><w:t>only row</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
    )
    root = etree.fromstring(keep_tables(_document(body), KEEP_STYLES))
    kept = _kept(root)
    assert (kept["one"], kept["two"], kept["Caption"], kept["only row"]) == (
        False,
        False,
        True,
        False,  # a one-row table has no row to keep with
    )
    trpr = root.find(".//w:trPr", NS)
    assert [etree.QName(c).localname for c in trpr] == ["cantSplit", "tblHeader"]


def test_a_document_without_tables_is_not_rewritten_for_keeping():
    doc = _document(_para("text"))
    assert keep_tables(doc, KEEP_STYLES) == doc
