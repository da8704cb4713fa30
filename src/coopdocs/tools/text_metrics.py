"""How wide a text is in the fonts the documents' readers set it in, from the fonts' own metrics.

The workbooks name Arial and the DOCX names Times New Roman; Excel and Word ship them, and
LibreOffice sets them in Liberation Sans and Liberation Serif, which have the same advance widths.
Those widths, every character each face maps, are in font_metrics.json beside this module,
generated from the font files by tools/make_font_metrics.py (fontTools) and committed: a build
measures the same on every machine, with or without the fonts installed.

A character the face does not map is measured as an em (the reader takes it from another font,
whose width is unknown here: an em is never too narrow).
"""

from __future__ import annotations

import functools
import json
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
