"""Issue 19: the holes hostile or careless data still found in validation. Each case ends in
`coopdocs validate` exiting 1 with one line per problem naming file, line, field and value (the
root cause first, its consequences not listed), never in a traceback, a hang or a file written
outside the project."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import time
from pathlib import Path

import pytest

import rbtools
from helpers import edit_table, read_table, write_table
from support import cli


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    import shutil

    shutil.copytree(rbtools.ROOT / "data", tmp_path / "data")
    return tmp_path


def validate(project: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    return cli.run(project, "validate", timeout=timeout)


def errors(proc: subprocess.CompletedProcess) -> list[str]:
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    return [
        line
        for line in proc.stderr.splitlines()
        if line.startswith("data/") and ": warning:" not in line
    ]


def descriptor(project: Path, change) -> None:
    path = project / "data" / "datapackage.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")


def resource(data: dict, name: str) -> dict:
    return next(r for r in data["resources"] if r["name"] == name)


def field_of(data: dict, table: str, name: str) -> dict:
    return next(f for f in resource(data, table)["schema"]["fields"] if f["name"] == name)


# --- validation gaps ---------------------------------------------------------------------------


@pytest.mark.parametrize("date", ["2019-02-30", "2019-13-45", "0000", "2019-00", "1899-12-31"])
def test_impossible_dates_are_rejected(project, date):
    edit_table(project, "events", lambda rows: rows[0].update(date=date))
    proc = validate(project)
    assert proc.returncode == 1
    assert errors(proc) == [
        f"data/events.csv:2: field 'date': value '{date}': is not a real date "
        "(expected a date of the calendar, year 1900 to 2100)"
    ]


def test_real_dates_at_the_edges_are_accepted(project):
    edit_table(
        project,
        "events",
        lambda rows: (rows[0].update(date="2020-02-29"), rows[1].update(date="2019-12-31")),
    )
    assert validate(project).returncode == 0


def test_end_before_start_is_rejected(project):
    edit_table(project, "projects", lambda rows: rows[1].update(start_year="2025", end_year="1990"))
    proc = validate(project)
    assert errors(proc) == [
        "data/projects.csv:3: field 'end_year': value '1990': comes before start_year 2025 "
        "(expected end_year at or after start_year)"
    ]


def test_two_sources_with_one_reference_number_are_rejected(project):
    edit_table(project, "sources", lambda rows: rows[1].update(ref_number=rows[0]["ref_number"]))
    proc = validate(project)
    assert errors(proc) == [
        "data/sources.csv:3: field 'ref_number': value '1': duplicates line 2 "
        "(expected a value unique within the records of one citing_work)"
    ]


def test_a_header_line_pasted_mid_file_is_an_error_not_a_record(project):
    path = project / "data" / "events.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(3, lines[0])
    path.write_text("".join(lines), encoding="utf-8")
    proc = validate(project)
    assert errors(proc) == [
        "data/events.csv:4: repeats the header row (pasted by mistake?) "
        "(expected the header once, on the first line)"
    ]


def test_a_catastrophically_backtracking_pattern_is_bounded(project):
    descriptor(
        project,
        lambda d: (
            field_of(d, "themes", "label").setdefault("constraints", {}).update(pattern="(a+)+$")
        ),
    )
    # One row: several rows with one label would also be refused as labels a reader cannot tell
    # apart (issue 32), which is not what this case is about.
    edit_table(project, "themes", lambda rows: rows[0].update(label="a" * 40 + "!"))
    started = time.monotonic()
    proc = validate(project, timeout=60)
    assert time.monotonic() - started < 30
    found = errors(proc)
    assert len(found) == 1 and found[0].startswith("data/themes.csv:2: field 'label': value 'aaaa")
    assert "pattern (a+)+$ took over 2 s" in found[0]


def test_a_missing_column_is_reported_alone_not_under_its_consequences(project):
    path = project / "data" / "themes.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([r[1:] for r in rows])  # the 'id' column is gone
    path.write_text(buf.getvalue(), encoding="utf-8")
    edit_table(
        project, "projects", lambda rows: rows[0].update(start_year="twenty")
    )  # an unrelated error
    proc = validate(project)
    found = errors(proc)
    assert (
        found[0]
        == "data/themes.csv:1: field 'id': column missing from the header (expected every column in the schema)"
    )
    assert found[1:] == [
        "data/projects.csv:2: field 'start_year': value 'twenty': is not a whole number "
        "(expected an integer such as 2019)"
    ], "references into themes.csv must not be listed"


def test_an_oversize_cell_is_the_first_and_only_error(project):
    path = project / "data" / "sources.csv"
    rows = read_table(path)
    rows[40]["description"] = "x" * 140_000
    write_table(path, rows)
    proc = validate(project)
    found = errors(proc)
    assert len(found) == 1, found[:5]
    assert found[0].startswith("data/sources.csv:42: a cell is longer than 131,072 characters")


def test_a_5000_digit_integer_is_one_line(project):
    edit_table(project, "sources", lambda rows: rows[0].update(cited_count="9" * 5000))
    found = errors(validate(project))
    assert (
        len(found) == 1
        and "field 'cited_count'" in found[0]
        and "is too long for a whole number" in found[0]
    )
    assert len(found[0]) < 400


# --- characters no bundled font has ---------------------------------------------------------


@pytest.mark.parametrize(
    "char, name",
    [
        ("\U0001f600", "GRINNING FACE"),
        ("\u4e2d", "CJK UNIFIED IDEOGRAPH-4E2D"),
        ("\u0378", "unnamed code point"),
    ],
)
def test_a_character_no_pdf_font_has_is_rejected_naming_record_field_and_character(
    project, char, name
):
    rows = edit_table(
        project, "projects", lambda rows: rows[2].update(description=f"Before {char} after.")
    )
    found = errors(validate(project))
    assert len(found) == 1, found
    value = f"Before {char} after."
    assert found[0].startswith(
        f"data/projects.csv:4: field 'description': value {value!r}: "
        f"record {rows[2]['id']}: {char!r} (U+{ord(char):04X} {name}) cannot be drawn"
    )


def test_characters_the_fonts_have_pass(project):
    edit_table(
        project,
        "projects",
        lambda rows: rows[2].update(description="Ünïcödé Привет Ελλάδα – “quoted” € № ≤"),
    )
    assert validate(project).returncode == 0


# --- paths and names from data --------------------------------------------------------------


@pytest.mark.parametrize("path", ["/etc/hostname", "../outside.csv", "sub/../../outside.csv"])
def test_a_resource_path_outside_the_data_folder_is_refused(project, path):
    (project / "outside.csv").write_text("SECRET-FIRST-LINE,x\n", encoding="utf-8")
    descriptor(project, lambda d: resource(d, "themes").update(path=path))
    proc = validate(project)
    assert proc.returncode == 1
    assert "SECRET" not in proc.stderr and "Traceback" not in proc.stderr
    assert (
        f"data/datapackage.json: field 'resources[2].path': value '{path}': leaves the data folder"
        in proc.stderr
    )


def test_a_symlinked_table_is_refused(project):
    outside = project / "outside.csv"
    outside.write_text("SECRET-FIRST-LINE,x\n", encoding="utf-8")
    (project / "data" / "themes.csv").unlink()
    os.symlink(outside, project / "data" / "themes.csv")
    proc = validate(project)
    assert proc.returncode == 1 and "SECRET" not in proc.stderr
    assert errors(proc) == [
        "data/themes.csv: value 'themes.csv': is a symbolic link; the data folder's files must be "
        "plain files (expected a file inside the data folder)"
    ]


@pytest.mark.parametrize("slug", ["a" * 300, "con", "../../../../tmp/x", "UPPER", "a_b", "aux"])
def test_slugs_are_checked_as_file_names_whatever_the_descriptor_says(project, slug):
    descriptor(project, lambda d: field_of(d, "countries", "slug").pop("constraints", None))
    edit_table(project, "countries", lambda rows: rows[0].update(slug=slug))
    found = errors(validate(project))
    assert len(found) == 1 and found[0].startswith("data/countries.csv:2: field 'slug': value ")
    assert "cannot be a file name" in found[0]


def test_ids_with_a_slash_are_rejected_whatever_the_descriptor_says(project):
    descriptor(project, lambda d: field_of(d, "events", "id").pop("constraints", None))
    edit_table(project, "events", lambda rows: rows[0].update(id="evt/../../x"))
    found = errors(validate(project))
    assert found == [
        "data/events.csv:2: field 'id': value 'evt/../../x': cannot be an identifier "
        "(expected letters, digits and single hyphens, at most 200 characters)"
    ]


# --- a malformed descriptor: one line each, never a traceback --------------------------------


@pytest.mark.parametrize(
    "change, expected",
    [
        (
            lambda d: resource(d, "themes").pop("schema"),
            "field 'resources[2].schema': is missing or not an object",
        ),
        (
            lambda d: (
                field_of(d, "themes", "id").setdefault("constraints", {}).update(pattern="([a-z")
            ),
            "field 'resources[2].schema.fields[0].constraints.pattern': value '([a-z': is not a regular expression",
        ),
        (
            lambda d: resource(d, "themes")["schema"].pop("primaryKey"),
            "field 'resources[2].schema.primaryKey': is missing",
        ),
        (lambda d: d.pop("resources"), "field 'resources': is missing or not a non-empty list"),
        (
            lambda d: field_of(d, "themes", "id").update(type="date"),
            "field 'resources[2].schema.fields[0].type': value 'date'",
        ),
        (
            lambda d: resource(d, "outcomes")["schema"]["foreignKeys"][0]["reference"].update(
                resource="nosuch"
            ),
            "reference.resource': value 'nosuch': names no resource",
        ),
    ],
    ids=[
        "no-schema",
        "bad-regex",
        "no-primary-key",
        "no-resources",
        "unsupported-type",
        "unknown-reference",
    ],
)
def test_a_malformed_descriptor_is_one_line_per_problem(project, change, expected):
    descriptor(project, change)
    proc = validate(project)
    assert proc.returncode == 1
    found = errors(proc)
    assert (
        len(found) == 1 and found[0].startswith("data/datapackage.json: ") and expected in found[0]
    ), found


def test_a_descriptor_that_is_not_json_is_one_line(project):
    path = project / "data" / "datapackage.json"
    path.write_text(path.read_text(encoding="utf-8") + "}", encoding="utf-8")
    found = errors(validate(project))
    assert (
        len(found) == 1
        and found[0].startswith("data/datapackage.json:")
        and "not valid JSON" in found[0]
    )


@pytest.mark.workflow
def test_the_workflow_reports_a_malformed_descriptor_without_a_traceback(tmp_path):
    project = rbtools.copy_project(tmp_path / "p")
    descriptor(project, lambda d: resource(d, "themes").pop("schema"))
    proc = rbtools.run_snakemake(project, "-n")
    assert proc.returncode != 0
    output = proc.stdout + proc.stderr
    assert "Traceback" not in output and "KeyError" not in output, output[-3000:]
    assert (
        "data/datapackage.json: field 'resources[2].schema': is missing or not an object" in output
    )
