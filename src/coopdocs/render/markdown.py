"""Rendering Markdown from Jinja2 templates with every data value escaped.

Data is text, never markup: every value a template prints passes through :func:`escape` (the
environment's ``finalize``), which backslash-escapes every ASCII punctuation character, so that
pandoc's Markdown reader reads it back as the literal characters typed. Only values the template
builds itself from validated identifiers (citations, anchors) are wrapped in :class:`Trusted` and
pass unescaped. pandoc reads the result with the dangerous extensions switched off (see
:data:`PANDOC_READER`), so even a mistake here cannot produce raw HTML, raw OOXML/Typst, math or
metadata.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jinja2

from coopdocs import layout
from coopdocs.load.keys import CITATION_KEY
from coopdocs.load.strings import (
    DEFAULT_LOCALE,
    load_strings,
    with_locale,
    word,
)
from coopdocs.render import language as language_filters
from coopdocs.render.escaping import (  # noqa: F401 - Trusted and escape re-exported for callers
    WHITESPACE,
    Trusted,
    escape,
)
from coopdocs.tools.pandoc import (
    PANDOC_READER,  # noqa: F401 - re-exported: the reader our escaping targets
)

_CITE_KEY = re.compile(CITATION_KEY)
_ANCHOR = re.compile(r"[A-Za-z0-9]+(-[A-Za-z0-9]+)*")


def cite(sources: Iterable[str]) -> Trusted:
    """A pandoc citation for the given source keys: ``[@ref045; @ref046]``.

    >>> cite(["ref045", "ref046"])
    '[@ref045; @ref046]'
    """
    keys = sorted(set(sources))
    for key in keys:
        if not _CITE_KEY.fullmatch(key):
            raise ValueError(f"not a citation key: {key!r}")
    if not keys:
        return Trusted("")
    return Trusted("[" + "; ".join("@" + k for k in keys) + "]")


def no_reference_sign(words: Any) -> str:
    """The small sign that marks text the source gives no reference for (strings: ``apparatus.no_reference``).

    One sign, explained once per document (partials/reading_key.md.j2), instead of a parenthesis
    after every such sentence: the hedges set the rhythm of the text otherwise (issue 30).
    """
    return escape(word(words, "apparatus.no_reference", "†"))


@jinja2.pass_context
def say(context, path: str, **names: Any) -> str:
    """The strings file's words at the dotted ``path``, filled with ``names`` (printed escaped).

    >>> make_environment(Path("templates")).from_string("{{ 'record_mark' | say(n=1) }}").render()
    'R1'
    """
    return word(context.environment.globals.get("words", {}), path, "", **names)


@jinja2.pass_context
def cite_record(context, record: Any, short: bool = False) -> Trusted:
    """The citation of one record, honest about what the source gives no number for.

    A record (a dict with ``sources`` and ``source_note``) or a plain list of source keys. With
    sources, their citation, followed by the no-reference sign when the record's ``source_note``
    says part of it has no number; with none, the sign alone. Never a neighbouring number: the
    data holds none (README, "Citing honestly"). ``short`` (table cells) gives no sign for a part.

    >>> env = make_environment(Path("templates"))
    >>> env.from_string("{{ r | cite_record }}").render(r={"sources": [], "source_note": "Conclusion."})
    '†'
    >>> env.from_string("{{ r | cite_record }}").render(r={"sources": ["ref098"], "source_note": "x"})
    '[@ref098]†'
    >>> env.from_string("{{ r | cite_record(short=True) }}").render(r=["ref045"])
    '[@ref045]'
    """
    if isinstance(record, dict):
        sources, partial = record.get("sources") or [], bool(record.get("source_note"))
    else:
        sources, partial = list(record or []), False
    sign = no_reference_sign(context.environment.globals.get("words", {}))
    if not sources:
        return Trusted(sign)
    return Trusted(cite(sources) + (sign if partial and not short else ""))


def anchor(record_id: str) -> Trusted:
    """A pandoc attribute that gives an element the record's ID: ``{#prj-by-x}``."""
    if not _ANCHOR.fullmatch(record_id):
        raise ValueError(f"not a record id: {record_id!r}")
    return Trusted("{#" + record_id + "}")


