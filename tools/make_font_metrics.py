"""Regenerate src/coopdocs/tools/font_metrics.json, the advance widths of the fonts the documents'
readers set their text in, from the font files themselves (fontTools).

Run:  .venv/bin/python tools/make_font_metrics.py [FONT_DIR]
FONT_DIR defaults to Debian's fonts-liberation (/usr/share/fonts/truetype/liberation), the
package .ci/run installs. The result is committed, so a build measures the same widths on every
machine whether or not the fonts are installed (same inputs, same bytes); tests/unit/
test_text_metrics.py checks it against the font files where they are installed.

The faces: Liberation Sans (metric-compatible with Arial, the workbooks' font) and Liberation
Serif (with Times New Roman, the DOCX's), regular and bold. Each width is in 1/1000 em, rounded,
as in an AFM file; the characters are every one the face maps, as runs of consecutive code
points: ``[first, width, width, ...]``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "coopdocs" / "tools" / "font_metrics.json"
FONT_DIR = Path("/usr/share/fonts/truetype/liberation")
# The family the documents name -> the file of each face of its metric-compatible stand-in.
FACES = {
    "Arial": {"regular": "LiberationSans-Regular.ttf", "bold": "LiberationSans-Bold.ttf"},
    "Times New Roman": {
        "regular": "LiberationSerif-Regular.ttf",
        "bold": "LiberationSerif-Bold.ttf",
    },
}


def face_widths(path: Path) -> dict[int, int]:
    """Every mapped character of a font file and its advance width in 1/1000 em."""
    font = TTFont(str(path))
    per_em = font["head"].unitsPerEm
    metrics = font["hmtx"]
    return {
        code: round(metrics[glyph][0] * 1000 / per_em)
        for code, glyph in sorted(font.getBestCmap().items())
    }


def runs(widths: dict[int, int]) -> list[list[int]]:
    """The widths as runs of consecutive code points, each ``[first, width, ...]``."""
    out: list[list[int]] = []
    for code in sorted(widths):
        if out and out[-1][0] + len(out[-1]) - 1 == code:
            out[-1].append(widths[code])
        else:
            out.append([code, widths[code]])
    return out


def font_version(path: Path) -> str:
    """The font's own version string (name ID 5)."""
    return str(TTFont(str(path))["name"].getDebugName(5))


def metrics(font_dir: Path) -> dict:
    """The metrics file's content from the fonts in ``font_dir``."""
    faces, sources = {}, {}
    for family, files in FACES.items():
        faces[family] = {style: runs(face_widths(font_dir / name)) for style, name in files.items()}
        sources[family] = {name: font_version(font_dir / name) for name in files.values()}
    return {"units_per_em": 1000, "sources": sources, "faces": faces}


def main(argv: list[str]) -> int:
    """Write the metrics file from the fonts in ``argv[0]`` (or Debian's fonts-liberation)."""
    font_dir = Path(argv[0]) if argv else FONT_DIR
    text = json.dumps(metrics(font_dir), sort_keys=True, separators=(",", ":"))
    OUT.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)} from {font_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
