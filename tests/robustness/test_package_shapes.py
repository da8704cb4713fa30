"""Packages of another shape than the seed's (issue 34, the data-shape half): optional tables left
out of the descriptor, identifiers as the schema allows them, paths absolute or relative.

Each case generates a small package (benchmarks/synthetic.py), changes its shape, and runs the
project's own steps in-process (validate, prepare, tables, the Markdown of every document).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import rbtools
import synthetic
from coopdocs import layout
from coopdocs.load.datapackage import OPTIONAL_TABLES, REQUIRED_TABLES
from coopdocs.render.markdown import render
from coopdocs.tools.config import load_config
from coopdocs.workflow.commands import prepare_args
from support import cli

EPOCH = "1672358400"


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A copy of the project's build files; each case puts its own package beside ``data``."""
    return rbtools.copy_project(tmp_path_factory.mktemp("shapes") / "project")


def _package(project: Path, name: str, leave_out: tuple[str, ...] = ()) -> Path:
    """A generated package of four states, the tables ``leave_out`` removed from its descriptor
    and its folder."""
    data = project / name
    shutil.rmtree(data, ignore_errors=True)
    synthetic.generate(data, 4, seed=3)
    descriptor = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] not in leave_out]
    (data / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    for table in leave_out:
        (data / f"{table}.csv").unlink()
    return data


def _documents(project: Path, data: Path, **config) -> dict[str, str]:
    """The Markdown of every document of ``data`` by (kind/name), built as the workflow's jobs do."""
    cfg = load_config(project) | config
    work = data.with_name(data.name + "-build")
    with rbtools._cwd(project):
        cli.check(
            *prepare_args(
                cfg, EPOCH, bundle=f"{work}/bundle.json", contexts=f"{work}/context", data_dir=data
            )
        )
        cli.check("tables", "--bundle", f"{work}/bundle.json", "--tables-dir", f"{work}/tables",
                  "--figures-dir", f"{work}/figures", "--context", f"{work}/context/tables/tables.json",
                  "--bib", f"{work}/context/tables/tables.bib.json", "--config", "config/config.yaml",
                  "--article-context", f"{work}/context/article/review.json",
                  "--article-bib", f"{work}/context/article/review.bib.json",
                  "--strings", "templates/strings.yaml", "--epoch", EPOCH)  # fmt: skip
    kinds = {"briefs": "brief_template", "tables": "tables_template", "article": "article_template"}
    docs = {}
    for ctx in sorted((work / "context").rglob("*.json")):
        if not ctx.name.endswith(".bib.json"):
            context = json.loads(ctx.read_text(encoding="utf-8"))
            templates = project / cfg["templates_dir"]
            docs[f"{ctx.parent.name}/{ctx.stem}"] = render(
                templates, cfg[kinds[ctx.parent.name]], context
            )
    return docs


def test_only_the_tables_the_program_cannot_work_without_are_required():
    assert set(REQUIRED_TABLES) == {"publications", "sources", "countries", "actors"}
    assert {"proposals", "offices", "facts", "themes"} <= set(OPTIONAL_TABLES)


def test_a_package_without_proposals_offices_or_facts_builds(project: Path):
    data = _package(project, "no-optional", ("proposals", "offices", "facts"))
    code, _, err = cli.call("validate", "--data", data)
    assert code == 0, err
    docs = _documents(project, data)
    assert {"tables/tables", "article/review"} <= set(docs) and len(docs) == 7
    assert all("Traceback" not in text and text.strip() for text in docs.values())


# The words each optional table's absence sentence uses (issue 34): a table the descriptor leaves
# out is said nowhere, not even as "no ..." or "0 ...".
LEFT_OUT_WORDS = {
    "offices": ("office or centre",),
    "proposals": ("0 proposals", "events and proposals"),
    "roles": ("no term on a governing body",),
}


@pytest.fixture(scope="module")
def full(project: Path) -> dict[str, str]:
    """The documents of the generated package with every table (they say the phrases)."""
    return _documents(project, _package(project, "left-out-none"))


@pytest.mark.parametrize("table", sorted(LEFT_OUT_WORDS))
def test_a_table_left_out_is_said_nowhere(project: Path, full: dict[str, str], table: str):
    data = _package(project, f"left-out-{table}", (table,))
    docs = _documents(project, data)
    for phrase in LEFT_OUT_WORDS[table]:
        if table != "proposals":  # the full package's words, so that the test can fail
            assert any(phrase in text for text in full.values()), phrase
        assert not [name for name, text in docs.items() if phrase in text], phrase


def test_a_package_without_the_union_programme_writes_no_table_of_it(project: Path):
    data = _package(project, "no-union-programme")
    path = data / "instruments.csv"
    text = path.read_text(encoding="utf-8")
    assert layout.UNION_PROGRAMME in text
    path.write_text(text.replace(layout.UNION_PROGRAMME, "union-document"), encoding="utf-8")
    assert layout.UNION_PROGRAMME not in layout.table_ids(data)
    assert layout.UNION_PROGRAMME in layout.table_ids(project / "data")
    tables = data.with_name(data.name + "-build") / "tables"
    tables.mkdir(parents=True)  # a file an earlier build of rows now gone wrote: withdrawn
    (tables / f"{layout.UNION_PROGRAMME}.csv").write_text("year\n2020\n", encoding="utf-8")
    # ... and the files of a table the program no longer makes (its old name): withdrawn too
    for fmt in ("csv", "xlsx"):
        (tables / f"main-directions.{fmt}").write_text("year\n2020\n", encoding="utf-8")
    docs = _documents(project, data)
    assert not list(tables.glob(f"{layout.UNION_PROGRAMME}.*"))
    assert not list(tables.glob("main-directions.*"))
    assert (tables / f"{layout.TIMELINE_TABLE}.csv").is_file()
    assert not [name for name, text in docs.items() if "Main Directions" in text]


@pytest.mark.parametrize("table", ["sources", "themes"])
def test_a_table_left_out_that_others_refer_to_is_named_in_one_line(project: Path, table: str):
    data = _package(project, f"no-{table}", (table,))
    code, _, err = cli.call("validate", "--data", data)
    assert code == 1
    named = [line for line in err.splitlines() if f"'{table}'" in line]
    assert len(named) == 1, err
    assert "KeyError" not in err and "Traceback" not in err


def test_a_hyphenated_publication_id_builds(project: Path):
    data = _package(project, "hyphen-id")
    for table in ("publications", "sources"):
        path = data / f"{table}.csv"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("shugurov2022", "shugurov-2022"), encoding="utf-8")
    code, _, err = cli.call("validate", "--data", data)
    assert code == 0, err
    docs = _documents(project, data)
    assert len(docs) == 7
    assert any("@shugurov-2022" in text for text in docs.values())


