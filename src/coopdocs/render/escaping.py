"""Markdown escaping: what a data value becomes when a template prints it, and what is exempt.

Data is text, never markup. :func:`escape` backslash-escapes every ASCII punctuation character so
pandoc's Markdown reader returns exactly the characters typed; :class:`Trusted` marks the markup the
program built itself from validated pieces (citations, anchors), which passes unescaped. Both the
Markdown environment (coopdocs.render.markdown) and the language filters (coopdocs.render.language)
need these two, so they live here, below both.
"""

from __future__ import annotations

import re
from typing import Any

_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")
# A run of whitespace, newlines included; a single no-break space (a language's figure "1 234",
# its "2018 г.") is kept, so that pandoc does not break the line there.
WHITESPACE = re.compile(r"[^\S\u00a0\u202f]+|\s{2,}")


class Trusted(str):
    """Markdown built by the program from validated pieces; printed without escaping."""


def escape(value: Any) -> str:
    """Escape one value so that pandoc's Markdown reader returns exactly its text.

    Whitespace runs (newlines included) become one space, so a value can never start a line
    and so never a heading, list, quote, table or code block; a single no-break space stays.

    >>> escape("*bold* [x](y) #1")
    '\\\\*bold\\\\* \\\\[x\\\\]\\\\(y\\\\) \\\\#1'
    """
    if isinstance(value, Trusted):
        return str(value)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = WHITESPACE.sub(" ", str(value)).strip()
    return _PUNCT.sub(r"\\\1", text)
