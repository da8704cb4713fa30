"""Regenerate templates/docx/reference.docx, the Word house style, from pandoc's default.

Run:  .venv/bin/python tools/make_reference_docx.py
The result is committed; edit it in Word/LibreOffice instead if you prefer (keep style names).
Kept in step with templates/typst/document.typ and templates/html/document.html.

The font. The PDF is set in Libertinus Serif, which Typst ships; Word does not, and Debian has no
package of it for LibreOffice. A DOCX is read in Word or LibreOffice, so it asks for Times New
Roman, which ships with Word (Windows and macOS), and LibreOffice sets it in Liberation Serif
(Debian's fonts-liberation, a LibreOffice dependency), which has the same metrics: the same line
breaks and page count in both. Every style names that font explicitly for all scripts (no theme
fonts, which take precedence over a named font and were Aptos), the theme's fonts are Times New
Roman too, and the font table lists Liberation Serif as its alternative name.

Also here: page numbers ("3 / 12", centred, as in the PDF) and a running header from the second
page on (the document's short title, as the PDF's); the table style "Table" ruled as in the PDF, based
on a "TableNormal" that exists; the small record marks in a grey that passes WCAG AA (7.0:1).
"""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor

from coopdocs.tools.pandoc import pandoc_path

ACCENT = RGBColor(0x1F, 0x38, 0x64)
RULE = "8EAADB"
MUTED = RGBColor(0x59, 0x59, 0x59)  # 7.0:1 on white
MARK = RGBColor(0x59, 0x59, 0x59)  # record marks: 7.0:1 on white (WCAG AA asks 4.5:1)
SERIF = "Times New Roman"  # Word's; LibreOffice: Liberation Serif, metric-compatible
SERIF_ALT = "Liberation Serif"
MONO = "Courier New"  # Word's; LibreOffice: Liberation Mono, metric-compatible
MONO_ALT = "Liberation Mono"
TARGET = Path(__file__).resolve().parent.parent / "templates" / "docx" / "reference.docx"
FIXED_TIME = (2022, 12, 30, 0, 0, 0)
MONO_STYLES = {"VerbatimChar", "SourceCode"}
# The PDF's line pitch in single lines of Times (see main); LibreOffice keeps whole percent: 111 %.
LINE_SPACING = 267 / 240
HEADING_SPACING = (  # style, space before and after (pt): as the PDF's (see main)
    ("Heading 1", 12.3, 4.6),
    ("Heading 2", 6.8, 1.5),
    ("Heading 3", 4.0, 0.0),
    ("Heading 4", 4.0, 0.0),
)


def _fonts(name: str) -> str:
    return f'<w:rFonts {nsdecls("w")} w:ascii="{name}" w:hAnsi="{name}" w:eastAsia="{name}" w:cs="{name}"/>'


def set_fonts(styles_element) -> None:
    """Name the house fonts in every style and in the defaults, replacing theme fonts."""
    rpr_default = styles_element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    old = rpr_default.find(qn("w:rFonts"))
    rpr_default.replace(old, parse_xml(_fonts(SERIF)))
    for style in styles_element.findall(qn("w:style")):
        font = MONO if style.get(qn("w:styleId")) in MONO_STYLES else SERIF
        for rfonts in style.iter(qn("w:rFonts")):
            rfonts.getparent().replace(rfonts, parse_xml(_fonts(font)))


