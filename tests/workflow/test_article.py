"""The review article: sections, cross-references, citations, length, and parity across formats."""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import docx
import pypdf
from workflow_build import snakemake

from helpers import read_table, write_table
from support.documents import docx_text, html_text, pdf_outline, pdf_text, squash

SECTIONS = [
    "Introduction",
    "mandate and directions",
    "Bilateral cooperation",
    "Armenia",
    "Belarus",
    "Kazakhstan",
    "Kyrgyzstan",
    "Russia",
    "Cooperation at the level of the Union",
    "Main Directions of International Activity",
    "Comparative analysis",
    "Conclusion",
    "References",
]


class _Headings(HTMLParser):
    def __init__(self):
        super().__init__()
        self.headings, self.current, self.tables, self.images, self.refs = [], None, 0, 0, 0

    def handle_starttag(self, tag, attrs):
        if (
            tag in ("h1", "h2", "h3") and ("class", "title") not in attrs
        ):  # the title block is not a section
            self.current = ""
        self.tables += tag == "table"
        self.images += tag == "img"
        self.refs += tag == "div" and ("class", "csl-entry") in attrs

    def handle_endtag(self, tag):
        if tag in ("h1", "h2", "h3") and self.current is not None:
            self.headings.append(squash(self.current).strip())
            self.current = None

    def handle_data(self, data):
        if self.current is not None:
            self.current += data


def article(built: Path, fmt: str) -> Path:
    return built / "reports" / "article" / f"review.{fmt}"


def docx_structure(path: Path) -> dict:
    document = docx.Document(str(path))
    headings = [
        squash(p.text).strip() for p in document.paragraphs if p.style.name.startswith("Heading")
    ]
    refs = [p for p in document.paragraphs if p.style.name == "Bibliography"]
    return {
        "headings": headings,
        "tables": len(document.tables),
        "figures": len(document.inline_shapes),
        "refs": len(refs),
    }


def html_structure(path: Path) -> dict:
    parser = _Headings()
    parser.feed(path.read_text(encoding="utf-8"))
    return {
        "headings": parser.headings,
        "tables": parser.tables,
        "figures": parser.images,
        "refs": parser.refs,
    }


def pdf_structure(path: Path) -> dict:
    return {
        "headings": [squash(title).strip() for title in pdf_outline(path)],
        "text": squash(pdf_text(path)),
    }


def test_article_has_every_section_in_every_format(built):
    texts = {
        "docx": squash(docx_text(article(built, "docx"))),
        "pdf": squash(pdf_text(article(built, "pdf"))),
        "html": squash(html_text(article(built, "html"))),
    }
    for fmt, text in texts.items():
        for section in SECTIONS:
            assert section in text, (fmt, section)
        assert "Abstract." in text and "Keywords:" in text, fmt


def test_article_is_long_enough(built):
    words = len(re.findall(r"\w+", docx_text(article(built, "docx"))))
    assert words >= 3000, words


def test_every_table_and_figure_is_referenced_in_the_text(built):
    text = squash(docx_text(article(built, "docx")))
    captions = re.findall(r"\b(Table|Figure) (\d+)\. ", text)
    assert (
        len({c for c in captions if c[0] == "Table"}) >= 5
        and len({c for c in captions if c[0] == "Figure"}) >= 2
    )
    for kind, number in set(captions):
        mentions = re.findall(rf"\b{kind} {number}\b(?!\.)", text)
        assert mentions, f"{kind} {number} has a caption but is never referred to"


def test_every_citation_resolves(built):
    logs = list((built / "logs").rglob("*article-review.log"))
    assert logs
    for log in logs:
        assert "not found" not in log.read_text(encoding="utf-8"), log.read_text(encoding="utf-8")
    bib = json.loads(
        (built / "build" / "context" / "article" / "review.bib.json").read_text(encoding="utf-8")
    )
    markdown = (built / "build" / "md" / "article" / "review.md").read_text(encoding="utf-8")
    cited = set(re.findall(r"@(ref\d{3}|[a-z]+\d{4})", markdown))
    # The bibliography holds every source of the context's records (contexts.cited_sources);
    # pandoc lists the cited ones.
    assert cited <= {item["id"] for item in bib}
    assert "???" not in docx_text(article(built, "docx"))


def test_docx_pdf_html_parity(built):
    d = docx_structure(article(built, "docx"))
    h = html_structure(article(built, "html"))
    p = pdf_structure(article(built, "pdf"))
    assert d["headings"] == h["headings"] == p["headings"], (
        d["headings"],
        h["headings"],
        p["headings"],
    )
    assert d["tables"] == h["tables"] and d["figures"] == h["figures"] == 2
    bib = json.loads(
        (built / "build" / "context" / "article" / "review.bib.json").read_text(encoding="utf-8")
    )
    markdown = (built / "build" / "md" / "article" / "review.md").read_text(encoding="utf-8")
    cited = set(re.findall(r"@(ref\d{3}|[a-z]+\d{4})", markdown)) & {b["id"] for b in bib}
    assert d["refs"] == h["refs"] == len(cited)
    # Same captions, numbered the same way, in the same order.
    caption = re.compile(r"\b((?:Table|Figure) \d+)\. ")
    docx_caps = caption.findall(squash(docx_text(article(built, "docx"))))
    html_caps = caption.findall(squash(html_text(article(built, "html"))))
    pdf_caps = caption.findall(p["text"])
    assert docx_caps == html_caps == pdf_caps
    assert len([c for c in pdf_caps if c.startswith("Table")]) == d["tables"]
    # The PDF's reference list ends with the same last entry number.
    assert re.search(rf"\b{len(cited)}\. ", p["text"].rsplit("References", 1)[-1])


