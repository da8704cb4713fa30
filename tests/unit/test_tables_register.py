"""The comparative-tables document describes each record once and refers to it from every cell.

On the two-state fixture package (tests/fixtures/two-states), which holds projects of both states,
projects whose states are all inferred and one with a state stated and another inferred.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from coopdocs import layout
from coopdocs.compute.claims import claim_names
from coopdocs.compute.contexts import stated
from coopdocs.compute.tables import compute_tables
from coopdocs.compute.tables_document import build_document_context
from coopdocs.load.datapackage import load_package
from coopdocs.load.strings import load_strings

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "two-states"
BUILD = {"epoch": 0, "date": "1970-01-01", "data_title": "t", "data_version": "1"}


@pytest.fixture(scope="module")
def context():
    package = load_package(FIXTURE, claims=claim_names())
    words = load_strings(ROOT / "templates")
    context = build_document_context(
        compute_tables(package.tables, words), package.tables, BUILD, words=words
    )
    return package.tables, context


def _table(context, table_id):
    return next(t for t in context["tables"] if t["id"] == table_id)


@pytest.mark.parametrize(
    ("table_id", "records", "prefix"),
    [(layout.PROJECTS_BY_THEME, "projects", "P"), (layout.LEGAL_BASIS, "instruments", "I")],
)
def test_each_record_is_described_once_and_each_cell_refers_to_it(
    context, table_id, records, prefix
):
    t, ctx = context
    table = _table(ctx, table_id)
    register = table["register"]
    labels = [e["label"] for e in register]
    # One entry per record, labelled in order of first mention.
    assert len({e["id"] for e in register}) == len(register)
    assert labels == [f"{prefix}{n}" for n in range(1, len(register) + 1)]
    mentioned = [
        x for row in table["matrix"]["rows"] for c in row["refs"] for x in c["refs"] + c["inferred"]
    ]
    assert list(dict.fromkeys(mentioned)) == labels
    by_label = {e["label"]: e for e in register}
    names = {c["code"]: c["name"] for c in t["countries"]}
    for row in table["matrix"]["rows"]:
        counts = dict(zip(table["matrix"]["columns"], row["counts"], strict=True))
        for cell in row["refs"]:
            # A state's count is the records its cell refers to as counted, never the inferred.
            assert cell["count"] == len(cell["refs"]) == counts[cell["state"]]
            for label in cell["refs"]:
                assert cell["state"] in by_label[label]["states"]
            for label in cell["inferred"]:
                assert cell["state"] in by_label[label]["inferred"]
                assert cell["state"] not in by_label[label]["states"]
    for entry in register:
        record = next(r for r in t[records] if r["id"] == entry["id"])
        assert entry["states"] == [n for c, n in names.items() if c in stated(record, "countries")]
    assert set(ctx["records"]) >= {e["id"] for e in register}


def test_inferred_participation_is_referred_to_and_never_counted(context):
    t, ctx = context
    table = _table(ctx, layout.PROJECTS_BY_THEME)
    entry = next(
        e for e in table["register"] if e["id"] == "prj-cis-environmental-capacity-building"
    )
    assert entry["states"] == [] and entry["inferred"] == ["Belarus", "Russia"]
    mixed = next(e for e in table["register"] if e["id"] == "prj-reg-technology-foresight-cee-cis")
    assert mixed["states"] == ["Russia"] and mixed["inferred"] == ["Belarus"]
    belarus = [
        c
        for row in table["matrix"]["rows"]
        for c in row["refs"]
        if c["state"] == "Belarus" and mixed["label"] in c["inferred"]
    ]
    assert belarus and all(mixed["label"] not in c["refs"] for c in belarus)


def test_figures_are_numbered_in_order_of_first_mention(context):
    _, ctx = context
    tables = {t["id"]: t for t in ctx["tables"]}
    mentioned = sorted((tables[f["table"]]["number"], f["number"]) for f in ctx["figures"])
    assert [n for _, n in mentioned] == list(range(1, len(ctx["figures"]) + 1))
    for f in ctx["figures"]:
        assert tables[f["table"]]["figure"] == f["number"]


def test_the_timeline_says_a_record_once(context):
    _, ctx = context
    rows = _table(ctx, layout.TIMELINE_TABLE)["rows"]
    ids = [r["record_id"] for r in rows]
    assert len(ids) == len(set(ids))
    assert any(len(r["countries"]) > 1 for r in rows), "the fixture has a record of both states"
