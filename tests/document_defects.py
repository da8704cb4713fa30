"""The editorial defects a reader would see, found in what pandoc read (importable as ``document_defects``).

The project's own counterpart of ../shared/checks/prose.py, for three of its classes, read from a
build's pandoc ASTs (coopdocs.layout.ast) rather than from the HTML, so that a defect is found
once for all three formats:

- :func:`raw_markdown`: Markdown that reached the reader as text (``## ``, ``{#id}``, ``**``,
  ``[@``, a title-block ``%``, a list marker or a pipe-table row at the start of a paragraph):
  the Jinja whitespace control ate the newline or blank line the syntax needs.
- :func:`missing_headings`: the headings a template means to write (its heading lines, with the
  Jinja expressions as wildcards) counted in the Markdown it wrote, wherever they stand, against
  the headings pandoc read; a heading swallowed into a paragraph is in the first count only.
- :func:`repeated_sentences`: a sentence of 8 words or more (12 in a list item) said twice.

Body text only, as prose.py reads it: not the reference list, the data provenance appendix,
citations, record marks, figures or code; table cells are checked for raw Markdown only.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

PROVENANCE_ID = "data-provenance"
REFERENCES_ID = "refs"
MARK_CLASS = "record-id"

# Markdown syntax as pandoc leaves it in Str nodes when it did not read it as syntax.
RAW_TOKENS = [
    ("heading marker", re.compile(r"(?:^|\s)#{1,6} \S")),
    ("attribute", re.compile(r"\{[#.][\w-]+")),
    ("strong marker", re.compile(r"\*\*")),
    ("citation", re.compile(r"\[@|(?:^|[\s\[(])@[\w:.-]+")),
    ("link", re.compile(r"\]\(")),
    ("fenced div", re.compile(r"(?:^|\s):::")),
    ("title block", re.compile(r"(?:^|\n)%(?:\s|$)|\S%\s+\d{4}-\d\d-\d\d")),
    ("pipe-table row", re.compile(r"(?:^|\s)\|[^|\n]+\|[^|\n]+\||\|\s*:?-{3,}:?\s*\|")),
]
# A list marker at the start of a paragraph's line: a list item pandoc read as text.
LIST_START = re.compile(r"(?:^|\n)(?:[-*+]|\d+[.)]) ", re.M)
# The title block's fields, which pandoc reads into the metadata.
TITLE_BLOCK = ("title", "subtitle", "author", "date")
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def _inline_text(inlines: list[dict[str, Any]]) -> str:
    """The text a reader sees of ``inlines``, without citations, record marks, notes and code."""
    out: list[str] = []
    for node in inlines:
        kind, content = node["t"], node.get("c")
        if kind == "Str":
            out.append(content)
        elif kind in ("Space", "LineBreak"):
            out.append(" ")
        elif kind == "SoftBreak":
            out.append("\n")  # a line of the Markdown: where a list or heading would begin
        elif kind in ("Emph", "Strong", "Underline", "Strikeout", "SmallCaps", "Superscript"):
            out.append(_inline_text(content))
        elif kind == "Subscript":
            out.append(_inline_text(content))
        elif kind == "Quoted":
            quote = '"' if content[0]["t"] == "DoubleQuote" else "'"
            out.append(quote + _inline_text(content[1]) + quote)
        elif kind == "Span":
            out.append(_inline_text(content[1]))
        elif kind == "Link":
            if MARK_CLASS not in content[0][1]:
                out.append(_inline_text(content[1]))
        elif kind == "Cite" and content[0][0]["citationMode"]["t"] == "AuthorInText":
            # The project cites in brackets only: a bare @key is a citation that lost them.
            out.append("@" + content[0][0]["citationId"])
        # Cite, Note, Code, Math, RawInline, Image: not body text
    return "".join(out)


def _header_text(block: dict[str, Any]) -> tuple[int, str, str]:
    level, attr, inlines = block["c"]
    return level, attr[0], _inline_text(inlines)


def body_blocks(ast: dict[str, Any]) -> list[tuple[str, str]]:
    """The body text of a document as (kind, text): kind is ``p``, ``li``, ``cell`` or ``h<n>``.

    Skips the reference list (the div ``refs``), the data provenance appendix (from its heading
    to the next heading of its level or higher), figures and code blocks.
    """
    found: list[tuple[str, str]] = []
    skip_below: list[int | None] = [None]  # level of the skipped section's heading

    def walk(blocks: list[dict[str, Any]], kind: str) -> None:
        for block in blocks:
            t, c = block["t"], block.get("c")
            if t == "Header":
                level, ident, text = _header_text(block)
                if skip_below[0] is not None and level <= skip_below[0]:
                    skip_below[0] = None
                if ident == PROVENANCE_ID:
                    skip_below[0] = level
                if skip_below[0] is None:
                    found.append((f"h{level}", text))
                continue
            if skip_below[0] is not None:
                continue
            if t in ("Para", "Plain"):
                found.append((kind, _inline_text(c)))
            elif t == "Div":
                if c[0][0] != REFERENCES_ID:
                    walk(c[1], kind)
            elif t == "BlockQuote":
                walk(c, kind)
            elif t in ("BulletList", "OrderedList"):
                for item in c if t == "BulletList" else c[1]:
                    walk(item, "li")
            elif t == "DefinitionList":
                for term, definitions in c:
                    found.append((kind, _inline_text(term)))
                    for d in definitions:
                        walk(d, kind)
            elif t == "Table":
                for cell_blocks in _table_cells(c):
                    walk(cell_blocks, "cell")
            # Figure, CodeBlock, RawBlock, HorizontalRule: not body text

    walk(ast["blocks"], "p")
    return [(k, text.strip()) for k, text in found if text.strip()]


def _meta_text(value: dict[str, Any]) -> str:
    """The text of a metadata value (inlines, a string or a list of them)."""
    if value["t"] == "MetaInlines":
        return _inline_text(value["c"])
    if value["t"] == "MetaString":
        return value["c"]
    if value["t"] == "MetaList":
        return "; ".join(_meta_text(v) for v in value["c"])
    return ""


def _table_cells(table: list[Any]) -> list[list[dict[str, Any]]]:
    """The block content of every cell of a pandoc Table (head, bodies, foot)."""
    _attr, _caption, _specs, head, bodies, foot = table
    rows = list(head[1]) + list(foot[1])
    for body in bodies:
        rows += list(body[2]) + list(body[3])
    return [cell[4] for row in rows for cell in row[1]]


def raw_markdown(ast: dict[str, Any]) -> list[str]:
    """Markdown syntax that reached the reader as text, one finding per token."""
    findings = []
    blocks = [("meta", _meta_text(ast["meta"][k])) for k in TITLE_BLOCK if k in ast.get("meta", {})]
    for kind, text in blocks + body_blocks(ast):
        for name, pattern in RAW_TOKENS:
            for m in pattern.finditer(text):
                findings.append(f"{name} {m.group(0).strip()!r} in: {_line(text)}")
        if kind == "p" and LIST_START.search(text):
            findings.append(f"list marker at the start of a line: {_line(text)}")
    return findings


def _line(text: str) -> str:
    return re.sub(r"\s+", " ", text)[:160]


def repeated_sentences(ast: dict[str, Any]) -> list[str]:
    """Sentences of 8 or more words (12 in a list item) that a document says more than once."""
    seen: Counter[str] = Counter()
    for kind, text in body_blocks(ast):
        if kind not in ("p", "li"):
            continue
        for sentence in SENTENCE.split(re.sub(r"\s+", " ", text)):
            if len(sentence.split()) >= (8 if kind == "p" else 12):
                seen[sentence.strip()] += 1
    return [f"{n} times: {s[:160]}" for s, n in seen.items() if n > 1]


# Heading lines of a template, and the pieces of Jinja in them.
_HEADING_LINE = re.compile(r"^(?:\{%.*?%\}\s*)*(#{1,6}) (.+)$")
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")
_INCLUDE = re.compile(r"""\{%-?\s*include\s+["']([^"']+)["']""")
# Characters the Markdown writes and pandoc reads differently (escapes, smart quotes, dashes).
_FOLD = str.maketrans({c: None for c in "\\'\"‘’“”"})


def _fold(text: str) -> str:
    return text.translate(_FOLD).replace("–", "--").replace("—", "---").replace("…", "...")


def template_headings(template: Path, templates_dir: Path) -> list[tuple[int, re.Pattern[str]]]:
    """The headings ``template`` (and the partials it includes) means to write: (level, shape).

    A shape matches the heading's text: the line's literal words, each Jinja expression or tag a
    wildcard. A heading line inside a loop or a condition is written any number of times.
    """
    shapes: list[tuple[int, re.Pattern[str]]] = []
    source = re.sub(r"\{#.*?#\}", "", template.read_text(encoding="utf-8"), flags=re.S)
    for line in source.splitlines():
        m = _HEADING_LINE.match(line)
        if m:
            parts = _JINJA.split(m.group(2))
            body = "(.*?)".join(re.escape(_fold(p)) for p in parts)
            shapes.append((len(m.group(1)), re.compile(body)))
    for name in _INCLUDE.findall(source):
        shapes += template_headings(templates_dir / name, templates_dir)
    return shapes


def _markdown_headings(markdown: str, level: int, shape: re.Pattern[str]) -> int:
    """How many headings of ``shape`` the Markdown holds, at the start of a line or not."""
    marker = re.compile(r"(?<![\\#\w{])" + "#" * level + r" (?!#)")
    count = 0
    for line in markdown.splitlines():
        for m in marker.finditer(line):
            if shape.match(_fold(line[m.end() :])):
                count += 1
    return count


def ast_headings(ast: dict[str, Any]) -> list[tuple[int, str, str]]:
    """Every heading pandoc read: (level, id, text), in document order."""
    found = []

    def walk(blocks):
        for block in blocks:
            if block["t"] == "Header":
                found.append(_header_text(block))
            elif block["t"] == "Div":
                walk(block["c"][1])

    walk(ast["blocks"])
    return found


def missing_headings(
    markdown: str, ast: dict[str, Any], shapes: list[tuple[int, re.Pattern[str]]]
) -> list[str]:
    """Headings of a template's shapes that its Markdown writes but pandoc did not read as headings.

    The heading's text in the AST, with its id, is matched against the same shapes as the
    Markdown's heading lines (whose attributes follow the text).
    """
    read = ast_headings(ast)
    findings = []
    for level, shape in dict.fromkeys(shapes):
        written = _markdown_headings(markdown, level, shape)
        got = sum(
            1
            for lv, ident, text in read
            if lv == level and shape.match(_fold(f"{text} {{#{ident}}}"))
        )
        if written != got:
            findings.append(
                f"level {level} {shape.pattern[:80]!r}: written {written}, read {got} as headings"
            )
    return findings
