"""The overview figures of the tables stage, drawn only when what they show changed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from coopdocs.compute.tables import Frame
from coopdocs.compute.spreadsheets import to_csv_text
from coopdocs.tools.cache import cache_key
from coopdocs.tools.files import atomic_output


# The columns each figure of coopdocs.compute.figures draws from: the cache key covers these only,
# so an edit of a title or a source (which the tables carry, the figures do not show) does not
# draw the figure again (matplotlib's import and drawing, ~1-2 s of compute_tables).
DRAWN_COLUMNS = {
    "timeline_overview": ["country_code", "kind", "year", "record_id", "start_year", "end_year"],
    "theme_matrix": ["theme", "country_code", "count"],
}


def cached_figure(stem: Path, cache_dir: Path | None, kind: str, frame: Frame, order: list,
                  labels: dict[str, str] | None = None) -> None:
    """Draw the overview figure ``kind`` (a function of coopdocs.compute.figures) to ``stem``.svg/.png.

    The figure is looked up first in ``cache_dir`` under a digest of exactly what it draws (the
    table's drawn columns, :data:`DRAWN_COLUMNS`, the order of the states, the ``labels`` it draws
    (the strings file's words), the drawing code and matplotlib's version): an edit that leaves
    the figure's data alone (a description, a date inside the same year) then costs neither the
    ~1 s import of matplotlib nor the drawing. The files are bytes-identical either way.
    """
    drawn = Frame(DRAWN_COLUMNS[kind], [{c: row[c] for c in DRAWN_COLUMNS[kind]} for row in frame.rows])
    labels = labels or {}
    key = cache_key("matplotlib", Path(__file__).parent / "figures.py", kind, to_csv_text(drawn), json.dumps(order),
                    json.dumps(labels, sort_keys=True, ensure_ascii=False))
    name = f"{kind}-{key}"
    cached = [cache_dir / f"{name}{ext}" for ext in (".svg", ".png")] if cache_dir else []
    targets = [stem.with_suffix(ext) for ext in (".svg", ".png")]
    if cached and all(c.is_file() for c in cached):
        for c, target in zip(cached, targets):
            with atomic_output(target) as tmp:
                shutil.copyfile(c, tmp)
        return
    # matplotlib (with pandas) costs ~1 s to import: only when the figure is not in the cache.
    from coopdocs.compute import figures

    getattr(figures, kind)(figures.data_frame(frame), order, stem, labels)
    if cache_dir is not None:
        for c, target in zip(cached, targets):
            with atomic_output(c) as tmp:
                shutil.copyfile(target, tmp)
