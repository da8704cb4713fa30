"""Hostile input, round 3 (issue 32): the cases that were broken or weak, each held here.

Figures draw data as text (no mathtext); the preview answers only its own host; verify refuses
a zip bomb before extracting; validation follows the Table Schema constraints; the authored text
stays inside the data folder.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pandas as pd

from coopdocs.compute import figures


def _svg_text(stem: Path, by_theme: pd.DataFrame, order) -> str:
    # Text as <text> elements (not glyph paths) so that the test can read what was drawn.
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        svg, _png = figures.theme_matrix(by_theme, order, stem, {"scale": "$n$ projects"})
    return svg.read_text(encoding="utf-8")


def test_theme_labels_and_names_are_drawn_as_text_not_math(tmp_path):
    labels = ["$α$", "$5 and $10", r"$\undefinedmacro$", r"a_b^c \frac{1}{2}"]
    by_theme = pd.DataFrame(
        [{"theme": t, "country_code": "AA", "count": i + 1} for i, t in enumerate(labels)]
    )
    svg = _svg_text(tmp_path / "themes", by_theme, [("AA", "$State$ \\alpha")])
    for text in [*labels, "$State$ \\alpha", "$n$ projects"]:
        escaped = text.replace("&", "&amp;").replace("<", "&lt;")
        assert escaped in svg, text
