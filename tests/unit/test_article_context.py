"""The review article's context (coopdocs.compute.article) on the two-state fixture package.

Expected values are counted here from the raw records with plain Python, not taken from the
tables code the article reads.
"""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from coopdocs.compute.article import (
    ARTICLE_FIGURES,
    ARTICLE_TABLES,
    article_context,
    article_provenance,
)
from coopdocs.compute.claims import claim_names
from coopdocs.compute.contexts import stated
from coopdocs.compute.selection import focus_frames, focus_states
from coopdocs.compute.tables import compute_tables
from coopdocs.load.strings import label, load_strings, word
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
        "short_title": "A review",  # no short title given: the title
        "audience": context["document"]["audience"],
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
    # The union's yearly programmes mentioning UNIDO or not, by year, from its instruments.
    md = [i for i in t["instruments"] if i["role"] == "union-programme"]
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
                kind = label(
                    WORDS, "instruments", "type", i["type"], org=context["org"]["short_name"]
                )
                expected.setdefault(kind, [0, 0, 0])[n] += 1
    assert {r["label"]: r["counts"] for r in matrix["rows"]} == expected
    # a row's sources are its instruments' (empty where the article gives no number: issue 18)
    assert all(r["total"] == sum(r["counts"]) for r in matrix["rows"])
    for row in matrix["rows"]:
        behind = {
            s
            for i in two_states.tables["instruments"]
            if label(WORDS, "instruments", "type", i["type"], org=context["org"]["short_name"])
            == row["label"]
            and set(stated(i, "countries")) & {"BY", "RU", "EAEU"}
            for s in i["sources"]
        }
        assert row["sources"] == sorted(behind), row["label"]
    assert [r["year"] for r in tables["union-programme"]["rows"]] == sorted(
        r["year"] for r in tables["union-programme"]["rows"]
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
    # The organisation's own offices and centres (owner), not the national ones it supports.
    assert {o["id"] for o in context["organisation"]["offices"]} == {
        o["id"] for o in t["offices"] if o["owner"] == "organisation"
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


def _stated_states(record, states):
    return [c for c in stated(record, "countries") if c in states]


def test_comparisons_rank_share_and_gap_are_counted_from_the_records(context, two_states):
    t = two_states.tables
    states = {c["code"]: c["name"] for c in t["countries"] if c["kind"] != "union"}
    measures = context["highlights"]["measures"]
    # Issue 28: instruments are those in force with the organisation as a party (agreements and
    # programmes), projects those under way or done, events occasions (one occasion, one count).
    counted = {
        "instruments": lambda r: (
            r["status"] == "actual"
            and r["role"] in ("organisation-agreement", "organisation-programme")
            and SETTINGS["organisation"] in r["parties"]
        ),
        "projects": lambda r: r["status"] == "actual",
        "events": lambda r: r["format"] == "gathering",
    }
    for table in ("instruments", "projects", "events"):
        rows = [r for r in t[table] if counted[table](r)]
        per = {
            name: len(
                {r.get("occasion") or r["id"] for r in rows if code in stated(r, "countries")}
            )
            for code, name in states.items()
        }
        behind = [r for r in rows if _stated_states(r, states)]
        m = measures[table]
        assert {r["name"]: r["count"] for r in m["rows"]} == per, table
        assert m["total"] == len(behind), table
        top, bottom = max(per.values()), min(per.values())
        assert (m["top"], m["bottom"], m["gap"]) == (top, bottom, top - bottom), table
        assert m["leaders"] == sorted(n for n, v in per.items() if v == top), table
        for row in m["rows"]:
            assert row["share"] == round(100 * row["count"] / len(behind)), (table, row)
            assert row["rank"] == 1 + sum(1 for v in per.values() if v > row["count"])
    # Russia: three own projects and one shared (5 behind them); Belarus: one own, the rest inferred.
    assert measures["projects"]["by_name"]["Russia"]["count"] == 4
    assert measures["projects"]["by_name"]["Belarus"] == {
        "name": "Belarus",
        "count": 1,
        "rank": 2,
        "share": 20,
        "tied": False,
    }
    outcomes = {
        name: sum(
            1
            for o in t["outcomes"]
            for p in t["projects"]
            if p["id"] == o["project"] and code in stated(p, "countries")
        )
        for code, name in states.items()
    }
    assert {r["name"]: r["count"] for r in measures["outcomes"]["rows"]} == outcomes
    assert {r["name"]: r["count"] for r in measures["roles"]["rows"]} == {
        name: sum(1 for r in t["roles"] if r["country"] == code) for code, name in states.items()
    }


def test_firsts_name_the_earliest_state_instrument_and_project(context, two_states):
    firsts = context["highlights"]["firsts"]
    assert firsts["since"] == [{"year": 1966, "name": "Russia"}, {"year": 1985, "name": "Belarus"}]
    assert firsts["span"] == 19
    t = two_states.tables
    with_org = [
        (int((i.get("date") or str(i.get("start_year") or ""))[:4]), i["title"])
        for i in t["instruments"]
        if "unido" in i["parties"]
        and any(c in ("BY", "RU") for c in stated(i, "countries"))
        and (i.get("date") or i.get("start_year"))
    ]
    assert (firsts["instrument"]["year"], firsts["instrument"]["title"]) == min(with_org)
    dated = [
        (p["start_year"], p["title"])
        for p in t["projects"]
        if p.get("start_year") and any(c in ("BY", "RU") for c in stated(p, "countries"))
    ]
    assert (firsts["project"]["year"], firsts["project"]["title"]) == min(dated)


def test_state_sections_group_terms_and_describe_shared_projects_once(context, two_states):
    by_name = {s["country"]["name"]: s for s in context["states"]}
    belarus, russia = by_name["Belarus"], by_name["Russia"]
    # one entry per body and role, its periods in order
    groups = {(g["body"], g["role"]): g["periods"] for g in belarus["role_groups"]}
    assert groups == {
        ("Industrial Development Board of UNIDO", "member"): ["1992–1995"],
        ("General Conference of UNIDO", "president"): ["2017"],
    }
    # a project of several states (or with inferred participation) is described in the shared
    # section and only named in the state's own
    shared = {p["id"] for p in context["regional"]["projects"]}
    assert "prj-reg-technology-foresight-cee-cis" in shared
    for section in (belarus, russia):
        assert not {p["id"] for p in section["own_projects"]} & shared
        assert {p["id"] for p in section["own_projects"]} | {
            p["id"] for p in section["shared_projects"]
        } == {p["id"] for p in section["projects"]}
    assert [p["id"] for p in russia["shared_projects"]] == ["prj-reg-technology-foresight-cee-cis"]
    # the key instruments are the state's instruments with the organisation, at most three
    for section in (belarus, russia):
        assert len(section["key_instruments"]) <= 3
        assert all("unido" in i["parties"] for i in section["key_instruments"])
        assert section["n_instruments_with_org"] + section["n_national_instruments"] == len(
            section["instruments"]
        )
        assert section["brief_title"] == word(
            WORDS, "documents.brief.title", country=section["country"]["name"], org="UNIDO"
        )
        assert section["position"]["projects"]["count"] == len(section["projects"])


def test_profile_roles_name_each_body_once_with_its_terms_grouped(context, two_states):
    """Table 2's roles cell: each body once, its terms in order (not the body in every term)."""
    t = two_states.tables
    names = {a["id"]: a["name"] for a in t["actors"]}
    rows = {r["country"]: r for r in context["tables"]["institutional-profile"]["rows"]}
    for code, name in (("BY", "Belarus"), ("RU", "Russia")):
        terms = sorted(
            (r for r in t["roles"] if r["country"] == code),
            key=lambda r: (r["start_year"] or 0, r["id"]),
        )
        bodies = [b["body"] for b in rows[name]["role_bodies"]]
        assert bodies == list(dict.fromkeys(names[r["body"]] for r in terms))
        assert sum(len(x["periods"]) for b in rows[name]["role_bodies"] for x in b["roles"]) == len(
            terms
        )


def test_role_bodies_group_several_terms_on_one_body():
    from coopdocs.compute.article import role_bodies

    groups = [
        {"body": "Board", "role": "member", "periods": ["1992–1995", "2000–2003"]},
        {"body": "Committee", "role": "member", "periods": ["2016–2017"]},
        {"body": "Board", "role": "president", "periods": ["2017"]},
    ]
    assert role_bodies(groups) == [
        {
            "body": "Board",
            "roles": [
                {"role": "member", "periods": ["1992–1995", "2000–2003"]},
                {"role": "president", "periods": ["2017"]},
            ],
        },
        {"body": "Committee", "roles": [{"role": "member", "periods": ["2016–2017"]}]},
    ]


def test_an_outcome_stated_as_a_bound_keeps_its_bound(context, two_states):
    """An outcome whose description states its figure as "more than" keeps those words."""
    bounded = {
        o["id"]
        for o in two_states.tables["outcomes"]
        if re.search(r"(?i)\bmore than \$?\d", o["description"]) and o["value"] is not None
    }
    assert bounded  # the fixture has such outcomes
    figures = {x["id"]: x for s in context["states"] for x in s["outcome_figures"]}
    assert bounded <= set(figures)
    for oid, x in figures.items():
        assert x["bound"] == ("more than" if oid in bounded else "")


def test_figure_bound_reads_the_strings_file():
    from coopdocs.compute.article import figure_bound

    assert figure_bound("More than 500 specialists were trained.", WORDS) == "more than"
    assert figure_bound("More than 500 specialists were trained.", None) == ""
    assert figure_bound("Trained more than planned: 500 specialists.", WORDS) == ""
    assert figure_bound("Four laboratories.", WORDS) == ""


def test_timeline_period_in_the_text_is_the_figure_s(context, frames):
    """The years the article gives for the timeline figure are those of its text alternative
    (both from the timeline's own rows, not from every record of the data)."""
    fig = context["figures"]["timeline"]
    years = []
    for r in frames["timeline"].rows:
        if r["kind"] == "project" and r.get("start_year") not in (None, ""):
            years += [int(r["start_year"]), int(r.get("end_year") or r["start_year"])]
        elif r["kind"] != "project" and r.get("year") not in (None, ""):
            years.append(int(r["year"]))
    assert fig["period"] == {"start": min(years), "end": max(years)}
    assert f"{min(years)}–{max(years)}" in fig["alt"]


def test_a_record_s_period_is_written_once_after_its_title(context):
    """No "(2021-12-23 (2021–2025))" and no "for 2013-2017 (2013–2017)": a record's ``when``
    is one date or period, and empty when its title already gives those years."""
    import re

    seen = 0

    def walk(node):
        nonlocal seen
        if isinstance(node, dict):
            if "when" in node and "title" in node:
                seen += 1
                assert "(" not in node["when"], node["when"]
                years = set(re.findall(r"\d{4}", node["when"]))
                assert not years or not years <= set(re.findall(r"\d{4}", node["title"])), node
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk({k: context[k] for k in ("organisation", "regional", "states", "union")})
    assert seen


@pytest.fixture(scope="module")
def markdown(context, two_states):
    """The review's Markdown rendered from the fixture's context, as the pipeline renders it."""
    from coopdocs.render.markdown import render

    meta = dict(META, authors=[{"name": "Editors", "affiliation": ""}], version="1")
    full = dict(context, meta=dict(context["meta"], **meta, date=BUILD["date"]))
    full["provenance"] = article_provenance(two_states, context, None)
    return render(ROOT / "templates", "article.md.j2", full)


def _paragraph(markdown: str, start: str) -> str:
    return next(p for p in markdown.split("\n\n") if p.startswith(start))


def test_review_words_figures_events_and_ranks_as_an_editor_would(markdown, two_states):
    text = markdown.replace("\\", "")
    # a figure stated as a bound keeps "more than"
    for o in two_states.tables["outcomes"]:
        if o["value"] is not None and re.search(r"(?i)\bmore than \$?\d", o["description"]):
            assert f"more than {o['value']:,.0f} {o['unit']}" in text
    # a date or period is never nested in parentheses
    assert "((" not in text and not __import__("re").search(r"\(\d{4}-\d\d-\d\d \(", text)
    # a span of events is named first and last, not in nested parentheses
    assert "three events between 2017 and 2021, from *First" in text
    # no rank for a count of nothing; two states are "of the two", not "among the two"
    russia = _paragraph(text, "[Against the other state, it comes")
    # instruments in force with the organisation only (issue 28): one each, a tie
    assert "first by projects (4) and jointly first by instruments (1); the study reports" in russia
    assert "no outcome for it." in russia and "Of the two states, Belarus ranks" in text
    assert "by recorded outcomes (0)" not in text and "Among the two" not in text
    # small counts in words, as in the rest of the review
    t = two_states.tables
    own = sum(p["origin"] == "author" for p in t["proposals"])
    derived = len(t["proposals"]) - own
    assert (own, derived) == (2, 1)  # the fixture's proposals
    assert "the author makes two proposals of their own, given in full" in text
    assert "One further suggestion is not proposed by the author" in text


def test_a_donor_s_projects_for_the_union_are_not_counted_as_a_state_s(context, two_states):
    union = context["union"]["country"]["name"]
    for d in context["highlights"]["donors"]:
        assert union not in d["recipients"]
    for s in context["states"]:
        names = {r for f in s["funds_elsewhere"] for r in f["recipients"]}
        assert s["funds_to"] == {
            "states": sorted(names - {union}),
            "union": union in names,
        }


def test_profile_programmes_give_a_period_only_where_the_title_does_not(context, two_states):
    programmes = {
        i["id"]: i
        for i in two_states.tables["instruments"]
        if i["type"] in ("framework-programme", "country-programme", "partnership-programme")
    }
    listed = [
        p for r in context["tables"]["institutional-profile"]["rows"] for p in r["programme_list"]
    ]
    assert len(listed) == sum(len(stated(i, "countries")) for i in programmes.values())
    titled = {i["title"]: i for i in programmes.values()}
    for p in listed:
        start = titled[p["title"]].get("start_year")
        if start and str(start) in p["title"]:
            assert p["when"] == "", p  # "Programme for 2013-2017", not "... (2013–2017)"


def test_shared_projects_and_contributions_read_as_sentences(markdown):
    text = markdown.replace("\\", "")
    shared = _paragraph(text, "The study names ")
    # each shared project once, by title, with whom it states and whom it only infers
    assert "- [*" not in text and ", inferred for " in shared
    assert "The study gives a contribution to UNIDO of " in text


def test_count_table_columns_are_as_wide_as_their_headings(markdown):
    """A pipe table's widths follow its separator's dashes: a state's column narrower than its
    name runs the names together in print ("BelarusKazakhstan")."""
    lines = markdown.splitlines()
    checked = 0
    for head, rule in zip(lines, lines[1:]):
        if head.startswith(("| Instrument type |", "| Thematic area |")):
            names = [c.strip() for c in head.strip("|").split("|")][1:-1]
            assert "\\" not in rule  # the dashes are markup, not escaped text
            widths = [len(c.strip()) for c in rule.strip("|").split("|")][1:-1]
            assert len(names) == len(widths)
            assert all(w >= max(len(n.replace("\\", "")), 5) for n, w in zip(names, widths))
            checked += 1
    assert checked == 2


def test_funding_section_names_every_funder_of_its_table_and_the_budgets(context, markdown):
    text = markdown.replace("\\", "")
    rows = context["tables"]["projects-by-funder"]["rows"]
    donors = {d["name"] for d in context["highlights"]["donors"]}
    others = {r["funder"] for r in rows} - donors
    assert {f["name"] for f in context["highlights"]["other_funders"]} == others
    funding = _paragraph(text, "Russia funds ")
    for name in others:
        assert name + " (in " in funding
    with_budget = [r for r in rows if r.get("budgets")]
    assert len(context["highlights"]["budgets"]) == len(with_budget)
    if not with_budget:
        assert "The study gives no budget for any of the funded projects." in funding


def test_terms_on_bodies_are_counted_with_their_noun(context, markdown, two_states):
    from coopdocs.render.language import count

    text = markdown.replace("\\", "")
    for r in context["highlights"]["measures"]["roles"]["rows"]:
        if r["count"]:
            n = sum(
                x["country"] == context_code(two_states, r["name"])
                for x in two_states.tables["roles"]
            )
            assert f"{r['name']} ({count(n, 'term', words=WORDS)})" in text


def context_code(package, name: str) -> str:
    return next(c["code"] for c in package.tables["countries"] if c["name"] == name)


def test_a_state_with_nothing_recorded_is_not_ranked_by_zeros():
    """On the invented package (tests/fixtures/iawc) some states have no project or instrument:
    the review says so instead of ranking them "fifth by projects (0)"."""
    from coopdocs.load.datapackage import load_package
    from coopdocs.render.markdown import render

    package = load_package(ROOT / "tests" / "fixtures" / "iawc", root=ROOT, claims=claim_names())
    keep, others = focus_states(package.tables, 12)
    frames = focus_frames(compute_tables(package.tables, WORDS), keep, others, WORDS)
    meta = dict(META, authors=[{"name": "Editors", "affiliation": ""}], version="1")
    settings = {"organisation": "iawc", "union": "NWU", "union_body": None}
    context = article_context(
        package, frames, meta, BUILD, settings, keep=keep, others=others, words=WORDS
    )
    context["meta"]["date"] = BUILD["date"]
    context["provenance"] = article_provenance(package, context, None)
    text = render(ROOT / "templates", "article.md.j2", context).replace("\\", "")
    assert "(0" not in text
    idle = [
        s["country"]["name"]
        for s in context["states"]
        if not (s["position"]["projects"]["count"] or s["position"]["instruments"]["count"])
    ]
    assert idle  # the fixture has such states
    for name in idle:
        assert f"The study reports no project, instrument or outcome for {name}." in text


# The builders of the context's parts (coopdocs.compute.article), each on the two-state fixture.


@pytest.fixture(scope="module")
def review(two_states, frames):
    """The review's inputs with a section for the first state only: the other is still counted."""
    from coopdocs.compute.article import review_inputs

    first = sorted(c["code"] for c in two_states.tables["countries"] if c["kind"] != "union")[0]
    return review_inputs(two_states, frames, SETTINGS, BUILD, [first], 1, WORDS)


def test_levels_count_every_member_state_not_only_those_with_a_section(review, two_states):
    from coopdocs.compute.article import levels_part

    levels = levels_part(review)
    members = [c for c in two_states.tables["countries"] if c["kind"] != "union"]
    assert len(review.states) == 1 and sorted(levels["states"]) == sorted(
        c["name"] for c in members
    )
    for c in members:
        projects = [
            p
            for p in two_states.tables["projects"]
            if c["code"] in stated(p, "countries") and (p.get("status") or "actual") == "actual"
        ]
        assert levels["states"][c["name"]]["projects"] == len(projects), c["name"]
    union = levels["union"]
    assert union["since"] == int(str(review.union_row["cooperation_since"])[:4])
    # every number is a claim in the register
    names = {c["name"] for c in review.claims.register}
    assert {"instruments_with_organisation", "projects_of", "events_of"} <= names


def test_a_state_section_gives_its_themes_as_the_theme_table_counts_them(review):
    from coopdocs.compute.article import state_measures, state_section

    measures = state_measures(review.claims, review.all_states)
    section = state_section(review, review.states[0], set(), measures)
    matrix = review.tables["projects-by-theme"]["matrix"]
    column = matrix["columns"].index(section["country"]["name"])
    counts = {row["label"]: row["counts"][column] for row in matrix["rows"]}
    assert section["themes"], counts
    named = {t["label"]: t["count"] for t in section["themes"]}
    assert all(counts[label] == n for label, n in named.items())
    # the highest first, and no theme left out that has as many as the last named
    assert max(named.values()) == max(counts.values())
    left_out = [n for label, n in counts.items() if label not in named]
    assert all(n < min(named.values()) for n in left_out)


def test_the_organisation_part_holds_only_records_tied_to_no_state(review, two_states):
    from coopdocs.compute.article import organisation_part

    part = organisation_part(review)
    expected = [i["id"] for i in two_states.tables["instruments"] if not i["countries"]]
    assert sorted(i["id"] for i in part["framework"]) == sorted(expected)
    assert all(not e["countries"] for e in part["events"])


def test_the_front_matter_takes_people_not_the_program_as_authors(review):
    from coopdocs.compute.article import front_matter

    front = front_matter(review, {"authors": [{"name": "A. Author"}]})
    assert front["meta"]["authors"] == [{"name": "A. Author", "affiliation": ""}]
    assert front["document"]["id"] == "review" and front["meta"]["title"]


def test_the_running_header_is_the_short_title_never_the_program():
    from coopdocs.render.metadata import document_metadata

    document = {"kind": "article", "title": "A long title: and its subtitle"}
    assert document_metadata({"document": document})["short-title"] == document["title"]
    short = dict(document, short_title="A short title")
    assert document_metadata({"document": short})["short-title"] == "A short title"
    typst = (ROOT / "templates" / "typst" / "document.typ").read_text(encoding="utf-8")
    header = typst[typst.index("header:") : typst.index("#set text(font:")]
    assert "$short-title$" in header and "coopdocs" not in header


def test_the_docx_running_header_is_the_short_title_field_never_the_program():
    import zipfile

    with zipfile.ZipFile(ROOT / "templates" / "docx" / "reference.docx") as z:
        headers = [z.read(n).decode("utf-8") for n in z.namelist() if "word/header" in n]
    assert any('DOCPROPERTY "short-title"' in h for h in headers)
    assert not any("coopdocs" in h for h in headers)
