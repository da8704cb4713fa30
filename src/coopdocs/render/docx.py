"""Finish a DOCX that pandoc wrote, for the programs its readers open it in (Word, LibreOffice).

What pandoc's DOCX writer leaves, that a reader sees:

- table columns: pandoc divides the width by the Markdown's column markers, so a narrow column
  breaks words and record IDs mid-word ("Armeni a"). Here every column gets a width from its
  content: at least its longest unbreakable piece of text, measured in the house font (Times New
  Roman, whose metrics Liberation Serif shares: see tools/make_reference_docx.py), the rest of
  the width shared out by how much text each column holds;
- the document's properties: created and modified dates (pandoc in its sandbox writes 1970-01-01),
  author and keywords. Here they are written from the build date and from the metadata that
  coopdocs.render.metadata gave pandoc (the same as the PDF's and the HTML's);
- the running header's title field shows the document's title before any update;
- list bullets in the house font (pandoc's are Symbol, Courier New and Wingdings glyphs), indented
  as in the PDF;
- table cells in the style "Table Text" (pandoc gives them "Compact", which tight lists share);
- the paragraph after a table as far below it as in the PDF (no style can say "after a table").
- tables kept with their captions and headings, and no row split across pages (keep_tables);
- the back matter (references, data provenance) smaller and in two columns, as in the PDF: a
  continuous section, sizes and spacing from the Typst template's (BACK_MATTER).

The file is rewritten with fixed entry times, so the same input gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import zipfile
from pathlib import Path

from coopdocs.tools.text_metrics import advance, fit_columns, piece_spans


def escape(text: str, entities: dict[str, str] | None = None) -> str:
    """``text`` as XML character data: ``&``, ``<`` and ``>`` escaped, and each of ``entities``.

    What xml.sax.saxutils.escape does, without its import of urllib.request (and ssl): ~20 ms of
    every job that writes a DOCX.
    """
    text = html.escape(text, quote=False)
    for char, entity in (entities or {}).items():
        text = text.replace(char, entity)
    return text


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = f"{{{W}}}"

FONT = "Times New Roman"  # the house font of every style (tools/make_reference_docx.py)
# Font sizes (points) of the styles a table cell uses (templates/docx/reference.docx).
CELL_SIZE = 8.5  # "Table Text"
TABLE_STYLE = "TableText"  # the paragraph style of table cells (reference.docx)
STYLE_SIZES = {"RecordID": 8.0}
CELL_MARGINS = 2 * 80  # twips, left and right (the "Table" style)
SLACK = 1.04  # rounding in the readers' layout, kerning of bold text


def _paragraphs(cell, header: bool) -> list[tuple[str, list[float]]]:
    """Each paragraph of a table cell: its text and the width (twips) of each of its characters."""
    out: list[tuple[str, list[float]]] = []
    for p in cell.iter(f"{_W}p"):
        text, widths = [], []
        for r in p.iter(f"{_W}r"):
            rpr = r.find(f"{_W}rPr")
            size = _run_size(r)
            bold = header or (rpr is not None and rpr.find(f"{_W}b") is not None)
            for t in r.iter(f"{_W}t"):
                for ch in t.text or "":
                    text.append(ch)
                    widths.append(advance(ch, FONT, bold) * size * 20 / 1000)
        out.append(("".join(text), widths))
    return out


def cell_extent(cell, header: bool) -> tuple[float, float]:
    """(narrowest, widest) width of a cell in twips: its longest unbreakable piece, its longest line."""
    longest_piece = longest_line = 0.0
    for text, widths in _paragraphs(cell, header):
        longest_line = max(longest_line, sum(widths))
        for a, b in piece_spans(text):
            longest_piece = max(longest_piece, sum(widths[a:b]))
    return longest_piece * SLACK + CELL_MARGINS, longest_line * SLACK + CELL_MARGINS


def column_widths(minimum: list[float], maximum: list[float], available: float) -> list[int]:
    """Whole-twip widths that add up to ``available`` (see text_metrics.fit_columns); the last
    column takes what rounding down left over."""
    result = [int(w) for w in fit_columns(minimum, maximum, available, exact=True)]
    if result:
        result[-1] += int(available) - sum(result)
    return result


def _text_width(root) -> int:
    """Width of the text area in twips, from the document's last section properties."""
    sect = root.find(f"{_W}body/{_W}sectPr")
    page = sect.find(f"{_W}pgSz") if sect is not None else None
    margins = sect.find(f"{_W}pgMar") if sect is not None else None
    if page is None or margins is None:
        return 9412  # A4 with 2.2 cm margins
    return int(page.get(f"{_W}w")) - int(margins.get(f"{_W}left")) - int(margins.get(f"{_W}right"))


