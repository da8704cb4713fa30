"""What keeps large builds bounded: the aggregate documents' focus on the most active states, and
each brief's timeline figure drawn by Typst from the brief's own context.

The expected values are recomputed here from the raw records with plain Python, not with the
pandas code under test.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

import synthetic
from coopdocs.compute.claims import claim_names
from coopdocs.compute.contexts import brief_context
from coopdocs.compute.selection import OTHER, focus_frames, focus_states
from coopdocs.compute.tables import compute_tables
from coopdocs.compute.tables_document import build_document_context
from coopdocs.compute.timeline import draw, figure_data, record_year
from coopdocs.load.datapackage import load_package
from coopdocs.load.strings import load_strings

ROOT = Path(__file__).resolve().parents[2]
ORG = "unido"
BUILD = {"epoch": 0, "date": "1970-01-01", "data_title": "t", "data_version": "1"}


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    folder = tmp_path_factory.mktemp("data")
    synthetic.generate(folder, 30, seed=5)
    return load_package(folder, claims=claim_names())


def _activity(t: dict) -> Counter:
    counts: Counter = Counter()
    for table in ("instruments", "projects", "events"):
        for r in t[table]:
            for code in set(r["countries"]):
                counts[code] += 1
    return counts


def test_focus_keeps_the_most_active_states_and_the_union(package):
    t = package.tables
    keep, others = focus_states(t, 12)
    states = [c for c in t["countries"] if c["kind"] != "union"]
    union = [c["code"] for c in t["countries"] if c["kind"] == "union"]
    assert others == len(states) - 12 == 18
    assert keep[-len(union) :] == union and len(keep) == 12 + len(union)
    activity = _activity(t)
    kept_least = min(activity[c] for c in keep[:12])
    dropped_most = max(activity[c["code"]] for c in states if c["code"] not in keep)
    assert kept_least >= dropped_most
    assert focus_states(t, 30) == ([c["code"] for c in states] + union, 0)
    assert focus_states(t, None)[1] == 0


def test_focused_tables_sum_the_other_states_and_drop_their_rows(package):
    t = package.tables
    keep, others = focus_states(t, 12)
    frames = focus_frames(compute_tables(t), keep, others)
    assert (
        set(keep[:12]) <= set(frames["institutional-profile"].column("country_code")) <= set(keep)
    )
    assert set(frames["timeline"].column("country_code")) <= set(keep)
    # Instruments by type of the states not kept, counted from the raw records (those in force:
    # issue 28, a plan is not part of the legal basis).
    expected: Counter = Counter()
    for i in t["instruments"]:
        if i["status"] != "actual":
            continue
        for code in set(i["countries"]):
            if code not in keep:
                expected[i["type"]] += 1
    other = frames["legal-basis"].where(lambda r: r["country_code"] == OTHER)
    got = {row["instrument_type"]: int(row["count"]) for row in other.rows if int(row["count"])}
    assert got == {k: v for k, v in expected.items() if v}
    assert set(other.column("records")) == {""} and set(other.column("sources")) == {""}


def test_tables_document_shows_kept_states_and_an_other_column(package):
    t = package.tables
    keep, others = focus_states(t, 12)
    words = load_strings(ROOT / "templates")
    frames = focus_frames(compute_tables(t, words), keep, others, words)
    context = build_document_context(frames, t, BUILD, keep, others, words=words)
    assert context["focus"] == {"shown": 12, "others": 18, "total": 30}
    by_id = {x["id"]: x for x in context["tables"]}
    columns = by_id["legal-basis"]["matrix"]["columns"]
    assert "Other states (18)" in columns and len(columns) == 12 + 1 + 1
    dropped = {c["code"] for c in t["countries"]} - set(keep)
    # Instruments and events of the states not kept are not listed (projects may be: one that a
    # kept state funds elsewhere is part of that state's profile).
    dropped_records = {
        r["id"]
        for table in ("instruments", "events")
        for r in t[table]
        if r["countries"] and set(r["countries"]) <= dropped
    }
    assert dropped_records and not dropped_records & set(context["records"])


def test_timeline_figure_data_comes_from_the_brief(package):
    t = package.tables
    code = max(_activity(t).items(), key=lambda kv: (kv[1], kv[0]))[0]
    context = brief_context(package, code, BUILD, ORG)
    data = figure_data(context)
    dated = [p for p in t["projects"] if code in p["countries"] and p.get("start_year") is not None]
    kinds = {m["kind"] for m in data["marks"]}
    assert len(data["lanes"]) == len(kinds) + len(dated) and len(data["bars"]) == len(dated)
    assert sorted(b["start"] for b in data["bars"]) == sorted(p["start_year"] for p in dated)
    # Every title whole (issue 30: labels never truncated); a long one takes more lines.
    assert set(data["lanes"][len(kinds) :]) == {p["title"] for p in dated}
    assert len(data["lines"]) == len(data["lanes"]) and min(data["lines"]) >= 1
    marks = Counter()
    for m in data["marks"]:
        marks[m["kind"]] += m["count"]
    for kind, table in (("instrument", "instruments"), ("event", "events")):
        assert marks[kind] == sum(
            1 for r in t[table] if code in r["countries"] and record_year(r) is not None
        )
    years = [b["start"] for b in data["bars"]] + [m["year"] for m in data["marks"]]
    assert data["x0"] < min(years) and data["x1"] > max(b["end"] for b in data["bars"])


def test_timeline_figure_is_drawn_the_same_every_time(tmp_path):
    context = json.loads(
        json.dumps(
            {
                "country": {"name": "Ruritania <b>&amp;"},
                "projects": [
                    {
                        "id": "p1",
                        "title": 'A "quoted" #project [with] $markup$',
                        "start_year": 2015,
                        "end_year": 2018,
                    }
                ],
                "instruments": [
                    {"id": "i1", "date": "2016-03-01"},
                    {"id": "i2", "start_year": 2016},
                ],
                "events": [],
            }
        )
    )
    template = ROOT / "templates" / "typst" / "timeline.typ"
    draw(context, template, tmp_path / "a.svg", tmp_path / "a.png")
    draw(context, template, tmp_path / "b.svg", tmp_path / "b.png")
    assert (tmp_path / "a.svg").read_bytes() == (tmp_path / "b.svg").read_bytes()
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()
    assert (tmp_path / "a.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "a.svg").read_text(encoding="utf-8").lstrip().startswith("<svg")
    data = figure_data(context)
    # No event is dated: no "Events" lane; the project's lane follows the instruments'.
    assert data["lanes"][1] == 'A "quoted" #project [with] $markup$'  # data stays text
    assert len(data["lanes"]) == 2 and data["bars"][0]["lane"] == 1
    assert data["marks"] == [{"lane": 0, "kind": "instrument", "year": 2016.45, "count": 2}]
