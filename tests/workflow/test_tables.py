"""Comparative tables: recomputed independently from the raw CSV, read back from every format."""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from pathlib import Path

import docx
import openpyxl
from workflow_build import snakemake

from coopdocs.layout import TABLE_IDS
from helpers import read_table, write_table
from support.documents import document_text, squash


def items(cell: str) -> list[str]:
    return [x.strip() for x in cell.split(";") if x.strip()]


def stated(row: dict[str, str], field: str) -> list[str]:
    """The items of ``field`` the article states: those in ``<field>_inferred`` are never counted."""
    inferred = set(items(row.get(f"{field}_inferred") or ""))
    return [x for x in items(row[field]) if x not in inferred]


def actual(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Rows in force, under way or done (issue 28: plans are never counted as established)."""
    return [r for r in rows if (r.get("status") or "actual") == "actual"]


def output(built: Path, table: str) -> list[dict[str, str]]:
    with (built / "reports" / "tables" / f"{table}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def raw(built: Path, table: str) -> list[dict[str, str]]:
    return read_table(built / "data" / f"{table}.csv")


def test_every_table_in_csv_and_xlsx(built):
    for table in TABLE_IDS:
        rows = output(built, table)
        assert rows, table
        sheet = openpyxl.load_workbook(built / "reports" / "tables" / f"{table}.xlsx").active
        values = list(sheet.iter_rows(values_only=True))
        assert values[0][0]  # title row
        body = values[2:]
        assert len(body) == len(rows), table
        # Cell by cell, the workbook holds what the CSV holds.
        for xrow, crow in zip(body, rows, strict=True):
            for xcell, ccell in zip(xrow, crow.values(), strict=True):
                assert ("" if xcell is None else str(xcell)) == ccell, (table, xrow, crow)


def test_projects_by_theme_recomputed(built):
    expected = Counter()
    for p in actual(raw(built, "projects")):
        for theme in items(p["themes"]):
            for country in stated(p, "countries"):
                expected[(theme, country)] += 1
    got = {
        (r["theme_id"], r["country_code"]): int(r["count"])
        for r in output(built, "projects-by-theme")
    }
    assert {k: v for k, v in got.items() if v} == dict(expected)


def test_legal_basis_recomputed(built):
    expected = Counter(
        (i["type"], c) for i in actual(raw(built, "instruments")) for c in items(i["countries"])
    )
    got = {
        (r["instrument_type"], r["country_code"]): int(r["count"])
        for r in output(built, "legal-basis")
    }
    assert {k: v for k, v in got.items() if v} == dict(expected)


def test_projects_by_funder_recomputed_and_russia_funds_others(built):
    expected = Counter(
        (f, c)
        for p in actual(raw(built, "projects"))
        for f in stated(p, "funders")
        for c in stated(p, "countries")
    )
    rows = output(built, "projects-by-funder")
    assert {(r["funder_id"], r["country_code"]): int(r["count"]) for r in rows} == dict(expected)
    russia_to = {r["country_code"] for r in rows if r["funder_id"] == "gov-ru"}
    assert {"BY", "AM"} <= russia_to
    budgets = {}
    for p in actual(raw(built, "projects")):
        for f in stated(p, "funders"):
            for c in stated(p, "countries"):
                if p["budget"]:  # summed within its currency only, one column a currency
                    key = (f, c, f"budget_{p['budget_currency'].lower()}")
                    budgets[key] = budgets.get(key, 0) + float(p["budget"])
    money = sorted({k[2] for k in budgets})
    assert money and set(money) <= set(rows[0]), (money, list(rows[0]))
    for r in rows:
        for column in money:
            key = (r["funder_id"], r["country_code"], column)
            assert (float(r[column]) if r[column] else None) == budgets.get(key)


def test_timeline_and_union_programme_recomputed(built):
    dated = 0
    for table in ("instruments", "projects", "events"):
        for r in raw(built, table):
            if r.get("date") or r.get("start_year"):
                dated += len(stated(r, "countries"))
    assert len(output(built, "timeline")) == dated
    md = sorted(
        (i for i in raw(built, "instruments") if i["role"] == "union-programme"),
        key=lambda i: (i["start_year"] or i["date"], i["id"]),
    )
    rows = output(built, "union-programme")
    # The relation worded as the strings file words it; a general formula is not "yes".
    said = {
        "party": "yes, as a party",
        "reviewer": "yes, as reviewer",
        "explicit": "yes",
        "general": "only through a general formula",
        "none": "no",
    }
    assert [r["mentions_organisation"] for r in rows] == [said[i["relation"]] for i in md]
    no = [r for r in rows if r["mentions_organisation"] == "no"]
    assert no and no[0]["year"].startswith("2019")
    general = [r["year"] for r in rows if r["mentions_organisation"] == said["general"]]
    assert len(general) == 4  # 2015-2016, 2017, 2018, 2020: "the UN and its specialised agencies"


def test_institutional_profile_recomputed(built):
    countries = {c["code"]: c for c in raw(built, "countries") if c["kind"] == "member-state"}
    govs = {
        a["country"]: a["id"]
        for a in sorted(raw(built, "actors"), key=lambda a: a["id"])
        if a["type"] == "government" and a["country"]
    }
    rows = {r["country_code"]: r for r in output(built, "institutional-profile")}
    assert set(rows) == set(countries)
    for code, c in countries.items():
        assert rows[code]["organisation_member_since"] == c["organisation_member_since"]
        funds = any(
            govs.get(code) in stated(p, "funders") and set(stated(p, "countries")) - {code}
            for p in raw(built, "projects")
        )
        assert rows[code]["funds_projects_elsewhere"] == ("yes" if funds else "no")
    assert rows["RU"]["funds_projects_elsewhere"] == "yes"
    for r in rows.values():
        assert r["sources"], r["country"]


def test_tables_document_in_every_format(built):
    base = built / "reports" / "tables" / "comparative-tables"
    texts = {
        fmt: squash(document_text(base.with_suffix("." + fmt))) for fmt in ("docx", "pdf", "html")
    }
    document = docx.Document(str(base.with_suffix(".docx")))
    for fmt, text in texts.items():
        for n in range(1, 7):
            assert f"Table {n}." in text, (fmt, n)
        assert "Figure 1." in text and "Figure 2." in text, fmt
    # The theme matrix in the DOCX holds the same counts as the CSV.
    csv_counts = {
        (r["theme"], r["country"]): int(r["count"]) for r in output(built, "projects-by-theme")
    }
    matrix = next(t for t in document.tables if t.rows[0].cells[0].text.strip() == "Thematic area")
    header = [c.text.strip() for c in matrix.rows[0].cells]
    for row in matrix.rows[1:]:
        theme = row.cells[0].text.strip()
        for name, cell in zip(header[1:-1], row.cells[1:-1], strict=True):
            value = cell.text.strip()
            assert (0 if value == "·" else int(value)) == csv_counts[(theme, name)], (theme, name)
        assert row.cells[-1].text.strip().startswith("["), "each row cites its sources"


def test_figures_are_embedded_and_deterministic(built):
    with __import__("zipfile").ZipFile(
        built / "reports" / "tables" / "comparative-tables.docx"
    ) as z:
        media = [n for n in z.namelist() if n.startswith("word/media/")]
    assert len(media) == 2
    html = (built / "reports" / "tables" / "comparative-tables.html").read_text(encoding="utf-8")
    assert html.count("data:image/svg+xml;base64,") == 2
    for svg in (built / "reports" / "figures").glob("*.svg"):
        text = svg.read_text(encoding="utf-8")
        assert "<dc:date>" not in text and "Matplotlib v" not in text, svg.name
    with __import__("zipfile").ZipFile(built / "reports" / "briefs" / "belarus.docx") as z:
        assert [n for n in z.namelist() if n.startswith("word/media/")], (
            "the brief shows its timeline"
        )


def test_changing_a_theme_moves_the_project_between_cells(tmp_path, built):
    project = tmp_path / "p"
    shutil.copytree(built, project, symlinks=True)
    path = project / "data" / "projects.csv"
    rows = read_table(path)
    target = next(
        r for r in rows if items(r["countries"]) == ["KZ"] and "water" not in items(r["themes"])
    )
    old_themes = items(target["themes"])
    target["themes"] = ";".join(old_themes[1:] + ["water"])
    write_table(path, rows)
    before = {
        (r["theme_id"], r["country_code"]): int(r["count"])
        for r in output(built, "projects-by-theme")
    }
    snakemake(project)
    after = {
        (r["theme_id"], r["country_code"]): int(r["count"])
        for r in output(project, "projects-by-theme")
    }
    changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    assert changed == {
        (old_themes[0], "KZ"): (before[(old_themes[0], "KZ")], before[(old_themes[0], "KZ")] - 1),
        ("water", "KZ"): (before[("water", "KZ")], before[("water", "KZ")] + 1),
    }
