"""Another organisation and union, by data and config alone (issue 16).

The fixture tests/fixtures/iawc is an invented data package: the International Agency for Water
Cooperation (IAWC) and the Northern Waters Union (NWU), seven rows: six states with accented and
Greek-script names (codes NA and NO among them), one that left the union (Ísvík), one with
membership only (Valdoria), one with no project (Θαλασσία), no yearly Main Directions and no
authored text. The project is built on it with ``--config data_dir=... organisation=iawc
union=NWU`` and no code or template change; every output is then read.
"""

from __future__ import annotations

import csv
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from workflow_build import copy_project, snakemake

from support.documents import LEAKS, docx_text, html_text, pdf_text, squash

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "iawc"

# Words of the seed's organisation, union, states and article that no output of another package
# may contain (case-sensitive, whole words: 'Lima' is not 'StillImage').
SEED_WORDS = [
    "UNIDO",
    "EAEU",
    "Eurasian",
    "Shugurov",
    "Armenia",
    "Belarus",
    "Kazakhstan",
    "Kyrgyzstan",
    "Kyrgyz",
    "Russia",
    "Russian",
    "Main Directions",
    "ISID",
    "Lima",
    "Abu Dhabi",
    "Fourth Industrial Revolution",
    "Eurasian Economic Commission",
    "EEC",
    "a IAWC",
]
SEED = re.compile(r"\b(" + "|".join(re.escape(w) for w in SEED_WORDS) + r")\b")


