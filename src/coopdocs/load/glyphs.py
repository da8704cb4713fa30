"""Which characters the PDF can draw: those of Typst's bundled fonts (the build ignores system fonts).

Typst's PDF/A export fails on a character that no available font has (an emoji, CJK, an
unassigned code point), naming neither the record nor the field, and every document that uses
the record then fails. Validation asks Typst itself, once per run, about every distinct non-ASCII
character of the data: one small document with each character alone, in the regular, bold,
italic and bold italic styles the templates use, compiled as PDF/A-2b. Typst lists every text it
could not draw; those characters are reported by record and field (:func:`undrawable`).
Asking the compiler instead of keeping a table of the fonts' coverage keeps the answer right
when Typst or its fonts change. The compile takes ~10 ms for the real data.
"""

from __future__ import annotations

import re
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

from coopdocs.load.problems import Problem, Record

# The fonts the Typst template asks for (templates/typst/document.typ); Typst falls back to its
# other bundled fonts for a character they lack, so coverage is that of all bundled fonts.
FONTS = '("Libertinus Serif", "New Computer Modern")'
_NOT_DRAWN = re.compile(
    r'the text `"((?:[^"\\]|\\u\{[0-9a-fA-F]+\}|\\.)*)"` could not be displayed'
)
_ESCAPE = re.compile(r"\\u\{([0-9a-fA-F]+)\}|\\(.)")


def describe(char: str) -> str:
    """``'😀' (U+1F600 GRINNING FACE)``."""
    return f"{char!r} (U+{ord(char):04X} {unicodedata.name(char, 'unnamed code point')})"


def _source(chars: list[str]) -> str:
    text = "".join(f"\\u{{{ord(c):x}}}" for c in " ".join(chars))
    return (
        f'#set text(font: {FONTS})\n#let s = "{text}"\n#s\n#text(weight: "bold", s)\n#emph(s)\n'
        '#text(weight: "bold", emph(s))\n'
    )


def _unescape(text: str) -> str:
    return _ESCAPE.sub(
        lambda m: (
            chr(int(m.group(1), 16))
            if m.group(1)
            else {"n": "\n", "t": "\t", "r": "\r"}.get(m.group(2), m.group(2))
        ),
        text,
    )


def _compile(chars: list[str], folder: Path) -> set[str] | None:
    """The characters of ``chars`` Typst could not draw; None when it failed in another way."""
    import typst

    main = folder / "glyphs.typ"
    main.write_text(_source(chars), encoding="utf-8")
    try:
        typst.compile(str(main), root=str(folder), ignore_system_fonts=True, pdf_standards=["a-2b"])
        return set()
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - TypstError, and pyo3's PanicException (a BaseException)
        found = {
            _unescape(m) for m in _NOT_DRAWN.findall(getattr(exc, "diagnostic", "") or str(exc))
        }
        found = {c for text in found for c in text if c in chars}
        return found or None


def missing(chars: set[str] | list[str]) -> set[str]:
    """The characters of ``chars`` that no bundled font draws (ASCII is never asked about).

    Empty when Typst is not installed (the PDF step would then fail anyway, with its own message).
    """
    todo = sorted(c for c in set(chars) if not c.isascii() and not c.isspace())
    if not todo:
        return set()
    try:
        import typst  # noqa: F401
    except ImportError:
        return set()
    lacking: set[str] = set()
    with tempfile.TemporaryDirectory(prefix="coopdocs-glyphs-") as scratch:
        folder = Path(scratch)

        def search(group: list[str]) -> None:
            found = _compile(group, folder)
            if found is not None:
                lacking.update(found)
                rest = [c for c in group if c not in found]
                if (
                    found and rest
                ):  # what is left must compile now (a character may hide behind another)
                    search(rest)
                return
            if (
                len(group) == 1
            ):  # Typst failed on this character alone in another way: it cannot draw it
                lacking.add(group[0])
                return
            middle = len(group) // 2
            search(group[:middle])
            search(group[middle:])

        search(todo)
    return lacking


def undrawable(
    descriptor: dict[str, Any], tables: dict[str, list[Record]], shown_of: dict[str, str]
) -> list[Problem]:
    """A problem for every text that holds a character no bundled PDF font draws (coopdocs.load.glyphs).

    Typst's PDF/A export fails on such a character naming neither record nor field, and every
    document using the record fails: say so here, by record, field and character.
    """
    chars: set[str] = set()
    for records in tables.values():
        for record in records:
            for key, value in record.items():
                for text in value if isinstance(value, list) else [value]:
                    if isinstance(text, str) and not text.isascii() and not key.startswith("_"):
                        chars.update(text)
    lacking = missing(chars)
    if not lacking:
        return []
    problems = []
    for res in descriptor["resources"]:
        name, key = res["name"], res["schema"]["primaryKey"]
        for record in tables.get(name, []):
            for fname, value in record.items():
                if fname.startswith("_"):
                    continue
                text = "; ".join(value) if isinstance(value, list) else value
                if isinstance(text, str) and not text.isascii():
                    bad = sorted({c for c in text if c in lacking})
                    if bad:
                        problems.append(
                            Problem(
                                shown_of[name],
                                record["_line"],
                                fname,
                                text,
                                f"record {record.get(key)}: "
                                + ", ".join(map(describe, bad))
                                + " cannot be drawn by any font of the PDF",
                                "characters the bundled fonts have (Latin, Greek, Cyrillic, "
                                "punctuation and symbols); remove it or write it out",
                            )
                        )
    return problems
