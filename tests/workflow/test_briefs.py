"""End to end: the workflow on the real data, read back from DOCX, PDF and HTML."""

from __future__ import annotations

import json
import re
import shutil
import time
import zipfile
from pathlib import Path

import docx
import pypdf
import pytest
from workflow_build import copy_project, snakemake

from coopdocs.load.strings import load_strings
from coopdocs.render.metadata import document_metadata
from coopdocs.render.sections import split
from coopdocs.tools.pandoc import PANDOC_READER, pandoc
from helpers import read_table, write_table
from support.documents import LEAKS, docx_text, html_text, pdf_text, squash

SLUGS = ["armenia", "belarus", "eaeu", "kazakhstan", "kyrgyzstan", "russia"]


def test_every_brief_in_every_format(built):
    for slug in SLUGS:
        for fmt in ("docx", "pdf", "html"):
            path = built / "reports" / "briefs" / f"{slug}.{fmt}"
            assert path.is_file() and path.stat().st_size > 5000, path
    assert not list((built / "reports").rglob("*.part")), "a temporary file was left behind"


@pytest.mark.parametrize("fmt", ["docx", "pdf", "html"])
def test_belarus_facts_and_citations(built, fmt):
    path = built / "reports" / "briefs" / f"belarus.{fmt}"
    text = squash({"docx": docx_text, "pdf": pdf_text, "html": html_text}[fmt](path))
    assert "Belarus and UNIDO" in text
    assert "1985" in text
    assert "General Conference" in text
    # Numbered citations and a reference list saying which source of the article each is.
    assert re.search(r"\[\d+\]", text)
    assert re.search(r"Cited as \[\d+\] in Shugurov \(2022\)", text)
    assert "10.7256/2454-0633.2022.4.39227" in text
    for heading in (
        "Legal and programmatic basis",
        "Projects and programmes",
        "Events and high-level meetings",
        "Links with other member states",
        "Thematic profile",
        "References",
    ):
        assert heading in text, heading
    assert not LEAKS.search(text), LEAKS.search(text)


def test_kazakhstan_pdf_states_membership_honestly(built):
    # The article gives the year without a reference number: the brief says so instead of citing
    # the section's other sources (it used to print [2-11] here).
    text = squash(pdf_text(built / "reports" / "briefs" / "kazakhstan.pdf"))
    # Said once: the summary states the year, so no second sentence repeats it; the sign for "no
    # reference in the source" is explained once, in the masthead (issue 30).
    assert "Kazakhstan joined UNIDO in 1997" in text, text[:2000]
    assert "member of UNIDO since 1997" not in text, text[:2000]
    words = load_strings(Path(__file__).resolve().parents[2] / "templates")["apparatus"]
    key = words["key_sign"].format(sign=words["no_reference"])
    assert key in text, (key, text[:2000])
    assert "(no reference given in the source)" not in text


@pytest.mark.parametrize(
    "slug, phrases",
    [
        (
            "kazakhstan",
            [
                "greenhouse-gas emissions",
                "industrial statistics, industrial integration",
                "Fourth Industrial Revolution and of climate change",
                "The article writes 'Lee Yun' for Li Yong",
                "Cited together with reference 61 as [60; 61] in Shugurov (2022)",
            ],
        ),
        (
            "armenia",
            ["fell by 44.7%", "fell by 37.1%", "fell by 25.1%", "fell by 21.1%", "from 1% to 0.7%"],
        ),
        (
            "russia",
            [
                "1990s",
                "ecology, technology transfer, competitiveness and energy efficiency",
                "Li Yong",
                "largest donors",
                "The article writes 'Lee Jung' for Li Yong",
            ],
        ),
        (
            "eaeu",
            [
                "'end-to-end' technologies",
                "names 5 prerequisites",
                "The author's own proposals (8)",
                "Further suggestions (6)",
                "Cited as [106] in Shugurov (2022), where the number is printed twice",
            ],
        ),
        ("belarus", ["UNIDO General Conference, 2019", "Participation inferred, not stated"]),
    ],
)
def test_the_facts_the_audit_found_missing_are_in_the_briefs(built, slug, phrases):
    text = squash(html_text(built / "reports" / "briefs" / f"{slug}.html"))
    for phrase in phrases:
        assert phrase in text, (slug, phrase)
    assert "Abu Dhabi, United Arab Emirates" not in text