def test_a_citation_key_is_one_word_for_pandoc_and_typst():
    from coopdocs.load.keys import CITATION_KEY
    from coopdocs.render.markdown import cite

    assert cite(["shugurov-2022", "ref001"]) == "[@ref001; @shugurov-2022]"
    for bad in ("-a", "a-", "a--b", "a_b", "2022a"):
        with pytest.raises(ValueError):
            cite([bad])
    assert CITATION_KEY.startswith("[A-Za-z]")


def _second_citing_work(data: Path) -> None:
    """A second citing work of two authors, a book, whose sources are numbered from 1 like the
    first work's: the upper half of the sources move to it."""
    import csv

    descriptor = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    works = next(r for r in descriptor["resources"] if r["name"] == "publications")
    works["schema"]["fields"].append({"name": "type", "type": "string"})
    for spec in works["schema"]["fields"]:
        if spec["name"] == "container_title":  # a book is in no journal
            spec["constraints"] = {}
    (data / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    for table, change in (("publications", _add_book), ("sources", _renumber)):
        path = data / f"{table}.csv"
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        rows = change(rows)
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)


def _add_book(rows: list[dict]) -> list[dict]:
    book = dict(rows[0], id="nowak-tran2024", authors="Nowak, Anna; Tran, Minh", year="2024")
    book.update(title="Standards Bodies and Their Members", container_title="", doi="", url="")
    return [dict(r, type="") for r in rows] + [dict(book, type="book")]