def _extents(rows, columns: int) -> tuple[list[float], list[float]]:
    """Narrowest and widest useful width of each column (see :func:`cell_extent`)."""
    low, high = [0.0] * columns, [0.0] * columns
    for row in rows:
        header = row.find(f"{_W}trPr/{_W}tblHeader") is not None
        for i, cell in enumerate(row.findall(f"{_W}tc")[:columns]):
            a, b = cell_extent(cell, header)
            low[i], high[i] = max(low[i], a), max(high[i], b)
    return low, high


def _local(element) -> str:
    """An element's tag without its namespace."""
    from lxml import etree

    return etree.QName(element).localname


def _child(parent, name: str, position):
    """``parent``'s WordprocessingML child ``name``, made and inserted at ``position(parent)``
    (an index: where the schema's element order puts it) when there is none."""
    from lxml import etree

    found = parent.find(f"{_W}{name}")
    if found is None:
        found = etree.Element(f"{_W}{name}")
        parent.insert(position(parent), found)
    return found


def _run_size(run) -> float:
    rpr = run.find(f"{_W}rPr")
    sz = rpr.find(f"{_W}sz") if rpr is not None else None
    if sz is not None:
        return int(sz.get(f"{_W}val")) / 2
    style = rpr.find(f"{_W}rStyle") if rpr is not None else None
    return STYLE_SIZES.get(style.get(f"{_W}val") if style is not None else "", CELL_SIZE)


MIN_SIZE = 6.0
_AFTER_SZ = {
    "szCs",
    "highlight",
    "u",
    "effect",
    "bdr",
    "shd",
    "fitText",
    "vertAlign",
    "rtl",
    "cs",
    "em",
    "lang",
    "eastAsianLayout",
    "specVanish",
    "oMath",
}


def _shrink(table, factor: float) -> None:
    """Scale the size of every run of ``table`` by ``factor`` (down to half points, at least MIN_SIZE)."""

    for run in table.iter(f"{_W}r"):
        size = _run_size(run)
        _set_size(run, max(min(MIN_SIZE, size), size * factor))


def _set_size(run, size: float) -> None:
    """Give ``run`` the font size ``size`` (points, rounded down to half points)."""
    rpr = _child(run, "rPr", lambda _: 0)
    # In the schema's order: before the properties that follow w:sz.
    sz = _child(
        rpr,
        "sz",
        lambda p: next((i for i, c in enumerate(p) if _local(c) in _AFTER_SZ), len(p)),
    )
    sz.set(f"{_W}val", str(int(size * 2)))


def fit_tables(document_xml: bytes) -> bytes:
    """``word/document.xml`` with every table's column widths set from its content."""
    from lxml import etree

    root = etree.fromstring(document_xml)
    available = _text_width(root)
    changed = False
    for table in root.iter(f"{_W}tbl"):
        grid = table.find(f"{_W}tblGrid")
        if grid is None:
            continue
        columns = len(grid.findall(f"{_W}gridCol"))
        rows = table.findall(f"{_W}tr")
        if not columns or any(r.find(f".//{_W}gridSpan") is not None for r in rows):
            continue  # a merged cell: keep pandoc's widths
        for pstyle in table.iter(f"{_W}pStyle"):
            if pstyle.get(f"{_W}val") == "Compact":
                pstyle.set(f"{_W}val", TABLE_STYLE)
        low, high = _extents(rows, columns)
        if sum(low) > available:
            # Even the narrowest columns do not fit (a long run of citation numbers beside many
            # count columns): set this table's text smaller, as far as it takes, not below 6 pt.
            _shrink(
                table, (available - columns * CELL_MARGINS) / (sum(low) - columns * CELL_MARGINS)
            )
            low, high = _extents(rows, columns)
        widths = column_widths(low, high, available)
        for col, width in zip(grid.findall(f"{_W}gridCol"), widths):
            col.set(f"{_W}w", str(width))
        tblpr = table.find(f"{_W}tblPr")
        if tblpr is not None:
            tblw = tblpr.find(f"{_W}tblW")
            if tblw is not None:
                tblw.set(f"{_W}type", "dxa")
                tblw.set(f"{_W}w", str(sum(widths)))
        for row in rows:
            for cell, width in zip(row.findall(f"{_W}tc"), widths):
                tcw = _child(_child(cell, "tcPr", lambda _: 0), "tcW", lambda _: 0)
                tcw.set(f"{_W}w", str(width))
                tcw.set(f"{_W}type", "dxa")
        changed = True
    if not changed:
        return document_xml
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# Below a table Typst leaves its cell inset (3.5 pt) and the paragraph spacing; Word and
# LibreOffice leave the cell margin (1 pt) and only the next paragraph's own space before, 5 pt
# less (measured in LibreOffice's PDF against Typst's): the paragraph after a table gets them.
SPACE_AFTER_TABLE = 100  # twips


