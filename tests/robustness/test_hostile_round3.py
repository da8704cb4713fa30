"""Hostile input, round 3 (issue 32): the cases that were broken or weak, each held here.

Figures draw data as text (no mathtext); the preview answers only its own host; verify refuses
a zip bomb before extracting; validation follows the Table Schema constraints; the authored text
stays inside the data folder.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tarfile
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import matplotlib
import pandas as pd
import pytest

from coopdocs.compute import figures
from coopdocs.compute.claims import claim_names
from support.styles import house_styles

ROOT = Path(__file__).resolve().parents[2]


def _svg_text(stem: Path, by_theme: pd.DataFrame, order) -> str:
    # Text as <text> elements (not glyph paths) so that the test can read what was drawn.
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        svg, _png = figures.theme_matrix(by_theme, order, stem, {"scale": "$n$ projects"})
    return svg.read_text(encoding="utf-8")


def test_theme_labels_and_names_are_drawn_as_text_not_math(tmp_path):
    labels = ["$α$", "$5 and $10", r"$\undefinedmacro$", r"a_b^c \frac{1}{2}"]
    by_theme = pd.DataFrame(
        [{"theme": t, "country_code": "AA", "count": i + 1} for i, t in enumerate(labels)]
    )
    svg = _svg_text(tmp_path / "themes", by_theme, [("AA", "$State$ \\alpha")])
    for text in [*labels, "$State$ \\alpha", "$n$ projects"]:
        escaped = text.replace("&", "&amp;").replace("<", "&lt;")
        assert escaped in svg, text


# --- every front-matter field escaped in every format --------------------------------------------

HOSTILE_META = {
    "keywords": 'a" http-equiv="refresh" content="0;url=https://attacker.example/, b]#c',
    "subject": 'A subtitle"><script>alert(1)</script> & <b>',
    "creator": 'O\'Neill "the" #author ]',
}


class _Metas(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.metas: list[dict] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "meta":
            self.metas.append(dict(attrs))


def test_front_matter_fields_are_escaped_in_html_docx_and_pdf(tmp_path):
    import pypdf

    from coopdocs.render import docx, publish
    from coopdocs.tools.pandoc import pandoc_command

    md = tmp_path / "doc.md"
    md.write_text("% A title\n%\n% 2022-12-30\n\nText.\n", encoding="utf-8")
    ast = tmp_path / "doc.json"
    cmd = pandoc_command("json", metadata=HOSTILE_META)
    subprocess.run([*cmd, "--output", str(ast), str(md)], check=True)
    styles = house_styles(ROOT / "templates")
    out = publish.Outputs(
        md=md,
        ast=ast,
        typ=tmp_path / "doc.typ",
        docx=tmp_path / "doc.docx",
        html=tmp_path / "doc.html",
        pdf=tmp_path / "doc.pdf",
    )
    publish.write(styles, out, epoch=1672358400, figures_dir=tmp_path, figures=[])
    parser = _Metas()
    parser.feed(out.html.read_text(encoding="utf-8"))
    metas = {m.get("name"): m for m in parser.metas if m.get("name")}
    assert metas["keywords"] == {"name": "keywords", "content": HOSTILE_META["keywords"]}
    assert metas["description"] == {"name": "description", "content": HOSTILE_META["subject"]}
    assert metas["author"] == {"name": "author", "content": HOSTILE_META["creator"]}
    assert not any("http-equiv" in m for m in parser.metas) and "script" not in parser.tags
    with zipfile.ZipFile(out.docx) as z:
        core = z.read("docProps/core.xml").decode("utf-8")
    props = {
        tag: docx._core_value(core, tag) for tag in ("dc:subject", "dc:creator", "cp:keywords")
    }
    assert props == {
        "dc:subject": HOSTILE_META["subject"],
        "dc:creator": HOSTILE_META["creator"],
        "cp:keywords": HOSTILE_META["keywords"],
    }
    meta = pypdf.PdfReader(out.pdf).metadata
    assert meta["/Subject"] == HOSTILE_META["subject"]
    assert meta["/Author"] == HOSTILE_META["creator"]
    assert meta["/Keywords"] == HOSTILE_META["keywords"]


# --- the authored text stays in the data folder ---------------------------------------------------


def _text_problems(data: Path) -> list[str]:
    from coopdocs.load.datapackage import DataError, load_package

    try:
        load_package(data, claims=claim_names())
    except DataError as exc:
        return [str(p) for p in exc.problems if p.field == "texts" or "text/" in str(p)]
    return []


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    return Path(shutil.copytree(ROOT / "data", tmp_path / "data"))


def test_an_authored_text_linked_out_of_the_data_folder_is_refused(data: Path):
    article = data / "text" / "article.md"
    article.unlink()
    article.symlink_to("/etc/passwd")
    problems = _text_problems(data)
    assert len(problems) == 1 and "symbolic link" in problems[0], problems
    article.unlink()
    article.symlink_to("/dev/zero")
    problems = _text_problems(data)
    assert len(problems) == 1 and "symbolic link" in problems[0], problems
    # The folder itself a link to a folder outside.
    outside = data.parent / "outside"
    outside.mkdir()
    (outside / "article.md").write_text("# abstract\nFrom outside.\n", encoding="utf-8")
    shutil.rmtree(data / "text")
    (data / "text").symlink_to(outside)
    problems = _text_problems(data)
    assert len(problems) == 1 and "symbolic link" in problems[0], problems


def test_an_authored_text_that_is_no_file_or_too_large_is_refused(data: Path):
    from coopdocs.load.datapackage import TEXT_LIMIT

    article = data / "text" / "article.md"
    article.unlink()
    os.mkfifo(article)  # a pipe nobody writes to: reading it would wait for ever
    problems = _text_problems(data)
    assert len(problems) == 1 and "not a regular file" in problems[0], problems
    article.unlink()
    article.write_bytes(b"# abstract\n" + b"word " * (TEXT_LIMIT // 5 + 1))
    problems = _text_problems(data)
    assert len(problems) == 1 and f"{TEXT_LIMIT:,} bytes" in problems[0], problems


# --- verify refuses a zip bomb before extracting anything -----------------------------------------


def _verify_line(archive: Path, capsys) -> str:
    from coopdocs.cli import main

    assert main(["verify", str(archive)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


@pytest.fixture()
def no_extraction(monkeypatch):
    """Small limits (the test's bombs are MBs, not GBs), and any extraction fails the test."""
    from coopdocs.archive import bag

    monkeypatch.setattr(bag, "ZIP_ENTRY_MAX", 4 << 20)
    monkeypatch.setattr(bag, "ZIP_TOTAL_MAX", 8 << 20)
    monkeypatch.setattr(bag, "SOURCE_TOTAL_MAX", 2 << 20)

    def refuse(*args, **kwargs):
        raise AssertionError("extracted before the size check")

    monkeypatch.setattr(zipfile.ZipFile, "extractall", refuse)
    monkeypatch.setattr(zipfile.ZipFile, "extract", refuse)


def test_verify_refuses_a_zip_bomb_before_extracting(tmp_path, capsys, no_extraction):
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("coopdocs-1.0/data/big.pdf", b"\0" * (5 << 20))
    assert bomb.stat().st_size < 100_000
    assert "would unpack to" in _verify_line(bomb, capsys)
    many = tmp_path / "many.zip"
    with zipfile.ZipFile(many, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(3):
            z.writestr(f"coopdocs-1.0/data/part{i}.pdf", b"\0" * (3 << 20))
    assert "would unpack to" in _verify_line(many, capsys)


def test_verify_refuses_a_source_tar_bomb_inside_the_zip(tmp_path, capsys, no_extraction):
    source = io.BytesIO()
    with tarfile.open(fileobj=source, mode="w") as tar:
        for i in range(2):
            info = tarfile.TarInfo(f"src/zeros{i}.py")
            info.size = 1536 << 10
            tar.addfile(info, io.BytesIO(b"\0" * info.size))
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("coopdocs-1.0/data/source.tar", source.getvalue())
    line = _verify_line(bomb, capsys)
    assert "source.tar" in line and "GiB" in line


# --- validation that matches the standard ---------------------------------------------------------


def _errors(data: Path) -> list[str]:
    from coopdocs.load.datapackage import DataError, load_package

    try:
        load_package(data, claims=claim_names())
    except DataError as exc:
        return [str(p) for p in exc.problems if p.severity == "error"]
    return []


def _set(data: Path, table: str, row: int, field: str, value: str) -> None:
    from helpers import read_table, write_table

    path = data / f"{table}.csv"
    header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
    rows = read_table(path)
    rows[row][field] = value
    write_table(path, rows, header)


def test_a_header_only_table_others_refer_to_is_named_once(data: Path):
    path = data / "themes.csv"
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    errors = _errors(data)
    assert len(errors) == 1 and "themes.csv" in errors[0] and "no rows" in errors[0], errors


def test_a_table_left_out_of_the_descriptor_is_one_line(data: Path):
    import json

    from coopdocs.load.datapackage import REQUIRED_TABLES

    path = data / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] != "actors"]
    path.write_text(json.dumps(descriptor), encoding="utf-8")
    errors = _errors(data)  # one line, not one per table that refers to the actors
    assert "actors" in REQUIRED_TABLES
    assert len(errors) == 1 and "'actors'" in errors[0], errors