def test_russia_brief_shows_russia_as_donor(built):
    text = squash(docx_text(built / "reports" / "briefs" / "russia.docx"))
    assert "Russia funds" in text and "Belarus" in text


def test_union_brief_has_its_yearly_programme_table(built):
    document = docx.Document(str(built / "reports" / "briefs" / "eaeu.docx"))
    tables = [t for t in document.tables if t.rows[0].cells[0].text.strip() == "Year"]
    assert tables, "no Main Directions table"
    rows = {r.cells[0].text.strip(): r.cells[2].text.strip() for r in tables[0].rows[1:]}
    assert rows.get("2019") == "no"
    assert rows.get("2021") == "yes"


def test_docx_holds_only_its_own_media_and_no_raw_xml_from_data(built):
    with zipfile.ZipFile(built / "reports" / "briefs" / "armenia.docx") as z:
        assert [n for n in z.namelist() if n.startswith("word/media/")] == [
            "word/media/rId20.png"
        ] or len([n for n in z.namelist() if n.startswith("word/media/")]) == 1
        assert "<w:body" in z.read("word/document.xml").decode("utf-8")


def test_pdf_is_pdf_a_with_the_build_date(built):
    reader = pypdf.PdfReader(str(built / "reports" / "briefs" / "armenia.pdf"))
    assert reader.metadata["/CreationDate"].startswith("D:20221230")
    xmp = reader.xmp_metadata
    assert xmp is not None
    raw = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8", "replace")
    assert "pdfaid:part" in raw and "2" in re.search(r"pdfaid:part[^0-9]*([0-9])", raw).group(1)


def test_html_is_standalone_with_anchors(built):
    html = (built / "reports" / "briefs" / "kyrgyzstan.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<style>" in html
    assert 'id="overview-kyrgyzstan"' in html and 'id="refs"' in html
    assert not re.search(r'(src|href)="(file:|/)', html)


def test_rerun_is_a_no_op(built):
    proc = snakemake(built, "--dry-run")
    assert "Nothing to be done" in proc.stdout + proc.stderr


def test_same_inputs_same_bytes(built, tmp_path):
    other = copy_project(tmp_path / "again")
    snakemake(other, "--cores", "1")
    for path in sorted((built / "reports").rglob("*.*")):
        twin = other / path.relative_to(built)
        assert twin.read_bytes() == path.read_bytes(), path.relative_to(built)


def test_lint_is_clean(built):
    proc = snakemake(built, "--lint")
    assert "Congratulations, your workflow is in a good condition!" in proc.stdout + proc.stderr


def _jobs_run(proc) -> list[str]:
    """The jobs a Snakemake run printed, as ``rule[wildcard values]``, sorted."""
    ran = []
    for block in re.split(
        r"^(?=(?:local)?(?:rule|checkpoint) \w+:)", proc.stdout + proc.stderr, flags=re.M
    )[1:]:
        rule = re.match(r"(?:local)?(?:rule|checkpoint) (\w+):", block).group(1)
        wildcards = re.search(r"^\s+wildcards: (.+)$", block.split("\n\n")[0], re.M)
        values = [w.split("=", 1)[1] for w in wildcards.group(1).split(", ")] if wildcards else []
        ran.append(f"{rule}[{'/'.join(values)}]" if values else rule)
    return sorted(ran)


def test_an_edit_the_review_does_not_print_leaves_its_documents_alone(tmp_path, built):
    """Issue 35: a project's description, which its brief prints and the review does not. The
    review's text and text digest stay the same, so its read job puts back the DOCX, HTML and PDF
    the write job made (coopdocs.render.reuse) and Snakemake skips the write job; the brief shows
    the new words."""
    project = tmp_path / "p"
    shutil.copytree(built, project, symlinks=True)
    review = sorted((project / "reports" / "article").glob("review.*"))
    assert len(review) == 3
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in review}
    path = project / "data" / "projects.csv"
    rows = read_table(path)
    target = next(r for r in rows if r["countries"] == "KG")
    target["description"] += " Quuxified widgets were counted."
    write_table(path, rows)
    ran = _jobs_run(snakemake(project))
    assert "read_document[article/review]" in ran, ran
    assert not [r for r in ran if r.startswith("publish_document")], ran
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in review} == before
    assert "Quuxified widgets" in squash(
        pdf_text(project / "reports" / "briefs" / "kyrgyzstan.pdf")
    )
    dry = snakemake(project, "--dry-run")
    assert "Nothing to be done" in dry.stdout + dry.stderr


