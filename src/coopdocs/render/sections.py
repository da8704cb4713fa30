"""Read a long document's Markdown section by section, re-reading only the sections that changed.

pandoc has no incremental mode: after a one-record edit it read the whole review article again
(0.5 s of pandoc's Markdown reader for 140 KB) although only two of its twenty sections changed.
Here the Markdown is cut before each heading that carries an explicit identifier
(``# 3.4. Kyrgyzstan {#bilateral-kyrgyzstan}``); each section's blocks are kept in a cache keyed
by the section's text, and only new sections go through pandoc's reader (all of them in one
pandoc run). The blocks are put back together and citeproc runs once over the whole document,
so citation numbers, the bibliography and footnote positions are those of a whole-document read.

Pandoc's Markdown reader carries a little state from one part of a document to the next. Each
piece is handled so that the result equals a whole-document read (tests/test_sections.py):

* footnote and citation numbers (``citationNoteNum``, one count over notes and citations
  outside notes): each section's count is kept, and later sections are shifted by the counts
  before them;
* automatic heading identifiers (pandoc adds ``-1`` when an earlier heading took the name): a
  section read alone can only differ when one of its headings shares a name (up to that suffix)
  with a heading of another section, and then the whole document is read instead
  (:func:`independent`); sections are cached only from a document that passed this check;
* reference links, footnote definitions (``[^1]:``) and example lists, which refer across the
  document: a document using them is read whole;
* implicit header references are off in the reader (``convert.PANDOC_READER``);
* cuts are made only outside code fences and fenced divs, after a blank line, so every section
  starts a new block.

A document read whole is not worse off than before: one pandoc run with citeproc, as always.
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from coopdocs.tools.cache import Store, digest
from coopdocs.tools.pandoc import PANDOC_READER, pandoc, pandoc_path

# A line that starts a section: an ATX heading with an explicit identifier, e.g. "## 3.1. Armenia {#bilateral-armenia}".
SECTION_HEADING = re.compile(r"#{1,6}[ \t][^\n]*\{#([^\s}]+)[^}\n]*\}[ \t]*")
CODE_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
DIV_FENCE = re.compile(r" {0,3}:{3,}")
# Syntax whose meaning reaches across sections: reference link and footnote definitions, example lists.
CROSS_REFERENCE = re.compile(r"^ {0,3}\[[^\]\n]+\]:|\(@[\w-]*\)", re.MULTILINE)
NOTE_NUMBER = re.compile(r'"citationNoteNum":(\d+)')
AUTO_SUFFIX = re.compile(r"-\d+$")
CACHE_FORMAT = "2"  # bump when the cache files' layout changes


@dataclass
class Section:
    """One section: its Markdown, and (once read) its blocks as JSON text, note count and headings."""

    text: str
    heading_id: (
        str | None
    )  # the explicit identifier of the heading it starts with (None: the first section)
    key: str = ""
    blocks: str | None = None  # the section's blocks: a JSON array without its brackets
    notes: int = 0  # how far the section advances pandoc's note counter
    headers: tuple[str, ...] = ()  # identifiers of every heading in it
    meta: dict | None = None  # the document's metadata (first section only)
    api: list | None = None  # the AST's pandoc-api-version (first section only)


def split(markdown: str) -> list[Section] | None:
    """Cut ``markdown`` before each top-level heading with an explicit identifier.

    Returns None when the text uses syntax that refers across sections (reference links,
    footnote definitions, example lists): such a document is read whole.
    """
    if CROSS_REFERENCE.search(markdown):
        return None
    sections: list[Section] = [Section(text="", heading_id=None)]
    parts: list[list[str]] = [[]]
    fence: str | None = None
    div_depth = 0
    after_blank = True
    for line in markdown.splitlines(keepends=True):
        bare = line.rstrip("\r\n")
        if fence is not None:
            closing = bare.lstrip(" ")
            if closing.startswith(fence) and not closing[len(fence) :].strip(fence[0] + " \t"):
                fence = None
        elif match := CODE_FENCE.match(bare):
            fence = match.group(1)
        elif DIV_FENCE.match(bare):
            if bare.strip(": \t"):
                div_depth += 1
            elif div_depth:
                div_depth -= 1
        elif (
            div_depth == 0
            and after_blank
            and (heading := SECTION_HEADING.fullmatch(bare))
            and parts[-1]
        ):
            sections.append(Section(text="", heading_id=heading.group(1)))
            parts.append([])
        parts[-1].append(line)
        after_blank = not bare.strip()
    for section, lines in zip(sections, parts):
        section.text = "".join(lines)
    return sections


def _walk(node, counts: dict, in_note: bool = False) -> None:
    """Count note-counter steps and collect heading identifiers below ``node`` (document order)."""
    if isinstance(node, list):
        for item in node:
            _walk(item, counts, in_note)
        return
    if not isinstance(node, dict):
        return
    kind = node.get("t")
    if kind == "Note":
        counts["notes"] += 1
        _walk(node.get("c"), counts, True)
        return
    if kind == "Cite" and not in_note:
        counts["notes"] += 1
    elif kind == "Header":
        counts["headers"].append(node["c"][1][0])
    content = node.get("c")
    if isinstance(content, (list, dict)):
        _walk(content, counts, in_note)


def _read_new(sections: list[Section], *, epoch: int, scratch: Path) -> bool:
    """Read ``sections`` (in document order) in one pandoc run; fill in their blocks.

    Returns False when pandoc's blocks cannot be told apart by the sections' headings.
    """
    source = scratch / "sections.md"
    source.write_text(
        "".join(
            s.text if s.text.endswith("\n\n") else s.text.rstrip("\n") + "\n\n" for s in sections
        ),
        encoding="utf-8",
    )
    ast_path = scratch / "sections.json"
    pandoc(source, ast_path, "json", epoch=epoch, source_format=PANDOC_READER)
    ast = json.loads(ast_path.read_text(encoding="utf-8"))
    blocks = ast["blocks"]
    starts = []
    position = 0
    for section in sections:
        if section.heading_id is None:  # the first section of the document comes first here too
            starts.append(0)
            continue
        while position < len(blocks) and not (
            blocks[position].get("t") == "Header"
            and blocks[position]["c"][1][0] == section.heading_id
        ):
            position += 1
        if position == len(blocks):
            return False
        starts.append(position)
        position += 1
    if starts and starts[0] != 0:
        return False
    before = 0  # note-counter steps of the sections before this one in this read
    for section, start, end in zip(sections, starts, starts[1:] + [len(blocks)]):
        own = blocks[start:end]
        counts: dict = {"notes": 0, "headers": []}
        _walk(own, counts)
        # Kept as if the section had been read alone (numbers from 1): assemble() shifts them.
        section.blocks = _shift_notes(
            json.dumps(own, ensure_ascii=False, separators=(",", ":"))[1:-1], -before
        )
        section.notes, section.headers = counts["notes"], tuple(counts["headers"])
        before += section.notes
        if section.heading_id is None:
            section.meta, section.api = ast["meta"], ast["pandoc-api-version"]
    return True


def _shift_notes(blocks: str, by: int) -> str:
    """``blocks`` (JSON text) with every citation's note number moved by ``by``.

    A ``"citationNoteNum":`` inside a string value is written with escaped quotes and never matches.
    """
    if not by:
        return blocks
    return NOTE_NUMBER.sub(lambda m: f'"citationNoteNum":{int(m.group(1)) + by}', blocks)


def _cache_key(section: Section, salt: str) -> str:
    return digest(salt, section.heading_id or "", section.text)


def _load(section: Section, store: Store) -> bool:
    """Fill in ``section`` from its verified cache entry (coopdocs.tools.cache); False on a miss."""
    data = store.get(section.key)
    if data is None:
        return False
    try:
        head, blocks = data.decode("utf-8").split("\n", 1)
        info = json.loads(head)
        notes, headers = info["notes"], tuple(info["headers"])
    except (
        ValueError,
        KeyError,
        TypeError,
    ):  # verified, so written by another version of this code
        return False
    section.blocks, section.notes, section.headers, section.meta, section.api = (
        blocks.rstrip("\n"),
        notes,
        headers,
        info.get("meta"),
        info.get("api"),
    )
    return True


def _store(section: Section, store: Store) -> None:
    info = {"notes": section.notes, "headers": list(section.headers)}
    if section.heading_id is None:
        info.update(meta=section.meta, api=section.api)
    head = json.dumps(info, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    store.put(section.key, f"{head}\n{section.blocks}\n".encode())


def reader_salt() -> str:
    """What else decides a section's blocks: the cache format, the reader, this code and the pandoc binary."""
    binary = Path(pandoc_path())
    stat = binary.stat()
    return digest(
        CACHE_FORMAT,
        PANDOC_READER,
        str(binary.resolve()),
        str(stat.st_size),
        str(stat.st_mtime_ns),
        code=[Path(__file__)],
        libraries=["pypandoc-binary"],
    )