def _style_value(styles, style_id: str | None, path: str, attribute: str = "val") -> str | None:
    """A style's ``attribute`` of its element ``path`` ("pPr/spacing"), following its "based on"
    chain; None when no style in the chain sets it."""
    seen = set()
    while style_id and style_id not in seen:
        seen.add(style_id)
        style = styles.get(style_id)
        if style is None:
            break
        found = style.find("/".join(f"{_W}{step}" for step in path.split("/")))
        if found is not None and found.get(f"{_W}{attribute}") is not None:
            return found.get(f"{_W}{attribute}")
        based = style.find(f"{_W}basedOn")
        style_id = based.get(f"{_W}val") if based is not None else None
    return None


def _space_before(styles, style_id: str | None) -> int:
    """A paragraph style's space before (twips), following its "based on" chain to the defaults."""
    return int(_style_value(styles, style_id, "pPr/spacing", "before") or 0)


_BEFORE_SPACING = {  # the children of w:pPr that the schema puts before w:spacing
    "pStyle",
    "keepNext",
    "keepLines",
    "pageBreakBefore",
    "framePr",
    "widowControl",
    "numPr",
    "suppressLineNumbers",
    "pBdr",
    "shd",
    "tabs",
    "suppressAutoHyphens",
    "kinsoku",
    "wordWrap",
    "overflowPunct",
    "topLinePunct",
    "autoSpaceDE",
    "autoSpaceDN",
    "bidi",
    "adjustRightInd",
    "snapToGrid",
}


def _spacing_position(ppr) -> int:
    """Where w:spacing goes in ``ppr``: after the properties the schema puts before it."""
    return max((i + 1 for i, c in enumerate(ppr) if _local(c) in _BEFORE_SPACING), default=0)


def space_after_tables(document_xml: bytes, styles_xml: bytes) -> bytes:
    """``word/document.xml`` with SPACE_AFTER_TABLE more space before each paragraph after a table."""
    from lxml import etree

    root = etree.fromstring(document_xml)
    styles = {
        s.get(f"{_W}styleId"): s
        for s in etree.fromstring(styles_xml).iter(f"{_W}style")
        if s.get(f"{_W}type") == "paragraph"
    }
    default = next(
        (s for s in styles.values() if s.get(f"{_W}default") == "1"), None
    )  # "Normal": a paragraph without a style
    changed = False
    for table in root.iter(f"{_W}tbl"):
        after = table.getnext()
        while after is not None and _local(after) in (
            "bookmarkStart",
            "bookmarkEnd",
        ):
            after = after.getnext()
        if after is None or after.tag != f"{_W}p":
            continue
        ppr = _child(after, "pPr", lambda _: 0)
        spacing = _child(ppr, "spacing", _spacing_position)
        before = spacing.get(f"{_W}before")
        if before is None:
            pstyle = ppr.find(f"{_W}pStyle")
            style_id = (
                pstyle.get(f"{_W}val")
                if pstyle is not None
                else default.get(f"{_W}styleId")
                if default is not None
                else None
            )
            before = _space_before(styles, style_id)
        spacing.set(f"{_W}before", str(int(before) + SPACE_AFTER_TABLE))
        changed = True
    if not changed:
        return document_xml
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# Table layout that holds on the page (issue 30), as the PDF's (templates/typst/document.typ):
# a table's caption stays with it, a heading stays with the table it introduces, and no row is
# split across two pages. As in the PDF, a table may break between rows: its header row and first
# row stay with its caption (a caption never ends a page alone), and the header row repeats.
KEPT_ROWS = 2  # the header row and the first row
_PPR_FIRST = ("pStyle",)  # the only child of w:pPr the schema puts before w:keepNext
_TRPR_ORDER = (
    "cnfStyle", "divId", "gridBefore", "gridAfter", "wBefore", "wAfter", "cantSplit",
    "trHeight", "tblHeader", "tblCellSpacing", "jc", "hidden", "ins", "del", "trPrChange",
)  # fmt: skip


