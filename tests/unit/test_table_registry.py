"""The comparative tables are declared once (coopdocs.compute.tables.TABLES), their words in the
strings file: a missing caption or heading fails the check, and a seventh table that is only a
declaration, its function and its strings builds in every format."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from coopdocs.compute import tables
from coopdocs.compute.claims import claim_names
from coopdocs.compute.tables import TABLES, Frame, TableSpec, check_strings, compute_tables
from coopdocs.load.datapackage import load_package
from coopdocs.load.strings import load_strings
from coopdocs.render import publish as pub
from coopdocs.tools.config import load_config
from coopdocs.workflow.commands import prepare_args
from locations import ROOT, TWO_STATES
from support import cli
from support.documents import document_text, squash
from support.styles import house_styles

EPOCH = 1672358400
SCRATCH = "projects-by-start"


@pytest.fixture(scope="module")
def frames():
    words = load_strings(ROOT / "templates")
    return {
        name: compute_tables(load_package(path, claims=claim_names()).tables, words)
        for name, path in (("two-states", TWO_STATES), ("seed", ROOT / "data"))
    }


def test_the_strings_have_every_tables_caption_and_heading(frames):
    words = load_strings(ROOT / "templates")
    for name, computed in frames.items():
        assert check_strings(words, computed) == [], name


def test_a_missing_caption_or_heading_is_named(frames):
    words = load_strings(ROOT / "templates")
    del words["tables"]["legal-basis"]["caption"]
    del words["tables"]["timeline"]["heading"]
    del words["headings"]["theme"]
    assert check_strings(words, frames["two-states"]) == [
        "tables.legal-basis.caption: missing (the caption of table legal-basis)",
        "headings.theme: missing (a column of table projects-by-theme)",
        "tables.timeline.heading: missing (the heading of table timeline)",
    ]
    assert check_strings(None, frames["two-states"]) == []  # no strings file: no words at all


def projects_by_start(t, words=None) -> Frame:
    """The scratch seventh table: the projects starting each year, with their records."""
    years: dict[int, list[dict]] = {}
    for p in t["projects"]:
        if p.get("start_year"):
            years.setdefault(int(p["start_year"]), []).append(p)
    rows = [
        {
            "start_year": year,
            "projects_started": len(found),
            # The ID lists as every table writes them (a function in coopdocs.compute.tables would).
            "records": tables._ids(found),
            "sources": tables._sources(found),
        }
        for year, found in sorted(years.items())
    ]
    return Frame.of(rows)


@pytest.fixture()
def seventh_table():
    """TABLES with the scratch table declared last, for the length of one test."""
    TABLES.append(TableSpec(SCRATCH, projects_by_start))
    yield
    TABLES.remove(TABLES[-1])


def _project(tmp_path: Path, with_words: bool) -> Path:
    """A templates folder whose strings have (or lack) the scratch table's words."""
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    strings = yaml.safe_load((templates / "strings.yaml").read_text(encoding="utf-8"))
    if with_words:
        strings["tables"][SCRATCH] = {
            "heading": "Projects over the years",
            "caption": "Projects by year of start",
            "note": "Each year.",
        }
        strings["headings"]["projects_started"] = "Projects started"
    (templates / "strings.yaml").write_text(yaml.safe_dump(strings), encoding="utf-8")
    return templates


def _tables_job(tmp_path: Path, templates: Path) -> tuple[int, str]:
    """``coopdocs prepare`` then ``coopdocs tables`` on the two-state fixture package."""
    build = tmp_path / "build"
    settings = dict(load_config(ROOT), data_dir=TWO_STATES)
    strings = templates / "strings.yaml"
    bundle, contexts = build / "bundle.json", build / "context"
    cli.check(*prepare_args(settings, EPOCH, bundle=bundle, contexts=contexts, strings=strings))
    code, _, err = cli.call(
        "tables", "--bundle", build / "bundle.json", "--tables-dir", tmp_path / "tables",
        "--figures-dir", tmp_path / "figures", "--context", build / "tables.json",
        "--bib", build / "tables-bib.json", "--epoch", EPOCH,
        "--strings", templates / "strings.yaml",
    )  # fmt: skip
    return code, err


def test_a_seventh_table_without_its_words_stops_the_tables_job(tmp_path, seventh_table):
    templates = _project(tmp_path, with_words=False)
    code, err = _tables_job(tmp_path, templates)
    assert code == 1
    assert err.splitlines() == [
        f"{templates / 'strings.yaml'}: tables.{SCRATCH}.caption: missing (the caption of table {SCRATCH})",
        f"{templates / 'strings.yaml'}: tables.{SCRATCH}.heading: missing (the heading of table {SCRATCH})",
        f"{templates / 'strings.yaml'}: headings.projects_started: missing (a column of table {SCRATCH})",
    ]
    assert not (tmp_path / "tables").exists() or not list((tmp_path / "tables").iterdir())


def test_a_seventh_table_builds_in_every_format(tmp_path, seventh_table):
    templates = _project(tmp_path, with_words=True)
    code, err = _tables_job(tmp_path, templates)
    assert code == 0, err
    csv = (tmp_path / "tables" / f"{SCRATCH}.csv").read_text(encoding="utf-8")
    assert csv.startswith("start_year,projects_started,records,sources")
    assert (tmp_path / "tables" / f"{SCRATCH}.xlsx").stat().st_size > 1000
    context = json.loads((tmp_path / "build" / "tables.json").read_text(encoding="utf-8"))
    entry = next(t for t in context["tables"] if t["id"] == SCRATCH)
    assert entry["number"] == len(context["tables"]) and entry["rows"]
    styles = house_styles(templates)
    out = tmp_path / "out"
    document = pub.Document(
        context=tmp_path / "build" / "tables.json",
        bibliography=tmp_path / "build" / "tables-bib.json",
        templates_dir=templates,
        template="tables.md.j2",
        figures_dir=tmp_path / "figures",
        figures=sorted((tmp_path / "figures").glob("*.svg")),
    )
    outputs = pub.Outputs(
        md=out / "t.md", ast=out / "t.json", typ=out / "t.typ",
        **{fmt: out / f"t.{fmt}" for fmt in ("docx", "html", "pdf")},
    )  # fmt: skip
    pub.publish(document, styles, outputs, epoch=EPOCH)
    # Without a section of its own: its columns in the table's order, under the strings' headings.
    assert "| Start | Projects started | Sources |" in (out / "t.md").read_text(encoding="utf-8")
    first = entry["rows"][0]
    # Its section's heading names the subject and its caption titles it: the title once.
    caption = f"Table {entry['number']}. Projects by year of start. Data: {SCRATCH}.csv."
    for fmt in ("docx", "html", "pdf"):
        text = squash(document_text(out / f"t.{fmt}"))
        assert "Projects over the years" in text and caption in text, fmt
        assert text.count("Projects by year of start") == 1, fmt
        assert "Projects started" in text and str(first["start_year"]) in text, fmt