# A state's section is analytic prose (issue 17): at most this many items in a list, one table.
MAX_LIST_ITEMS = 3
MAX_BODY_PAGES = 15


def state_sections(ast: dict) -> dict[str, list[dict]]:
    """The blocks of each state's subsection of the bilateral section, by the heading's ID."""
    sections: dict[str, list[dict]] = {}
    current = None
    for block in ast["blocks"]:
        if block["t"] == "Header":
            level, (ident, _, _), _ = block["c"]
            if level <= 2:
                is_state = level == 2 and ident.startswith("bilateral-")
                current = ident if is_state and ident != "bilateral-regional" else None
                if current:
                    sections[current] = []
                continue
        if current:
            sections[current].append(block)
    return sections


def test_state_sections_are_prose_and_the_body_fits_fifteen_pages(built):
    ast = json.loads(
        (built / "build" / "ast" / "article" / "review.json").read_text(encoding="utf-8")
    )
    sections = state_sections(ast)
    assert len(sections) == 5, list(sections)
    for ident, blocks in sections.items():
        for block in blocks:
            if block["t"] in ("BulletList", "OrderedList"):
                items = block["c"] if block["t"] == "BulletList" else block["c"][1]
                assert len(items) <= MAX_LIST_ITEMS, (ident, len(items))
        assert sum(b["t"] == "Table" for b in blocks) <= 1, ident
        assert sum(b["t"] == "Para" for b in blocks) >= 3, ident
    # The body (up to the references, which may share its last page) on at most 15 A4 pages.
    reader = pypdf.PdfReader(str(article(built, "pdf")))
    starts = [
        n
        for n, page in enumerate(reader.pages, start=1)
        if "References" in (page.extract_text() or "").splitlines()
    ]
    assert starts and starts[0] <= MAX_BODY_PAGES, starts[:1]


def test_generated_markdown_keeps_lists_apart_from_paragraphs(built):
    for md in (built / "build" / "md").rglob("*.md"):
        previous = ""
        for number, line in enumerate(md.read_text(encoding="utf-8").splitlines(), start=1):
            if (
                re.match(r"(- |\d+\. )", line)
                and previous
                and not re.match(r"(- |\d+\. |  )", previous)
            ):
                raise AssertionError(f"{md.name}:{number}: list item glued to the paragraph above")
            previous = line


def test_a_project_end_year_flows_into_brief_timeline_and_article(tmp_path, built):
    project = tmp_path / "p"
    shutil.copytree(built, project, symlinks=True)
    reports = project / "reports"
    mtimes = {p: p.stat().st_mtime_ns for p in reports.rglob("*.*")}
    path = project / "data" / "projects.csv"
    rows = read_table(path)
    # The article names a state's earliest project with its period (the brief lists them all).
    target = min(
        (
            r
            for r in rows
            if r["countries"] == "BY" and r["end_year"] and "gov-ru" not in r["funders"]
        ),
        key=lambda r: int(r["start_year"]),
    )
    target["end_year"] = "2039"
    write_table(path, rows)
    snakemake(project)
    assert "2039" in pdf_text(reports / "briefs" / "belarus.pdf")
    assert any(r["end_year"] == "2039" for r in read_table(reports / "tables" / "timeline.csv"))
    assert "2039" in docx_text(reports / "article" / "review.docx")
    rebuilt = {
        str(p.relative_to(reports))
        for p, t in mtimes.items()
        if p.stat().st_mtime_ns != t and p.suffix in (".docx", ".pdf", ".html")
    }
    assert {"briefs/belarus.pdf", "article/review.docx", "tables/comparative-tables.pdf"} <= rebuilt
    assert (
        not {
            f"briefs/{s}.{f}"
            for s in ("armenia", "kazakhstan", "kyrgyzstan", "russia", "eaeu")
            for f in ("docx", "pdf", "html")
        }
        & rebuilt
    )


def test_profile_table_names_each_body_once(built):
    """Table 2's roles cell names a body once, with all its terms (issue 17)."""
    roles = read_table(built / "data" / "roles.csv")
    actors = {a["id"]: a["name"] for a in read_table(built / "data" / "actors.csv")}
    countries = {c["code"]: c["name"] for c in read_table(built / "data" / "countries.csv")}
    document = docx.Document(str(article(built, "docx")))
    profile = next(t for t in document.tables if "Roles in" in t.rows[0].cells[2].text)
    cells = {row.cells[0].text: row.cells[2].text for row in profile.rows[1:]}
    for code in {r["country"] for r in roles}:
        cell = cells[countries[code]]
        for body in {r["body"] for r in roles if r["country"] == code}:
            assert cell.count(actors[body]) == 1, (code, body, cell)
        for r in roles:
            if r["country"] == code:
                assert r["start_year"] in cell, (r["id"], cell)


