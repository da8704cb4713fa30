"""Regenerate templates/docx/reference.docx, the Word house style, from pandoc's default.

Run:  .venv/bin/python tools/make_reference_docx.py
The result is committed; edit it in Word/LibreOffice instead if you prefer (keep style names).
Kept in step with templates/typst/document.typ and templates/html/document.html.
"""

from __future__ import annotations

import io
import subprocess
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt, RGBColor

from coopdocs.tools.pandoc import pandoc_path

ACCENT = RGBColor(0x1F, 0x38, 0x64)
TARGET = Path(__file__).resolve().parent.parent / "templates" / "docx" / "reference.docx"
FIXED_TIME = (2022, 12, 30, 0, 0, 0)


def main() -> None:
    """Write the reference document with the house fonts, colours, sizes and A4 page."""
    default = subprocess.run([pandoc_path(), "--print-default-data-file", "reference.docx"], capture_output=True, check=True).stdout
    doc = Document(io.BytesIO(default))
    for section in doc.sections:
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        section.left_margin = section.right_margin = Cm(2.2)
        section.top_margin = section.bottom_margin = Cm(2.4)
    styles = doc.styles
    body_font = "Libertinus Serif"
    for name in ("Normal", "Body Text", "First Paragraph", "Compact", "Bibliography", "Table Caption", "Image Caption", "Date", "Abstract"):
        if name in [s.name for s in styles]:
            st = styles[name]
            st.font.name = body_font
            st.font.size = Pt(10.5)
    for name in ("Body Text", "First Paragraph"):
        # Left-aligned as in the PDF and HTML (WCAG 2, 1.4.8: text not justified).
        styles[name].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
        styles[name].paragraph_format.space_after = Pt(6)
    for name, size in (("Title", 20), ("Heading 1", 15), ("Heading 2", 12), ("Heading 3", 10.5), ("Heading 4", 10.5)):
        st = styles[name]
        st.font.name = body_font
        st.font.size = Pt(size)
        st.font.bold = True
        st.font.color.rgb = ACCENT
    styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    for name in ("Table Caption", "Image Caption"):
        styles[name].font.italic = True
        styles[name].font.size = Pt(9)
    styles["Compact"].font.size = Pt(9)
    styles["Hyperlink"].font.color.rgb = ACCENT
    # Small grey record marks (the record ID after each record's text), used through the
    # custom-style "Record ID" that templates/filters/records.lua puts on them.
    from docx.enum.style import WD_STYLE_TYPE

    if "Record ID" not in [st.name for st in styles]:
        mark = styles.add_style("Record ID", WD_STYLE_TYPE.CHARACTER)
        mark.font.size = Pt(6.5)
        mark.font.color.rgb = RGBColor(0x80, 0x80, 0x80)
    out = io.BytesIO()
    doc.core_properties.author = "coopdocs"
    doc.save(out)
    # Rewrite the zip with fixed entry times and order so the committed file is reproducible.
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as src, zipfile.ZipFile(TARGET, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in sorted(src.namelist()):
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, src.read(name))
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