def _stem(ident: str) -> str:
    """An identifier without the ``-N`` pandoc appends to make an automatic one unique."""
    return AUTO_SUFFIX.sub("", ident)


def independent(sections: list[Section]) -> bool:
    """Whether each section's heading identifiers are those it would get if read alone.

    Pandoc names a heading without an explicit identifier after its text, adding ``-1``, ``-2``
    when an earlier heading of the document already took the name. A section read on its own (or
    with other sections) can therefore only differ when one of its headings other than the
    explicit one it starts with shares a name, up to such a suffix, with a heading of another
    section. Then the document is read whole; this also keeps such sections out of the cache.
    """
    owners: dict[str, set[int]] = {}
    for index, section in enumerate(sections):
        for ident in section.headers:
            owners.setdefault(_stem(ident), set()).add(index)
    for index, section in enumerate(sections):
        inner = list(section.headers)
        if section.heading_id is not None and inner and inner[0] == section.heading_id:
            inner = inner[1:]
        if any(owners[_stem(ident)] - {index} for ident in inner):
            return False
    return True


def assemble(sections: list[Section]) -> str | None:
    """The whole document's JSON AST (before citeproc) from its read sections.

    None when the sections' headings are not independent (see :func:`independent`): the document
    must then be read whole.
    """
    if not independent(sections):
        return None
    parts: list[str] = []
    offset = 0
    for section in sections:
        blocks = _shift_notes(section.blocks or "", offset)
        if blocks:
            parts.append(blocks)
        offset += section.notes
    first = sections[0]
    meta = json.dumps(first.meta or {}, ensure_ascii=False, separators=(",", ":"))
    return f'{{"pandoc-api-version":{json.dumps(first.api)},"meta":{meta},"blocks":[{",".join(parts)}]}}'


