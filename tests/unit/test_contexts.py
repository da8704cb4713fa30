"""Render contexts: the right records in each brief, resolved and sorted."""

from __future__ import annotations

from pathlib import Path

import pytest

from coopdocs.compute.contexts import (
    bibliography,
    brief_context,
    cited_sources,
    record_date,
    year_span,
)
from coopdocs.load.strings import load_strings
from coopdocs.tools.builddate import BuildInfoError, iso_date, parse_epoch, source_date_epoch

ROOT = Path(__file__).resolve().parents[2]

ORG = "unido"
BUILD = {"epoch": 1672358400, "date": "2022-12-30", "data_title": "t", "data_version": "1"}


def test_each_brief_holds_only_its_country(real_package):
    for country in real_package.tables["countries"]:
        ctx = brief_context(real_package, country["code"], BUILD, ORG)
        for key in ("instruments", "projects", "events"):
            for r in ctx[key]:
                assert country["code"] in r["countries"], (country["code"], r["id"])
        assert ctx["sources"] and all(s.startswith("ref") for s in ctx["sources"])
        assert ctx["document"]["slug"] == country["slug"]


def test_russia_funds_projects_in_other_member_states(real_package):
    russia = brief_context(real_package, "RU", BUILD, ORG)
    recipients = {name for f in russia["funds_elsewhere"] for name in f["recipients"]}
    assert {"Belarus", "Armenia"} <= recipients
    belarus = brief_context(real_package, "BY", BUILD, ORG)
    assert any("Russia" in f["donors"] for f in belarus["funded_by_others"])


def test_union_brief_has_its_yearly_programme_and_proposals(real_package):
    eaeu = brief_context(real_package, "EAEU", BUILD, ORG)
    years = {m["start_year"] or int(m["date"][:4]) for m in eaeu["union_programme"]}
    assert {2019, 2021, 2022} <= years
    assert len(eaeu["proposals"]) == len(real_package.tables["proposals"])
    assert [p["number"] for p in eaeu["proposals"]] == sorted(
        p["number"] for p in eaeu["proposals"]
    )


def test_inferred_participation_is_shown_apart_and_not_counted(real_package):
    belarus = brief_context(real_package, "BY", BUILD, ORG)
    assert "prj-eurasec-industrial-integration" in [p["id"] for p in belarus["inferred_projects"]]
    assert "prj-eurasec-industrial-integration" not in [p["id"] for p in belarus["projects"]]
    counted = {p for th in belarus["themes"] for p in th["projects"]}
    assert "prj-eurasec-industrial-integration" not in counted
    russia = brief_context(real_package, "RU", BUILD, ORG)
    eurasec = next(
        f for f in russia["funds_elsewhere"] if f["project"] == "prj-eurasec-industrial-integration"
    )
    assert eurasec["inferred"]
    assert not any(
        f["inferred"] for f in russia["funds_elsewhere"] if f["project"] == "prj-am-textile-phase-2"
    )


def test_union_brief_separates_the_author_s_proposals_and_gives_the_prerequisites(real_package):
    eaeu = brief_context(real_package, "EAEU", BUILD, ORG)
    assert len(eaeu["proposals_author"]) == 8 and len(eaeu["proposals_derived"]) == 6
    assert len(eaeu["prerequisites"]) == 5


def test_records_and_sources_lists_are_complete(real_package):
    ctx = brief_context(real_package, "KZ", BUILD, ORG)
    for p in ctx["projects"]:
        assert p["id"] in ctx["records"]
        assert set(p["sources"]) <= set(ctx["sources"])
    assert "KZ" in ctx["records"]


def test_bibliography_names_the_article_reference_number(real_package):
    words = load_strings(ROOT / "templates")
    ids = ["ref045", "ref106", "ref060", "ref061", "ref029"]
    items = {i["id"]: i for i in bibliography(real_package, ids, words)}
    assert items["ref045"]["container-title"] == "Cited as [45] in Shugurov (2022)"
    # No two entries read the same (issue 30): a number printed twice is given once and said so,
    # sources cited together name the others.
    assert items["ref106"]["container-title"] == (
        "Cited as [106] in Shugurov (2022), where the number is printed twice"
    )
    assert items["ref060"]["container-title"] == (
        "Cited together with reference 61 as [60; 61] in Shugurov (2022)"
    )
    assert items["ref061"]["container-title"] == (
        "Cited together with reference 60 as [60; 61] in Shugurov (2022)"
    )
    assert items["ref029"]["container-title"].startswith(
        "Cited together with references 28, 30 and 31 as [28"
    )
    assert items["shugurov2022"]["DOI"] == "10.7256/2454-0633.2022.4.39227"


def test_the_bibliography_holds_every_source_a_record_of_the_context_carries(real_package):
    # The review cites the first instrument of a state it sums under "Other states": that
    # record's sources are nowhere in the context's own list, only on the record (issue 32).
    context = {
        "sources": ["ref045"],
        "firsts": {"instrument": {"title": "t", "sources": ["ref106"]}, "project": None},
        "states": [{"roles": [{"sources": ["ref045", "ref001"]}]}],
        "other": {"sources": "ref002", "records": ["not-a-source"]},
    }
    assert cited_sources(real_package, context) == ["ref001", "ref045", "ref106"]
    ctx = brief_context(real_package, "KZ", BUILD, ORG)
    assert set(ctx["sources"]) <= set(cited_sources(real_package, ctx))


def test_periods_read_naturally():
    assert year_span(2013, 2017) == "2013–2017"
    assert record_date({"date": "2013", "start_year": 2013, "end_year": 2017}) == "2013–2017"
    assert (
        record_date({"date": "2021-12-23", "start_year": 2021, "end_year": 2025})
        == "2021-12-23 (2021–2025)"
    )


def test_source_date_epoch_is_checked(tmp_path):
    assert parse_epoch(" 1672358400 ") == 1672358400
    for bad in ("", "yesterday", "-5", "1.5"):
        with pytest.raises(BuildInfoError):
            parse_epoch(bad)
    assert source_date_epoch(tmp_path, 123, {"SOURCE_DATE_EPOCH": "42"}) == 42
    assert source_date_epoch(tmp_path, 123, {}) == 123  # not a git work tree: the fallback
    assert iso_date(0) == "1970-01-01"
