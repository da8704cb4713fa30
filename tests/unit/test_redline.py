"""Redline merging (coopdocs.review.redline): word diffs, renumbered citations, revision IDs."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

from coopdocs.review.documents import pandoc_ast
from coopdocs.review.redline import Merger, count_changes, normalise, stringify
from coopdocs.review.redlines import finish_docx_revisions, write_redline

DATE = "2022-12-30T00:00:00Z"
BIB = [{"id": f"ref{n:03d}", "type": "document", "title": f"Source {n}."} for n in (1, 2, 45)]


def ast(tmp_path: Path, name: str, markdown: str) -> dict:
    bib = tmp_path / "bib.json"
    bib.write_text(json.dumps(BIB), encoding="utf-8")
    md = tmp_path / f"{name}.md"
    md.write_text(markdown, encoding="utf-8")
    return normalise(pandoc_ast(md, bib, None, 1672358400))


def changes(node) -> dict[str, list[str]]:
    """The text of every insertion and deletion span, in document order."""
    out: dict[str, list[str]] = {"insertion": [], "deletion": []}

    def walk(n):
        if isinstance(n, list):
            for x in n:
                walk(x)
        elif isinstance(n, dict):
            if n.get("t") == "Span" and set(n["c"][0][1]) & set(out):
                assert dict(n["c"][0][2]) == {"author": "coopdocs", "date": DATE}
                out[n["c"][0][1][0]].append(stringify(n["c"][1]))
            else:
                walk(n.get("c"))

    walk(node)
    return out


def test_renumbered_citation_is_not_a_change(tmp_path):
    old = ast(
        tmp_path,
        "old",
        "First [@ref045].\n\nSecond [@ref002].\n\n# References\n\n::: {#refs}\n:::\n",
    )
    new = ast(
        tmp_path,
        "new",
        "New [@ref001].\n\nFirst [@ref045].\n\nSecond [@ref002].\n\n"
        "# References\n\n::: {#refs}\n:::\n",
    )
    # citeproc numbers [1], [2] in order of appearance; the comparison shows the article's numbers.
    assert stringify(old["blocks"][0]) == "First [ref 45]."
    assert stringify(new["blocks"][1]) == "First [ref 45]."
    merged = Merger(DATE).merge(old, new)
    ins, dels = count_changes(merged["blocks"])
    assert dels == 0
    # Inserted: the new paragraph and the new reference-list entry, nothing else.
    assert ins == 2
    assert "[ref 45] “Source 45.”" in stringify(merged["blocks"])


def test_word_level_diff_marks_only_the_changed_words(tmp_path):
    old = ast(tmp_path, "old", "Period: 2017–2019. Partners: UNIDO.\n")
    new = ast(tmp_path, "new", "Period: 2018–2019. Partners: UNIDO, Russia.\n")
    merged = Merger(DATE).merge(old, new)
    spans = changes(merged["blocks"])
    assert spans["deletion"] == ["2017"]
    assert spans["insertion"] == ["2018", ", Russia"]


def test_docx_revisions_unique_ids_and_paragraph_marks(tmp_path):
    old = ast(tmp_path, "old", "Kept paragraph.\n\nOld words here.\n")
    new = ast(tmp_path, "new", "Kept paragraph.\n\nNew words here.\n\nA whole new paragraph.\n")
    merged = Merger(DATE).merge(old, new)
    write_redline(merged, tmp_path, "doc", 1672358400, {})
    xml = zipfile.ZipFile(tmp_path / "doc.docx").read("word/document.xml").decode("utf-8")
    ids = re.findall(r'<w:(?:ins|del) [^>]*w:id="(\d+)"', xml)
    assert len(ids) == len(set(ids)) >= 3
    # The inserted paragraph's mark is tracked too, so rejecting it removes the paragraph.
    assert re.search(r'<w:pPr>.*?<w:rPr><w:ins [^>]*w:author="coopdocs"', xml, re.S)
    html = (tmp_path / "doc.html").read_text(encoding="utf-8")
    assert re.search(r"<del [^>]*>Old</del>\s*<ins [^>]*>New</ins>", html)


def test_finish_is_idempotent_on_documents_without_changes(tmp_path):
    doc = {
        "pandoc-api-version": [1, 23, 1],
        "meta": {},
        "blocks": [{"t": "Para", "c": [{"t": "Str", "c": "x"}]}],
    }
    write_redline(doc, tmp_path, "plain", 0, {})
    finish_docx_revisions(tmp_path / "plain.docx")
    assert b"<w:ins" not in zipfile.ZipFile(tmp_path / "plain.docx").read("word/document.xml")