def test_one_record_edit_rebuilds_only_its_documents(tmp_path, built, monkeypatch):
    project = tmp_path / "p"
    shutil.copytree(built, project, symlinks=True)
    reports = project / "reports"
    mtimes = {p: p.stat().st_mtime_ns for p in reports.rglob("*.*")}
    content = {p: p.read_bytes() for p in reports.rglob("*.*")}
    path = project / "data" / "projects.csv"
    rows = read_table(path)
    target = next(r for r in rows if r["countries"] == "KG" and "gov-ru" not in r["funders"])
    target["end_year"] = "2031"
    write_table(path, rows)
    # A dry run works before validation has run again: it formats every job's command while the
    # documents' inputs, known only after the checkpoints, are not (it used to fail here).
    dry = snakemake(project, "--dry-run")
    assert "checkpoint prepare_data:" in dry.stdout + dry.stderr
    started = time.time_ns()
    proc = snakemake(project)
    # The jobs that ran: validation, the tables (the end year is in the timeline table), the
    # Kyrgyz brief, the two documents that show every state, and the manifest; no other brief.
    ran = _jobs_run(proc)
    # The tables document and the article are read (Markdown, citations) and written (DOCX,
    # HTML, PDF) by two jobs each.
    assert ran == [
        "all",
        "compute_tables",
        "prepare_data",
        "publish_brief[kyrgyzstan]",
        "publish_document[article/review]",
        "publish_document[tables/comparative-tables]",
        "read_document[article/review]",
        "read_document[tables/comparative-tables]",
        "write_manifest",
    ], ran
    rebuilt = sorted(
        str(p.relative_to(reports))
        for p, t in mtimes.items()
        if p.stat().st_mtime_ns != t and p.parent.name == "briefs"
    )
    assert rebuilt == ["briefs/kyrgyzstan.docx", "briefs/kyrgyzstan.html", "briefs/kyrgyzstan.pdf"]
    changed = sorted(str(p.relative_to(reports)) for p, b in content.items() if p.read_bytes() != b)
    # The project's end year shows in its brief, the timeline table and figures, the tables
    # document, the review article and the build's manifest; every other output keeps its bytes.
    assert changed == sorted(
        rebuilt
        + [
            "article/review.docx",
            "article/review.html",
            "article/review.pdf",
            "figures/timeline-kyrgyzstan.png",
            "figures/timeline-kyrgyzstan.svg",
            "figures/timeline.png",
            "figures/timeline.svg",
            "tables/timeline.csv",
            "tables/timeline.xlsx",
            "tables/comparative-tables.docx",
            "tables/comparative-tables.html",
            "tables/comparative-tables.pdf",
            "manifest.json",
            "ro-crate-metadata.json",
        ]
    )
    assert "2031" in pdf_text(project / "reports" / "briefs" / "kyrgyzstan.pdf")
    # The two long documents were read again section by section, only the changed sections
    # through pandoc (coopdocs.render.sections): their ASTs are those of a whole read of the new
    # Markdown.
    monkeypatch.chdir(
        project
    )  # the AST's metadata names the bibliography as the rule does, relative
    for doc in ("article/review", "tables/comparative-tables"):
        whole = tmp_path / f"{doc.replace('/', '-')}.json"
        context = json.loads(Path(f"build/context/{doc}.json").read_text(encoding="utf-8"))
        pandoc(
            Path(f"build/md/{doc}.md"),
            whole,
            "json",
            epoch=0,
            source_format=PANDOC_READER,
            bibliography=Path(f"build/context/{doc}.bib.json"),
            csl=Path("templates/csl/american-medical-association-brackets.csl"),
            metadata=document_metadata(context),
        )
        assert whole.read_bytes() == Path(f"build/ast/{doc}.json").read_bytes(), doc
        cached = list(Path(f"build/cache/sections/{doc}").glob("*.section"))
        assert len(cached) == len(split(Path(f"build/md/{doc}.md").read_text(encoding="utf-8"))) > 5
        read_again = [p for p in cached if p.stat().st_mtime_ns >= started]
        assert 0 < len(read_again) < len(cached) / 2, doc