def _renumber(rows: list[dict]) -> list[dict]:
    half = len(rows) // 2
    for n, row in enumerate(rows[half:], start=1):
        row.update(citing_work="nowak-tran2024", ref_number=str(n))
    return rows


def test_several_citing_works_each_numbered_from_one(project: Path):
    data = _package(project, "two-works")
    _second_citing_work(data)
    code, _, err = cli.call("validate", "--data", data)
    assert code == 0, err
    _documents(project, data)
    items = {
        item["id"]: item
        for bib in (data.with_name(data.name + "-build") / "context").rglob("*.bib.json")
        for item in json.loads(bib.read_text(encoding="utf-8"))
    }
    book, article = items["nowak-tran2024"], items["shugurov2022"]
    assert book["type"] == "book" and "container-title" not in book
    assert [a["family"] for a in book["author"]] == ["Nowak", "Tran"]
    assert article["type"] == "article-journal"
    entries = [i["container-title"] for i in items.values() if i["type"] == "document"]
    assert any(e.startswith("Cited as [1] in Nowak and Tran (2024)") for e in entries), entries
    assert any(e.startswith("Cited as [1] in Shugurov (2022)") for e in entries), entries


def test_one_work_numbering_a_reference_twice_is_refused(project: Path):
    data = _package(project, "same-number")
    path = data / "sources.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("shugurov2022,2,", "shugurov2022,1,", 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, _, err = cli.call("validate", "--data", data)
    assert code == 1 and "sources.csv:3: field 'ref_number': value '1': duplicates line 2" in err, (
        err
    )


@pytest.mark.parametrize("table", OPTIONAL_TABLES)
def test_the_seed_without_one_optional_table_builds_or_names_the_reference(
    project: Path, table: str
):
    data = project / f"seed-without-{table}"
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(project / "data", data)
    path = data / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    referred = any(
        fk["reference"]["resource"] == table
        for r in descriptor["resources"]
        if r["name"] != table
        for fk in r["schema"].get("foreignKeys", []) + r["schema"].get("listForeignKeys", [])
    )
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] != table]
    path.write_text(json.dumps(descriptor), encoding="utf-8")
    code, _, err = cli.call("validate", "--data", data)
    if referred:  # e.g. themes, which projects refer to: one line naming the reference
        assert code == 1 and err.count("which the data package leaves out") == 1, err
        return
    assert code == 0, err
    docs = _documents(project, data)
    assert len(docs) == 8 and all(text.strip() for text in docs.values())


def test_a_package_without_offices_has_no_offices_column(project: Path, full: dict[str, str]):
    """Issue 34: the tables document's and the CSV's offices column is absent with the table."""
    import csv

    heading = "| UNIDO offices and centres |"
    assert heading in full["tables/tables"]
    data = _package(project, "no-offices-column", ("offices",))
    docs = _documents(project, data)
    assert heading not in docs["tables/tables"]
    profile = (
        data.with_name(data.name + "-build") / "tables" / f"{layout.INSTITUTIONAL_PROFILE}.csv"
    )
    with profile.open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    assert "organisation_offices" not in header and "governing_body_roles" in header
    row = next(line for line in docs["tables/tables"].splitlines() if line.startswith("| State |"))
    divider = docs["tables/tables"].splitlines()[docs["tables/tables"].splitlines().index(row) + 1]
    assert row.count("|") == divider.count("|")  # the header and the divider agree
