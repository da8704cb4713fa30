"""The overview figures of the tables stage, drawn only when what they show changed."""

from __future__ import annotations

import json
from pathlib import Path

from coopdocs.compute.spreadsheets import frame_text
from coopdocs.compute.tables import Frame
from coopdocs.load.grammar import counted, join_list
from coopdocs.load.strings import Words, word
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


def cached_figure(
    stem: Path,
    cache_dir: Path | None,
    kind: str,
    frame: Frame,
    order: list,
    labels: dict[str, str] | None = None,
    used: set[Path] | None = None,
) -> None:
    """Draw the overview figure ``kind`` (a function of coopdocs.compute.figures) to ``stem``.svg/.png.

    The figure is looked up first in ``cache_dir`` under a digest of exactly what it draws (the
    table's drawn columns (:data:`DRAWN_COLUMNS`) with their values' types, the order of the states,
    the ``labels`` it draws (the strings file's words), the drawing code, matplotlib's,
    numpy's and pandas' versions), one verified entry per format (coopdocs.tools.cache): an edit
    that leaves the figure's data alone (a description, a date inside the same year) then costs
    neither the ~1 s import of matplotlib nor the drawing. The files are byte-identical either
    way; a damaged, swapped or foreign entry is a miss and the figure is drawn again. The
    entries' paths are added to ``used``.
    """
    targets = [stem.with_suffix(ext) for ext in EXTENSIONS]
    store = Store(cache_dir, ".entry") if cache_dir is not None else None
    keys = []
    labels = labels or {}
    if store is not None:
        drawn = Frame(
            DRAWN_COLUMNS[kind], [{c: row[c] for c in DRAWN_COLUMNS[kind]} for row in frame.rows]
        )
        base = digest(
            "figure",
            kind,
            frame_text(drawn),
            json.dumps(order),
            json.dumps(labels, sort_keys=True, ensure_ascii=False),
            code=[Path(__file__).parent / "figures.py"],
            libraries=["matplotlib", "numpy", "pandas"],
        )
        keys = [digest(base, ext) for ext in EXTENSIONS]
        if used is not None:
            used.update(store.path(key) for key in keys)
        cached = [store.get(key) for key in keys]
        if all(data is not None for data in cached):
            for data, target in zip(cached, targets):
                with atomic_output(target) as tmp:
                    tmp.write_bytes(data)
            return
    # matplotlib (with pandas) costs ~1 s to import: only when the figure is not in the cache.
    from coopdocs.compute import figures

    getattr(figures, kind)(figures.data_frame(frame), order, stem, labels)
    if store is not None:
        for key, target in zip(keys, targets):
            store.put(key, target.read_bytes())


# Text alternatives: what each figure shows, worded from the data it is drawn from, for readers who
# cannot see it (HTML alt, the DOCX picture's description). Counted as the drawing code counts.


def _year(value) -> int | None:
    try:
        return None if value in (None, "") or value != value else int(value)
    except (TypeError, ValueError):
        return None


def _timeline_marks(frame: Frame) -> tuple[dict[str, int], list[int]]:
    """What the all-states timeline draws: marks per kind, and every year a mark or bar reaches
    (a project from its first to its last year)."""
    kinds = {"instrument": 0, "event": 0, "project": 0}
    years: list[int] = []
    for row in frame.rows:
        kind = row.get("kind")
        if kind == "project":
            start = _year(row.get("start_year"))
            if start is None:
                continue
            kinds[kind] += 1
            years += [start, _year(row.get("end_year")) or start]
        elif kind in kinds and _year(row.get("year")) is not None:
            kinds[kind] += 1
            years.append(_year(row.get("year")))
    return kinds, years


def timeline_period(frame: Frame) -> dict[str, int] | None:
    """The years the all-states timeline spans, first and last (None when nothing is dated): the
    one computation behind its text alternative and the article's words about it.

    >>> timeline_period(Frame(["kind", "year", "start_year", "end_year"], [
    ...     {"kind": "instrument", "year": 1989},
    ...     {"kind": "project", "year": 2022, "start_year": 2022, "end_year": 2026}]))
    {'start': 1989, 'end': 2026}
    """
    _, years = _timeline_marks(frame)
    return {"start": min(years), "end": max(years)} if years else None


def describe_timeline_overview(
    frame: Frame, order: list[tuple[str, str]], words: Words | None = None
) -> str:
    """The all-states timeline (coopdocs.compute.figures.timeline_overview) in words.

    The words come from the strings file (``words``, keys ``alt.timeline`` and ``alt.nouns``);
    its period is :func:`timeline_period`.
    """
    kinds, _ = _timeline_marks(frame)
    period = timeline_period(frame)
    names = [name for code, name in order if any(r.get("country_code") == code for r in frame.rows)]
    counts = join_list([counted(words, kind, n) for kind, n in kinds.items()], words=words)
    span = word(words, "alt.timeline.span", "", **period) if period else ""
    states = join_list(names, words=words) or word(words, "alt.timeline.no_state")
    return word(words, "alt.timeline.text", "", counts=counts, states=states, span=span)


def describe_theme_matrix(
    frame: Frame, order: list[tuple[str, str]], words: Words | None = None
) -> str:
    """The themes × states heat map (coopdocs.compute.figures.theme_matrix) in words.

    The words come from the strings file (``words``, keys ``alt.themes-by-state`` and ``alt.nouns``);
    counts and lists follow its ``language`` section (coopdocs.load.grammar).
    """
    counts: dict[tuple[str, str], int] = {}
    for row in frame.rows:
        n = _year(row.get("count")) or 0
        key = (str(row.get("theme")), str(row.get("country_code")))
        counts[key] = counts.get(key, 0) + n
    names = dict(order)
    themes = sorted({t for (t, _), n in counts.items() if n})
    states = [names[c] for c, _ in order if any(n for (t, cc), n in counts.items() if cc == c)]
    if not themes:
        return word(words, "alt.themes-by-state.empty")
    (theme, code), top = max(counts.items(), key=lambda kv: (kv[1], kv[0][0], kv[0][1]))
    return word(
        words,
        "alt.themes-by-state.text",
        areas=counted(words, "thematic_area", len(themes)),
        states=join_list(states, words=words),
        top=top,
        theme=theme,
        state=names.get(code, code),
    )