def read(
    markdown: Path,
    target: Path,
    cache_dir: Path,
    *,
    epoch: int,
    heap: str | None,
    bibliography: Path | None,
    csl: Path | None,
    metadata: dict[str, str] | None = None,
    metadata_file: Path | None = None,
) -> bool:
    """Write ``markdown``'s JSON AST with citations resolved to ``target``, reusing cached sections.

    Returns False (and writes nothing) when the document must be read whole instead.
    ``metadata_file``: as :func:`coopdocs.tools.pandoc.pandoc_command`'s, for citeproc's run.
    """
    sections = split(markdown.read_text(encoding="utf-8"))
    if sections is None:
        return False
    salt = reader_salt()
    for section in sections:
        section.key = _cache_key(section, salt)
    cache_dir.mkdir(parents=True, exist_ok=True)
    store = Store(cache_dir, ".section")
    new = [s for s in sections if not _load(s, store)]
    with tempfile.TemporaryDirectory(prefix="coopdocs-sections-") as scratch:
        if new and not _read_new(new, epoch=epoch, scratch=Path(scratch)):
            return False
        document = assemble(sections)
        if document is None:
            return False
        whole = Path(scratch) / "document.json"
        whole.write_text(document, encoding="utf-8")
        pandoc(
            whole,
            target,
            "json",
            epoch=epoch,
            heap=heap,
            source_format="json",
            bibliography=bibliography,
            csl=csl,
            metadata=metadata,
            metadata_file=metadata_file,
        )
    for section in new:
        _store(section, store)
    store.keep_only(s.key for s in sections)
    return True