# The attribute that gives records.lua an appendix entry's number instead of its position.
RECORD_NUMBER = "record-number"


def entry_anchor(entry: dict) -> Trusted:
    """The attributes of a record's entry in the 'Data provenance' appendix: ``{#prov-prj-x}``,
    and with the number the numbering register gives it ``{#prov-prj-x record-number="12"}``
    (records.lua heads the entry and numbers its marks with it).

    >>> entry_anchor({"id": "prj-x", "number": 12})
    '{#prov-prj-x record-number="12"}'
    """
    attrs = anchor("prov-" + str(entry["id"]))
    number = entry.get("number")
    if number is None:
        return attrs
    return Trusted(attrs[:-1] + f' {RECORD_NUMBER}="{int(number)}"' + "}")


_FIGURE_FILE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*\.svg")


def figure_file(name: str) -> Trusted:
    """The file name of one of the project's figures, for image syntax (validated, unescaped)."""
    if not _FIGURE_FILE.fullmatch(name):
        raise ValueError(f"not a figure file name: {name!r}")
    return Trusted(name)


@jinja2.pass_context
def record_link(context, record_id: str) -> Trusted:
    """The mark after a record's text: a link to its entry in the 'Data provenance' appendix.

    The Markdown names the record in full (what ``coopdocs trace`` and the diff read) and gives
    the link a title (the HTML tooltip) from the strings file's ``record_title``; the reader sees
    a short numbered mark instead, set by the records filter (templates/filters/records.lua) in
    the form the appendix heading declares (:func:`provenance_anchor`).

    >>> env = make_environment(Path("templates"))
    >>> env.from_string("{{ 'prj-by-x' | record_link }}").render()
    '[prj-by-x](#prov-prj-by-x "Record prj-by-x"){.record-id}'
    """
    anchor(record_id)  # validates
    words = context.environment.globals.get("words", {})
    title = _attribute_text(word(words, "record_title", "{id}", id=record_id))
    return Trusted(f'[{record_id}](#prov-{record_id} "{title}"){{.record-id}}')


def _attribute_text(text: str) -> str:
    """Text safe inside a double-quoted Markdown attribute or link title (the words are the templates')."""
    return text.replace("\\", "").replace('"', "'")


@jinja2.pass_context
def provenance_anchor(context, section_id: str) -> Trusted:
    """The attributes of the 'Data provenance' heading: its anchor and the form of the record marks.

    The form is the strings file's ``record_mark`` (``{n}``: the entry's number, e.g. "R{n}"),
    carried by the heading so that the records filter finds it in the document itself (also in a
    redline, which is written from the AST alone).

    >>> env = make_environment(Path("templates"))
    >>> env.from_string("{{ 'data-provenance' | provenance_anchor }}").render()
    '{#data-provenance record-mark="R{n}"}'
    """
    anchor(section_id)
    form = _attribute_text(word(context.environment.globals.get("words", {}), "record_mark"))
    if "{n}" not in form:
        raise ValueError(f"the record mark {form!r} (strings file, record_mark) has no {{n}}")
    return Trusted("{#" + section_id + ' record-mark="' + form + '"}')


@jinja2.pass_context
def record_attrs(context, record_id: str, sources: Iterable[str] = ()) -> Trusted:
    """Attributes that make a bracketed span the record's anchor, with a tooltip naming its sources.

    Used as ``[ ... ]{{ r.id | record_attrs(r.sources) }}``: the span gets the record's ID (an
    HTML anchor, a DOCX bookmark, a Typst label) and, in HTML, a title such as
    "Record prj-by-x · article references 45, 46".
    """
    anchor(record_id)
    numbers = context.get("provenance", {}).get("source_numbers", {})
    refs = sorted({numbers[s] for s in sources if s in numbers})
    words = context.environment.globals.get("words", {})
    title = word(words, "record_title", "{id}", id=record_id)
    if refs:
        title += " · " + word(
            words, "record_references", "{numbers}", numbers=", ".join(map(str, refs))
        )
    return Trusted("{#" + record_id + ' .record title="' + _attribute_text(title) + '"}')


