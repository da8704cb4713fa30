"""The review article's context (coopdocs.compute.article) on the two-state fixture package.

Expected values are counted here from the raw records with plain Python, not taken from the
tables code the article reads.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from coopdocs.compute.article import ARTICLE_FIGURES, ARTICLE_TABLES, article_context
from coopdocs.compute.contexts import stated
from coopdocs.compute.selection import focus_frames, focus_states
from coopdocs.compute.tables import compute_tables
from coopdocs.load.strings import load_strings, word
from locations import ROOT

BUILD = {"epoch": 1672358400, "date": "2022-12-30", "data_title": "t", "data_version": "1"}
META = {"title": "A review", "subtitle": "of two states"}
# The config as resolve_settings checks it (issue 16): the organisation, the union and its body.
SETTINGS = {"organisation": "unido", "union": "EAEU", "union_body": "eec"}
WORDS = load_strings(ROOT / "templates")


@pytest.fixture(scope="module")
def frames(two_states):
    return compute_tables(two_states.tables, WORDS)


@pytest.fixture(scope="module")
def context(two_states, frames):
    keep, others = focus_states(two_states.tables, 12)
    return article_context(
        two_states,
        focus_frames(frames, keep, others, WORDS),
        META,
        BUILD,
        SETTINGS,
        keep=keep,
        others=others,
        words=WORDS,
    )


def test_one_section_per_member_state_and_the_union(context, two_states):
    assert context["document"] == {
        "kind": "article",
        "id": "review",
        "title": "A review",
        "subtitle": "of two states",
    }
    assert [s["country"]["name"] for s in context["states"]] == ["Belarus", "Russia"]
    assert context["union"]["country"]["code"] == "EAEU"
    assert context["focus"] == {"shown": 2, "others": 0, "total": 2}
    assert context["org"]["short_name"] or context["org"]["name"]
    assert context["union_body"]["id"] == "eec"
    t = two_states.tables
    for section in context["states"]:
        code = section["country"]["code"]
        for table in ("instruments", "projects", "events"):
            # inferred participation is shown apart and never counted (issue 18)
            expected = {r["id"] for r in t[table] if code in stated(r, "countries")}
            assert {r["id"] for r in section[table]} == expected, (code, table)
        assert section["n_outcomes"] == sum(
            1 for o in t["outcomes"] if o["project"] in {p["id"] for p in section["projects"]}
        )
    # Belarus alone has roles on UNIDO's bodies, Russia alone contributions.
    by_name = {s["country"]["name"]: s for s in context["states"]}
    assert len(by_name["Belarus"]["roles"]) == 2 and by_name["Russia"]["roles"] == []
    assert (
        len(by_name["Russia"]["contributions"]) == 2 and by_name["Belarus"]["contributions"] == []
    )


def test_numbers_in_the_prose_are_counted_from_the_records(context, two_states):
    t = two_states.tables
    stats = context["stats"]
    assert stats["states"] == ["Belarus", "Russia"] and stats["n_states"] == 2
    for key in ("instruments", "projects", "events", "outcomes", "proposals", "sources", "actors"):
        assert stats[f"n_{key}"] == len(t[key]), key
    years = [
        int((r.get("date") or str(r.get("start_year") or ""))[:4])
        for table in ("instruments", "projects", "events")
        for r in t[table]
        if r.get("date") or r.get("start_year")
    ]
    assert (stats["first_year"], stats["last_year"]) == (min(years), max(years))
    assert stats["uncited_sources"] == []  # the fixture cites every source it keeps

    high = context["highlights"]
    per_state = {
        c["name"]: sum(1 for p in t["projects"] if c["code"] in stated(p, "countries"))
        for c in t["countries"]
        if c["kind"] != "union"
    }
    top = sorted(per_state.items(), key=lambda kv: (-kv[1], kv[0]))[0]
    # the leaders, all of them when tied (issue 16): here one
    assert high["most_projects"] == {"name": top[0], "names": [top[0]], "count": top[1]}
    themes = Counter(th for p in t["projects"] for th in p["themes"])
    assert high["themes_used"] == len(themes) and high["top_theme"]["count"] == max(themes.values())
    # Russia's government funds projects in Belarus: Russia is the only donor.
    assert [d["name"] for d in high["donors"]] == ["Russia"]
    assert "Belarus" in high["donors"][0]["recipients"] and high["donors"][0]["sources"]
    # The Main Directions mentioning UNIDO or not, by year, from the union's instruments.
    md = [i for i in t["instruments"] if i["type"] == "main-directions"]
    assert len(high["md_yes"]) + len(high["md_no"]) == len(md) == 3
    # Russia (1966, as the USSR's successor) cooperates with UNIDO longest, Belarus since 1985.
    assert high["earliest"] == ("1966", "Russia") and high["latest"] == ("1985", "Belarus")


def test_tables_and_figures_are_numbered_in_reading_order(context, two_states):
    tables = context["tables"]
    # captions from the strings file (issue 16), the organisation's name filled in
    assert [(tables[tid]["number"], tables[tid]["caption"]) for tid in ARTICLE_TABLES] == [
        (n, word(WORDS, f"article_tables.{tid}", org=context["org"]["short_name"]))
        for n, tid in enumerate(ARTICLE_TABLES, start=1)
    ]
    assert all(tables[tid]["caption"] for tid in ARTICLE_TABLES)
    assert [context["figures"][fid]["number"] for fid in ARTICLE_FIGURES] == [1, 2]
    assert context["figures"]["timeline"]["id"] == "fig-timeline"

    matrix = tables["legal-basis"]["matrix"]
    assert matrix["columns"] == ["Belarus", "Russia", "EAEU"]
    expected: dict[str, list[int]] = {}
    for i in two_states.tables["instruments"]:
        for n, code in enumerate(["BY", "RU", "EAEU"]):
            if code in stated(i, "countries"):
                expected.setdefault(i["type"].replace("-", " "), [0, 0, 0])[n] += 1
    assert {r["label"]: r["counts"] for r in matrix["rows"]} == expected
    # a row's sources are its instruments' (empty where the article gives no number: issue 18)
    assert all(r["total"] == sum(r["counts"]) for r in matrix["rows"])
    for row in matrix["rows"]:
        behind = {
            s
            for i in two_states.tables["instruments"]
            if i["type"].replace("-", " ") == row["label"]
            and set(stated(i, "countries")) & {"BY", "RU", "EAEU"}
            for s in i["sources"]
        }
        assert row["sources"] == sorted(behind), row["label"]
    assert [r["year"] for r in tables["main-directions"]["rows"]] == sorted(
        r["year"] for r in tables["main-directions"]["rows"]
    )


def test_organisation_framework_and_the_records_and_sources_lists(context, two_states):
    t = two_states.tables
    framework = context["organisation"]["framework"]
    assert [i["id"] for i in framework] == [i["id"] for i in t["instruments"] if not i["countries"]]
    assert all(
        "when" in r and "_line" not in r for r in framework + context["organisation"]["events"]
    )
    assert [e["id"] for e in context["organisation"]["events"]] == sorted(
        e["id"] for e in t["events"] if not e["countries"]
    )
    assert {o["id"] for o in context["organisation"]["offices"]} == {
        o["id"] for o in t["offices"] if "promotion" in o["type"]
    }
    assert [p["number"] for p in context["proposals"]] == sorted(
        p["number"] for p in t["proposals"]
    )

    records = set(context["records"])
    assert {p["id"] for p in t["proposals"]} <= records
    for section in context["states"]:
        assert {r["id"] for r in section["projects"] + section["instruments"]} <= records
    known = {s["id"] for s in t["sources"]}
    assert set(context["sources"]) <= known and context["sources"] == sorted(context["sources"])
    for r in framework + context["proposals"]:
        assert set(r["sources"]) <= set(context["sources"]), r["id"]
    assert [w["id"] for w in context["citing_works"]] == [p["id"] for p in t["publications"]]
    json.dumps(context)  # written as JSON by the tables job


def test_with_fewer_sections_than_states_counts_still_cover_every_state(two_states, frames):
    keep, others = ["BY", "EAEU"], 1
    context = article_context(
        two_states,
        focus_frames(frames, keep, others, WORDS),
        META,
        BUILD,
        SETTINGS,
        keep=keep,
        others=others,
        words=WORDS,
    )
    assert [s["country"]["name"] for s in context["states"]] == ["Belarus"]
    assert context["focus"] == {"shown": 1, "others": 1, "total": 2}
    assert context["tables"]["legal-basis"]["matrix"]["columns"] == [
        "Belarus",
        "Other states (1)",
        "EAEU",
    ]
    assert context["stats"]["n_states"] == 2 and context["stats"]["states"] == ["Belarus", "Russia"]
    assert [
        d["name"] for d in context["highlights"]["donors"]
    ] == []  # Russia has no section of its own


def test_digest_ignores_the_build_date_but_not_the_data(two_states, frames, context):
    keep, others = focus_states(two_states.tables, 12)
    shown = focus_frames(frames, keep, others, WORDS)
    later = article_context(
        two_states,
        shown,
        META,
        dict(BUILD, date="2031-01-01", epoch=1924992000),
        SETTINGS,
        keep=keep,
        words=WORDS,
    )
    assert later["data_digest"] == context["data_digest"]
    retitled = article_context(
        two_states,
        shown,
        dict(META, title="Another title"),
        BUILD,
        SETTINGS,
        keep=keep,
        words=WORDS,
    )
    assert retitled["data_digest"] != context["data_digest"]