def table_styles(styles_element) -> None:
    """A "TableNormal" default table style, and "Table" (pandoc's) based on it, ruled as in the PDF."""
    w = nsdecls("w")
    for style in styles_element.findall(qn("w:style")):
        if style.get(qn("w:styleId")) in ("Table", "TableNormal"):
            styles_element.remove(style)
    normal = parse_xml(
        f'<w:style {w} w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/>'
        '<w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/>'
        '<w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/>'
        '<w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>'
    )
    # Rules as in templates/typst/document.typ: accent lines above and below the table and under
    # its header row, thin light-blue lines between rows; cell padding 4 pt left and right, and
    # above and below what makes rows as tall as the PDF's (Typst's 3.5 pt from the cap height and
    # the baseline; Word's and LibreOffice's line box holds the ascent and descent: 0.75 pt).
    table = parse_xml(
        f'<w:style {w} w:type="table" w:styleId="Table"><w:name w:val="Table"/><w:basedOn w:val="TableNormal"/>'
        '<w:uiPriority w:val="59"/><w:qFormat/>'
        '<w:pPr><w:spacing w:before="0" w:after="0"/></w:pPr>'
        '<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblBorders>'
        f'<w:top w:val="single" w:sz="6" w:space="0" w:color="{ACCENT}"/>'
        f'<w:bottom w:val="single" w:sz="6" w:space="0" w:color="{ACCENT}"/>'
        f'<w:insideH w:val="single" w:sz="2" w:space="0" w:color="{RULE}"/>'
        '</w:tblBorders><w:tblCellMar><w:top w:w="15" w:type="dxa"/><w:left w:w="80" w:type="dxa"/>'
        '<w:bottom w:w="15" w:type="dxa"/><w:right w:w="80" w:type="dxa"/></w:tblCellMar></w:tblPr>'
        '<w:tblStylePr w:type="firstRow"><w:rPr><w:b/>'
        f'<w:color w:val="{ACCENT}"/></w:rPr><w:tcPr><w:tcBorders>'
        f'<w:bottom w:val="single" w:sz="6" w:space="0" w:color="{ACCENT}"/></w:tcBorders><w:vAlign w:val="bottom"/>'
        "</w:tcPr></w:tblStylePr></w:style>"
    )
    styles_element.append(normal)
    styles_element.append(table)


def _field(instruction: str, placeholder: str, size_half_points: int, colour: RGBColor) -> str:
    """A complex field (its result shown until the reader updates it) as runs."""
    rpr = f'<w:rPr><w:color w:val="{colour}"/><w:sz w:val="{size_half_points}"/></w:rPr>'
    return (
        f'<w:r>{rpr}<w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r>{rpr}<w:instrText xml:space="preserve"> {instruction} </w:instrText></w:r>'
        f'<w:r>{rpr}<w:fldChar w:fldCharType="separate"/></w:r>'
        f'<w:r>{rpr}<w:t xml:space="preserve">{placeholder}</w:t></w:r>'
        f'<w:r>{rpr}<w:fldChar w:fldCharType="end"/></w:r>'
    )


def _text_run(text: str, size_half_points: int, colour: RGBColor) -> str:
    return (
        f'<w:r><w:rPr><w:color w:val="{colour}"/><w:sz w:val="{size_half_points}"/></w:rPr>'
        f'<w:t xml:space="preserve">{text}</w:t></w:r>'
    )


def _append_runs(paragraph, runs: str) -> None:
    """Append the runs ``runs`` (WordprocessingML text) to a python-docx paragraph."""
    wrapper = parse_xml(f"<w:p {nsdecls('w')}>{runs}</w:p>")
    for run in list(wrapper):
        paragraph._p.append(run)


def headers_and_footers(doc) -> None:
    """Page numbers on every page; from page 2 on, the document's short title above the text.

    The header's title is a DOCPROPERTY field of the custom property "short-title" (the pandoc
    metadata coopdocs.render.metadata gives every document: its short title, else its title),
    which coopdocs.render.docx also writes in as the field's shown result.
    """
    section = doc.sections[0]
    section.different_first_page_header_footer = True
    section.header_distance = Cm(1.2)
    section.footer_distance = Cm(1.2)
    text_width = section.page_width - section.left_margin - section.right_margin
    header = section.header.paragraphs[0]
    header.style = doc.styles["Header"]
    header.paragraph_format.tab_stops.add_tab_stop(text_width, WD_TAB_ALIGNMENT.RIGHT)
    _append_runs(header, _field('DOCPROPERTY "short-title"', "Title", 16, MUTED))
    for footer in (section.footer, section.first_page_footer):
        p = footer.paragraphs[0]
        p.style = doc.styles["Footer"]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _append_runs(
            p,
            _field("PAGE", "1", 18, MUTED)
            + _text_run(" / ", 18, MUTED)
            + _field("NUMPAGES", "1", 18, MUTED),
        )
    section.first_page_header.paragraphs[0].style = doc.styles["Header"]


