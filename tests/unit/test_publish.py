"""One tiny document through coopdocs.render.publish (Markdown, AST, HTML, DOCX, Typst, PDF) with
project's real styles, and the option check of ``coopdocs publish``."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import zipfile
from pathlib import Path

import jinja2
import pytest

from coopdocs.cli import main
from coopdocs.render import publish as pub
from locations import ROOT
from support.documents import pdf_text
from support.styles import house_styles

EPOCH = 1672358400
TEMPLATE = """\
% {{ document.title }}

# {{ heading }}

[{{ value }} {{ sources | cite }}]{{ "prj-x" | record_attrs(sources) }}

# References
"""
CONTEXT = {
    "document": {"title": "Tiny brief"},
    "heading": "A heading",
    "value": "*not bold* <b>raw</b> $x$",
    "sources": ["ref001"],
}
BIBLIOGRAPHY = [
    {
        "id": "ref001",
        "type": "article-journal",
        "title": "A cited source",
        "author": [{"family": "Doe", "given": "Jane"}],
        "issued": {"date-parts": [[2020]]},
    }
]


@pytest.fixture(scope="module")
def doc(tmp_path_factory) -> pub.Document:
    folder = tmp_path_factory.mktemp("doc")
    (folder / "templates").mkdir()
    (folder / "templates" / "doc.md.j2").write_text(TEMPLATE, encoding="utf-8")
    # the words the program writes (the record marks' titles) come from the strings file (issue 16)
    shutil.copy(ROOT / "templates" / "strings.yaml", folder / "templates" / "strings.yaml")
    (folder / "ctx.json").write_text(json.dumps(CONTEXT), encoding="utf-8")
    (folder / "bib.json").write_text(json.dumps(BIBLIOGRAPHY), encoding="utf-8")
    return pub.Document(
        context=folder / "ctx.json",
        bibliography=folder / "bib.json",
        templates_dir=folder / "templates",
        template="doc.md.j2",
        figures_dir=folder / "figures",
    )


@pytest.fixture(scope="module")
def styles() -> pub.Styles:
    return house_styles(ROOT / "templates")


def outputs(folder: Path, formats=("docx", "html", "pdf")) -> pub.Outputs:
    return pub.Outputs(
        md=folder / "doc.md",
        ast=folder / "doc.json",
        typ=folder / "doc.typ",
        **{fmt: folder / f"doc.{fmt}" for fmt in formats},
    )


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture(scope="module")
def published(doc, styles, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("out")
    pub.publish(doc, styles, outputs(folder), epoch=EPOCH)
    return folder


def test_markdown_escapes_the_data_and_marks_the_record(published):
    md = (published / "doc.md").read_text(encoding="utf-8")
    assert md.startswith("% Tiny brief\n")
    assert r"[\*not bold\* \<b\>raw\<\/b\> \$x\$ [@ref001]]{#prj-x .record" in md


def test_every_format_shows_the_text_literally_with_the_citation_resolved(published):
    ast = json.loads((published / "doc.json").read_text(encoding="utf-8"))
    text = json.dumps(ast)  # citeproc ran once, at reading: the reference list is in the AST
    assert (
        "pandoc-api-version" in ast
        and "csl-bib-body" in text
        and '{"t": "Str", "c": "cited"}' in text
    )

    html = (published / "doc.html").read_text(encoding="utf-8")
    # The title is the page's one h1; a document heading is an h2 (issue 30).
    assert "<title>Tiny brief</title>" in html and "<h2>A heading</h2>" in html
    assert '<span id="prj-x" class="record" title="Record prj-x">*not bold*' in html
    assert "&lt;b&gt;raw&lt;/b&gt; $x$" in html and "<b>raw" not in html and "<em>" not in html
    # the citation links to its entry in the reference list (issue 20)
    assert 'data-cites="ref001">[<a href="#ref-ref001"' in html and 'id="ref-ref001"' in html
    assert "A cited source" in html

    with zipfile.ZipFile(published / "doc.docx") as z:
        xml = z.read("word/document.xml").decode("utf-8")
    assert (
        "A heading" in xml
        and "*not bold* &lt;b&gt;raw&lt;/b&gt; $x$" in xml
        and "A cited source" in xml
    )

    assert (published / "doc.pdf").read_bytes().startswith(b"%PDF-")
    text = pdf_text(published / "doc.pdf")
    assert "A heading" in text and "A cited source" in text and "raw" in text


def test_same_bytes_again_in_two_stages_and_with_parallel_writers(doc, styles, published, tmp_path):
    staged = tmp_path / "staged"
    figures = pub.read(doc, outputs(staged), epoch=EPOCH, csl=styles.csl)
    assert figures == []  # no figure shown, no timeline drawn
    assert sorted(files(staged)) == ["doc.json", "doc.md"]  # the read stage writes no output format
    pub.write(styles, outputs(staged), epoch=EPOCH, figures_dir=doc.figures_dir, figures=figures)
    assert files(staged) == files(published)

    parallel = tmp_path / "parallel"
    pub.publish(doc, styles, outputs(parallel), epoch=EPOCH, parallel=2)
    assert files(parallel) == files(published)


def _write_with(styles, staged: Path, **broken) -> None:
    """The write stage with two writers at once and some of the styles replaced."""
    pub.write(
        pub.Styles(**{**styles.__dict__, **broken}),
        outputs(staged),
        epoch=EPOCH,
        figures_dir=staged / "figures",
        figures=[],
        parallel=2,
    )


def test_parallel_writers_name_every_failure_and_commit_nothing(doc, styles, tmp_path):
    from coopdocs.tools.pandoc import ConversionError

    pub.read(doc, outputs(tmp_path), epoch=EPOCH, csl=styles.csl)
    html = tmp_path / "broken.html"
    html.write_text("$if(\n", encoding="utf-8")  # pandoc cannot parse this template
    with pytest.raises(ConversionError, match=r"doc\.html"):
        _write_with(styles, tmp_path, html_template=html)
    assert sorted(files(tmp_path)) == ["broken.html", "doc.json", "doc.md"]  # no format half-made


def test_parallel_writers_report_a_failed_pdf_and_commit_nothing(doc, styles, tmp_path):
    pub.read(doc, outputs(tmp_path), epoch=EPOCH, csl=styles.csl)
    typst = tmp_path / "broken.typ"
    typst.write_text("#let x = (\n$body$\n", encoding="utf-8")  # Typst cannot compile this
    with pytest.raises(Exception, match=r"doc\.pdf|broken|unclosed|expected"):
        _write_with(styles, tmp_path, typst_template=typst)
    assert sorted(files(tmp_path)) == ["broken.typ", "doc.json", "doc.md"]


def test_a_format_left_out_is_not_built(doc, styles, tmp_path):
    pub.publish(doc, styles, outputs(tmp_path, formats=("html",)), epoch=EPOCH)
    assert sorted(files(tmp_path)) == ["doc.html", "doc.json", "doc.md", "doc.typ"]


def test_a_template_error_leaves_no_markdown(doc, styles, tmp_path):
    (doc.templates_dir / "broken.md.j2").write_text("# {{ document.misspelt }}\n", encoding="utf-8")
    broken = pub.Document(**{**doc.__dict__, "template": "broken.md.j2"})
    with pytest.raises(jinja2.UndefinedError, match="misspelt"):
        pub.publish(broken, styles, outputs(tmp_path), epoch=EPOCH)
    assert list(tmp_path.iterdir()) == []


def test_command_line_names_the_options_a_stage_needs(tmp_path):
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(
            [
                "publish",
                "--stage",
                "write",
                "--md",
                str(tmp_path / "d.md"),
                "--ast",
                str(tmp_path / "d.json"),
                "--html",
                str(tmp_path / "d.html"),
                "--epoch",
                str(EPOCH),
            ]
        )
    assert code == 2
    assert err.getvalue().strip() == (
        "coopdocs publish --stage write: missing --figures-dir, --records-filter, "
        "--html-template, --figures-filter"
    )
    assert list(tmp_path.iterdir()) == []


def test_a_read_that_gives_the_same_ast_puts_the_documents_back(doc, styles, tmp_path):
    """The read stage puts the write stage's files back only when they were made from this very
    AST and the very files the write reads (coopdocs.render.reuse); otherwise they stay withdrawn
    for the write job to make."""
    out = outputs(tmp_path / "out")
    cached = pub.Document(**{**doc.__dict__, "sections_cache": tmp_path / "sections"})
    made = [out.typ, out.docx, out.html, out.pdf]
    stash = tmp_path / "withdrawn"
    docx = tmp_path / "reference.docx"
    shutil.copy(styles.reference_doc, docx)
    own = pub.Styles(**{**styles.__dict__, "reference_doc": docx})

    def read_then_write(document=cached):
        pub.read_stage(document, out, epoch=EPOCH, csl=own.csl, withdrawn=made, stash=stash)
        if not all(p.exists() for p in made):
            pub.write_stage(own, out, epoch=EPOCH, doc=document, parallel=1, stash=stash)
        return {p.name: p.stat().st_mtime_ns for p in made}

    first = read_then_write()
    assert read_then_write() == first  # same AST: the very files put back, not written again
    # A writer's input changed (same AST): written again.
    with zipfile.ZipFile(docx, "a") as z:
        z.writestr("customXml/extra.xml", "<x/>")
    second = read_then_write()
    assert all(second[k] != first[k] for k in first)
    # A published file altered after the write: not put back as it is.
    out.html.write_text("<p>tampered</p>", encoding="utf-8")
    third = read_then_write()
    assert "tampered" not in out.html.read_text(encoding="utf-8")
    assert third["doc.docx"] != second["doc.docx"]
    # Another text: withdrawn, and the new words in the documents the write makes.
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps({**CONTEXT, "heading": "Another heading"}), encoding="utf-8")
    other = pub.Document(**{**cached.__dict__, "context": changed})
    pub.read_stage(other, out, epoch=EPOCH, csl=own.csl, withdrawn=made, stash=stash)
    assert not any(p.exists() for p in made)
    read_then_write(other)
    assert "Another heading" in pdf_text(out.pdf)


def test_the_digest_a_document_prints_is_of_its_text(tmp_path):
    """The digest changes with what the document says (its text, the entries it cites), not
    with context it does not print."""
    bib = tmp_path / "bib.json"
    bib.write_text(json.dumps(BIBLIOGRAPHY), encoding="utf-8")

    def printed(context, bibliography=bib):
        template = "{{ heading }} [@ref001]; digest {{ data_digest }}"
        text = pub.render_text(
            lambda c: jinja2.Template(template).render(**c), context, bibliography
        )
        assert "\x00" not in text
        return text.rsplit(" ", 1)[1]

    first = printed(CONTEXT)
    assert len(first) == 12
    assert printed({**CONTEXT, "unprinted": "another description"}) == first
    assert printed({**CONTEXT, "heading": "Another heading"}) != first
    bib.write_text(json.dumps([{**BIBLIOGRAPHY[0], "title": "Retitled"}]), encoding="utf-8")
    assert printed(CONTEXT) != first
