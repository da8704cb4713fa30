"""Issue 35: the review of a package with more member states than ``detailed_states_max`` stays
bounded. Its sections name the states shown one by one; every list that grew with the number of
states (the rankings of section 5, the organisation's offices of section 2, the provenance
appendix) names those states and counts the others. Rendered from synthetic packages of N and 2N
states (benchmarks/synthetic.py); the expected counts are recomputed here from the context's
full rankings and the raw records.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import synthetic
from coopdocs.compute.article import article_context, article_provenance
from coopdocs.compute.claims import claim_names
from coopdocs.compute.selection import focus_frames, focus_states
from coopdocs.compute.tables import compute_tables
from coopdocs.load.datapackage import load_package
from coopdocs.load.strings import load_strings
from coopdocs.render.markdown import render

ROOT = Path(__file__).resolve().parents[2]
WORDS = load_strings(ROOT / "templates")
BUILD = {"epoch": 0, "date": "1970-01-01", "data_title": "t", "data_version": "1"}
SETTINGS = {"organisation": "unido", "union": "EAEU", "union_body": "eec"}
SHOWN = 12
META = {"version": "1.0", "date": "2022-12-30"}  # the checked config's article: block


def review(folder: Path, n: int) -> tuple[dict, str, dict]:
    """The context, Markdown and tables of the review of a synthetic package of ``n`` states."""
    synthetic.generate(folder, n, seed=3)
    package = load_package(folder, claims=claim_names())
    keep, others = focus_states(package.tables, SHOWN)
    frames = focus_frames(compute_tables(package.tables, WORDS), keep, others, WORDS)
    context = article_context(
        package, frames, META, BUILD, SETTINGS, keep=keep, others=others, words=WORDS
    )
    context["provenance"] = article_provenance(package, context, None)
    return context, render(ROOT / "templates", "article.md.j2", context), package.tables


@pytest.fixture(scope="module")
def reviews(tmp_path_factory):
    return {n: review(tmp_path_factory.mktemp(f"s{n}"), n) for n in (30, 60)}


def size(md: str) -> dict[str, int]:
    """What grows with a document: its words, citations, record marks and provenance entries."""
    return {
        "words": len(md.split()),
        "citations": len(re.findall(r"@ref\d+", md)),
        "marks": md.count("{.record-id}"),
        "entries": md.count("{#prov-"),
    }


def test_twice_the_states_grow_the_review_by_a_small_margin(reviews):
    small, large = size(reviews[30][1]), size(reviews[60][1])
    for what in small:
        # 30 more states: what stays is the part of the records not tied to one state
        # (regional projects, funders), not the states' own lists.
        assert large[what] <= 1.3 * small[what], (what, small, large)


def test_rankings_name_the_states_shown_and_count_the_others(reviews):
    context, md, t = reviews[60]
    shown = {s["country"]["name"] for s in context["states"]}
    rank = context["highlights"]["measures"]["projects"]["by_name"]
    rest = [v["count"] for name, v in rank.items() if name not in shown]
    sentence = re.search(r"\[By projects, the states rank (.*?)\]\{", md).group(1)
    named = re.findall(r"(\w+) \((\d+)\)", sentence)
    assert {n for n, _ in named} <= shown and len(named) >= len(shown) - 2
    assert all(rank[n]["count"] == int(c) for n, c in named)
    some = [n for n in rest if n]
    if len(some) == len(rest):
        expected = f"the other {len(rest)} states have {min(some)} to {max(some)} each"
    else:
        expected = f"of the other {len(rest)} states"
    assert expected in sentence.replace("\\", "")


def test_offices_of_the_other_states_are_counted_where_they_are_listed(reviews):
    context, md, t = reviews[60]
    shown = {s["country"]["code"] for s in context["states"]}
    own = [o for o in t["offices"] if o.get("owner") == "organisation"]
    rest = [o for o in own if o["country"] and o["country"] not in shown]
    states = len({o["country"] for o in rest})
    text = md.replace("\\", "")
    assert f"Another {len(rest)} offices and centres stand in {states} of the other states" in text
    listed = re.search(r"reach the region: (.*?)\n", md).group(1)
    assert listed.count("[@") == len(own) - len(rest)


def test_provenance_lists_what_it_shows_and_counts_the_rest(reviews):
    context, md, t = reviews[60]
    linked = set(re.findall(r"\(#prov-([^ )]+)", md))
    listed = set(re.findall(r"\{#prov-([^ }]+)", md))
    assert linked <= listed  # every mark finds its entry
    assert set(context["detailed_records"]) & set(context["records"]) <= listed
    rest = len(context["records"]) - len(listed)
    assert rest > 0
    assert f"The other {rest:,} records" in md.replace("\\", "")


def test_projects_shared_only_by_other_states_are_counted(reviews):
    context, md, t = reviews[60]
    shown = {s["country"]["code"] for s in context["states"]}
    states = {c["code"] for c in t["countries"] if c["kind"] != "union"}
    only_others = [
        p
        for p in t["projects"]
        if len(set(p["countries"]) | set(p["countries_inferred"])) > 1 or p["countries_inferred"]
        if (set(p["countries"]) | set(p["countries_inferred"])) <= states - shown
    ]
    described = set(re.findall(r"\(#prov-(prj-reg-[^ )]+)", md))
    assert not described & {p["id"] for p in only_others}
    assert f"describe {len(only_others)} projects" in md.replace("\\", "")


def test_the_abstract_names_the_states_shown_among_all(reviews):
    context, md, t = reviews[60]
    abstract = re.search(r"\*\*Abstract\.\*\*(.*)", md).group(1)
    shown = [s["country"]["name"] for s in context["states"]]
    assert "its 60 member states (among them " in abstract
    assert all(name in abstract for name in shown)
    others = [c["name"] for c in t["countries"] if c["kind"] != "union" and c["name"] not in shown]
    assert not [n for n in others if re.search(rf"\b{n}\b", abstract)]


def test_the_provenance_list_is_the_contexts_not_read_from_the_markdown(reviews):
    """The records the appendix lists one by one come from the context (the parts shown and the
    records their claims mark, coopdocs.compute.article.linked_records): the rendered text plays
    no part, and every mark it prints still finds its entry."""
    context, md, t = reviews[60]
    listed = [e["id"] for e in context["provenance"]["records"]]
    assert set(listed) == set(context["detailed_records"]) & set(context["records"])
    assert context["provenance"]["unlisted"] == len(context["records"]) - len(listed)
    assert set(re.findall(r"\(#prov-([^ )]+)", md)) <= set(listed)


def test_a_review_of_every_state_has_the_same_keys_and_sums_nothing(tmp_path):
    """Below the bound the templates read the same keys (no fallbacks in them): the rankings
    with no other states, nothing summed, every record listed."""
    context, md, t = review(tmp_path, SHOWN - 2)
    assert context["focus"]["others"] == 0 and "detailed_records" not in context
    assert context["summed"] == {
        "offices": {"n": 0, "states": 0},
        "regional": {"projects": 0, "events": 0},
        "budget_marks": False,
    }
    for m, rank in context["highlights"]["ranked"].items():
        assert rank["rest"]["key"] is None and rank["rest"]["n"] == 0
        named = [r["name"] for r in context["highlights"]["measures"][m]["rows"] if r["count"]]
        assert [r["name"] for r in rank["rows"]] == named
    assert context["provenance"]["unlisted"] == 0
    assert len(context["provenance"]["records"]) == len(context["records"])
    assert "summed as" not in md.replace("\\", "")
