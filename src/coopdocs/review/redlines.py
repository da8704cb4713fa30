"""Redline documents: a merged AST (:mod:`coopdocs.review.redline`) written as DOCX and HTML.

- DOCX with native Word tracked changes (``w:ins``/``w:del``, author ``coopdocs``, dated from
  ``SOURCE_DATE_EPOCH``): pandoc writes the revisions, :func:`finish_docx_revisions` makes their
  IDs unique and tracks the paragraph marks of whole inserted or deleted paragraphs.
- HTML with ``<ins>``/``<del>`` and a small style sheet for them.

Both use the house styles of the project (its reference DOCX, HTML template and records filter).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lxml import etree

from coopdocs.load.grammar import long_date
from coopdocs.load.strings import Words, word
from coopdocs.render.docx import drop_empty_author
from coopdocs.review.redline import html_ins_del, text_inlines
from coopdocs.review.versions import Version
from coopdocs.tools.files import atomic_output
from coopdocs.tools.pandoc import write_ast
from coopdocs.tools.zips import rewrite_zip

CSS = """<style>
/* coopdocs diff: tracked changes */
ins { background: #e3f6e3; color: #0b5d1e; text-decoration: underline; }
del { background: #fde7e7; color: #9b1c1c; text-decoration: line-through; }
.redline-note { border-left: 3px solid #8eaadb; padding-left: .8em; color: #555; }
/* Long identifiers and lists of them (a document's sources, a record's sections, a version's
   name in the title) wrap inside their column instead of widening the page: set on the body, so
   that headings, captions and the title block inherit it (tested in Chromium at 1280 and 375 px). */
body { overflow-wrap: anywhere; }
</style>
"""

FIGURE_TABLE_STYLE = "FigureTable"  # pandoc's table style for a figure of several pictures
NOTE_CLASS = "redline-note"  # the first paragraph, which says what the redline compares
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def styles(root: Path, config: dict[str, Any]) -> dict[str, Path | None]:
    """The house styles of the project in ``root`` (``config``: its settings) for the redlines and
    the change report (None: pandoc's default, when the file is missing)."""
    out: dict[str, Path | None] = {}
    for key in ("reference_docx", "html_template", "records_filter"):
        p = root / config[key] if config.get(key) else None
        out[key] = p if p is not None and p.is_file() else None
    return out


def with_preamble(
    merged: dict, a: Version, b: Version, title: str, date: str, words: Words
) -> dict:
    """The redline's first paragraph, saying what it compares (``title``: the document's; its
    words: the strings file's ``diff_report.redline_note``).

    Everything else is the document itself, title block included: accepting every change gives
    the new version's text, rejecting every change the old one's.
    """
    meta = {
        k: v
        for k, v in (merged.get("meta") or {}).items()
        if k not in ("bibliography", "csl", "references", "nocite")
    }
    note = word(
        words,
        "diff_report.redline_note",
        title=title,
        a=a.describe(words),
        b=b.describe(words),
        date=long_date(date[:10], words),
    )
    para = {
        "t": "Div",
        "c": [
            ["", [NOTE_CLASS], []],
            [{"t": "Para", "c": [{"t": "Emph", "c": text_inlines(note)}]}],
        ],
    }
    return dict(merged, meta=meta, blocks=[para, *merged["blocks"]])


def inject_css(path: Path) -> None:
    """Add the tracked-changes style sheet to the HTML file ``path`` (in its head)."""
    text = path.read_text(encoding="utf-8")
    text = text.replace("</head>", CSS + "</head>", 1) if "</head>" in text else CSS + text
    path.write_text(text, encoding="utf-8")


def _q(tag: str) -> str:
    return f"{{{_W}}}{tag}"


# Elements that WordprocessingML does not allow inside a run-level w:ins/w:del (which holds runs
# only): they are moved out, a hyperlink or simple field keeping its own runs tracked inside it.
_WRAPPERS = (_q("hyperlink"), _q("fldSimple"), _q("smartTag"))
_MARKERS = (_q("bookmarkStart"), _q("bookmarkEnd"))


def _unnest(change: etree._Element) -> None:
    """Split a w:ins/w:del holding hyperlinks, fields or bookmarks into valid pieces, in place.

    ``ins[r1, hyperlink[r2], bookmarkStart, r3]`` becomes ``ins[r1], hyperlink[ins[r2]],
    bookmarkStart, ins[r3]``: the same runs, tracked the same way, in the order they were.
    """
    if not any(c.tag in _WRAPPERS or c.tag in _MARKERS for c in change):
        return
    pieces: list[etree._Element] = []
    current: etree._Element | None = None

    def tracked(children: list) -> etree._Element:
        box = etree.Element(change.tag, dict(change.attrib), nsmap=change.nsmap)
        box.extend(children)
        return box

    for child in list(change):
        if child.tag in _WRAPPERS:
            inner = list(child)
            if inner:
                child.append(tracked(inner))
            pieces.append(child)
            current = None
        elif child.tag in _MARKERS:
            pieces.append(child)
            current = None
        else:
            if current is None:
                current = tracked([])
                pieces.append(current)
            current.append(child)
    for piece in pieces:
        change.addprevious(piece)
    change.getparent().remove(change)


def _change_kind(el: etree._Element) -> str | None:
    """``ins``/``del`` when ``el`` is a tracked change or a hyperlink/field holding only one kind."""
    if el.tag in (_q("ins"), _q("del")):
        return el.tag
    if el.tag in _WRAPPERS:
        kinds = {c.tag for c in el if c.tag not in _MARKERS}
        if len(kinds) == 1 and kinds <= {_q("ins"), _q("del")}:
            return kinds.pop()
    return None


def _track_row(row: etree._Element) -> None:
    """A table row whose every paragraph mark is inserted (deleted) is an inserted (deleted) row,
    so that rejecting (accepting) it removes the row, not only its text."""
    marks = set()
    for p in row.iter(_q("p")):
        rpr = p.find(f"{_q('pPr')}/{_q('rPr')}")
        kinds = (
            {c.tag for c in rpr if c.tag in (_q("ins"), _q("del"))} if rpr is not None else set()
        )
        if not kinds and len(p) <= 1:
            continue  # an empty paragraph (an empty cell) belongs to either
        marks |= kinds or {None}
    if len(marks) != 1 or None in marks:
        return
    kind = marks.pop()
    change = next(row.iter(kind))
    trpr = row.find(_q("trPr"))
    if trpr is None:
        trpr = etree.Element(_q("trPr"))
        tblpr_ex = row.find(_q("tblPrEx"))
        (tblpr_ex.addnext if tblpr_ex is not None else lambda e: row.insert(0, e))(trpr)
    if not [c for c in trpr if c.tag not in (_q("ins"), _q("del"), _q("trPrChange"))]:
        # The schema wants one row property before the change: "the row may split across pages",
        # which is what a row without properties does anyway.
        trpr.insert(0, etree.Element(_q("cantSplit"), {_q("val"): "off"}))
    if trpr.find(kind) is None:  # else tracked already (a redline finished twice)
        mark = etree.SubElement(trpr, kind)
        mark.set(_q("author"), change.get(_q("author"), ""))
        mark.set(_q("date"), change.get(_q("date"), ""))


def _track_mark(p: etree._Element, change: etree._Element) -> None:
    """Track the paragraph mark of ``p`` as ``change`` (a w:ins or w:del) is tracked."""
    ppr = p.find(_q("pPr"))
    if ppr is None:
        ppr = etree.Element(_q("pPr"))
        p.insert(0, ppr)
    rpr = ppr.find(_q("rPr"))
    if rpr is None:
        rpr = etree.SubElement(ppr, _q("rPr"))
    if rpr.find(change.tag) is not None:
        return  # tracked already (a redline finished twice)
    mark = etree.SubElement(rpr, change.tag)
    mark.set(_q("author"), change.get(_q("author"), ""))
    mark.set(_q("date"), change.get(_q("date"), ""))
    # rPr must come after the other paragraph properties except sectPr/pPrChange.
    ppr.remove(rpr)
    tail = [c for c in ppr if c.tag in (_q("sectPr"), _q("pPrChange"))]
    if tail:
        tail[0].addprevious(rpr)
    else:
        ppr.append(rpr)


def _shift_final_marks(marks: dict[etree._Element, etree._Element]) -> None:
    """Wholly changed paragraphs that end a stretch of text (before a table, at the end of the
    document) take the paragraph mark before them instead of their own, in ``marks``.

    A paragraph mark joins its paragraph to the next one when it goes; with a table or nothing
    after it, there is nothing to join, and word processors leave an empty paragraph behind.
    The mark before the stretch of changed paragraphs joins them to the text before instead.
    Table cells are left alone: a wholly changed row is tracked as a row (:func:`_track_row`).
    """
    skip = (_q("bookmarkStart"), _q("bookmarkEnd"))
    for p in list(marks):
        if p.getparent().tag == _q("tc"):
            continue
        after = p.getnext()
        while after is not None and after.tag in skip:
            after = after.getnext()
        if after is not None and after.tag == _q("p"):
            continue
        # The first paragraph of the stretch of paragraphs changed the same way that ends at p.
        kind, first = marks[p].tag, p
        while True:
            before = first.getprevious()
            while before is not None and before.tag in skip:
                before = before.getprevious()
            if before is None or before.tag != _q("p"):
                break
            if before in marks and marks[before].tag == kind:
                first = before
                continue
            if before not in marks:
                marks[before] = marks.pop(p)
            break


def _finish_document_xml(xml: bytes) -> bytes:
    q = _q
    root = etree.fromstring(xml)
    for change in [el for el in root.iter(q("ins"), q("del")) if el.getparent().tag != q("rPr")]:
        _unnest(change)
    # A deleted run's text is w:delText; pandoc writes some (a reference entry's tab) as w:t.
    for change in root.iter(q("del")):
        for t in change.iter(q("t")):
            t.tag = q("delText")
    ignorable = {q("pPr"), q("bookmarkStart"), q("bookmarkEnd"), q("proofErr")}
    marks: dict[etree._Element, etree._Element] = {}  # paragraph -> the change its mark takes
    for p in root.iter(q("p")):
        content = [c for c in p if c.tag not in ignorable]
        kinds = {_change_kind(c) for c in content}
        if content and len(kinds) == 1 and None not in kinds:
            marks[p] = next(c for c in p.iter(kinds.pop()))
    _shift_final_marks(marks)
    for p, change in marks.items():
        _track_mark(p, change)
    for row in root.iter(q("tr")):
        _track_row(row)
    # Revision IDs after every bookmark's, so that no two annotations share an ID.
    taken = [int(b.get(q("id"))) for b in root.iter(*_MARKERS) if (b.get(q("id")) or "").isdigit()]
    next_id = max([1_000_000, *(i + 1 for i in taken)])
    for el in root.iter(q("ins"), q("del")):
        el.set(q("id"), str(next_id))
        next_id += 1
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _with_figure_table_style(xml: bytes) -> bytes:
    """styles.xml with the table style pandoc gives a figure that is not one bare picture.

    A changed figure holds two pictures (the old deleted, the new inserted), which pandoc lays
    out in a table of style ``FigureTable``; reference documents made for plain figures (and
    pandoc's own) do not define it, so it is added, a borderless table style.
    """
    root = etree.fromstring(xml)
    if any(st.get(_q("styleId")) == FIGURE_TABLE_STYLE for st in root.iter(_q("style"))):
        return xml
    style = etree.SubElement(root, _q("style"))
    style.set(_q("type"), "table")
    style.set(_q("styleId"), FIGURE_TABLE_STYLE)
    etree.SubElement(style, _q("name")).set(_q("val"), "Figure Table")
    etree.SubElement(style, _q("uiPriority")).set(_q("val"), "99")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def finish_docx_revisions(path: Path) -> None:
    """Give every revision a unique ``w:id`` and track the paragraph marks of whole paragraphs.

    pandoc numbers revisions per paragraph; Word expects unique IDs. A paragraph whose content is
    all inserted (deleted) also gets an inserted (deleted) paragraph mark, so that rejecting
    (accepting) it removes the paragraph, not only its text. The zip's other parts and every
    entry's header stay as pandoc wrote them.
    """

    def transform(name: str, content: bytes) -> bytes:
        if name == "word/document.xml":
            # The document's own DOCX has no empty author line (coopdocs.render.docx.finish).
            return _finish_document_xml(drop_empty_author(content))
        if name == "word/styles.xml":
            return _with_figure_table_style(content)
        return content

    data = rewrite_zip(path.read_bytes(), transform)
    with atomic_output(path) as tmp:
        tmp.write_bytes(data)


def write_redline(
    merged: dict, out_dir: Path, stem: str, epoch: int, templates: dict[str, Path | None]
) -> None:
    """Write the redline DOCX (native tracked changes) and HTML (``<ins>``/``<del>``).

    ``templates``: the house styles (:func:`styles`; an empty mapping for pandoc's defaults).
    """
    records_filter = templates.get("records_filter")
    docx = out_dir / f"{stem}.docx"
    write_ast(
        merged,
        docx,
        "docx",
        epoch=epoch,
        reference_doc=templates.get("reference_docx"),
        lua_filters=[records_filter] if records_filter else None,
    )
    finish_docx_revisions(docx)
    html = out_dir / f"{stem}.html"
    write_ast(
        html_ins_del(merged), html, "html", epoch=epoch, template=templates.get("html_template")
    )
    inject_css(html)
