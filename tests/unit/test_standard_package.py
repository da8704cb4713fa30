"""The data package is a standard one: frictionless-py (the reference implementation) finds it valid,
and on the standard constraints it agrees with coopdocs' own validator (issue 16).

List-valued foreign keys, which Table Schema does not define, live in the custom schema property
``listForeignKeys`` that only coopdocs checks; every other constraint is checked by both.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from coopdocs.compute.claims import claim_names
from coopdocs.load.datapackage import DataError, load_package
from helpers import read_table, write_table

frictionless = pytest.importorskip("frictionless")

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "iawc"


def frictionless_errors(folder: Path) -> list[tuple[str, str]]:
    """(resource, field) of every error frictionless-py reports for the package in ``folder``."""
    report = frictionless.validate(str(folder / "datapackage.json"))
    errors = []
    for task in report.tasks:
        for error in task.errors:
            errors.append((task.name, getattr(error, "field_name", "") or ""))
    errors += [("", "") for _ in report.errors]
    return errors


def coopdocs_errors(folder: Path) -> list[tuple[str, str]]:
    """(resource, field) of every error coopdocs' validator reports for the package in ``folder``."""
    try:
        load_package(folder, claims=claim_names())
    except DataError as exc:
        return [(Path(p.file).stem, p.field) for p in exc.problems if p.severity == "error"]
    return []


@pytest.mark.parametrize("folder", [ROOT / "data", FIXTURE], ids=["seed", "fixture"])
def test_frictionless_finds_the_package_valid(folder):
    report = frictionless.validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])[:10]
    assert coopdocs_errors(folder) == []


# One broken package per standard constraint: (table, row index, field, bad value).
BROKEN = [
    ("countries", 0, "name", ""),  # required
    ("countries", 1, "kind", "province"),  # enum
    ("countries", 2, "code", "n0"),  # pattern
    ("countries", 3, "slug", "alderoy"),  # unique
    ("sources", 0, "ref_number", "twelve"),  # type integer
    ("sources", 1, "cited_count", "-1"),  # minimum
    ("projects", 0, "budget", "lots"),  # type number
    ("roles", 0, "body", "no-such-body"),  # foreign key (single value)
    ("outcomes", 0, "project", "prj-none"),  # foreign key (single value)
    ("publications", 0, "reference_list", "some"),  # enum
    ("instruments", 0, "start_year", "1800"),  # minimum
]


@pytest.mark.parametrize(
    "table,row,field,value", BROKEN, ids=[f"{t}.{f}={v!r}" for t, _, f, v in BROKEN]
)
def test_both_validators_reject_the_same_broken_package(tmp_path, table, row, field, value):
    folder = tmp_path / "package"
    shutil.copytree(FIXTURE, folder)
    rows = read_table(folder / f"{table}.csv")
    rows[row][field] = value
    write_table(folder / f"{table}.csv", rows)
    ours = coopdocs_errors(folder)
    theirs = frictionless_errors(folder)
    assert (table, field) in ours, ours
    assert theirs, f"frictionless-py found {table}.{field}={value!r} valid"
    assert table in {t for t, _ in theirs}, theirs


def test_list_foreign_keys_are_ours_to_check(tmp_path):
    """An unknown item in a list field is invisible to the standard and an error for coopdocs."""
    folder = tmp_path / "package"
    shutil.copytree(FIXTURE, folder)
    rows = read_table(folder / "projects.csv")
    rows[0]["countries"] = rows[0]["countries"] + ";ZZ"
    write_table(folder / "projects.csv", rows)
    assert ("projects", "countries") in coopdocs_errors(folder)
    assert frictionless.validate(str(folder / "datapackage.json")).valid


def _constrain(folder: Path, table: str, field: str, **constraints) -> None:
    import json

    path = folder / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    res = next(r for r in descriptor["resources"] if r["name"] == table)
    spec = next(f for f in res["schema"]["fields"] if f["name"] == field)
    spec.setdefault("constraints", {}).update(constraints)
    path.write_text(json.dumps(descriptor, indent=2, allow_nan=True), encoding="utf-8")


# Constraints the seed's schema does not state but a package may: (table, field, constraints,
# row, value breaking them) (issue 32).
CONSTRAINED = [
    ("countries", "name", {"minLength": 3}, 0, "Na"),
    ("countries", "name", {"maxLength": 8}, 1, "A much longer name"),
    ("projects", "countries", {"maxLength": 1}, 0, None),  # a list: its number of items
    ("sources", "cited_count", {"maximum": 50}, 0, "51"),
    ("projects", "budget", {"minimum": 1}, 0, "0.5"),
]


@pytest.mark.parametrize(
    "table,field,constraints,row,value",
    CONSTRAINED,
    ids=[f"{t}.{f}:{next(iter(c))}" for t, f, c, _, _ in CONSTRAINED],
)
def test_both_validators_apply_the_same_constraints(
    tmp_path, table, field, constraints, row, value
):
    folder = tmp_path / "package"
    shutil.copytree(FIXTURE, folder)
    rows = read_table(folder / f"{table}.csv")
    if value is None:  # the list field: two items where one is allowed
        value = next(r[field] for r in rows if ";" in r[field])
        row = next(i for i, r in enumerate(rows) if r[field] == value)
    rows[row][field] = value
    write_table(folder / f"{table}.csv", rows)
    assert coopdocs_errors(folder) == [] or (table, field) not in coopdocs_errors(folder)
    _constrain(folder, table, field, **constraints)
    ours, theirs = coopdocs_errors(folder), frictionless_errors(folder)
    assert ours == [(table, field)], ours
    assert theirs and {t for t, _ in theirs} == {table}, theirs


@pytest.mark.parametrize("bound", ["minimum", "maximum"])
def test_a_bound_that_is_not_a_number_is_refused_not_ignored(tmp_path, bound):
    folder = tmp_path / "package"
    shutil.copytree(FIXTURE, folder)
    _constrain(folder, "sources", "cited_count", **{bound: float("nan")})
    with pytest.raises(DataError) as exc:
        load_package(folder, claims=claim_names())
    assert [p.field for p in exc.value.problems] == [
        f"resources[1].schema.fields[5].constraints.{bound}"
    ] or any(f"constraints.{bound}" in p.field for p in exc.value.problems)
    assert len(exc.value.problems) == 1
