"""Redline merging (coopdocs.review.redline): word diffs, renumbered citations, revision IDs."""

from __future__ import annotations

import json
import re
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from coopdocs.review.documents import built_ast, pandoc_ast
from coopdocs.review.numbering import entry_numbers, pin_marks, renumbered
from coopdocs.review.redline import Merger, count_changes, image_data_uri, normalise, stringify
from coopdocs.review.redlines import finish_docx_revisions, write_redline
from coopdocs.tools.pandoc import PANDOC_READER, read_ast, write_ast
from ooxml_revisions import libreoffice_available, open_in_libreoffice, revision_errors

DATE = "2022-12-30T00:00:00Z"
BIB = [{"id": f"ref{n:03d}", "type": "document", "title": f"Source {n}."} for n in (1, 2, 45)]


ROOT = Path(__file__).resolve().parents[2]
CITED_OLD = "First [@ref045].\n\nSecond [@ref002].\n\n# References\n\n::: {#refs}\n:::\n"
CITED_NEW = "New [@ref001].\n\n" + CITED_OLD


def ast(
    tmp_path: Path,
    name: str,
    markdown: str,
    csl: Path | None = None,
    pictures: Path | None = None,
) -> dict:
    """``markdown`` read as a document is (citations resolved; images from ``pictures``)."""
    bib = tmp_path / "bib.json"
    bib.write_text(json.dumps(BIB), encoding="utf-8")
    md = tmp_path / f"{name}.md"
    md.write_text(markdown, encoding="utf-8")
    image = None
    if pictures is not None:
        image = lambda src: image_data_uri(pictures / src.replace(".svg", ".png"))  # noqa: E731
    return normalise(pandoc_ast(md, bib, csl, 1672358400), image=image)


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


def test_renumbered_citation_shows_its_new_number_untracked(tmp_path):
    """A citation only renumbered (a source cited before it) is not a change: the redline shows
    its new number untracked, in the text and in the reference list; the new citation and its
    reference entry are the only changes."""
    csl = ROOT / "templates" / "csl" / "american-medical-association-brackets.csl"
    old = ast(tmp_path, "old", CITED_OLD, csl=csl)
    new = ast(tmp_path, "new", CITED_NEW, csl=csl)
    assert stringify(old["blocks"][0]) == "First [1]."
    assert stringify(new["blocks"][1]) == "First [2]."
    merged = Merger(DATE).merge(old, new)
    spans = changes(merged["blocks"])
    assert spans["insertion"] == ["New [1].", "1. Source 1."], spans
    assert spans["deletion"] == [], spans
    assert stringify(settled(merged, "insertion")) == stringify(new["blocks"])
    # Rejecting every change keeps the new numbers of the renumbered citations and entries.
    rejected = stringify(settled(merged, "deletion"))
    assert rejected == "First [2]. Second [3]. References 2. Source 45. 3. Source 2.", rejected
    assert renumbered(old, new)["citations"] == [(1, 2, 2, 3)]


def test_citation_of_other_sources_is_replaced_whole(tmp_path):
    """A citation whose sources changed is deleted and inserted whole (its old and new numbers)."""
    csl = ROOT / "templates" / "csl" / "american-medical-association-brackets.csl"
    old = ast(tmp_path, "old", CITED_OLD, csl=csl)
    new = ast(tmp_path, "new", CITED_OLD.replace("[@ref002]", "[@ref002; @ref001]"), csl=csl)
    spans = changes(Merger(DATE).merge(old, new)["blocks"])
    assert spans["deletion"][0] == "[2]" and spans["insertion"][0] == "[2,3]", spans


def test_marks_are_pinned_to_the_versions_numbers():
    """The redline's provenance entries carry the number each has in its version (the new one's
    when in both): records.lua then numbers its marks as the versions do."""

    def entry(rid: str) -> dict:
        return {
            "t": "Para",
            "c": [{"t": "Span", "c": [[f"prov-{rid}", [], []], [{"t": "Str", "c": rid}]]}],
        }

    old = {"blocks": [entry("a"), entry("c"), entry("d")]}
    new = {"blocks": [entry("a"), entry("b"), entry("c")]}
    merged = pin_marks(Merger(DATE).merge(old, new), old, new)
    numbers = {
        el["c"][0][0]: dict(el["c"][0][2]).get("record-number")
        for block in merged["blocks"]
        for el in _spans(block)
    }
    assert numbers == {"prov-a": "1", "prov-b": "2", "prov-c": "3", "prov-d": "3"}, numbers
    assert entry_numbers(new) == {"prov-a": 1, "prov-b": 2, "prov-c": 3}
    assert renumbered(old, new)["marks"] == [(2, 2, 3, 3)]


def _spans(node):
    if isinstance(node, list):
        for x in node:
            yield from _spans(x)
    elif isinstance(node, dict):
        if node.get("t") == "Span" and node["c"][0][0].startswith("prov-"):
            yield node
        yield from _spans(node.get("c"))


