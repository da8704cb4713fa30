"""The review's section builders (coopdocs.compute.article_sections), each on a small fixture."""

from __future__ import annotations

import ast
import doctest
import inspect
import re

import coopdocs.compute.article as article
import coopdocs.compute.article_sections as sections
from coopdocs import layout
from coopdocs.compute.article_sections import (
    VARIANTS,
    answers,
    by_role,
    events_span,
    evidence_limits,
    outline,
    ranks,
    state_view,
    union_and_states,
    union_instruments,
)
from locations import ROOT

AGREEMENT = {"role": "organisation-agreement", "title": "A"}
PROGRAMME = {"role": "organisation-programme", "title": "P"}
OWN = {"role": "state-document", "title": "O"}


def test_the_builders_examples_hold():
    assert doctest.testmod(sections).failed == 0


def test_outline_numbers_only_the_sections_shown():
    o = outline({"states": ["a"], "comparison": ["profiles"]})
    assert (o["bilateral"], o["state"], o["shared"], o["comparison"], o["conclusion"]) == (
        "2",
        {"a": "2.1"},
        None,
        "3",
        "4",
    )
    assert "union" not in o and "organisation" not in o and o["sub"] == {"profiles": "3.1"}


def test_by_role_counts_plans_apart_from_what_is_in_force():
    planned = dict(PROGRAMME, status="planned")
    assert by_role([AGREEMENT, planned, OWN, {"role": "multilateral"}]) == {
        "with": 1,
        "planned": 1,
        "own": 1,
        "organisation": 0,
        "multilateral": 1,
        "total": 4,
    }


def test_ranks_leave_out_a_measure_with_nothing_and_name_the_leaders_below_the_top():
    measures = {m: {"top": 4, "leaders": ["B"]} for m in ("projects", "instruments", "outcomes")}
    position = {
        "projects": {"rank": 2, "tied": False, "count": 1},
        "instruments": {"rank": 1, "tied": True, "count": 4},
        "outcomes": {"rank": 2, "tied": False, "count": 0},
    }
    r = ranks(position, measures)
    assert [(x["measure"], x["top"], x["leaders"]) for x in r["ranked"]] == [
        ("projects", 4, ["B"]),
        ("instruments", None, []),
    ]
    assert r["missing"] == ["outcomes"]


def test_events_span_of_one_dated_event_has_no_last():
    span = events_span([{"date": "2019-05-01", "title": "X"}, {"date": None, "title": "Y"}])
    assert span["n"] == 2 and span["dated"] == 1 and span["last"] is None


def _state(name, instruments, projects=0, events=0):
    return {
        "country": {"name": name, "slug": name.lower()},
        "instruments": instruments,
        "projects": [{}] * projects,
        "events": [{"date": "2020-01-01", "title": "E"}] * events,
        "position": {
            m: {"rank": 1, "tied": False, "count": 1, "share": 50}
            for m in ("projects", "instruments", "outcomes")
        },
        "outcome_figures": [],
        "funded_by_others": [],
        "funds_elsewhere": [],
        "offices": [],
        "inferred_projects": [],
        "inferred_events": [{}],
    }


HIGHLIGHTS = {
    "measures": {
        m: {"top": 1, "leaders": ["A"], "total": 2} for m in ("projects", "instruments", "outcomes")
    },
    "firsts": {"since": [{"name": "A", "year": 1990}, {"name": "B", "year": 2000}]},
    "n_compared": 2,
}


def test_state_views_rotate_their_phrasing_so_no_frame_opens_more_than_two_of_five():
    views = [state_view(_state(n, [AGREEMENT]), i, HIGHLIGHTS) for i, n in enumerate("ABCDE")]
    variants = [v["variant"] for v in views]
    assert VARIANTS == 3 and variants == [0, 1, 2, 0, 1]
    assert max(variants.count(v) for v in set(variants)) <= 2
    b = views[1]
    assert b["began"]["year"] == 2000 and b["began"]["after"] == 10 and b["inferred"] == 1
    assert [i["title"] for i in b["key"]] == ["A"] and b["basis"]["with"] == 1


def test_union_and_states_compare_the_union_level_with_every_member_state_in_numbers():
    union = {"with": 1, "planned": 1, "own": 1, "instruments": 3, "projects": 1, "events": 1}
    union["since"] = 2014
    # Three member states, although only two might have a section of their own: the medians
    # are over all of them.
    states = {
        "A": {"with": 3, "projects": 4, "events": 2},
        "B": {"with": 1, "projects": 2, "events": 4},
        "C": {"with": 0, "projects": 3, "events": 3},
    }
    since = HIGHLIGHTS["firsts"]["since"]
    r = union_and_states(union, states, since)
    assert r["with"] == {"union": 1, "median": 1, "max": 3, "min": 0}
    assert (r["planned"], r["own"], r["states_with"], r["n_states"]) == (1, 1, 4, 3)
    assert (r["projects"], r["states_projects"]["median"], r["events"], r["states_events"]) == (
        1,
        3,
        1,
        3,
    )
    assert (r["since"], r["years_after_first"], r["years_after_last"]) == (2014, 24, 14)
    assert r["below_median"] == ["projects", "events"]
    assert r["states_without_fewer"] == ["C"]
    assert union_and_states(None, states, since) is None
    measures = {
        "projects": {"total": 6},
        "outcomes": {"total": 2},
        "instruments": {"rows": [{"count": n} for n in (3, 1, 0)]},
    }
    a = answers(measures, r)
    assert (a["with"], a["with_min"], a["with_max"], a["union"]) == (4, 0, 3, r)


def test_union_instruments_sort_agreements_plans_reviews_and_own_documents():
    u = union_instruments(
        [
            {"type": "yearly", "role": "union-programme", "relation": "general"},
            dict(AGREEMENT, type="statement"),
            {"type": "review", "role": "organisation-document"},
            {"type": "concept", "role": "union-document", "relation": "general"},
        ]
    )
    assert u["besides_union_programme"] and len(u["general"]) == 3
    assert [len(u[k]) for k in ("agreements", "planned", "organisation", "own", "named")] == [
        1,
        0,
        1,
        1,
        0,
    ]


def test_evidence_limits_count_inference_flags_plans_and_missing_references():
    tables = {
        "projects": [{"countries_inferred": ["A"], "sources": []}, {"status": "proposed"}],
        "contributions": [{"flag": "implausible", "sources": ["r1"]}],
    }
    assert evidence_limits(tables) == {
        "inferred": 1,
        "implausible": 1,
        "unsourced": 1,
        "not_in_force": 1,
    }


def test_no_builder_of_the_article_is_over_sixty_lines():
    for module in (article, sections):
        tree = ast.parse(inspect.getsource(module))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                length = node.end_lineno - node.lineno + 1
                assert length <= 60, (module.__name__, node.name, length)


def test_the_article_templates_compute_nothing_with_set():
    # Every language's article templates (templates/ and each folder with its own strings file,
    # templates/ru/): words belong in the strings file, computation in the context.
    base = ROOT / "templates"
    folders = [base, *sorted(p.parent for p in base.glob(f"*/{layout.STRINGS}"))]
    assert len(folders) > 1
    for folder in folders:
        files = [folder / "article.md.j2", *sorted((folder / "partials" / "article").glob("*.j2"))]
        files = [f for f in files if f.is_file()]
        assert len(files) > 5, folder
        for path in files:
            text = path.read_text(encoding="utf-8")
            assert not re.search(r"{%-?\s*set\b", text), path.relative_to(base)
