"""Money with its currency (issue 34): a package with budgets in EUR, a local currency (KGS) and
USD, built through the project's own steps; amounts are written in the document's language,
summed within one currency only, and a currency the data gives wrongly is refused by line.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

import rbtools
from coopdocs import layout
from coopdocs.load.grammar import money, money_list
from support import cli
from test_package_shapes import _documents, _package


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A copy of the project's build files; each case puts its own package beside ``data``."""
    return rbtools.copy_project(tmp_path_factory.mktemp("money") / "project")


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _funded(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return [r for r in rows if r["funders"] and r["countries"] and r["status"] == "actual"]


def _three_currencies(data: Path) -> dict[str, str]:
    """Two projects of one funder in one state, budgets in EUR and KGS; a third in USD. Returns
    the first project's funder, state and id."""
    path = data / "projects.csv"
    rows = _rows(path)
    for r in rows:
        r.update(budget="", budget_currency="")
    first, second, third = _funded(rows)[:3]
    funder, state = first["funders"].split(";")[0], first["countries"].split(";")[0]
    for r in (first, second):
        r.update(funders=funder, countries=state, funders_inferred="", countries_inferred="")
    first.update(budget="500000", budget_currency="EUR")
    second.update(budget="120000.5", budget_currency="KGS")
    third.update(budget="2000000", budget_currency="USD")
    _write(path, rows)
    return {"funder": funder, "state": state, "id": first["id"]}


@pytest.fixture(scope="module")
def built(project: Path) -> tuple[Path, dict[str, str], dict[str, str]]:
    data = _package(project, "three-currencies")
    cell = _three_currencies(data)
    code, _, err = cli.call("validate", "--data", data)
    assert code == 0, err
    docs = {name: text.replace("\\", "") for name, text in _documents(project, data).items()}
    return data, cell, docs


def test_a_cell_with_two_currencies_shows_each_sum_apart(built):
    data, cell, docs = built
    tables = data.with_name(data.name + "-build") / "tables"
    rows = _rows(tables / f"{layout.PROJECTS_BY_FUNDER}.csv")
    assert {"budget_eur", "budget_kgs", "budget_usd"} <= set(rows[0])
    assert "budget" not in rows[0]
    (row,) = [
        r for r in rows if (r["funder_id"], r["country_code"]) == (cell["funder"], cell["state"])
    ]
    assert (row["budget_eur"], row["budget_kgs"], row["projects_with_budget"]) == (
        "500000",
        "120000.5",
        "2",
    )
    both = "€500,000 and KGS\xa0120,000.50"  # never one sum of euros and soms
    assert both in docs["tables/tables"]
    assert both in docs["article/review"]
    assert "$2,000,000" in docs["tables/tables"]


def test_the_workbook_names_the_currency_and_keeps_numbers(built):
    from openpyxl import load_workbook

    data, cell, _ = built
    book = load_workbook(
        data.with_name(data.name + "-build") / "tables" / f"{layout.PROJECTS_BY_FUNDER}.xlsx"
    )
    sheet = book.active
    headings = [c.value for c in sheet[2]]
    column = headings.index("Budget (EUR)") + 1
    values = [sheet.cell(row=r, column=column) for r in range(3, sheet.max_row + 1)]
    filled = [c for c in values if c.value is not None]
    assert filled and all(isinstance(c.value, (int, float)) for c in filled)
    assert all(c.number_format == '#,##0 "EUR"' for c in filled)
    kgs = headings.index("Budget (KGS)") + 1
    assert {sheet.cell(row=r, column=kgs).number_format for r in range(3, sheet.max_row + 1)} == {
        '#,##0.00 "KGS"'
    }


def test_a_brief_gives_the_budget_in_its_currency(built):
    _, cell, docs = built
    assert any(
        "Its budget is €500,000." in text
        for name, text in docs.items()
        if name.startswith("briefs/")
    )
    assert not any("USD 500,000" in text or "$500,000" in text for text in docs.values())


def test_amounts_follow_the_documents_language():
    russian = {"locale": "ru", "language": {"conjunctions": {"and": "и"}}}
    assert money(500000, "EUR", russian) == "500\xa0000\xa0€"
    assert money(120000.5, "KGS", russian) == "120\xa0000,50\xa0KGS"
    assert money_list([(1, "EUR"), (2, "EUR"), (3, "USD")], russian) == "3\xa0€ и 3\xa0$"


def test_a_wrong_or_missing_currency_is_named_by_line_in_one_pass(project: Path):
    data = _package(project, "bad-currency")
    path = data / "projects.csv"
    rows = _rows(path)
    funded = _funded(rows)
    funded[0].update(budget="1000", budget_currency="XYZ")
    funded[1].update(budget="1000", budget_currency="")
    funded[2].update(budget="", budget_currency="EUR")
    _write(path, rows)
    lines = {r["id"]: n for n, r in enumerate(rows, start=2)}
    code, _, err = cli.call("validate", "--data", data)
    assert code == 1
    expected = [
        f"projects.csv:{lines[funded[0]['id']]}: field 'budget_currency': value 'XYZ': unknown currency code",
        f"projects.csv:{lines[funded[1]['id']]}: field 'budget_currency': the amount in 'budget' has no currency",
        f"projects.csv:{lines[funded[2]['id']]}: field 'budget': a currency ('EUR') without an amount",
    ]
    for text in expected:
        assert text in err, err