def _keep_next(paragraph) -> None:
    """Mark ``paragraph`` to stay on the page of the paragraph (or table row) after it."""
    ppr = _child(paragraph, "pPr", lambda _: 0)
    _child(ppr, "keepNext", lambda p: 1 if len(p) and _local(p[0]) in _PPR_FIRST else 0)


def _previous_paragraphs(table) -> list:
    """What introduces ``table``: its caption, and a heading before it with at most one paragraph
    between (the section's lead-in), nearest first; bookmarks skipped."""
    found = []
    node = table.getprevious()
    while node is not None and len(found) < 3:
        if _local(node) == "p":
            found.append(node)
        elif _local(node) not in ("bookmarkStart", "bookmarkEnd"):
            break
        node = node.getprevious()
    return found


def _is_heading(paragraph, heading_styles: set[str]) -> bool:
    """Whether ``paragraph``'s style is a heading (a style with an outline level)."""
    pstyle = paragraph.find(f"{_W}pPr/{_W}pStyle")
    return pstyle is not None and pstyle.get(f"{_W}val") in heading_styles


def _keep_table(table, heading_styles: set[str]) -> None:
    """Keep ``table``'s rows whole and its first rows with its caption and heading (KEPT_ROWS)."""
    rows = table.findall(f"{_W}tr")
    kept = rows[: min(KEPT_ROWS, len(rows)) - 1]  # each keeps with the row after it
    for row in rows:
        trpr = _child(row, "trPr", lambda r: 1 if len(r) and _local(r[0]) == "tblPrEx" else 0)
        _child(trpr, "cantSplit", lambda t: _schema_position(t, _TRPR_ORDER, "cantSplit"))
    for row in kept:
        for paragraph in row.iter(f"{_W}p"):
            _keep_next(paragraph)
    before = _previous_paragraphs(table)
    if before and not _is_heading(before[0], heading_styles):
        _keep_next(before[0])  # the caption
        before = before[1:]
    # A heading and the lead-in paragraph under it stay with the caption and table that follow.
    for n, paragraph in enumerate(before[:2]):
        if _is_heading(paragraph, heading_styles):
            for kept_paragraph in before[: n + 1]:
                _keep_next(kept_paragraph)
            break


def keep_tables(document_xml: bytes, styles_xml: bytes) -> bytes:
    """``word/document.xml`` with its tables kept together with their captions and headings and
    no row split across pages (KEPT_ROWS); unchanged when it has no table."""
    from lxml import etree

    root = etree.fromstring(document_xml)
    tables = [t for t in root.iter(f"{_W}tbl") if t.getparent().tag == f"{_W}body"]
    if not tables:
        return document_xml
    heading_styles = {
        s.get(f"{_W}styleId")
        for s in etree.fromstring(styles_xml).iter(f"{_W}style")
        if s.find(f"{_W}pPr/{_W}outlineLvl") is not None
    }
    for table in tables:
        _keep_table(table, heading_styles)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# The back matter, set as the PDF sets it (templates/typst/document.typ: the function back-matter,
# from the heading "references" to the end, as templates/filters/records.lua marks it; and the show
# rule on the block labelled back-matter, the review's): smaller, in two columns. Each region: the
# bookmark pandoc writes where it starts, whether it runs to the end of the document (else to the
# bookmark's end), and Typst's text size (pt), line leading and paragraph spacing (em). A region
# inside another one overrides it.
BACK_MATTER = (("references", True, 7.5, 0.4, 0.4), ("back-matter", False, 7.5, 0.62, 0.9))
BODY = (10.5, 0.62, 0.9)  # document.typ: the body's text size, leading and paragraph spacing
# A Typst line is its font's cap height (Libertinus Serif: 0.656 em) plus the leading; a single
# line of Times New Roman in Word and LibreOffice is 1.149 em: the body's 267/240 (reference.docx).
CAP_HEIGHT, TIMES_LINE = 0.656, 1.149
COLUMN_GAP = 1.4  # em of the back matter's size (document.typ)


