"""Build one document from its context: Markdown, then DOCX, HTML and PDF, in one process.

The path of every document (a brief, the comparative tables, the review article):

1. render the Markdown from the context with the Jinja templates;
2. for a brief, draw its timeline figure with Typst (SVG and PNG);
3. pandoc reads the Markdown once and resolves the citations (citeproc) into a JSON AST (a long
   document with a sections cache re-reads only its changed sections: coopdocs.render.sections);
4. pandoc writes Typst, DOCX and HTML from that AST, in one process that reads it once
   (coopdocs.tools.pandoc_writers); the DOCX gets table widths from its content and its
   properties (coopdocs.render.docx);
5. Typst compiles the PDF/A-2b (with two threads, while pandoc still writes the DOCX and HTML).

Reading the Markdown and running citeproc once instead of three times is about 40 % of a
document's pandoc time, and one job per document instead of five is what keeps the workflow's
overhead near the bare tools' time (docs/performance.md). Every file is written atomically.

A long document can be built in two jobs (``coopdocs publish --stage read`` for steps 1–3 on one
core, ``--stage write`` for steps 4–5 on two), so that its single-threaded reading does not wait
for two free cores (see rules/convert.smk). The read job first withdraws the documents the write
job made from the previous AST (:func:`withdraw`): when the read fails, Snakemake deletes its
outputs, and Snakemake does not rerun a job only because an intermediate input is missing, so
without this the next build would call the old documents current. In the workflow it moves them
into a stash instead and puts them back when they were made from exactly the new AST and what the
write job reads now (:func:`read_stage`, coopdocs.render.reuse): an edit a document does not
print leaves its text and text digest (:func:`text_digest`) alone, and its write job is skipped.
"""

from __future__ import annotations

import contextlib
import html
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from coopdocs import layout
from coopdocs.tools.files import atomic_output
from coopdocs.tools.pandoc import PANDOC_READER, ConversionError, pandoc, pandoc_heap
from coopdocs.tools.pandoc_writers import PandocWriters, Writer

# What only one stage uses is imported there: the write stage of a long document does not draw a
# timeline or read sections (compute.timeline alone was ~50 ms of its imports), and the read stage
# does not compile a PDF.

# Above this much Markdown a document is read whole even with a sections cache: a cold read holds
# its whole AST as Python objects (~10x the JSON, ~150 MB at 2 MB of Markdown), beside the memory
# bound of large builds. The 1,000-state article has 466 KB.
SECTIONS_MAX = 2 * 1024 * 1024


@dataclass
class Styles:
    """The files that give every document its look (all declared inputs of the rule)."""

    csl: Path
    reference_doc: Path
    html_template: Path
    typst_template: Path
    figures_filter: Path
    records_filter: Path


@dataclass
class Outputs:
    """Where one document's files go; a format left out (None) is not built."""

    md: Path
    ast: Path
    typ: Path | None
    docx: Path | None = None
    html: Path | None = None
    pdf: Path | None = None
    timeline_svg: Path | None = None
    timeline_png: Path | None = None


@dataclass
class Document:
    """One document to publish: its context, bibliography, template and the figures it shows."""

    context: Path
    bibliography: Path
    templates_dir: Path
    template: str
    figures_dir: Path
    figures: list[Path] = field(default_factory=list)  # SVGs the document shows (made elsewhere)
    timeline_template: Path | None = None  # briefs: draw the state's timeline here
    jinja_cache: Path | None = (
        None  # compiled templates kept between jobs (markdown.make_environment)
    )
    sections_cache: Path | None = (
        None  # read sections kept between builds (coopdocs.render.sections)
    )


def read_stage(
    doc: Document,
    out: Outputs,
    *,
    epoch: int,
    csl: Path,
    withdrawn: list[Path],
    stash: Path | None,
    code: str | None = None,
) -> None:
    """``--stage read``: withdraw the write stage's documents, read, and (``stash`` given) put them
    back when they were made from exactly this AST and what the write stage reads now, with the
    code version ``code`` (coopdocs.render.reuse)."""
    if stash is None:
        withdraw(withdrawn)
        read(doc, out, epoch=epoch, csl=csl)
        return
    from coopdocs.render import reuse

    reuse.withdraw(withdrawn, stash)
    read(doc, out, epoch=epoch, csl=csl)
    reuse.reinstate(withdrawn, out.ast, stash, epoch, code)


