"""Overview figures drawn with matplotlib: the timeline of all states and the themes × states matrix.

Each brief's own timeline is drawn by Typst in the brief's job (coopdocs.compute.timeline).

Deterministic by construction: the Agg backend, matplotlib's bundled DejaVu fonts, a fixed SVG
hash salt, no date or software stamp in SVG or PNG metadata, and data sorted by explicit keys.
Each figure is written as SVG (HTML and PDF) and as a 200 dpi PNG (DOCX).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402 - after selecting the backend
import pandas as pd  # noqa: E402

from coopdocs.tools.files import atomic_output  # noqa: E402

# Marks of the timeline; their legend words come from the strings file (figures.timeline.<kind>).
KIND_STYLE = {
    "instrument": {"marker": "D", "color": "#c55a11"},
    "event": {"marker": "o", "color": "#548235"},
}
PROJECT_COLOUR = "#8eaadb"

plt.rcParams.update(
    {
        "svg.hashsalt": "coopdocs",  # stable element ids in SVG
        "svg.fonttype": "path",  # glyphs as paths: the SVG looks the same without the fonts installed
        "font.family": "DejaVu Sans",
        "font.size": 8,
        "axes.edgecolor": "#666666",
        "axes.titlesize": 9,
        # Every label is data (a state's name, a theme's label) or the strings file's words: text,
        # never mathtext ('$5 and $10' is two amounts, '$\\undefined$' is no error).
        "text.parse_math": False,
    }
)


def data_frame(frame) -> pd.DataFrame:
    """A :class:`coopdocs.compute.tables.Frame` as the pandas DataFrame the drawing code reshapes."""
    return pd.DataFrame(frame.rows, columns=frame.columns)


def save(fig, stem: Path) -> list[Path]:
    """Write ``stem``.svg and ``stem``.png without timestamps; return both paths."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    written = []
    for ext, kwargs in (
        (".svg", {"metadata": {"Date": None, "Creator": None}}),
        (".png", {"dpi": 200, "metadata": {"Software": None}}),
    ):
        target = stem.with_suffix(ext)
        with atomic_output(target) as tmp:
            fig.savefig(tmp, format=ext[1:], bbox_inches="tight", **kwargs)
        written.append(target)
    plt.close(fig)
    return written


def _project_rows(projects: pd.DataFrame) -> pd.DataFrame:
    """Projects with a start year, with a drawable end (a single year is drawn as one year)."""
    p = projects.copy()
    p["end"] = p["end_year"].fillna(p["start_year"]).astype(int)
    p["start"] = p["start_year"].astype(int)
    return p


def _timeline_lane(ax, rows: pd.DataFrame, lane: int) -> None:
    """One state's lane of the overview timeline: its projects as bars from start to end, stacked
    within the lane, and its instruments and events as marks sized by their number in the year."""
    projects = _project_rows(rows[(rows["kind"] == "project") & rows["start_year"].notna()])
    n = max(len(projects), 1)
    for k, (_, p) in enumerate(projects.sort_values(["start", "record_id"]).iterrows()):
        y = lane - 0.32 + 0.64 * (k + 0.5) / n
        ax.plot(
            [p["start"], p["end"] + 0.9],
            [y, y],
            color=PROJECT_COLOUR,
            linewidth=max(1.0, 9.0 / n),
            solid_capstyle="butt",
        )
    for kind, style in KIND_STYLE.items():
        counts = rows[rows["kind"] == kind].groupby("year").size()
        ax.scatter(
            counts.index + (0.3 if kind == "instrument" else 0.65),
            [lane] * len(counts),
            s=12 + 10 * counts.values,
            marker=style["marker"],
            color=style["color"],
            zorder=3,
            edgecolors="white",
            linewidths=0.5,
        )


def _timeline_legend(ax, labels: dict[str, str]) -> None:
    """The overview timeline's legend under the plot, in ``labels``' words."""
    handles = [
        plt.Line2D([], [], color=PROJECT_COLOUR, linewidth=5, label=labels.get("project", ""))
    ]
    handles += [
        plt.Line2D(
            [], [], linestyle="", marker=s["marker"], color=s["color"], label=labels.get(kind, "")
        )
        for kind, s in KIND_STYLE.items()
    ]
    ax.legend(
        handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=3, frameon=False
    )


def timeline_overview(
    timeline: pd.DataFrame,
    order: list[tuple[str, str]],
    stem: Path,
    labels: dict[str, str] | None = None,
) -> list[Path]:
    """All states: projects as bars from start to end, instruments and events as marks.

    ``labels``: the legend's words (keys ``project``, ``instrument``, ``event``). With nothing
    dated the figure is an empty frame (the documents then do not show it).
    """
    labels = labels or {}
    lanes = max(len(order), 1)
    fig, ax = plt.subplots(figsize=(7.2, 0.62 * lanes + 1.3))
    for lane, (code, _name) in enumerate(order):
        _timeline_lane(ax, timeline[timeline["country_code"] == code], lane)
    ax.set_yticks(range(len(order)), [name for _, name in order])
    ax.invert_yaxis()
    years = timeline["year"].dropna().astype(int)
    if len(years):
        ends = timeline["end_year"].dropna()
        ax.set_xlim(years.min() - 1, max(years.max(), int(ends.max()) if len(ends) else 0) + 2)
    ax.grid(axis="x", color="#dddddd", linewidth=0.5)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)
    _timeline_legend(ax, labels)
    return save(fig, stem)


def theme_matrix(
    by_theme: pd.DataFrame,
    order: list[tuple[str, str]],
    stem: Path,
    labels: dict[str, str] | None = None,
) -> list[Path]:
    """Themes × states: a heat map of project counts with the count in each cell.

    Themes in the table's order (by collation of their labels); ``labels["scale"]``: the colour
    bar's word. With no project the figure is an empty frame (the documents then do not show it).
    """
    labels = labels or {}
    codes = [c for c, _ in order]
    if by_theme.empty:
        fig, ax = plt.subplots(figsize=(7.2, 1.2))
        ax.set_axis_off()
        return save(fig, stem)
    themes = list(dict.fromkeys(by_theme["theme"]))
    wide = (
        by_theme.pivot_table(index="theme", columns="country_code", values="count", aggfunc="sum")
        .reindex(columns=codes)
        .fillna(0)
    )
    wide = wide.reindex(index=themes)
    wide = wide[wide.sum(axis=1) > 0]
    if wide.empty:
        fig, ax = plt.subplots(figsize=(7.2, 1.2))
        ax.set_axis_off()
        return save(fig, stem)
    fig, ax = plt.subplots(figsize=(7.2, 0.3 * len(wide) + 1.2))
    image = ax.imshow(wide.values, cmap="Blues", aspect="auto", vmin=0)
    for (i, j), value in pd.DataFrame(wide.values).stack().items():
        if value:
            ax.text(
                j,
                i,
                f"{int(value)}",
                ha="center",
                va="center",
                fontsize=7,
                color="white" if value > wide.values.max() * 0.6 else "black",
            )
    ax.set_xticks(range(len(codes)), [n for _, n in order])
    ax.set_yticks(range(len(wide)), list(wide.index))
    ax.tick_params(length=0)
    fig.colorbar(image, ax=ax, fraction=0.03, pad=0.02, label=labels.get("scale", ""))
    return save(fig, stem)