@jinja2.pass_context
def record_marks(context, record_ids: Iterable[str]) -> Trusted:
    """The citation and the record marks of a computed statement (a claim's records,
    coopdocs.compute.claims): the sources of exactly those records, then one mark per record, so
    that the marks of "six offices" lead to the six records it counts. The records must be in the
    document's provenance appendix (the context's ``provenance``)."""
    entries = {e["id"]: e for e in context.get("provenance", {}).get("records", [])}
    ids = [str(r) for r in record_ids]
    sources = sorted({s for r in ids for s in entries.get(r, {}).get("sources", [])})
    marks = " ".join(record_link(context, r) for r in ids)
    return Trusted((cite(sources) + " " if sources else "") + marks)


class VerifiedBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept between processes in a verified store (coopdocs.tools.cache).

    Jinja's own ``FileSystemBytecodeCache`` unpickles and unmarshals whatever file it finds: a
    truncated entry failed every build with an ``UnpicklingError``, and a forged one ran as code.
    Here an entry is the template's marshalled code alone, keyed by the template's name, file and
    source, Jinja's and Python's versions and this module's code (which sets the options the code
    is compiled with); it is unmarshalled only after its keyed hash verified, and anything else
    is a miss: the template is compiled again.
    """

    def __init__(self, folder: Path):
        from coopdocs.tools.cache import Store

        self.store = Store(folder, ".code")

    @staticmethod
    def _key(bucket: jinja2.bccache.Bucket) -> str:
        from coopdocs.tools.cache import digest

        return digest(
            "jinja-template",
            bucket.key,
            bucket.checksum,
            jinja2.bccache.bc_magic,
            code=[Path(__file__)],
            libraries=["jinja2"],
        )

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        import marshal

        data = self.store.get(self._key(bucket))
        if data is None:
            return
        try:
            bucket.code = marshal.loads(data)
        except (EOFError, ValueError, TypeError):  # our own verified bytes: only if marshal changed
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        import marshal

        if bucket.code is not None:
            self.store.put(self._key(bucket), marshal.dumps(bucket.code))


def figure_attrs(figure_id: str, alt: str) -> Trusted:
    """Attributes of a figure: its anchor and its text alternative (what the figure shows).

    The text is data-derived, so it is made plain: whitespace collapsed, and the characters that
    could end or escape the quoted value (quotes, backslashes, braces) replaced or dropped.

    >>> figure_attrs("fig-a", 'Timeline of "A" {x}')
    '{#fig-a alt="Timeline of \u2019A\u2019 x"}'
    """
    anchor(figure_id)
    text = WHITESPACE.sub(" ", str(alt)).strip().replace('"', "\u2019").replace("\\", "")
    text = re.sub(r"[{}<>]", "", text)
    return Trusted("{#" + figure_id + ' alt="' + text + '"}')


@jinja2.pass_context
def timeline_description(context) -> str:
    """The text alternative of a brief's timeline figure (coopdocs.compute.timeline.describe)."""
    from coopdocs.compute.timeline import describe

    return describe(context.get_all(), context.environment.globals.get("words", {}))


@jinja2.pass_context
def authored(context, text: str) -> Trusted:
    """An authored text's slot (coopdocs.load.authored) as Markdown: the author's markup passes,
    each ``{name}`` it uses becomes the context's value (``authored_values``), escaped like any
    other value. The text is never a template: nothing in it is evaluated. A count is written as
    the program writes counts in running text (``number_word``: "six" in English, digits beyond
    the language's limit), so that an author's "{n} name it" reads like the sentences around it.
    """
    from coopdocs.load.authored import fill
    from coopdocs.load.grammar import number_word

    words = context.environment.globals.get("words", {})
    values = {
        name: number_word(value, words)
        if isinstance(value, int) and not isinstance(value, bool)
        else value
        for name, value in context["authored_values"].items()
    }
    return Trusted(fill(text, values, escape).strip())