def settled(merged: dict, kept: str) -> list:
    """The merged blocks with every change of the kind ``kept`` accepted and the other rejected."""

    def walk(n):
        if isinstance(n, list):
            res = []
            for x in n:
                if (
                    isinstance(x, dict)
                    and x.get("t") == "Span"
                    and set(x["c"][0][1])
                    & {
                        "insertion",
                        "deletion",
                    }
                ):
                    if kept in x["c"][0][1]:
                        res += walk(x["c"][1])
                else:
                    res.append(walk(x))
            return res
        if isinstance(n, dict) and isinstance(n.get("c"), list):
            return {"t": n["t"], "c": walk(n["c"])}
        return n

    return walk(merged["blocks"])


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


EVERY_KIND_OLD = """% Old title

# Heading one

First [@ref045]. Kept [AM](#prov-AM){.record-id}

Moved paragraph of record [MV](#prov-MV){.record-id} goes later.

Removed record [RM](#prov-RM){.record-id} here.

| A | B |
|---|---|
| x | 1 |

![Figure 1. Caption.](fig.svg){#fig-a alt="A picture"}

# References

::: {#refs}
:::
"""
EVERY_KIND_NEW = """% New title

# Heading first

New [@ref001]. Added [NW](#prov-NW){.record-id}

First [@ref045]. Kept [AM](#prov-AM){.record-id}

| A | B |
|---|---|
| x | 2 |

Moved paragraph of record [MV](#prov-MV){.record-id} goes later.

![Figure 1. Caption changed.](fig.svg){#fig-a alt="A picture"}

# References

::: {#refs}
:::
"""


def write_png(path: Path, rgb: tuple[int, int, int]) -> None:
    """A 4×4 picture of one colour."""
    raw = b"".join(b"\x00" + bytes(rgb) * 4 for _ in range(4))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def test_every_kind_of_change_is_valid_wordprocessingml(tmp_path):
    """Words in a paragraph, a heading, a cell, a caption and the title; records added (with
    their hyperlinked marks), removed and moved; a figure changed; citations renumbered."""
    write_png(tmp_path / "a" / "fig.png", (200, 0, 0))
    write_png(tmp_path / "b" / "fig.png", (0, 0, 200))
    csl = ROOT / "templates" / "csl" / "american-medical-association-brackets.csl"
    old = ast(tmp_path, "old", EVERY_KIND_OLD, csl=csl, pictures=tmp_path / "a")
    new = ast(tmp_path, "new", EVERY_KIND_NEW, csl=csl, pictures=tmp_path / "b")
    merged = Merger(DATE).merge(old, new)
    assert stringify(settled(merged, "insertion")) == stringify(new["blocks"])
    # Rejecting every change gives the old text but for the renumbered citation, which keeps its
    # new number in the text and in the reference list (coopdocs.review.numbering).
    assert renumbered(old, new)["citations"] == [(1, 1, 2, 2)]
    rejected = stringify(settled(merged, "deletion"))
    assert rejected == stringify(old["blocks"]).replace("[1]", "[2]").replace(
        "1. Source", "2. Source"
    )
    write_redline(merged, tmp_path, "every", 1672358400, {})
    docx = tmp_path / "every.docx"
    assert revision_errors(docx) == []
    xml = zipfile.ZipFile(docx).read("word/document.xml").decode("utf-8")
    # Both pictures are in the redline: the old one deleted, the new one inserted.
    assert len(re.findall(r"<w:del [^>]*>\s*<w:r>(?:(?!</w:del>).)*<w:drawing>", xml, re.S)) == 1
    assert len(re.findall(r"<w:ins [^>]*>\s*<w:r>(?:(?!</w:ins>).)*<w:drawing>", xml, re.S)) == 1
    media = [n for n in zipfile.ZipFile(docx).namelist() if n.startswith("word/media/")]
    assert len(media) == 2
    # The added record's mark: a hyperlink holding the insertion, not the other way round.
    assert re.search(r'<w:hyperlink w:anchor="prov-NW"[^>]*>\s*<w:ins ', xml)
    assert re.search(r'<w:hyperlink w:anchor="prov-RM"[^>]*>\s*<w:del ', xml)


def test_pandoc_alone_nests_hyperlinks_in_changes(tmp_path):
    """The check catches what finish_docx_revisions repairs: pandoc writes an inserted record
    mark as w:ins holding w:hyperlink."""
    old = ast(tmp_path, "old", "Kept.\n")
    new = ast(tmp_path, "new", "Kept.\n\nAdded [NW](#prov-NW){.record-id}\n")
    merged = Merger(DATE).merge(old, new)
    write_ast(merged, tmp_path / "raw.docx", "docx", epoch=0)
    assert any("w:hyperlink inside w:ins" in e for e in revision_errors(tmp_path / "raw.docx"))
    finish_docx_revisions(tmp_path / "raw.docx")
    assert revision_errors(tmp_path / "raw.docx") == []