def test_an_outcome_stated_as_more_than_keeps_more_than(built):
    """An outcome the data states as "more than" a figure says so in the article's text."""
    outcomes = [
        o
        for o in read_table(built / "data" / "outcomes.csv")
        if o["value"] and re.search(r"(?i)\bmore than \$?\d", o["description"])
    ]
    assert outcomes
    text = squash(docx_text(article(built, "docx")))
    for o in outcomes:
        figure = f"{int(float(o['value'])):,} {o['unit']}"
        assert f"more than {figure}" in text, figure


def test_the_timeline_text_and_its_alternative_give_one_period(built):
    """The years the text gives for the timeline figure are those of its alt text."""
    html = article(built, "html").read_text(encoding="utf-8")
    alt = re.search(r'alt="Timeline of [^"]*?, (\d{4})–(\d{4}), one row each', html)
    assert alt, "timeline alt text"
    text = squash(docx_text(article(built, "docx")))
    said = re.search(r"Figure \d+ draws the dated [^.]*?, from (\d{4}) to (\d{4})", text)
    assert said, "timeline paragraph"
    assert said.groups() == alt.groups()
    timeline = read_table(built / "reports" / "tables" / "timeline.csv")
    years = [int(r["year"]) for r in timeline if r["year"]]
    years += [int(r["end_year"]) for r in timeline if r["end_year"]]
    assert said.groups() == (str(min(years)), str(max(years)))


# Small counts are written in words (coopdocs.load.grammar.number_word).
NUMBER_WORDS = {
    w: n
    for n, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve".split()
    )
}


def _numbers(text: str) -> set[int]:
    """Every whole number a sentence states, in digits or in words."""
    found = {int(x.replace(",", "")) for x in re.findall(r"\d[\d,]*", text)}
    return found | {
        NUMBER_WORDS[w] for w in re.findall(r"[a-z]+", text.lower()) if w in NUMBER_WORDS
    }


def test_the_review_is_written_in_its_own_words(built):
    """Issue 29, measured by the repository's script on the built review."""
    import sys

    from workflow_build import ROOT

    sys.path.insert(0, str(ROOT / "tools"))
    from review_measures import measure

    result = measure(built / "reports")
    assert result["shared_8"] < 5, result["shared_8"]  # 8-word runs shared with a brief
    assert result["frames"] == {}  # no sentence frame opens more than two state sections
    assert result["hedges"] == 0  # the no-reference sign, not a parenthesis each time
    assert result["back_matter"] <= 40, (result["back_pages"], result["pages"])
    # Sentences that compare, each naming the registered claims it states (issue 29).
    assert result["unregistered"] == []
    assert result["comparisons"] >= 30, result["comparisons"]
    assert result["union_comparisons"] >= 5, result["union_comparisons"]


def test_the_conclusion_answers_each_question_with_a_registered_number(built):
    html = article(built, "html").read_text(encoding="utf-8")
    context = json.loads(
        (built / "build" / "context" / "article" / "review.json").read_text(encoding="utf-8")
    )
    registered = {c["number"] for c in context["claims"] if c["number"] is not None}
    conclusion = html[html.index('id="conclusion"') : html.index('id="references"')]
    questions = re.findall(r'<span\s+id="(q-[a-z-]+)"', html)
    assert questions == ["q-bilateral", "q-union", "q-comparison"]
    for q in questions:
        span = re.search(
            rf'<span\s+class="answer"\s+data-question="{q}">(.*?)</span>', conclusion, re.S
        )
        assert span, q
        text = squash(re.sub(r"<[^>]+>", "", span.group(1)))
        assert _numbers(text) & (registered - {0, 1}), (q, text)


def test_the_union_level_is_compared_with_the_states_in_numbers(built):
    html = article(built, "html").read_text(encoding="utf-8")
    start = html.index('id="comparison-union"')
    part = html[start : html.index("<section", start)]
    sentences = re.findall(
        r'<span\s+class="comparison"\s+data-claim="[a-z_ ]+"\s+data-level="union">(.*?)</span>',
        part,
        re.S,
    )
    assert len(sentences) >= 5
    for s in sentences:
        text = squash(re.sub(r"<[^>]+>", "", s))
        assert "union" in text and _numbers(text), text


def test_the_body_says_nothing_of_how_it_was_made_and_names_people_as_authors(built):
    body = html_text(article(built, "html")).split("References")[0]
    for phrase in (
        "generated from the data",
        "can be rebuilt",
        "records digest",
        "text digest",
        "coopdocs",
    ):
        assert phrase not in body, phrase
    author = pypdf.PdfReader(str(article(built, "pdf"))).metadata.author
    assert author and "coopdocs" not in author.lower()