def _back_matter_regions(body) -> list[tuple[int, tuple]]:
    """The back matter's regions among ``body``'s children: (index of the first child, BACK_MATTER
    entry) where a region starts or ends (the entry then the enclosing region's, or None)."""
    specs = {spec[0]: spec for spec in BACK_MATTER}
    open_ids: list[tuple[str, tuple]] = []  # (bookmark id, entry), innermost last
    out: list[tuple[int, tuple]] = []
    for i, child in enumerate(body):
        if _local(child) == "bookmarkStart" and child.get(f"{_W}name") in specs:
            spec = specs[child.get(f"{_W}name")]
            open_ids.append(("" if spec[1] else child.get(f"{_W}id"), spec))
            out.append((i, spec))
        elif _local(child) == "bookmarkEnd" and any(child.get(f"{_W}id") == b for b, _ in open_ids):
            open_ids = [(b, s) for b, s in open_ids if b != child.get(f"{_W}id")]
            out.append((i, open_ids[-1][1] if open_ids else None))
    return out


# The children of w:sectPr in the schema's order (ECMA-376, CT_SectPr).
_SECTION_ORDER = (
    "headerReference",
    "footerReference",
    "footnotePr",
    "endnotePr",
    "type",
    "pgSz",
    "pgMar",
    "paperSrc",
    "pgBorders",
    "lnNumType",
    "pgNumType",
    "cols",
    "formProt",
    "vAlign",
    "noEndnote",
    "titlePg",
    "textDirection",
    "bidi",
    "rtlGutter",
    "docGrid",
    "printerSettings",
    "sectPrChange",
)


def _schema_position(parent, order: tuple[str, ...], name: str) -> int:
    """Where a child ``name`` goes in ``parent``: after the children that ``order`` puts before it."""
    before = set(order[: order.index(name)])
    return max((i + 1 for i, c in enumerate(parent) if _local(c) in before), default=0)


def _two_columns(body, index: int, size: float) -> None:
    """End a section before ``body[index]`` (an empty paragraph of no height) and set the rest in
    two columns, as a continuous section: the page goes on."""
    import copy

    from lxml import etree

    last = body.find(f"{_W}sectPr")
    if last is None:
        return
    paragraph = etree.Element(f"{_W}p")
    ppr = etree.SubElement(paragraph, f"{_W}pPr")
    spacing = etree.SubElement(ppr, f"{_W}spacing")
    for name, value in (("before", "0"), ("after", "0"), ("line", "1"), ("lineRule", "exact")):
        spacing.set(f"{_W}{name}", value)
    ppr.append(copy.deepcopy(last))
    body.insert(index, paragraph)
    continuous = _child(last, "type", lambda sect: _schema_position(sect, _SECTION_ORDER, "type"))
    continuous.set(f"{_W}val", "continuous")
    cols = _child(last, "cols", lambda sect: _schema_position(sect, _SECTION_ORDER, "cols"))
    cols.set(f"{_W}num", "2")
    cols.set(f"{_W}space", str(round(COLUMN_GAP * size * 20)))


def _mark_position(ppr) -> int:
    """Where w:rPr (the paragraph mark's properties) goes in ``ppr``: before w:sectPr and
    w:pPrChange, the only children the schema puts after it."""
    return next((i for i, c in enumerate(ppr) if _local(c) in ("sectPr", "pPrChange")), len(ppr))