def test_invisible_and_look_alike_labels_are_refused(data: Path):
    _set(data, "themes", 0, "label", "\u200b\u200d\u2060\ufeff")  # required, and nothing visible
    _set(data, "themes", 1, "label", "Ｅｎｅｒｇｙ")  # full width: 'Energy' after NFKC
    _set(data, "themes", 2, "label", "energy\u200b")
    errors = _errors(data)  # both look like line 7's 'Energy'
    assert len(errors) == 3, errors
    assert sum("'label'" in e and "required" in e for e in errors) == 1, errors
    assert sum("looks the same as" in e for e in errors) == 2, errors


def test_numbers_a_document_cannot_print_as_typed_are_refused(data: Path):
    _set(data, "outcomes", 1, "value", "-4")
    _set(data, "outcomes", 2, "value", "1e-300")
    _set(data, "projects", 0, "budget", "1e300")
    _set(data, "projects", 1, "budget", "1234567.123456789012")
    for row in (0, 1):  # each with its currency: only the number is wrong
        _set(data, "projects", row, "budget_currency", "USD")
    _set(data, "sources", 0, "cited_count", "-1")
    errors = _errors(data)
    assert len(errors) == 5, errors
    assert sum("'-4'" in e and "too small" in e for e in errors) == 1, errors
    assert sum("1e-300" in e and "digits" in e for e in errors) == 1, errors
    assert sum("1e300" in e and "print" in e for e in errors) == 1, errors
    assert sum("1234567.123456789012" in e for e in errors) == 1, errors