def write_stage(
    styles: Styles,
    out: Outputs,
    *,
    epoch: int,
    doc: Document,
    parallel: int,
    stash: Path | None,
    code: str | None = None,
) -> None:
    """``--stage write``: the formats from the AST (:func:`write`), and (``stash`` given) the record
    of what they were made from, for the next read to put them back (coopdocs.render.reuse)."""
    from coopdocs.render import reuse

    if stash is not None:
        reuse.forget(stash)
    write(
        styles,
        out,
        epoch=epoch,
        figures_dir=doc.figures_dir,
        figures=doc.figures,
        parallel=parallel,
    )
    if stash is None:
        return
    made = [p for p in (out.typ, out.docx, out.html, out.pdf) if p is not None]
    inputs = [out.md, *(Path(v) for v in vars(styles).values() if v), *doc.figures]
    reuse.record(stash, made, out.ast, inputs, epoch=epoch, figures_dir=doc.figures_dir, code=code)


def withdraw(paths: list[Path]) -> None:
    """Remove the documents made from a long document's previous AST, before it is read again.

    The tables document and the article are built by two jobs (read, then write). If the read
    job fails or is killed, Snakemake removes its Markdown and AST; the DOCX, HTML and PDF of the
    write job would then stay, and Snakemake treats a missing intermediate input as no reason to
    rerun: the next build would exit 0 with documents that lack the edit (issue 19). With them
    withdrawn first, a failed read leaves them absent, and the next build makes both jobs run
    again. The published files are thus always the complete new version or absent, never a
    version older than the AST on disk.
    """
    for path in paths:
        path.unlink(missing_ok=True)


# Where a document's text digest stands while its Markdown is rendered: control characters, which
# no data value can hold (coopdocs.load.cells rejects them), so only the templates' own use of
# ``data_digest`` is replaced.
DIGEST_MARK = "\x00textdigest\x00"


def text_digest(markdown: str, bibliography: Path | None) -> str:
    """The digest a document prints: of its rendered Markdown (``DIGEST_MARK`` where the digest
    goes) and of the bibliography entries it cites, i.e. of what the document states and not of
    context it never prints, so that an edit the document does not show leaves its bytes alone."""
    from coopdocs.render.citations import cited_entries
    from coopdocs.tools.cache import digest

    entries = cited_entries(bibliography, markdown)
    return digest(markdown, json.dumps(entries, sort_keys=True, ensure_ascii=False))[:12]


def render_text(render: Callable[[dict], str], context: dict, bibliography: Path | None) -> str:
    """The Markdown ``render`` makes of ``context``, its ``data_digest`` the :func:`text_digest`
    of the text itself (one render: the digest's place marked, then filled in)."""
    text = render({**context, "data_digest": DIGEST_MARK})
    if DIGEST_MARK in text:
        text = text.replace(DIGEST_MARK, text_digest(text, bibliography))
    return text