def test_bad_data_stops_the_build_before_rendering(tmp_path, built):
    project = tmp_path / "p"
    shutil.copytree(built, project, symlinks=True)
    before = {p: p.stat().st_mtime_ns for p in (project / "reports").rglob("*.*")}
    path = project / "data" / "events.csv"
    rows = read_table(path)
    rows[0]["countries"] = "XX"
    rows[1]["date"] = "soon"
    write_table(path, rows)
    proc = snakemake(project, check=False)
    assert proc.returncode != 0
    output = proc.stdout + proc.stderr
    assert "data/events.csv:2: field 'countries': value 'XX'" in output
    assert "data/events.csv:3: field 'date': value 'soon'" in output
    assert {p: p.stat().st_mtime_ns for p in (project / "reports").rglob("*.*")} == before


@pytest.mark.parametrize("fmt", ["html", "docx"])
def test_briefs_narrate_instead_of_listing(built, fmt):
    """Issue 17, read back from the built documents: figure and unit agree inside the outcome's
    sentence, terms on one body are one sentence, a repeated passage is said once, and no
    editorial note quotes a bare bracketed reference number."""
    read = {"docx": docx_text, "html": html_text}[fmt]
    # The record marks (strings: record_mark "R{n}"), after a no-break space in DOCX.
    marks = re.compile(r"\s+R\d+\b")
    text = {
        # A record mark's link ends before the comma: "1992–1995 R3, 2000–2003".
        slug: re.sub(
            r" ([,.])",
            r"\1",
            squash(marks.sub("", read(built / "reports" / "briefs" / f"{slug}.{fmt}"))),
        )
        for slug in SLUGS
    }
    assert "under a 2019 agreement (one installation)." in text["kazakhstan"]
    assert "installations)" not in text["kazakhstan"]
    assert (
        "Belarus served on the Industrial Development Board in 1992–1995, 2000–2003, "
        "2016–2019 and 2019–2022."
    ) in text["belarus"]
    assert "stated as more than this amount" not in text["belarus"]
    # The yearly Main Directions are said once, in their table: no field label opens prose (issue 30).
    assert "On UNIDO:" not in text["eaeu"]
    # Every editorial note a brief prints, found by its text in the data: none holds a bare
    # bracketed number, which would read as the brief's own citation.
    notes = [
        " ".join(row[column].split())
        for table in sorted((built / "data").glob("*.csv"))
        for row in read_table(table)
        for column in row
        if (column == "note" or column.endswith("_note")) and row[column]
    ]
    printed = {slug: [n for n in notes if n in words] for slug, words in text.items()}
    assert all(printed.values()), {slug for slug, found in printed.items() if not found}
    for slug, found in printed.items():
        for note in found:
            assert not re.search(r"\[\s*\d", note), (slug, note)


# The body frame of a PDF page (templates/typst/document.typ: A4, top and bottom margins 2.4 cm).
PAGE_TOP, PAGE_BOTTOM = 2.4 / 2.54 * 72, 842 - 2.4 / 2.54 * 72
BACK_MATTER_MAX = 0.40  # issue 30: references and appendices at most 40 % of a brief's pages


