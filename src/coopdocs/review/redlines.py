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
</style>
"""

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def styles(root: Path, config: dict[str, Any]) -> dict[str, Path | None]:
    """The house styles of the project in ``root`` (``config``: its settings) for the redlines and
    the change report (None: pandoc's default, when the file is missing)."""
    out: dict[str, Path | None] = {}
    for key in ("reference_docx", "html_template", "records_filter"):
        p = root / config[key] if config.get(key) else None
        out[key] = p if p is not None and p.is_file() else None
    return out


def with_preamble(merged: dict, a: Version, b: Version, title: str, date: str) -> dict:
    """The redline's metadata (title, date) and a first paragraph saying what it compares."""
    meta = {
        k: v
        for k, v in (merged.get("meta") or {}).items()
        if k not in ("bibliography", "csl", "references", "nocite")
    }
    meta["title"] = {"t": "MetaInlines", "c": text_inlines(f"Redline: {title}")}
    meta["date"] = {"t": "MetaInlines", "c": text_inlines(date[:10])}
    note = (
        f"Tracked changes from {a.describe()} to {b.describe()}, made by coopdocs diff. Citations show the source "
        "article's reference numbers (ref 45) instead of the document's numbering; figures are shown by caption."
    )
    para = {
        "t": "Div",
        "c": [
            ["", ["redline-note"], []],
            [{"t": "Para", "c": [{"t": "Emph", "c": text_inlines(note)}]}],
        ],
    }
    return dict(merged, meta=meta, blocks=[para, *merged["blocks"]])


def inject_css(path: Path) -> None:
    """Add the tracked-changes style sheet to the HTML file ``path`` (in its head)."""
    text = path.read_text(encoding="utf-8")
    text = text.replace("</head>", CSS + "</head>", 1) if "</head>" in text else CSS + text
    path.write_text(text, encoding="utf-8")


def _finish_document_xml(xml: bytes) -> bytes:
    q = lambda tag: f"{{{_W}}}{tag}"  # noqa: E731
    root = etree.fromstring(xml)
    ignorable = {q("pPr"), q("bookmarkStart"), q("bookmarkEnd"), q("proofErr")}
    for p in root.iter(q("p")):
        content = [c for c in p if c.tag not in ignorable]
        kinds = {c.tag for c in content}
        if not content or len(kinds) != 1 or kinds.pop() not in (q("ins"), q("del")):
            continue
        change = content[0]
        ppr = p.find(q("pPr"))
        if ppr is None:
            ppr = etree.Element(q("pPr"))
            p.insert(0, ppr)
        rpr = ppr.find(q("rPr"))
        if rpr is None:
            rpr = etree.SubElement(ppr, q("rPr"))
        mark = etree.SubElement(rpr, change.tag)
        mark.set(q("author"), change.get(q("author"), ""))
        mark.set(q("date"), change.get(q("date"), ""))
        # rPr must come after the other paragraph properties except sectPr/pPrChange.
        ppr.remove(rpr)
        tail = [c for c in ppr if c.tag in (q("sectPr"), q("pPrChange"))]
        if tail:
            tail[0].addprevious(rpr)
        else:
            ppr.append(rpr)
    next_id = 1_000_000
    for el in root.iter(q("ins"), q("del")):
        el.set(q("id"), str(next_id))
        next_id += 1
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def finish_docx_revisions(path: Path) -> None:
    """Give every revision a unique ``w:id`` and track the paragraph marks of whole paragraphs.

    pandoc numbers revisions per paragraph; Word expects unique IDs. A paragraph whose content is
    all inserted (deleted) also gets an inserted (deleted) paragraph mark, so that rejecting
    (accepting) it removes the paragraph, not only its text. The zip's other parts and every
    entry's header stay as pandoc wrote them.
    """

    def transform(name: str, content: bytes) -> bytes:
        return _finish_document_xml(content) if name == "word/document.xml" else content

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