# --- template names stay inside the templates folder ----------------------------------------------


def test_template_names_are_confined_to_the_templates_folder(tmp_path: Path):
    from coopdocs.load.settings import template_problems
    from coopdocs.tools.config import load_config

    config = load_config(ROOT)
    assert template_problems(config, ROOT) == []
    for name in ("../README.md", "/etc/passwd", "partials/../../README.md", "", "absent.md.j2"):
        problems = template_problems(dict(config, brief_template=name), ROOT)
        assert len(problems) == 1 and "brief_template" in problems[0], (name, problems)
    # The folder may be anywhere; one without templates is refused, not built from nothing.
    elsewhere = tmp_path / "my-templates"
    shutil.copytree(ROOT / "templates", elsewhere)
    assert template_problems(dict(config, templates_dir=str(elsewhere)), ROOT) == []
    empty = tmp_path / "empty"
    empty.mkdir()
    assert len(template_problems(dict(config, templates_dir=str(empty)), ROOT)) == 3
    (elsewhere / "brief.md.j2").unlink()
    (elsewhere / "brief.md.j2").symlink_to(ROOT / "README.md")
    problems = template_problems(dict(config, templates_dir=str(elsewhere)), ROOT)
    assert len(problems) == 1 and "leaves templates_dir" in problems[0], problems


def test_the_workflow_refuses_a_template_path_in_one_line(tmp_path: Path):
    import rbtools

    project = rbtools.copy_project(tmp_path / "project")
    proc = rbtools.run_snakemake(project, "-n", "--config", "brief_template=../README.md")
    assert proc.returncode != 0
    out = proc.stdout + proc.stderr
    assert "Traceback" not in out and "brief_template: '../README.md'" in out, out[-2000:]


# --- validate reports what the build would stop on in the authored text ---------------------------


def _validate(data: Path, capsys) -> tuple[int, str]:
    from coopdocs.cli import main

    code = main(["validate", "--data", str(data)])
    return code, capsys.readouterr().err


def test_validate_reports_the_authored_text_as_the_build_reads_it(data: Path, capsys):
    article = data / "text" / "article.md"
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("union_body: eec", "union_body: no-such-body"), "utf-8")
    code, err = _validate(data, capsys)
    assert code == 1 and "union_body" in err and "no-such-body" in err, err
    canary = data.parent / "canary"
    command = '{{ cycler.__init__.__globals__.os.popen("touch ' + str(canary) + '").read() }}'
    article.write_text(text + "\n" + command + "\n", "utf-8")
    code, err = _validate(data, capsys)
    assert code == 1 and "article.md:" in err and "Traceback" not in err, err
    assert not canary.exists()
