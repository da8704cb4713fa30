"""How wide a text is in the fonts the documents' readers set it in, from the fonts' own metrics.

The workbooks name Arial and the DOCX names Times New Roman; Excel and Word ship them, and
LibreOffice sets them in Liberation Sans and Liberation Serif, which have the same advance widths.
Those widths, every character each face maps, are in font_metrics.json beside this module,
generated from the font files by tools/make_font_metrics.py (fontTools) and committed: a build
measures the same on every machine, with or without the fonts installed.

A character the face does not map is measured as an em (the reader takes it from another font,
whose width is unknown here: an em is never too narrow).

The DOCX's tables and the workbooks' columns are fitted with the same two functions here: one
splitter (where a line may break: :func:`piece_spans`) and one fitter (how wide each column is:
:func:`fit_columns`).
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

METRICS_FILE = Path(__file__).with_name("font_metrics.json")
EM = 1000  # the metrics' unit: 1/1000 em
UNKNOWN = EM  # the width of a character the face does not map


@functools.cache
def _face(family: str, bold: bool) -> dict[int, int]:
    """Code point -> advance width (1/1000 em) of one face of ``family``."""
    faces = json.loads(METRICS_FILE.read_text(encoding="utf-8"))["faces"]
    if family not in faces:
        raise KeyError(f"no metrics for the font {family!r} (one of {', '.join(sorted(faces))})")
    widths: dict[int, int] = {}
    for first, *run in faces[family]["bold" if bold else "regular"]:
        widths.update(zip(range(first, first + len(run)), run))
    return widths


def advance(ch: str, family: str, bold: bool = False) -> int:
    """The advance width of the character ``ch`` in 1/1000 em."""
    return _face(family, bold).get(ord(ch), UNKNOWN)


def text_width(text: str, family: str, size: float, bold: bool = False) -> float:
    """The width of ``text`` set on one line in ``family`` at ``size`` points, in points: the sum
    of its characters' advance widths (kerning, which only narrows, left out)."""
    face = _face(family, bold)
    return sum(face.get(ord(ch), UNKNOWN) for ch in text) / EM * size


# A line may break after a space, after a hyphen before a letter, after an en or em dash, and
# after a slash before a letter (Unicode line breaking, UAX 14, as LibreOffice and Word apply
# it), and after the ';' that joins the IDs of a records or sources cell. A no-break space
# (before a record mark) joins what it separates.
_BREAK_AFTER = re.compile(r"(?<=[\u2013\u2014;])|(?<=[-/])(?=[^\W\d_])")
_WORD = re.compile(r"(?:\S|\u00a0)+")


def piece_spans(text: str) -> list[tuple[int, int]]:
    """Where each unbreakable piece of ``text`` starts and ends: its words, cut where a line may
    break inside one. A column narrower than its longest piece breaks a word mid-word."""
    spans: list[tuple[int, int]] = []
    for word in _WORD.finditer(text):
        cuts = [m.start() for m in _BREAK_AFTER.finditer(word.group())]
        cuts = [0, *(c for c in cuts if 0 < c < len(word.group())), len(word.group())]
        spans += [(word.start() + a, word.start() + b) for a, b in zip(cuts, cuts[1:])]
    return spans


def pieces(text: str) -> list[str]:
    """The unbreakable pieces of ``text`` (see :func:`piece_spans`)."""
    return [text[a:b] for a, b in piece_spans(text)]


def fit_columns(
    minimum: list[float], maximum: list[float], available: float, *, exact: bool
) -> list[float]:
    """Column widths for a table ``available`` wide, as a browser lays out an automatic table.

    ``minimum`` is each column's longest unbreakable piece, ``maximum`` its longest line. Every
    column at its widest when that fits; otherwise each at its narrowest plus a share of the room
    left in proportion to how much more it could use. ``exact`` (a document's table, as wide as
    the text): widths that fit are stretched in proportion to fill ``available``, and narrowest
    widths that do not fit are scaled down to it; otherwise (a sheet's columns) they are kept.
    """
    maximum = [max(a, b) for a, b in zip(minimum, maximum)]
    if sum(maximum) <= available:
        total = sum(maximum) or 1
        return [m * available / total for m in maximum] if exact else maximum
    if sum(minimum) <= available:
        spare = available - sum(minimum)
        wants = [b - a for a, b in zip(minimum, maximum)]
        total = sum(wants) or 1
        return [a + spare * w / total for a, w in zip(minimum, wants)]
    total = sum(minimum) or 1
    return [m * available / total for m in minimum] if exact else list(minimum)