def _set_back_matter(paragraph, spec: tuple, styles: tuple[dict, dict]) -> None:
    """Set a paragraph of the back matter at the region ``spec``'s size and spacing (BACK_MATTER).

    Headings keep their size (Typst's are in points) and have their spacing (in em) scaled; other
    paragraphs have their runs, their Typst line pitch and the space between paragraphs.
    """
    pstyles, cstyles = styles
    _, _, size, leading, spacing = spec
    ppr = _child(paragraph, "pPr", lambda _: 0)
    pstyle = ppr.find(f"{_W}pStyle")
    style_id = pstyle.get(f"{_W}val") if pstyle is not None else pstyles.get("")
    heading = _style_value(pstyles, style_id, "pPr/outlineLvl") is not None
    ratio = size / BODY[0]
    if not heading:
        base = int(_style_value(pstyles, style_id, "rPr/sz") or 24) / 2
        for run in paragraph.iter(f"{_W}r"):
            rstyle = run.find(f"{_W}rPr/{_W}rStyle")
            sz = run.find(f"{_W}rPr/{_W}sz")
            own = sz.get(f"{_W}val") if sz is not None else None
            if own is None and rstyle is not None:
                own = _style_value(cstyles, rstyle.get(f"{_W}val"), "rPr/sz")
            _set_size(run, int(own) / 2 * ratio if own else base * ratio)
        # The paragraph mark's size, which a list item's bullet takes: at the body's size the
        # bullet made each line of the review's provenance list as high as a body line, and its
        # DOCX a page longer than its PDF in LibreOffice.
        _child(ppr, "rPr", _mark_position)
        _set_size(ppr, base * ratio)
        ratio = (spacing - leading) * size / ((BODY[2] - BODY[1]) * BODY[0])
    element = _child(ppr, "spacing", _spacing_position)
    for edge in ("before", "after"):
        value = element.get(f"{_W}{edge}") or _style_value(pstyles, style_id, "pPr/spacing", edge)
        element.set(f"{_W}{edge}", str(round(int(value or 0) * ratio)))
    if not heading:
        element.set(f"{_W}line", str(round(240 * (CAP_HEIGHT + leading) / TIMES_LINE)))
        element.set(f"{_W}lineRule", "auto")


def back_matter(document_xml: bytes, styles_xml: bytes) -> bytes:
    """``word/document.xml`` with its back matter smaller and in two columns, as the PDF's
    (BACK_MATTER); unchanged when it has none."""
    from lxml import etree

    root = etree.fromstring(document_xml)
    body = root.find(f"{_W}body")
    regions = _back_matter_regions(body) if body is not None else []
    if not regions:
        return document_xml
    pstyles, cstyles = {}, {}
    for s in etree.fromstring(styles_xml).iter(f"{_W}style"):
        kind = s.get(f"{_W}type")
        if kind in ("paragraph", "character"):
            (pstyles if kind == "paragraph" else cstyles)[s.get(f"{_W}styleId")] = s
            if kind == "paragraph" and s.get(f"{_W}default") == "1":
                pstyles[""] = s.get(f"{_W}styleId")
    children = list(body)
    bounds = regions + [(len(children), None)]
    for (start, spec), (end, _) in zip(bounds, bounds[1:]):
        for child in children[start:end]:
            if spec is not None and _local(child) == "p":
                _set_back_matter(child, spec, (pstyles, cstyles))
    _two_columns(body, regions[0][0], regions[0][1][2])
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _custom_properties(xml: str) -> dict[str, str]:
    return {
        m.group(1): _unescape(m.group(2))
        for m in re.finditer(
            r'<property [^>]*name="([^"]+)"[^>]*><vt:lpwstr>([^<]*)</vt:lpwstr></property>', xml
        )
    }


def _unescape(text: str) -> str:
    # pandoc writes an apostrophe as the character reference &#39;: every reference is undone,
    # or the property is escaped twice ("member states&amp;#39;").
    return html.unescape(text)


def _core_value(xml: str, tag: str) -> str:
    m = re.search(rf"<{tag}>([^<]*)</{tag}>", xml)
    return _unescape(m.group(1)) if m else ""


# Custom properties pandoc writes that are the build's own settings, not the document's.
_INTERNAL = {
    "bibliography",
    "csl",
    "figures-dir",
    "link-citations",
    "creator",
    "keywords",
    "subject",
    "lang",
    "date",
}


def ast_metadata(ast: Path) -> dict[str, str]:
    """The plain-text metadata (``MetaString`` values) of a pandoc JSON AST, read without its blocks."""
    import json

    text = ast.read_text(encoding="utf-8")
    start = text.find('"meta":')
    if start < 0:
        return {}
    meta, _ = json.JSONDecoder().raw_decode(text, start + len('"meta":'))
    return {
        k: v["c"] for k, v in meta.items() if isinstance(v, dict) and v.get("t") == "MetaString"
    }


