"""Loading and validating the data package: every error kind, reported all at once."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from coopdocs.compute.claims import claim_names
from coopdocs.load.datapackage import DataError, load_package, normalise_text
from helpers import read_table, write_table


def problems_of(data: Path) -> list:
    with pytest.raises(DataError) as info:
        load_package(data, root=data.parent, claims=claim_names())
    return [p for p in info.value.problems if p.severity == "error"]


def test_real_data_is_valid_and_covers_the_article(real_package):
    t = real_package.tables
    assert {c["slug"] for c in t["countries"]} == {
        "armenia",
        "belarus",
        "kazakhstan",
        "kyrgyzstan",
        "russia",
        "eaeu",
    }
    records = sum(
        len(t[n])
        for n in (
            "instruments",
            "projects",
            "events",
            "proposals",
            "roles",
            "offices",
            "outcomes",
            "contributions",
        )
    )
    assert records > 80
    # One source per numbered reference of the article, 1 to 139.
    assert sorted(s["ref_number"] for s in t["sources"]) == list(range(1, 140))
    # Reference 105 is never cited in the text and the data says so.
    ref105 = real_package.index("sources")["ref105"]
    assert ref105["cited_count"] == 0
    # Every record cites a source, or says where the article states it without one (the
    # citation policy: never a neighbouring number).
    for name in (
        "countries",
        "actors",
        "roles",
        "offices",
        "instruments",
        "projects",
        "outcomes",
        "contributions",
        "events",
        "proposals",
        "facts",
    ):
        for r in t[name]:
            assert r["sources"] or r["source_note"], (
                f"{name} {r.get('id') or r.get('code')} cites no source and says nothing"
            )


def test_named_facts_are_in_the_data(real_package):
    idx = real_package.index("countries")
    assert idx["BY"]["cooperation_since"] == "1985"
    assert idx["KZ"]["organisation_member_since"] == "1997"
    assert idx["KG"]["organisation_member_since"] == "1993"
    roles = real_package.tables["roles"]
    assert any(
        r["country"] == "BY" and r["body"] == "unido-gc" and r["start_year"] == 2017 for r in roles
    )
    contributions = real_package.tables["contributions"]
    trillion = [c for c in contributions if c["country"] == "RU" and c["amount"] == 2.6e12]
    assert trillion and trillion[0]["flag"] == "implausible"
    md = [i for i in real_package.tables["instruments"] if i["type"] == "main-directions"]
    assert any(
        "2019" in (i["date"] or str(i["start_year"])) and i["relation"] == "none" for i in md
    )


def test_type_error_empty_required_and_unknown_code_reported_together(data_copy):
    path = data_copy / "projects.csv"
    rows = read_table(path)
    rows[0]["start_year"] = "twenty"
    rows[1]["title"] = ""
    rows[2]["countries"] = "XX"
    write_table(path, rows)
    found = problems_of(data_copy)
    by_field = {(p.field, p.value) for p in found}
    assert ("start_year", "twenty") in by_field
    assert ("title", "") in by_field
    assert ("countries", "XX") in by_field
    for p in found:
        assert p.file == "data/projects.csv" and p.line >= 2
    text = "\n".join(map(str, found))
    assert "data/projects.csv:2: field 'start_year': value 'twenty': is not a whole number" in text
    assert (
        "data/projects.csv:4: field 'countries': value 'XX': "
        "does not match any 'code' in countries.csv" in text
    )


def test_line_numbers_count_multiline_cells(data_copy):
    path = data_copy / "events.csv"
    rows = read_table(path)
    rows[0]["description"] = "first line\nsecond line"
    rows[1]["date"] = "last year"
    write_table(path, rows)
    (problem,) = problems_of(data_copy)
    assert (problem.line, problem.field) == (
        4,
        "date",
    )  # row 2 starts on line 4 after a 2-line cell


def test_enum_pattern_duplicate_and_dangling_source(data_copy):
    path = data_copy / "instruments.csv"
    rows = read_table(path)
    rows[0]["type"] = "treaty-ish"
    rows[1]["date"] = "2019-13-45x"
    rows[2]["id"] = rows[3]["id"]
    rows[4]["sources"] = "ref999"
    write_table(path, rows)
    kinds = {(p.field, p.message.split(" (")[0]) for p in problems_of(data_copy)}
    assert ("type", "not in the controlled vocabulary") in kinds
    assert ("date", "does not match the required form") in kinds
    assert any(f == "id" and m.startswith("duplicates line") for f, m in kinds)
    assert ("sources", "does not match any 'id' in sources.csv") in kinds


def test_unknown_and_missing_columns(data_copy):
    path = data_copy / "offices.csv"
    text = path.read_text(encoding="utf-8").replace("city,", "town,", 1)
    path.write_text(text, encoding="utf-8")
    found = problems_of(data_copy)
    assert {(p.field, p.message) for p in found} >= {
        ("town", "unknown column"),
        ("city", "column missing from the header"),
    }


def test_na_and_no_stay_text(data_copy):
    path = data_copy / "countries.csv"
    rows = read_table(path)
    extra = dict(rows[0], code="NA", slug="namibia", name="NA", official_name="NO")
    rows.append(extra)
    write_table(path, rows)
    package = load_package(data_copy, claims=claim_names())
    namibia = package.index("countries")["NA"]
    assert namibia["name"] == "NA" and namibia["official_name"] == "NO"


def test_bom_crlf_and_nfd_are_normalised(data_copy):
    path = data_copy / "themes.csv"
    text = path.read_text(encoding="utf-8").replace("Agro-industry,", "Agro-industrie\u0301,", 1)
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    package = load_package(data_copy, claims=claim_names())
    labels = {t["label"] for t in package.tables["themes"]}
    assert "Agro-industrié" in labels  # NFC: one code point
    assert normalise_text("a\u2028b  \n c") == "a b c"


@pytest.mark.parametrize(
    "value, encoding, expected",
    [
        ("café", "latin-1", "bytes that are not UTF-8"),
        ("a\x00b", "utf-8", "control character U+0000"),
        ("evil\u202egnp", "utf-8", "bidirectional control U+202E"),
    ],
)
def test_bad_bytes_and_characters_rejected_by_line(data_copy, value, encoding, expected):
    path = data_copy / "proposals.csv"
    rows = read_table(path)
    rows[1]["title"] = value
    write_table(path, rows)
    path.write_bytes(path.read_text(encoding="utf-8").encode(encoding))
    found = problems_of(data_copy)
    assert any(expected in p.message and p.line == 3 for p in found), [str(p) for p in found]


def test_shuffled_rows_give_the_same_package(data_copy, real_package):
    for name in ("projects", "events", "sources"):
        path = data_copy / f"{name}.csv"
        rows = read_table(path)
        random.Random(7).shuffle(rows)
        write_table(path, rows)
    shuffled = load_package(data_copy, claims=claim_names())
    strip = lambda t: [{k: v for k, v in r.items() if k != "_line"} for r in t]  # noqa: E731
    for name in real_package.tables:
        assert strip(shuffled.tables[name]) == strip(real_package.tables[name])


def test_uncited_source_is_a_warning_not_an_error(real_package, data_copy):
    assert real_package.warnings == []  # every uncited reference has an unused_reason
    path = data_copy / "sources.csv"
    rows = read_table(path)
    next(r for r in rows if r["id"] == "ref105")["unused_reason"] = ""
    write_table(path, rows)
    assert [
        (w.value, w.severity) for w in load_package(data_copy, claims=claim_names()).warnings
    ] == [("ref105", "warning")]


def test_a_record_without_sources_must_say_why(data_copy):
    path = data_copy / "roles.csv"
    rows = read_table(path)
    rows[0]["sources"], rows[0]["source_note"] = "", ""
    write_table(path, rows)
    (problem,) = problems_of(data_copy)
    assert (problem.file, problem.line, problem.field) == ("data/roles.csv", 2, "source_note")
    assert "cites no source and does not say why" in problem.message


def test_inferred_items_must_be_among_the_items(data_copy):
    path = data_copy / "projects.csv"
    rows = read_table(path)
    target = next(r for r in rows if r["id"] == "prj-eurasec-industrial-integration")
    target["countries_inferred"] += ";AM"
    write_table(path, rows)
    (problem,) = problems_of(data_copy)
    assert (problem.field, problem.value) == (
        "countries_inferred",
        "AM",
    ) and "is not in 'countries'" in problem.message


def test_cli_validate_reports_every_error_as_json(data_copy, capsys, monkeypatch):
    import json

    from coopdocs.cli import main

    path = data_copy / "events.csv"
    rows = read_table(path)
    rows[0]["countries"] = "ZZ"
    rows[1]["type"] = "party"
    write_table(path, rows)
    monkeypatch.chdir(data_copy.parent)
    assert main(["validate", "--data", "data", "--json"]) == 1
    out = [p for p in json.loads(capsys.readouterr().out) if p["severity"] == "error"]
    assert {(p["file"], p["line"], p["field"], p["value"]) for p in out} == {
        ("data/events.csv", 2, "countries", "ZZ"),
        ("data/events.csv", 3, "type", "party"),
    }


def test_editorial_notes_speak_to_readers(data_copy):
    """A note with a bracketed reference number, a field, file or record name is reported with
    file, line, field and the offending value; a spelled-out reference passes (issue 17)."""
    path = data_copy / "projects.csv"
    rows = read_table(path)
    rows[0]["note"] = (
        "As [34] says, see cooperation_since in countries.csv and prj-by-automotive-components."
    )
    rows[1]["source_note"] = (
        "Section 2: the article's reference 34 names it; a plain [sic] is fine."
    )
    write_table(path, rows)
    found = {(p.file, p.line, p.field, p.value) for p in problems_of(data_copy)}
    assert found == {
        ("data/projects.csv", 2, "note", "[34]"),
        ("data/projects.csv", 2, "note", "cooperation_since"),
        ("data/projects.csv", 2, "note", "countries.csv"),
        ("data/projects.csv", 2, "note", "prj-by-automotive-components"),
    }


def test_editorial_notes_of_every_package_pass_the_guard(real_package):
    """The seed data, the invented fixture package and the two-state fixture keep their notes
    readable: no bracketed number in any note column."""
    from coopdocs.load.datapackage import is_note_field

    fixtures = Path(__file__).resolve().parents[1] / "fixtures"
    for package in (
        real_package,
        load_package(fixtures / "iawc", claims=claim_names()),
        load_package(fixtures / "two-states", claims=claim_names()),
    ):
        for name, records in package.tables.items():
            notes = [f for f in records[0] if is_note_field(f)] if records else []
            for record in records:
                for field in notes:
                    assert "[" not in str(record.get(field) or ""), (name, record, field)


def test_note_guard_is_linear_on_hostile_notes(data_copy):
    """A long run of numbers and separators without a closing bracket cannot make the check
    backtrack (a nested pattern took 39 s on 16 repeats); "[^1]" and "[x2]" are not references."""
    import time

    path = data_copy / "projects.csv"
    rows = read_table(path)
    rows[0]["note"] = "[1" + ", , 2" * 20000 + " x [^1] [x2]"
    write_table(path, rows)
    started = time.monotonic()
    load_package(data_copy, claims=claim_names())
    assert time.monotonic() - started < 30


def test_typed_roles_outside_the_vocabulary_are_reported_with_file_line_field_value(tmp_path):
    """Issue 28: a role value the program does not know, and a scheduled actor not among the
    event's actors, are errors naming file, line, field and value, all in one pass."""
    import shutil

    from coopdocs.load.datapackage import DataError, load_package

    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "typed"
    data = tmp_path / "data"
    shutil.copytree(fixture, data)
    offices = (data / "offices.csv").read_text(encoding="utf-8")
    (data / "offices.csv").write_text(
        offices.replace(",planned,organisation,", ",maybe,own,"), "utf-8"
    )
    events = (data / "events.csv").read_text(encoding="utf-8")
    (data / "events.csv").write_text(
        events.replace(",basin-commission,,,The", ",gov-no,,,The"), "utf-8"
    )
    try:
        load_package(data, claims=claim_names())
    except DataError as err:
        text = "\n".join(map(str, err.problems))
    else:
        raise AssertionError("bad roles were accepted")
    assert "offices.csv:3: field 'status': value 'maybe': not in the program's vocabulary" in text
    assert "offices.csv:3: field 'owner': value 'own'" in text
    assert "field 'actors_scheduled': value 'gov-no': is not in 'actors'" in text


def test_typed_roles_default_when_a_package_lacks_the_columns():
    """A package without the typed columns loads; its records take the documented defaults."""
    from coopdocs.load.datapackage import fill_roles

    tables = {
        "offices": [{"id": "o"}],
        "countries": [{"code": "A", "kind": "member-state", "union_member_until": "2019"}],
        "events": [{"id": "e", "actors": ["x"]}],
    }
    fill_roles(tables)
    assert tables["offices"][0]["status"] == "actual"
    assert tables["offices"][0]["owner"] == "organisation"
    assert tables["countries"][0]["union_membership"] == "former-member"
    assert tables["events"][0]["format"] == "gathering"
    assert tables["events"][0]["actors_scheduled"] == []