def _lines(pdf: Path) -> list[list[tuple[float, float, str, float]]]:
    """Each page's words as (top, bottom, text, left), by pdftotext's bounding boxes."""
    import subprocess

    out = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    word = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>'
    return [
        [(float(a), float(b), t, float(x)) for x, a, b, t in re.findall(word, page)]
        for page in re.findall(r"<page [^>]*>(.*?)</page>", out, re.S)
    ]


# Narrower than a back-matter column: words nearer than this to a heading's left edge stand in
# its column; a heading beside it in the other column ("Data provenance") does not.
COLUMN = 150.0


def _alone(words, top: float, left: float) -> bool:
    """Whether the word at (top, left) is the only one on its line in its column."""
    return sum(abs(t - top) < 1 and abs(x - left) < COLUMN for t, _, _, x in words) == 1


def back_matter_share(pdf: Path) -> float:
    """The share of a brief's PDF that its back matter fills: from the "References" heading (a line
    of its own) to the end, in pages of body frame, the first and last pages counted by the part
    their text fills (a page the references begin at its foot is not a page of back matter)."""
    pages = _lines(pdf)
    frame = PAGE_BOTTOM - PAGE_TOP
    start = next(
        (n, top)
        for n, words in enumerate(pages)
        for top, _, text, left in words
        if n and text == "References" and _alone(words, top, left)
    )
    body = [w for w in pages[-1] if PAGE_TOP - 1 <= w[0] and w[1] <= PAGE_BOTTOM + 1]
    last = (max(w[1] for w in body) - PAGE_TOP) / frame
    total = len(pages) - 1 + last
    if start[0] == len(pages) - 1:
        return (max(w[1] for w in body) - start[1]) / frame / total
    return ((PAGE_BOTTOM - start[1]) / frame + len(pages) - 2 - start[0] + last) / total


def back_matter_pages(pdf: Path) -> tuple[int, int]:
    """A brief's back matter counted the strict way: the pages from the one where the "References"
    heading stands (a line of its own in its column) to the end, and all its pages."""
    pages = _lines(pdf)
    start = next(
        n
        for n, words in enumerate(pages)
        for top, _, text, left in words
        if n and text == "References" and _alone(words, top, left)
    )
    return len(pages) - start, len(pages)


# Under this many pages one page is a fifth or more of the document: a four-page brief whose
# references begin halfway down page 3 has its back matter on 2 of 4 pages however short it is.
# Such briefs are held to the part of the pages their back matter fills.
WHOLE_PAGES_FROM = 5


def back_matter_excess(pdf: Path) -> str:
    """What is wrong with a brief's back matter ("" when nothing): more than 40 % of its pages
    counted in whole pages from the page where "References" stands (briefs of WHOLE_PAGES_FROM
    pages or more), or more than 40 % of what its pages fill (every brief)."""
    back, total = back_matter_pages(pdf)
    if total >= WHOLE_PAGES_FROM and back > BACK_MATTER_MAX * total:
        return f"{pdf.stem}: back matter on {back} of {total} pages"
    share = back_matter_share(pdf)
    return f"{pdf.stem}: back matter fills {share:.0%}" if share > BACK_MATTER_MAX else ""


@pytest.mark.parametrize("slug", SLUGS)
def test_back_matter_is_at_most_two_fifths_and_the_body_has_no_hedge(built, slug):
    """Issue 30: the references and appendices take at most 40 % of the brief's PDF, by the part
    of the pages they fill and by whole pages from the one where they begin, and its body
    says "no reference in the source" with the one sign, never a hedge in parentheses."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import prose_check

    # Counted in whole pages too, as a reader leafing through it would: the page where the
    # references begin is a page of back matter however little of it they fill.
    pdf = built / "reports" / "briefs" / f"{slug}.pdf"
    assert back_matter_pages(pdf)[1] >= WHOLE_PAGES_FROM  # the seed's briefs: the strict count
    assert back_matter_excess(pdf) == ""
    doc = prose_check.parse(built / "reports" / "briefs" / f"{slug}.html")
    hedges = [
        m.group(0)
        for b in doc.blocks
        if b.zone == "body"
        for m in prose_check.HEDGE.finditer(b.text)
    ]
    assert hedges == [], f"{slug}: {hedges[:3]}"