def core_properties(
    core: str, custom: str, stamp: str, metadata: dict[str, str] | None = None
) -> tuple[str, str]:
    """New ``docProps/core.xml`` and ``custom.xml``: title, author, subject, keywords, language, dates.

    ``metadata``: the document's (coopdocs.render.metadata, as read from its AST); pandoc's DOCX
    writer leaves keywords given as one string empty.
    """
    props = dict(_custom_properties(custom), **(metadata or {}))
    fields = [
        ("dc:title", _core_value(core, "dc:title")),
        ("dc:subject", _core_value(core, "dc:subject") or props.get("subject", "")),
        ("dc:creator", props.get("creator") or _core_value(core, "dc:creator")),
        ("cp:keywords", props.get("keywords") or _core_value(core, "cp:keywords")),
        ("dc:description", _core_value(core, "dc:description")),
        ("cp:lastModifiedBy", "coopdocs"),
        ("dc:language", _core_value(core, "dc:language") or props.get("lang", "")),
    ]
    body = "".join(f"<{tag}>{escape(value)}</{tag}>" for tag, value in fields if value)
    new_core = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f'{body}<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified></cp:coreProperties>'
    )
    kept = [
        (name, value) for name, value in _custom_properties(custom).items() if name not in _INTERNAL
    ]
    entries = "".join(
        f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{pid}" '
        f'name="{escape(name, {chr(34): "&quot;"})}">'
        f"<vt:lpwstr>{escape(value)}</vt:lpwstr></property>"
        for pid, (name, value) in enumerate(kept, start=2)
    )
    new_custom = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
        f'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">{entries}</Properties>'
    )
    return new_core, new_custom


def header_title(xml: str, title: str) -> str:
    """Show ``title`` as the result of the header's title field (TITLE, or the DOCPROPERTY of the
    short title, tools/make_reference_docx.py) before a reader updates fields.

    >>> header_title('<w:instrText> DOCPROPERTY "short-title" </w:instrText><w:fldChar '
    ...     'w:fldCharType="separate"/></w:r><w:r><w:t>Title</w:t>', "A & B")[-20:]
    '<w:t>A &amp; B</w:t>'
    """
    return re.sub(
        r'(<w:instrText[^>]*> (?:TITLE|DOCPROPERTY "short-title") </w:instrText>'
        r'.*?<w:fldChar w:fldCharType="separate"\s*/></w:r>'
        r"<w:r>(?:<w:rPr>.*?</w:rPr>)?<w:t[^>]*>)[^<]*(</w:t>)",
        lambda m: m.group(1) + escape(title) + m.group(2),
        xml,
        flags=re.S,
    )


_BULLETS = ("\u2022", "\u2013", "\u25e6")  # level 1, 2, 3, then again
LIST_STEP = 180  # twips (9 pt): a list level's indent, the bullet's hanging width


def house_bullets(xml: str) -> str:
    """Bullets of every list level as text in the house font (not Symbol/Wingdings glyphs)."""

    def level(m: re.Match) -> str:
        body = m.group(0)
        if '<w:numFmt w:val="bullet"' not in body:
            return body
        ilvl = int(m.group(1))
        bullet = _BULLETS[ilvl % 2]  # bullet, dash, bullet, ...
        body = re.sub(r'<w:lvlText w:val="[^"]*"\s*/>', f'<w:lvlText w:val="{bullet}" />', body)
        body = re.sub(r"<w:rPr>.*?</w:rPr>", "", body, flags=re.S)
        # Indented as in the PDF (Typst's lists: the bullet at the parent's text, the text 0.5 em
        # after the bullet, 9 pt in all at 10.5 pt): each level's text 9 pt further in.
        body = re.sub(
            r'<w:ind w:left="\d+" w:hanging="\d+"\s*/>',
            f'<w:ind w:left="{LIST_STEP * (ilvl + 1)}" w:hanging="{LIST_STEP}" />',
            body,
        )
        fonts = (
            '<w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" '
            'w:cs="Times New Roman" w:hint="default" /></w:rPr>'
        )
        return body.replace("</w:lvl>", fonts + "</w:lvl>")

    return re.sub(r'<w:lvl w:ilvl="(\d+)"[^>]*>.*?</w:lvl>', level, xml, flags=re.S)


# The author line pandoc writes for a title block without an author ("% title", "%", "% date"):
# an empty paragraph between the title and the date, which the PDF and the HTML do not have.
_EMPTY_AUTHOR = re.compile(
    rb'\s*<w:p>\s*<w:pPr>\s*<w:pStyle w:val="Author"\s*/>\s*</w:pPr>\s*</w:p>'
)