def make_environment(
    template_dir: Path, bytecode_cache: Path | None = None, language: str | None = None
) -> jinja2.Environment:
    """The one Jinja environment every document is rendered with.

    ``language``: the documents' language (config ``language``); its folder of ``template_dir``
    (coopdocs.layout.template_folders, ``templates/ru``) is searched first and gives the strings.

    ``bytecode_cache``: a folder where compiled templates are kept between processes (keyed by the
    template's source, so an edited template is compiled again; verified before it is loaded, see
    :class:`VerifiedBytecodeCache`). Compiling is ~36 ms of every brief's job and ~57 ms of the
    article's; loading the cached code under 1 ms.
    """
    env = jinja2.Environment(
        bytecode_cache=VerifiedBytecodeCache(bytecode_cache) if bytecode_cache else None,
        # Templates live in one folder (the language's first), partials included by relative name.
        loader=jinja2.FileSystemLoader(layout.template_folders(str(template_dir), language)),
        # A misspelt variable is an error naming the template and line, not an empty string.
        undefined=jinja2.StrictUndefined,
        # Every printed value is escaped for Markdown unless the program marked it Trusted.
        finalize=escape,
        # HTML autoescape would add &amp; entities to Markdown; our escaping is finalize.
        autoescape=False,
        # Markdown is line-oriented: keep the template's final newline and tidy block tags.
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["cite"] = cite
    env.filters["cite_record"] = cite_record
    env.filters["say"] = say
    env.filters["anchor"] = anchor
    env.filters["md"] = escape
    env.filters["figure_file"] = figure_file
    env.filters["record_link"] = record_link
    env.filters["record_attrs"] = record_attrs
    env.filters["record_marks"] = record_marks
    env.filters["provenance_anchor"] = provenance_anchor
    env.filters["entry_anchor"] = entry_anchor
    env.filters["figure_attrs"] = figure_attrs
    env.globals["timeline_description"] = timeline_description
    env.filters["authored"] = authored
    # The strings file beside the templates: the words the program writes (coopdocs.load.strings).
    strings = Path(layout.strings_file(str(template_dir), language))
    env.globals["words"] = load_strings(strings) if strings.is_file() else {}
    # Counts, lists, year ranges, ordinals, articles and type labels, in the strings' language.
    language_filters.register(env)
    return env


def render(
    template_dir: Path,
    template: str,
    context: dict[str, Any],
    bytecode_cache: Path | None = None,
    environment: jinja2.Environment | None = None,
) -> str:
    """Render ``template`` (a name under ``template_dir``) with ``context`` to Markdown text.

    ``environment``: an environment from :func:`make_environment` for ``template_dir`` that the
    caller keeps between renders (templates compiled once); by default a new one.
    """
    # The document's language (config ``language``, in its context): its templates, strings and
    # CLDR rules.
    language = (context.get("build") or {}).get("language")
    env = (
        environment
        if environment is not None
        else make_environment(template_dir, bytecode_cache, language)
    )
    env.globals["words"] = with_locale(env.globals.get("words") or {}, language or DEFAULT_LOCALE)
    try:
        return env.get_template(template).render(**context)
    except jinja2.UndefinedError as exc:
        # A misspelt variable: name the template (or partial) and line, as a syntax error does.
        _locate(exc, Path(template_dir))
        raise


def _locate(exc: jinja2.TemplateError, template_dir: Path) -> None:
    """Set ``filename`` and ``lineno`` on ``exc`` from the innermost template frame of its traceback."""
    base = template_dir.resolve()
    tb, where = exc.__traceback__, None
    while tb is not None:
        name = Path(tb.tb_frame.f_code.co_filename)
        try:
            rel = name.resolve().relative_to(base)
        except (ValueError, OSError):
            rel = None
        if rel is not None:
            where = (template_dir / rel).as_posix(), tb.tb_lineno
        tb = tb.tb_next
    if where is not None:
        exc.filename, exc.lineno = where
