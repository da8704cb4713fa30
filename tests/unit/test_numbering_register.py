"""The numbering register (coopdocs.load.register, data/numbering.json) and how a document's
citations and record marks follow it: read, checked, applied to a context and a bibliography,
and through citeproc with the project's style (gaps kept, an added source numbered after the
largest, the reference list without the unused numbers)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from coopdocs import layout
from coopdocs.load.register import (
    GAP_PREFIX,
    assign,
    check,
    compact,
    dumps,
    load_register,
    number_bibliography,
    number_provenance,
)
from coopdocs.render import citations
from coopdocs.render.markdown import entry_anchor
from coopdocs.review.numbering import entry_numbers
from coopdocs.tools.pandoc import PANDOC_READER, pandoc

ROOT = Path(__file__).resolve().parents[2]
CSL = ROOT / "templates" / "csl" / "american-medical-association-brackets.csl"
DOCS = ["briefs/armenia", "article/review"]


def _write(tmp_path: Path, register: object) -> Path:
    (tmp_path / layout.NUMBERING).write_text(json.dumps(register), encoding="utf-8")
    return tmp_path


def test_no_register_is_no_numbering(tmp_path):
    assert load_register(tmp_path, DOCS) == (None, [])


def test_every_problem_of_a_register_in_one_pass_with_file_key_and_value(tmp_path):
    register = {
        "briefs/armenia": {"records": {"a": 1, "b": 1, "c": 0, "d": "2"}, "sources": {"r": 1}},
        "briefs/atlantis": {"records": {"x": 1}},
        "article/review": {"records": {}, "colour": {}},
    }
    found, problems = load_register(_write(tmp_path, register), DOCS)
    text = [str(p) for p in problems]
    where = str(tmp_path / layout.NUMBERING)
    assert all(t.startswith(where + ":") for t in text)
    errors = [p for p in problems if p.severity == "error"]
    fields = sorted(p.field for p in errors)
    assert fields == [
        "article/review/colour",
        "briefs/armenia/records/b",
        "briefs/armenia/records/c",
        "briefs/armenia/records/d",
    ], text
    assert any("number used twice in briefs/armenia" in t and "'1'" in t for t in text)
    warnings = [p for p in problems if p.severity == "warning"]
    assert [p.field for p in warnings] == ["briefs/atlantis"]
    # The valid numbers are kept (the build stops on the errors anyway).
    assert found["briefs/armenia"] == {"records": {"a": 1}, "sources": {"r": 1}}


def test_a_register_that_is_not_json_names_the_file_and_line(tmp_path):
    (tmp_path / layout.NUMBERING).write_text('{\n "briefs/armenia": {,\n}', encoding="utf-8")
    found, problems = load_register(tmp_path, DOCS)
    assert found is None and len(problems) == 1
    assert str(problems[0]).startswith(f"{tmp_path / layout.NUMBERING}:2:")


def test_added_ids_take_the_next_numbers_after_the_largest_in_reading_order():
    assert assign({"a": 1, "b": 3}, ["new1", "a", "b", "new2"]) == {
        "new1": 4,
        "a": 1,
        "b": 3,
        "new2": 5,
    }
    assert assign({}, ["x", "y"]) == {"x": 1, "y": 2}


def test_compact_and_check():
    order = {"briefs/armenia": {"records": ["b", "a"], "sources": ["r2", "r1"]}}
    register = compact(order)
    assert register == {
        "briefs/armenia": {"records": {"b": 1, "a": 2}, "sources": {"r2": 1, "r1": 2}}
    }
    assert check(register, order) == []
    assert json.loads(dumps(register)) == register and dumps(register) == dumps(
        json.loads(dumps(register))
    )
    stale = {"briefs/armenia": {"records": {"b": 1, "a": 3, "gone": 2}, "sources": {"r1": 1}}}
    lines = check(stale, order)
    assert "briefs/armenia: records numbered but unused: gone" in lines
    assert "briefs/armenia: sources not numbered: r2" in lines
    gap = {"briefs/armenia": {"records": {"b": 1, "a": 3}, "sources": {"r2": 1, "r1": 2}}}
    assert check(gap, order) == ["briefs/armenia: records not numbered 1..2 in reading order"]
    assert check(None, order) == ["no register: run coopdocs number"]
    # Another edition (another language) may cite in another order: 1..n is all it needs.
    other = {"briefs/armenia": {"records": {"b": 2, "a": 1}, "sources": {"r2": 1, "r1": 2}}}
    assert check(other, order) == ["briefs/armenia: records not numbered 1..2 in reading order"]
    assert check(other, order, order=False) == []
    assert check(gap, order, order=False) == ["briefs/armenia: records not numbered 1..2: a gap"]


def test_the_provenance_appendix_is_ordered_and_headed_by_the_register():
    provenance = {"records": [{"id": "a"}, {"id": "b"}, {"id": "c"}]}
    number_provenance(provenance, {"records": {"c": 1, "a": 3}})
    assert [(e["id"], e["number"]) for e in provenance["records"]] == [("c", 1), ("a", 3), ("b", 4)]
    assert entry_anchor(provenance["records"][0]) == '{#prov-c record-number="1"}'
    assert entry_anchor({"id": "c"}) == "{#prov-c}"


def _cite(tmp_path: Path, register_sources: dict[str, int], text: str) -> tuple[str, dict]:
    """``text`` (Markdown citing s1..s5) read as the build reads it, with the bibliography
    numbered by ``register_sources``; its plain text and the AST."""
    items = [{"id": f"s{i}", "type": "document", "title": f"Source {i}"} for i in range(1, 6)]
    number_bibliography(items, {"sources": register_sources})
    bib = tmp_path / "doc.bib.json"
    bib.write_text(json.dumps(items), encoding="utf-8")
    md = tmp_path / "doc.md"
    md.write_text(text + "\n\n# References {#references}\n\n::: {#refs}\n:::\n", encoding="utf-8")
    ast = tmp_path / "doc.json"
    ids = citations.nocite(bib, md.read_text(encoding="utf-8"))
    with citations.nocite_file(ids) as extra:
        pandoc(
            md,
            ast,
            "json",
            epoch=0,
            source_format=PANDOC_READER,
            bibliography=bib,
            csl=CSL,
            metadata_file=extra,
        )
    if ids:
        citations.prune(ast)
    plain = tmp_path / "doc.txt"
    pandoc(ast, plain, "plain", epoch=0, source_format="json")
    return plain.read_text(encoding="utf-8"), json.loads(ast.read_text(encoding="utf-8"))


def test_citations_are_numbered_by_the_register_with_its_gaps(tmp_path):
    # s2 is numbered 4 and s3 6; 1, 2, 3 and 5 are unused (removed sources); s1 is new.
    text, ast = _cite(
        tmp_path, {"s2": 4, "s3": 6, "s4": 7}, "A [@s3]. B [@s1; @s2]. C [@s2; @s3; @s4]."
    )
    body = text.split("References")[0]
    assert "A [6]." in body and "B [4,8]." in body and "C [4,6,7]." in body, body
    entries = re.findall(r"^(\d+)\. +Source (\d)", text, re.M)
    assert entries == [("4", "2"), ("6", "3"), ("7", "4"), ("8", "1")], text
    assert GAP_PREFIX not in json.dumps(ast)


def test_a_compact_register_cites_as_citeproc_always_did(tmp_path):
    text, _ = _cite(
        tmp_path, {"s1": 1, "s2": 2, "s3": 3}, "A [@s1]. B [@s1; @s2; @s3]. C [@s3, pp. 4-5]."
    )
    assert "A [1]. B [1–3]. C [3, pp4-5]." in text.replace("\n", " "), text
    assert citations.nocite(tmp_path / "doc.bib.json", "[@s1] [@s2; @s3]") == []


def test_a_source_held_but_no_longer_cited_keeps_its_number_free(tmp_path):
    # s1 (number 1) is in the bibliography but not cited: s2 stays [2], and 1. is not listed.
    text, _ = _cite(tmp_path, {"s1": 1, "s2": 2}, "Only [@s2].")
    assert "Only [2]." in text and not re.search(r"^1\. ", text, re.M), text


def test_record_marks_read_by_the_diff_are_the_registers():
    span = {"t": "Span", "c": [["prov-a", [], [["record-number", "7"]]], []]}
    plain = {"t": "Span", "c": [["prov-b", [], []], []]}
    assert entry_numbers({"blocks": [{"t": "Plain", "c": [span, plain]}]}) == {
        "prov-a": 7,
        "prov-b": 2,
    }