def drop_empty_author(document_xml: bytes) -> bytes:
    """``word/document.xml`` without an empty author line under the title.

    >>> drop_empty_author(b'<w:p><w:pPr><w:pStyle w:val="Author"/></w:pPr>\\n</w:p><w:p/>')
    b'<w:p/>'
    """
    return _EMPTY_AUTHOR.sub(b"", document_xml)


_W_PARAGRAPH = re.compile(r"<w:p[ >].*?</w:p>", re.S)
_W_TEXT = re.compile(r"<w:t(?: [^>]*)?>([^<]*)</w:t>")
APPLICATION = "coopdocs"


def app_properties(document_xml: bytes) -> str:
    r"""A ``docProps/app.xml`` true to the document: its words, characters and paragraphs counted
    from ``word/document.xml``, the program that wrote it; no page or line count, which only a
    program that lays the pages out knows (pandoc copies the reference document's: 1 page, 83
    words, "Microsoft Word 12.0.0").

    >>> xml = b'<w:p><w:r><w:t>Two words</w:t></w:r></w:p><w:p><w:r><w:t xml:space="preserve">x</w:t></w:r></w:p>'
    >>> props = app_properties(xml)
    >>> [re.search(f"<{k}>(\\d+)<", props).group(1) for k in ("Words", "Characters", "Paragraphs")]
    ['3', '9', '2']
    """
    paragraphs = [
        _unescape("".join(_W_TEXT.findall(p)))
        for p in _W_PARAGRAPH.findall(document_xml.decode("utf-8"))
    ]
    text = [p for p in paragraphs if p.strip()]
    words = sum(len(p.split()) for p in text)
    chars = sum(len("".join(p.split())) for p in text)
    spaced = sum(len(p) for p in text)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"'
        ' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        f"<Application>{APPLICATION}</Application>"
        f"<Words>{words}</Words><Characters>{chars}</Characters>"
        f"<CharactersWithSpaces>{spaced}</CharactersWithSpaces><Paragraphs>{len(text)}</Paragraphs>"
        "<DocSecurity>0</DocSecurity></Properties>"
    )


def finish(path: Path, *, epoch: int, metadata: dict[str, str] | None = None) -> None:
    """Rewrite the DOCX at ``path`` in place (see the module docstring); ``metadata`` as in core_properties."""
    stamp = dt.datetime.fromtimestamp(max(epoch, 315532800), tz=dt.UTC)  # zip dates start in 1980
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(path) as src:
        names = src.namelist()
        parts = {name: src.read(name) for name in names}
    core = parts.get("docProps/core.xml", b"").decode("utf-8")
    custom = parts.get("docProps/custom.xml", b"").decode("utf-8")
    new_core, new_custom = core_properties(core, custom, iso, metadata)
    parts["docProps/core.xml"] = new_core.encode("utf-8")
    if "docProps/custom.xml" in parts:
        parts["docProps/custom.xml"] = new_custom.encode("utf-8")
    # The running header's title: the short title (pandoc metadata "short-title"), else the title.
    title = (metadata or {}).get("short-title") or _core_value(core, "dc:title")
    for name in names:
        if re.fullmatch(r"word/header\d*\.xml", name):
            parts[name] = header_title(parts[name].decode("utf-8"), title).encode("utf-8")
    if "word/numbering.xml" in parts:
        parts["word/numbering.xml"] = house_bullets(
            parts["word/numbering.xml"].decode("utf-8")
        ).encode("utf-8")
    parts["word/document.xml"] = fit_tables(drop_empty_author(parts["word/document.xml"]))
    if "word/styles.xml" in parts:
        parts["word/document.xml"] = space_after_tables(
            parts["word/document.xml"], parts["word/styles.xml"]
        )
        parts["word/document.xml"] = back_matter(
            parts["word/document.xml"], parts["word/styles.xml"]
        )
        parts["word/document.xml"] = keep_tables(
            parts["word/document.xml"], parts["word/styles.xml"]
        )
    if "docProps/app.xml" in parts:
        parts["docProps/app.xml"] = app_properties(parts["word/document.xml"]).encode("utf-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in names:
            entry = zipfile.ZipInfo(name, stamp.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, parts[name])
    path.write_bytes(out.getvalue())