def output_text(path: Path) -> str:
    """Everything a reader or a program can read in one output file."""
    if path.suffix == ".pdf":
        return pdf_text(path)
    if path.suffix in (".docx", ".xlsx"):
        with zipfile.ZipFile(path) as z:
            return "\n".join(
                z.read(n).decode("utf-8", "replace")
                for n in z.namelist()
                if n.endswith((".xml", ".rels"))
            )
    if path.suffix == ".png":
        return ""
    # Embedded figures are base64: random letters, not words.
    return re.sub(r"base64,[A-Za-z0-9+/=]+", "base64,", path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def other(tmp_path_factory) -> Path:
    """The project built on the fixture package (kept outside the project's data/)."""
    project = copy_project(tmp_path_factory.mktemp("other") / "project")
    shutil.rmtree(project / "data")
    package = project.parent / "iawc-data"
    shutil.copytree(FIXTURE, package)
    snakemake(project, "--config", f"data_dir={package}", "organisation=iawc", "union=NWU")
    return project


def test_no_output_mentions_the_seed(other):
    outputs = sorted(p for p in (other / "reports").rglob("*.*") if p.is_file())
    assert len(outputs) > 50
    found = {}
    for path in outputs:
        hit = SEED.search(output_text(path))
        if hit:
            found[str(path.relative_to(other))] = hit.group()
    assert not found, found


def test_the_fixture_is_what_it_claims():
    with (FIXTURE / "countries.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    states = [r for r in rows if r["kind"] == "member-state"]
    assert 6 <= len(states) <= 8 and {"NA", "NO"} <= {r["code"] for r in rows}
    assert any(r["union_member_until"] for r in states)
    assert any(
        not r["name"].isascii() and any("\u0370" <= ch <= "\u03ff" for ch in r["name"])
        for r in states
    )
    with (FIXTURE / "instruments.csv").open(encoding="utf-8", newline="") as fh:
        assert not [r for r in csv.DictReader(fh) if r["role"] == "union-programme"]


def test_briefs_show_membership_of_the_union_and_official_names(other):
    isvik = squash(html_text(other / "reports" / "briefs" / "isvik.html"))
    assert "Republic of Ísvík" in isvik
    assert (
        "Ísvík joined the Northern Waters Union on 1 May 2001 and left it on 31 December 2019."
        in isvik
    )
    assert "Θαλασσία joined the Northern Waters Union in 2012." in squash(
        html_text(other / "reports" / "briefs" / "thalassia.html")
    )
    for slug in ("alderoy", "isvik", "valdoria", "nwu"):
        text = squash(docx_text(other / "reports" / "briefs" / f"{slug}.docx"))
        assert not LEAKS.search(text), (slug, LEAKS.search(text))


def test_a_state_with_no_dated_record_has_no_timeline(other):
    with zipfile.ZipFile(other / "reports" / "briefs" / "valdoria.docx") as z:
        assert not [n for n in z.namelist() if n.startswith("word/media/")]
    text = squash(pdf_text(other / "reports" / "briefs" / "valdoria.pdf"))
    assert "Figure" not in text and "time line" not in text
    # The counts are the provenance's, not the masthead's (issue 30).
    assert "one source). Its one record follows" in text
    # A figure only when it carries enough (contexts.timeline_carries: 3+ dated records over 2+
    # years, issue 30): Ålderøy's has; Ísvík's two dated records are said better in the text.
    with zipfile.ZipFile(other / "reports" / "briefs" / "alderoy.docx") as z:
        assert [n for n in z.namelist() if n.startswith("word/media/")]
    with zipfile.ZipFile(other / "reports" / "briefs" / "isvik.docx") as z:
        assert not [n for n in z.namelist() if n.startswith("word/media/")]


def test_tables_document_leaves_out_the_empty_table_and_sorts_by_collation(other):
    text = squash(html_text(other / "reports" / "tables" / "comparative-tables.html"))
    captions = re.findall(r"Table (\d+)\. ", text)
    assert sorted(set(captions), key=int) == ["1", "2", "3", "4", "5"]
    assert "Table 6" not in text
    # Collation, not code points: Čermava before Ísvík before Marèsa; Greek after Latin.
    names = ["Ålderøy", "Čermava", "Ísvík", "Marèsa", "Valdoria", "Θαλασσία"]
    assert ", ".join(names[:-1]) + " and " + names[-1] in text
    assert "left the union 2019-12-31" in text
    # A union without a yearly programme (issue 34): no file of that table at all.
    assert not list((other / "reports" / "tables").glob("union-programme.*"))
    assert (other / "reports" / "tables" / "timeline.csv").is_file()
    profile = openpyxl.load_workbook(
        other / "reports" / "tables" / "institutional-profile.xlsx"
    ).active
    headings = [c.value for c in profile[2]]
    assert "IAWC member since" in headings and "Left the union" in headings


def test_article_makes_no_claim_without_an_authored_text(other):
    text = squash(docx_text(other / "reports" / "article" / "review.docx"))
    assert (
        "Northern Waters Union and its 5 member states (Ålderøy, Čermava, Marèsa, Valdoria and Θαλασσία)"
        in text
    )
    assert "Ísvík, which has left the union" in text
    for claim in (
        "The review finds",
        "three strands",
        "Three strands",
        "real but subsidiary",
        "several decades",
        "unevenly spread",
    ):
        assert claim not in text, claim
    assert "Main Directions" not in text and "4.2." not in text
    # Wording for one and for many; flags kept; money with its currency. A union that began
    # before its last member state says "before", never a negative number of years.
    assert "$800,000 for Ålderøy's one project in Ísvík" in text
    assert "a figure kept as the source gives it" in text
    assert "eight years before the last" in text and "-8 years" not in text
    assert "Table 6" not in text and "Table 5" not in text


def test_generated_markdown_has_blank_lines_before_blocks(other):
    """Headings, tables and lists start after a blank line (else pandoc prints them as text)."""
    for md in (other / "build" / "md").rglob("*.md"):
        lines = md.read_text(encoding="utf-8").splitlines()
        for number, (before, line) in enumerate(zip(lines, lines[1:]), start=2):
            if (
                before.strip()
                and re.match(r"(#{1,6} |\| |!\[)", line)
                and not before.startswith(("|", "#", ":"))
            ):
                raise AssertionError(
                    f"{md.name}:{number}: block glued to the line above: {line[:60]!r}"
                )


def test_config_values_are_checked_against_the_data(other, tmp_path):
    project = tmp_path / "p"
    shutil.copytree(other, project, symlinks=True)
    package = other.parent / "iawc-data"
    proc = snakemake(
        project, "--config", f"data_dir={package}", "organisation=unido", "union=NWU", check=False
    )
    assert proc.returncode != 0
    output = proc.stdout + proc.stderr
    assert "config: field 'organisation': value 'unido': names no actor in actors.csv" in output
    assert "iawc" in output  # the ids that exist
    proc = snakemake(
        project,
        "--config",
        f"data_dir={package}",
        "organisation=iawc",
        "union=EAEU",
        "union_body=eec",
        check=False,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "field 'union': value 'EAEU'" in output and "expected one of NWU" in output
    assert "field 'union_body': value 'eec'" in output


def test_editorial_checker_finds_nothing(other):
    """tests/prose_check.py on the invented package: Valdoria has no project, event or role."""
    from test_prose import findings

    assert findings(other) == []