BODY = (
    "# Heading one\n\nFirst [@ref045]. Kept [AM](#prov-AM){{.record-id}}\n\n"
    "{a}Middle paragraph of record [MD](#prov-MD){{.record-id}}.\n\n{b}"
    "| A | B |\n|---|---|\n| x | {cell} |\n\n"
    '![Figure 1. Caption.](fig.svg){{#fig-a alt="A picture"}}\n\nLast words.\n\n'
    "# References\n\n::: {{#refs}}\n:::\n"
)
PARA = "Record paragraph [RC](#prov-RC){.record-id} with [@ref001] cited.\n\n"
# Each kind of change the redline must settle in LibreOffice: (old, new) Markdown, and whether
# the new version's picture differs.
LIBREOFFICE_CASES = {
    "edit": (BODY.format(a="", b="", cell="1"), BODY.format(a="", b="", cell="2"), False),
    "add": (BODY.format(a="", b="", cell="1"), BODY.format(a=PARA, b="", cell="1"), False),
    "remove": (BODY.format(a=PARA, b="", cell="1"), BODY.format(a="", b="", cell="1"), False),
    "move": (BODY.format(a=PARA, b="", cell="1"), BODY.format(a="", b=PARA, cell="1"), False),
    "figure": (BODY.format(a="", b="", cell="1"), BODY.format(a="", b="", cell="1"), True),
}


@pytest.mark.skipif(not libreoffice_available(), reason="LibreOffice with python3-uno is needed")
def test_libreoffice_accepts_the_new_and_rejects_to_the_old(tmp_path):
    """In LibreOffice, Accept All gives the new version's text and Reject All the old one's, for
    an edit, a record's paragraph added, removed and moved, and a changed figure."""
    write_png(tmp_path / "red" / "fig.png", (200, 0, 0))
    write_png(tmp_path / "blue" / "fig.png", (0, 0, 200))
    csl = ROOT / "templates" / "csl" / "american-medical-association-brackets.csl"
    files, counts = [], {}
    for case, (old_md, new_md, new_picture) in LIBREOFFICE_CASES.items():
        old = ast(tmp_path, "old", old_md, csl=csl, pictures=tmp_path / "red")
        new_pictures = tmp_path / ("blue" if new_picture else "red")
        new = ast(tmp_path, "new", new_md, csl=csl, pictures=new_pictures)
        merged = Merger(DATE).merge(old, new)
        counts[case] = sum(count_changes(merged["blocks"]))
        write_redline(merged, tmp_path, case, 0, {})
        assert revision_errors(tmp_path / f"{case}.docx") == []
        # Each version alone, written the same way: what the redline must settle into.
        for name, version in (("old", old), ("new", new)):
            write_redline(Merger(DATE).merge(version, version), tmp_path, f"{case}-{name}", 0, {})
        files += [tmp_path / f"{case}{suffix}.docx" for suffix in ("", "-old", "-new")]
    seen = open_in_libreoffice(files, tmp_path / "lo")
    for case in LIBREOFFICE_CASES:
        red, old, new = seen[case], seen[f"{case}-old"], seen[f"{case}-new"]
        assert old["changes"] == new["changes"] == 0 and "accepted" not in new
        # The tracked changes LibreOffice lists are the insertions and deletions the change
        # report counts (a paragraph's text and its mark being one change).
        assert red["changes"] == counts[case], case
        assert red["accepted"] == new["text"], case
        assert red["rejected"] == old["text"], case


def test_the_builds_ast_is_the_ast_the_diff_reads(tmp_path):
    """The AST a build writes (citations linked to the reference list, the document's metadata
    added) is, once ``built_ast`` takes those off, the AST pandoc reads from the Markdown: the
    diff reuses the build's instead of reading every changed document again."""
    from coopdocs.render.metadata import document_metadata

    csl = ROOT / "templates" / "csl" / "american-medical-association-brackets.csl"
    markdown = CITED_NEW.replace("[@ref001]", "[@ref001; @ref002; @ref045]")
    bib = tmp_path / "bib.json"
    bib.write_text(json.dumps(BIB), encoding="utf-8")
    md = tmp_path / "doc.md"
    md.write_text(markdown, encoding="utf-8")
    context = {"document": {"title": "A brief"}, "meta": {"authors": ["An Author"]}}
    built = tmp_path / "doc.json"
    # What the build writes: the same reader, with the writers' metadata.
    written = read_ast(
        md,
        epoch=1672358400,
        source_format=PANDOC_READER,
        bibliography=bib,
        csl=csl,
        metadata=document_metadata(context),
    )
    assert "Link" in json.dumps(written["blocks"])  # citations are links in the build's AST
    built.write_text(json.dumps(written), encoding="utf-8")
    got = built_ast({"built_ast": built, "context": context})
    want = pandoc_ast(md, bib, csl, 1672358400)
    assert got["blocks"] == want["blocks"]
    assert got["meta"] == want["meta"]
    assert stringify(got["blocks"][0]) == "New [1–3]."
    assert built_ast({"built_ast": None, "context": context}) is None