def render_markdown(doc: Document, target: Path, environment=None) -> dict:
    """Render the document's Markdown to ``target``; return its context.

    ``environment``: a Jinja environment made by ``markdown.make_environment`` and kept by a
    long-running caller (the preview); by default one is made for this document.
    """
    # Jinja costs 50 ms to import: only the stages that render import it (not --stage write).
    from coopdocs.render.markdown import render

    context = json.loads(doc.context.read_text(encoding="utf-8"))
    if doc.jinja_cache is not None:
        doc.jinja_cache.mkdir(parents=True, exist_ok=True)
    text = render_text(
        lambda c: render(
            doc.templates_dir, doc.template, c, doc.jinja_cache, environment=environment
        ),
        context,
        doc.bibliography,
    )
    with atomic_output(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return context


def read(doc: Document, out: Outputs, *, epoch: int, csl: Path, environment=None) -> list[Path]:
    """Steps 1–3: the Markdown, a brief's timeline figure, and the JSON AST with citations resolved.

    Returns the figures the document shows (``doc.figures`` and the timeline drawn here).
    ``environment``: see :func:`render_markdown`.
    """
    from coopdocs.render.metadata import document_metadata

    context = render_markdown(doc, out.md, environment)
    figures = list(doc.figures)
    if doc.timeline_template is not None:
        from coopdocs.compute.timeline import draw
        from coopdocs.load.strings import load_strings, with_locale

        assert out.timeline_svg is not None and out.timeline_png is not None
        language = (context.get("build") or {}).get("language")
        strings = Path(layout.strings_file(str(doc.templates_dir), language))
        words = load_strings(strings) if strings.is_file() else None
        draw(
            context,
            doc.timeline_template,
            out.timeline_svg,
            out.timeline_png,
            words=with_locale(words, language) if words is not None else None,
        )
        figures.append(out.timeline_svg)
    _read_ast(doc, out, epoch=epoch, csl=csl, metadata=document_metadata(context))
    return figures


def _read_ast(doc: Document, out: Outputs, *, epoch: int, csl: Path, metadata: dict) -> None:
    """Step 3: the Markdown read into the JSON AST. A long document (one with a sections cache)
    keeps its last AST in that cache, keyed by all that makes it (:func:`_ast_key`): an edit that
    leaves its Markdown, bibliography and metadata alone (a record it does not print) costs no
    pandoc run (0.7 s for the review article)."""
    from coopdocs.tools.cache import Store

    if doc.sections_cache is None:
        _read_citations(doc, out, epoch=epoch, csl=csl, metadata=metadata)
        return
    store = Store(doc.sections_cache / "document", ".ast")
    key = _ast_key(out.md, doc.bibliography, csl, metadata, epoch)
    cached = store.get(key)
    if cached is not None:
        with atomic_output(out.ast) as tmp:
            tmp.write_bytes(cached)
        return
    _read_citations(doc, out, epoch=epoch, csl=csl, metadata=metadata)
    if out.md.stat().st_size <= SECTIONS_MAX:
        store.put(key, out.ast.read_bytes())
        store.keep_only([key])


def _ast_key(md: Path, bibliography: Path, csl: Path, metadata: dict, epoch: int) -> str:
    """The cache key of a document's AST: its Markdown, bibliography, style, metadata, build date,
    the reader (pandoc binary and options, coopdocs.render.sections) and this code."""
    from coopdocs.render import citations, sections
    from coopdocs.tools.cache import digest

    return digest(
        "ast",
        sections.reader_salt(),
        md.read_bytes(),
        bibliography.read_bytes() if bibliography.is_file() else b"",
        csl.read_bytes(),
        json.dumps(metadata, sort_keys=True, ensure_ascii=False),
        str(epoch),
        code=[Path(__file__), Path(citations.__file__)],
    )


def _read_citations(doc: Document, out: Outputs, *, epoch: int, csl: Path, metadata: dict) -> None:
    """pandoc reads the Markdown and resolves the citations into the JSON AST (by sections when
    the document keeps a sections cache). With the numbering register's gaps, citeproc also lists
    every numbered source and the entries no citation names are dropped afterwards
    (coopdocs.render.citations)."""
    from coopdocs.render import citations, sections

    heap = pandoc_heap(out.md)
    ids = citations.nocite(doc.bibliography, out.md.read_text(encoding="utf-8"))
    with citations.nocite_file(ids) as extra:
        options = dict(bibliography=doc.bibliography, csl=csl, metadata=metadata)
        options["metadata_file"] = extra
        whole = True
        if doc.sections_cache is not None and out.md.stat().st_size <= SECTIONS_MAX:
            whole = not sections.read(
                out.md, out.ast, doc.sections_cache, epoch=epoch, heap=heap, **options
            )
        if whole:
            pandoc(
                out.md,
                out.ast,
                "json",
                epoch=epoch,
                heap=heap,
                source_format=PANDOC_READER,
                **options,
            )
    if ids:
        citations.prune(out.ast)


def _writers(styles: Styles, out: Outputs, figures_dir: Path) -> list[Writer]:
    """The formats to write from the AST (Typst, DOCX, HTML, in that order, those wanted), each
    with the options of its pandoc command line (coopdocs.tools.pandoc.pandoc_command)."""
    meta = {"figures-dir": str(figures_dir)}
    both = [styles.figures_filter, styles.records_filter]
    # Citations are already rendered by citeproc: Typst must print them, not emit #cite().
    # The figures filter gives Typst each figure's text alternative (PDF/UA, issue 30).
    writers = [
        Writer("typst-citations", out.typ, both, template=styles.typst_template)
        if out.typ is not None
        else None,
        Writer("docx", out.docx, both, reference_doc=styles.reference_doc, metadata=meta)
        if out.docx is not None
        else None,
        Writer(
            "html",
            out.html,
            both,
            template=styles.html_template,
            metadata=meta,
            variables=html_attributes(out.ast),
            html=True,
        )
        if out.html is not None
        else None,
    ]
    return [w for w in writers if w is not None]


def write(
    styles: Styles,
    out: Outputs,
    *,
    epoch: int,
    figures_dir: Path,
    figures: list[Path],
    parallel: int = 1,
) -> None:
    """Steps 4–5: Typst, DOCX and HTML from the AST in one pandoc process, then the PDF.

    pandoc reads the AST once and writes the Typst file first: with ``parallel`` > 1 the PDF is
    compiled from it in a thread (Typst releases the GIL) while pandoc writes the DOCX and HTML;
    with one, after pandoc has ended (large builds: one big process at a time, for memory). Every
    format is moved into place only when all succeeded (the stack), the PDF included.
    """
    from concurrent.futures import ThreadPoolExecutor

    from coopdocs.tools.typst import typst_pdf

    writers = _writers(styles, out, figures_dir)
    with contextlib.ExitStack() as stack:
        for w in writers:
            w.target, w.output = w.output, stack.enter_context(atomic_output(w.output))
        pdf_tmp = stack.enter_context(atomic_output(out.pdf)) if out.pdf is not None else None
        typst_tmp = next((w.output for w in writers if w.target == out.typ), None)
        run = PandocWriters(out.ast, writers, epoch, pandoc_heap(out.md))
        pool = stack.enter_context(ThreadPoolExecutor(max_workers=1))
        pdf = None
        if pdf_tmp is not None and parallel > 1:
            while (done := run.next_output()) is not None and done != typst_tmp:
                pass
            if done is not None:
                pdf = pool.submit(typst_pdf, typst_tmp, pdf_tmp, epoch=epoch, assets=figures)
        error = run.wait()
        if error is None and pdf_tmp is not None and pdf is None:
            pdf = pool.submit(typst_pdf, typst_tmp, pdf_tmp, epoch=epoch, assets=figures)
        failed = pdf.exception() if pdf is not None else None  # waits for the compile
        if error:
            raise ConversionError(error)
        if failed is not None:
            raise failed
        if out.docx is not None:
            _finish_docx(next(w.output for w in writers if w.target == out.docx), out, epoch)


# The metadata the HTML template puts inside a <meta> tag's content="...": pandoc's HTML writer
# escapes < and & in a metadata value but not the quote, so a '"' in a keyword would end the
# attribute (issue 32). Passed as variables, escaped here for an attribute.
HTML_ATTRIBUTES = ("creator", "keywords", "subject")


def html_attributes(ast: Path) -> dict[str, str]:
    """The document's plain-text metadata of :data:`HTML_ATTRIBUTES`, escaped for an HTML attribute."""
    from coopdocs.render.docx import ast_metadata

    meta = ast_metadata(ast)
    # As pandoc escapes the text (& < >), and the double quote that delimits the attribute.
    return {
        k: html.escape(meta[k], quote=False).replace('"', "&quot;")
        for k in HTML_ATTRIBUTES
        if meta.get(k)
    }


def _finish_docx(tmp: Path, out: Outputs, epoch: int) -> None:
    """What pandoc's DOCX writer leaves to do (table widths and properties: coopdocs.render.docx)."""
    from coopdocs.render import docx

    docx.finish(tmp, epoch=epoch, metadata=docx.ast_metadata(out.ast))


def publish(doc: Document, styles: Styles, out: Outputs, *, epoch: int, parallel: int = 1) -> None:
    """Build every file of ``doc`` (see the module docstring); ``parallel`` pandoc writers at once."""
    figures = read(doc, out, epoch=epoch, csl=styles.csl)
    write(styles, out, epoch=epoch, figures_dir=doc.figures_dir, figures=figures, parallel=parallel)
