"""A state's timeline figure, drawn by Typst inside the brief's own build job.

The figure shows what the brief's context holds: each dated project as a bar from its start to its
end year, and the instruments and events of each year as marks. It is drawn by the Typst template
``templates/typst/timeline.typ`` (the data goes in as JSON through ``sys.inputs``, so data is
never Typst code) and compiled twice: SVG for HTML and PDF, a 200 ppi PNG for DOCX. Drawing it here
instead of with matplotlib costs ~30 ms a figure instead of ~0.3 s plus a 1 s import, which is
what lets each brief be one light job (see docs/performance.md).

Standard library only at module level; Typst (coopdocs.tools.typst) is imported by the caller that compiles.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

from coopdocs.load.grammar import counted, join_list, named
from coopdocs.load.strings import Words, word


def record_year(record: dict[str, Any]) -> int | None:
    """The year a record is placed at on a time line: its date's year, else its start year.

    Here, not in compute.contexts (which the other stages use): a brief's job imports this module
    alone, and contexts' imports were a tenth of that job's start.

    >>> record_year({"date": "2018-04-27", "start_year": 2016}), record_year({"start_year": 2016})
    (2018, 2016)
    """
    date = record.get("date")
    if date:
        return int(str(date)[:4])
    start = record.get("start_year")
    return int(start) if start is not None else None


# Characters of a project title on one line of its lane label (2.35 in at 8 pt holds ~50 of
# Libertinus Serif's; fewer, so that Typst's own wrapping never needs more lines than counted).
# A title is never cut: a long one takes more lines, and its lane grows (templates/typst/timeline.typ).
LABEL_WIDTH = 46


def _ticks(first: float, last: float) -> list[int]:
    """Whole years for the grid: a step of 1, 2, 5, 10 … years, at most ~12 lines."""
    span = max(last - first, 1)
    for step in (1, 2, 5, 10, 20, 25, 50, 100):
        if span / step <= 12:
            break
    start = int(-(-first // step) * step)
    return list(range(start, int(last) + 1, step))


# The mark lanes: the kind of record, its table in the context, its lane's label in the strings.
MARK_LANES = (("instrument", "instruments", "◆"), ("event", "events", "●"))


def _year_counts(records: list[dict]) -> dict[int, int]:
    """How many of ``records`` each year holds (undated ones left out)."""
    counts: dict[int, int] = {}
    for r in records:
        year = record_year(r)
        if year is not None:
            counts[year] = counts.get(year, 0) + 1
    return counts


def figure_data(context: dict[str, Any], words: Words | None = None) -> dict[str, Any]:
    """What the timeline of the brief ``context`` draws: lanes, project bars, marks and the x range.

    A kind of mark (instruments, events) has a lane only when the brief dates one such record:
    an empty "Events" row read as a figure that failed to draw them.
    ``words``: the strings file (the figure's title and lane names, ``figures.brief_timeline``).
    """
    country = context["country"]
    projects = sorted(
        (p for p in context.get("projects", []) if p.get("start_year") is not None),
        key=lambda p: (int(p["start_year"]), p["id"]),
    )
    marks, labels = [], []
    years: list[int] = [int(p["start_year"]) for p in projects]
    for kind, key, default in MARK_LANES:
        counts = _year_counts(context.get(key, []))
        if not counts:
            continue
        lane = len(labels)
        labels.append(word(words, f"figures.brief_timeline.{key}", default))
        years += list(counts)
        marks += [
            {"lane": lane, "kind": kind, "year": year + 0.45, "count": n}
            for year, n in sorted(counts.items())
        ]
    bars, ends = [], []
    for lane, p in enumerate(projects, start=len(labels)):
        start = int(p["start_year"])
        end = int(p["end_year"]) if p.get("end_year") is not None else start
        ends.append(end)
        bars.append({"lane": lane, "start": start, "end": end + 0.9})
    if years:
        x0, x1 = min(years) - 1, max(max(years), max(ends, default=0)) + 2
        ticks = _ticks(x0 + 0.5, x1 - 0.5)
    else:  # nothing dated: an empty frame without years (the brief does not show it)
        x0, x1, ticks = 0, 1, []
    return {
        "title": word(words, "figures.brief_timeline.title", "{country}", country=country["name"]),
        "lanes": labels + [p["title"] for p in projects],
        # Lines of each lane's label: the marks' lanes one, a project's as its title wraps.
        "lines": [1] * len(labels)
        + [len(textwrap.wrap(p["title"], LABEL_WIDTH)) or 1 for p in projects],
        "bars": bars,
        "marks": marks,
        "x0": x0,
        "x1": x1,
        "ticks": ticks,
    }


def describe(context: dict[str, Any], words: Words | None = None) -> str:
    """What the timeline of the brief ``context`` shows, in words (its text alternative).

    The words come from the strings file (``words``, keys ``alt.brief_timeline`` and ``alt.nouns``);
    counts and lists follow its ``language`` section (coopdocs.load.grammar).

    >>> from pathlib import Path
    >>> from coopdocs.load.strings import load_strings
    >>> words = load_strings(Path(__file__).parents[3] / "templates")
    >>> describe({"country": {"name": "Kazakhstan"}, "projects": [{"id": "p", "title": "P", "start_year": 2020,
    ...           "end_year": 2027}], "instruments": [{"date": "2011-05-01"}], "events": []}, words)
    'Timeline of 1 instrument and 1 project of Kazakhstan, 2011–2027.'
    """
    projects = [p for p in context.get("projects", []) if p.get("start_year") is not None]
    years = [int(p["start_year"]) for p in projects]
    years += [int(p["end_year"]) for p in projects if p.get("end_year") is not None]
    counts = []
    for noun, key, _ in MARK_LANES:
        dated = [record_year(r) for r in context.get(key, [])]
        dated = [y for y in dated if y is not None]
        years += dated
        counts.append((len(dated), counted(words, noun, len(dated))))
    counts.append((len(projects), counted(words, "project", len(projects))))
    # A kind the figure does not draw is not listed ("0 events"), unless it draws nothing.
    counts = [text for n, text in counts if n] or [text for _, text in counts]
    span = (
        word(words, "alt.brief_timeline.span", "", start=min(years), end=max(years))
        if years
        else word(words, "alt.brief_timeline.undated")
    )
    return word(
        words,
        "alt.brief_timeline.text",
        counts=join_list(counts, words=words),
        country=named(context["country"], words=words),
        span=span,
    )


def draw(
    context: dict[str, Any],
    template: Path,
    svg: Path,
    png: Path,
    ppi: int = 200,
    words: Words | None = None,
) -> None:
    """Draw the timeline of the brief ``context`` with the Typst ``template`` to ``svg`` and ``png``.

    Both files are written atomically (see :func:`coopdocs.tools.files.atomic_output`). The template is
    compiled in an isolated root holding only itself, with system fonts ignored.
    """
    from coopdocs.tools.files import atomic_output
    from coopdocs.tools.typst import typst_compile

    data = json.dumps(figure_data(context, words), sort_keys=True, ensure_ascii=False)
    outputs = {
        fmt: typst_compile(
            template, target, name="timeline.typ", format=fmt, sys_inputs={"data": data}, **extra
        )
        for fmt, target, extra in (("svg", svg, {}), ("png", png, {"ppi": ppi}))
    }
    for fmt, target in (("svg", svg), ("png", png)):
        with atomic_output(target) as tmp:
            tmp.write_bytes(outputs[fmt])
