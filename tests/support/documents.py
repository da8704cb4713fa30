"""The text of a built document, read the same way from DOCX, HTML and PDF.

One reader per format, and they agree: each gives the document's blocks (paragraphs, headings,
list items, table cells) one per line, in document order, as a reader sees them: NFC, every
whitespace run inside a block one space, no empty lines. A sentence of the Markdown is therefore
one line of the DOCX and HTML texts, and the same characters in the PDF's (where a line break or a
justified line's hyphen may cut it: :func:`in_pdf_text`). tests/workflow/test_readers.py checks
that they agree on a built document.
"""

from __future__ import annotations

import html.parser
import re
import unicodedata
import zipfile
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree as ET

import pypdf

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Markup of the Markdown a reader must never see in a document: a citation, an attribute, an
# escaped character, a fenced div, Jinja syntax.
LEAKS = re.compile(r"\[@|\{#|\\[*_\[\]#`]|:::|\{\{|\{%")
# The HTML elements that start a block of their own (a line of the text).
_HTML_BLOCKS = frozenset(
    "p h1 h2 h3 h4 h5 h6 li td th tr caption figcaption dt dd blockquote pre br hr "
    "table thead tbody ul ol dl section header footer nav figure title".split()
)
_HTML_HIDDEN = frozenset({"style", "script", "head"})
# The parts of one reference-list entry (pandoc's citeproc: its number, then its text): one line.
_HTML_INLINE_DIVS = frozenset({"csl-left-margin", "csl-right-inline"})
_QUOTES = {q: "[\u2018\u2019']" for q in "\u2018\u2019'"} | {
    q: '[\u201c\u201d"]' for q in '\u201c\u201d"'
}
_PAGE_NUMBER = re.compile(r"\s*\d+ / \d+\s*")


def norm(text: str) -> str:
    """One block as a reader sees it: NFC, line and paragraph separators and every whitespace
    run one space, no space at either end."""
    text = unicodedata.normalize("NFC", text).replace("\u2028", " ").replace("\u2029", " ")
    return re.sub(r"\s+", " ", text).strip()


def squash(text: str) -> str:
    """The whole text on one line (NFC, whitespace runs one space): for a phrase that may cross a
    line of the PDF."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text))


def _lines(blocks: list[str]) -> str:
    """The blocks normalised, one a line, the empty ones left out."""
    return "\n".join(line for line in map(norm, blocks) if line)


def docx_xml(path: Path, member: str = "word/document.xml") -> str:
    """One XML part of a DOCX as text."""
    with zipfile.ZipFile(path) as archive:
        return archive.read(member).decode("utf-8")


def docx_text(path: Path, tables: bool = True) -> str:
    """The DOCX's paragraphs in body order (those in table cells too, unless ``tables`` is false),
    read from document.xml: its runs' text, a tab or a line break as a space."""
    body = ET.fromstring(docx_xml(path)).find(W + "body")
    paragraphs = []
    for block in body if body is not None else ():
        if block.tag == W + "p" or (tables and block.tag == W + "tbl"):
            paragraphs += [_docx_paragraph(p) for p in block.iter(W + "p")]
    return _lines(paragraphs)


def _docx_paragraph(paragraph: ET.Element) -> str:
    """One paragraph's text: its runs' text, a tab or a line break as a space."""
    parts = []
    for element in paragraph.iter():
        if element.tag == W + "t" and element.text:
            parts.append(element.text)
        elif element.tag in (W + "tab", W + "br"):
            parts.append(" ")
    return "".join(parts)


class _HTMLText(html.parser.HTMLParser):
    """The visible text of an HTML page, a new block at each block element, and its start tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = [""]
        self.tags: list[str] = []
        self.hidden = 0
        self.divs: list[bool] = []  # for each open div, whether it is a block of its own

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.hidden += tag in _HTML_HIDDEN
        if tag == "div":
            classes = set((dict(attrs).get("class") or "").split())
            self.divs.append(not classes & _HTML_INLINE_DIVS)
        if tag in _HTML_BLOCKS or (tag == "div" and self.divs[-1]):
            self.blocks.append("")

    def handle_endtag(self, tag):
        self.hidden -= tag in _HTML_HIDDEN
        block = self.divs.pop() if tag == "div" and self.divs else False
        if tag in _HTML_BLOCKS or block:
            self.blocks.append("")

    def handle_data(self, data):
        if not self.hidden:
            self.blocks[-1] += data


def parse_html(path: Path) -> _HTMLText:
    """The parsed page: ``.blocks`` its text, ``.tags`` its start tags in document order."""
    parser = _HTMLText()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


def html_text(path: Path) -> str:
    """The page's visible text (not its head, styles or scripts), one block a line."""
    return _lines(parse_html(path).blocks)


def pdf_pages(path: Path) -> list[list[str]]:
    """Each page's lines as pypdf extracts them, without the page furniture: the "n / N" page
    number, and the running header (the first line most later pages share)."""
    pages = [page.extract_text().splitlines() for page in pypdf.PdfReader(str(path)).pages]
    pages = [[line for line in lines if not _PAGE_NUMBER.fullmatch(line)] for lines in pages]
    firsts = Counter(lines[0] for lines in pages[1:] if lines)
    header = firsts.most_common(1)[0][0] if len(pages) > 2 and firsts else None
    for lines in pages[1:]:
        if lines and lines[0] == header:
            del lines[0]
    return pages


def pdf_text(path: Path) -> str:
    """The PDF's text without its page furniture, one extracted line a line (a paragraph that a
    line or page break cuts reads on in :func:`squash` of it)."""
    return _lines([line for lines in pdf_pages(path) for line in lines])


def pdf_outline(path: Path) -> list[str]:
    """The titles of the PDF's bookmarks (its outline), nested ones included, in order."""

    def walk(items):
        for item in items:
            if isinstance(item, list):
                yield from walk(item)
            else:
                yield item.title

    return list(walk(pypdf.PdfReader(str(path)).outline))


def in_pdf_text(value: str, text: str) -> bool:
    """Whether ``value`` appears in PDF-extracted ``text``.

    PDF text extraction does not record spaces or line breaks, only glyph positions, and Typst
    hyphenates justified text: so whitespace may appear or vanish between any two characters and
    a line may end in an inserted hyphen. And its text layer holds the quotes as Typst's source
    had them (pandoc writes a straight one, Typst prints it curly): a quote matches either form.
    Every other character must be there, in order.
    """
    chars = [c for c in norm(value) if not c.isspace()]
    pattern = r"(?:\s*|-\s+)".join(_QUOTES.get(c, re.escape(c)) for c in chars)
    return re.search(pattern, unicodedata.normalize("NFC", text)) is not None


def document_text(path: Path) -> str:
    """The text of a DOCX, HTML or PDF document by its suffix (see the module's docstring)."""
    readers = {".docx": docx_text, ".html": html_text, ".pdf": pdf_text}
    if path.suffix not in readers:
        raise ValueError(f"no text reader for {path.name}: one of {', '.join(readers)}")
    return readers[path.suffix](path)