FONT_TABLE = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:fonts xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
  <w:font w:name="{SERIF}">
    <w:altName w:val="{SERIF_ALT}"/>
    <w:panose1 w:val="02020603050405020304"/>
    <w:charset w:val="00"/>
    <w:family w:val="roman"/>
    <w:pitch w:val="variable"/>
    <w:sig w:usb0="E0002EFF" w:usb1="C000785B" w:usb2="00000009" w:usb3="00000000" w:csb0="000001FF" w:csb1="00000000"/>
  </w:font>
  <w:font w:name="{MONO}">
    <w:altName w:val="{MONO_ALT}"/>
    <w:panose1 w:val="02070309020205020404"/>
    <w:charset w:val="00"/>
    <w:family w:val="modern"/>
    <w:pitch w:val="fixed"/>
    <w:sig w:usb0="E0002AFF" w:usb1="C0007843" w:usb2="00000009" w:usb3="00000000" w:csb0="000001FF" w:csb1="00000000"/>
  </w:font>
  <w:font w:name="Cambria Math">
    <w:panose1 w:val="02040503050406030204"/>
    <w:charset w:val="00"/>
    <w:family w:val="roman"/>
    <w:pitch w:val="variable"/>
    <w:sig w:usb0="E00002FF" w:usb1="420024FF" w:usb2="00000000" w:usb3="00000000" w:csb0="0000019F" w:csb1="00000000"/>
  </w:font>
</w:fonts>
"""


def theme_fonts(xml: str) -> str:
    """The theme's heading and body fonts: the house serif (a theme font reference then resolves to it)."""
    return re.sub(
        r'<a:latin typeface="[^"]*"( panose="[^"]*")?',
        f'<a:latin typeface="{SERIF}" panose="02020603050405020304"',
        xml,
    )


