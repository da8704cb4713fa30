"""The overview figures of the tables stage, drawn only when what they show changed."""

from __future__ import annotations

import json
from pathlib import Path

from coopdocs.compute.spreadsheets import frame_text
from coopdocs.compute.tables import Frame
from coopdocs.tools.cache import Store, digest
from coopdocs.tools.files import atomic_output

EXTENSIONS = (".svg", ".png")


# The columns each figure of coopdocs.compute.figures draws from: the cache key covers these only,
# so an edit of a title or a source (which the tables carry, the figures do not show) does not
# draw the figure again (matplotlib's import and drawing, ~1-2 s of compute_tables).
DRAWN_COLUMNS = {
    "timeline_overview": ["country_code", "kind", "year", "record_id", "start_year", "end_year"],
    "theme_matrix": ["theme", "country_code", "count"],
}


def cached_figure(stem: Path, cache_dir: Path | None, kind: str, frame: Frame, order: list) -> None:
    """Draw the overview figure ``kind`` (a function of coopdocs.compute.figures) to ``stem``.svg/.png.

    The figure is looked up first in ``cache_dir`` under a digest of exactly what it draws (the
    table's drawn columns (:data:`DRAWN_COLUMNS`) with their values' types, the order of the states, the drawing code, matplotlib's,
    numpy's and pandas' versions), one verified entry per format (coopdocs.tools.cache): an edit
    that leaves the figure's data alone (a description, a date inside the same year) then costs
    neither the ~1 s import of matplotlib nor the drawing. The files are byte-identical either
    way; a damaged, swapped or foreign entry is a miss and the figure is drawn again.
    """
    targets = [stem.with_suffix(ext) for ext in EXTENSIONS]
    store = Store(cache_dir, ".entry") if cache_dir is not None else None
    keys = []
    if store is not None:
        drawn = Frame(DRAWN_COLUMNS[kind], [{c: row[c] for c in DRAWN_COLUMNS[kind]} for row in frame.rows])
        base = digest("figure", kind, frame_text(drawn), json.dumps(order), code=[Path(__file__).parent / "figures.py"],
                      libraries=["matplotlib", "numpy", "pandas"])
        keys = [digest(base, ext) for ext in EXTENSIONS]
        cached = [store.get(key) for key in keys]
        if all(data is not None for data in cached):
            for data, target in zip(cached, targets):
                with atomic_output(target) as tmp:
                    tmp.write_bytes(data)
            return
    # matplotlib (with pandas) costs ~1 s to import: only when the figure is not in the cache.
    from coopdocs.compute import figures

    getattr(figures, kind)(figures.data_frame(frame), order, stem)
    if store is not None:
        for key, target in zip(keys, targets):
            store.put(key, target.read_bytes())