def main() -> None:
    """Write the reference document with the house fonts, colours, sizes, page and rules."""
    default = subprocess.run(
        [pandoc_path(), "--print-default-data-file", "reference.docx"],
        capture_output=True,
        check=True,
    ).stdout
    doc = Document(io.BytesIO(default))
    for section in doc.sections:
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        section.left_margin = section.right_margin = Cm(2.2)
        section.top_margin = section.bottom_margin = Cm(2.4)
    styles = doc.styles
    names = [s.name for s in styles]
    for name in (
        "Normal",
        "Body Text",
        "First Paragraph",
        "Compact",
        "Bibliography",
        "Table Caption",
        "Image Caption",
        "Date",
        "Abstract",
    ):
        if name in names:
            styles[name].font.size = Pt(10.5)
    # Lines and paragraphs spaced as in the PDF (Typst: leading 0.62 em below the cap height, a line
    # every 13.4 pt at 10.5 pt, 1.11 single lines of Times (1.149 em); 0.9 em between paragraphs,
    # 3 pt more than between lines), so that pages hold as much.
    styles["Normal"].paragraph_format.line_spacing = LINE_SPACING
    for name in ("Body Text", "First Paragraph"):
        # Left-aligned as in the PDF and HTML (WCAG 2, 1.4.8: text not justified).
        styles[name].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
        styles[name].paragraph_format.space_before = Pt(0)
        styles[name].paragraph_format.space_after = Pt(3)
    for name, size in (
        ("Title", 20),
        ("Heading 1", 15),
        ("Heading 2", 12),
        ("Heading 3", 10.5),
        ("Heading 4", 10.5),
    ):
        st = styles[name]
        st.font.size = Pt(size)
        st.font.bold = True
        st.font.color.rgb = ACCENT
    # Typst's heading blocks: 1.4/0.7 em (level 1), 1.1/0.55 em (2), 1/0.5 em (3) of the 10.5 pt text,
    # measured from the heading's cap height and baseline; Word and LibreOffice measure from the
    # line box, which holds the ascent and descent too: HEADING_SPACING is Typst's less that,
    # measured (LibreOffice's PDF against Typst's: the lines before and after a heading each as far
    # from it), with single-spaced heading lines.
    for name, before, after in HEADING_SPACING:
        styles[name].paragraph_format.space_before = Pt(before)
        styles[name].paragraph_format.space_after = Pt(after)
        styles[name].paragraph_format.line_spacing = 1.0
    styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    for name in ("Table Caption", "Image Caption"):
        styles[name].font.italic = True
        styles[name].font.size = Pt(9)
        styles[name].paragraph_format.space_after = Pt(3)
        styles[name].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER  # as Typst's captions
    # Tight lists (pandoc's "Compact") at the body size, as in the PDF; table cells get "Table Text",
    # the PDF's 8.5 pt table text (coopdocs.render.docx puts it on every paragraph in a table).
    styles["Compact"].font.size = Pt(10.5)
    if "Table Text" not in names:
        styles.add_style("Table Text", WD_STYLE_TYPE.PARAGRAPH)
    table_text = styles["Table Text"]
    table_text.base_style = styles["Compact"]
    table_text.font.size = Pt(8.5)
    table_text.paragraph_format.space_before = Pt(0)
    table_text.paragraph_format.space_after = Pt(0)
    table_text.paragraph_format.line_spacing = LINE_SPACING  # Typst: 10.9 pt at 8.5 pt
    # A figure's image: its own height, not 1.1 lines of it.
    styles["Captioned Figure"].paragraph_format.line_spacing = 1.0
    # The date under the title: small and grey, as in the PDF, not a second title.
    date = styles["Date"]
    date.font.size = Pt(10)
    date.font.bold = False
    date.font.color.rgb = RGBColor(0x46, 0x46, 0x46)
    date.paragraph_format.space_after = Pt(7.5)
    styles["Title"].paragraph_format.space_after = Pt(0)
    # The reference list spaced as the PDF's (paragraph spacing; the default would leave 10 pt after
    # each entry). An entry's number is followed by a tab (pandoc's citeproc): it stops just after
    # the number, as the PDF's space, not at Word's default half inch (numbers up to 999).
    bibliography = styles["Bibliography"].paragraph_format
    bibliography.space_after = Pt(3)
    for stop in (15, 22):
        bibliography.tab_stops.add_tab_stop(Pt(stop))
    styles["Compact"].paragraph_format.space_before = Pt(0)
    styles["Compact"].paragraph_format.space_after = Pt(0)
    styles["Hyperlink"].font.color.rgb = ACCENT
    # Small grey record marks ("R12" after each record's text), used through the custom-style
    # "Record ID" that templates/filters/records.lua puts on them (about 0.8 of the body's size,
    # as in the PDF and HTML).
    if "Record ID" not in names:
        styles.add_style("Record ID", WD_STYLE_TYPE.CHARACTER)
    mark = styles["Record ID"]
    mark.font.size = Pt(8)
    mark.font.color.rgb = MARK
    for name in ("Header", "Footer"):
        if name not in names:
            st = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            st.base_style = styles["Normal"]
        styles[name].font.size = Pt(8)
        styles[name].paragraph_format.space_after = Pt(0)
    set_fonts(styles.element)
    table_styles(styles.element)
    headers_and_footers(doc)
    out = io.BytesIO()
    doc.core_properties.author = "coopdocs"
    doc.save(out)
    # Rewrite the zip with fixed entry times and order so the committed file is reproducible; the
    # font table and theme name the house fonts.
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    with (
        zipfile.ZipFile(io.BytesIO(out.getvalue())) as src,
        zipfile.ZipFile(TARGET, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for name in sorted(src.namelist()):
            data = src.read(name)
            if name == "word/fontTable.xml":
                data = FONT_TABLE.encode("utf-8")
            elif name.startswith("word/theme/"):
                data = theme_fonts(data.decode("utf-8")).encode("utf-8")
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, data)
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
