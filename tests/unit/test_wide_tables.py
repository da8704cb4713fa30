"""Count tables in the PDF (the review's §5 tables, at five states and at 50): one rule for all.

A table of three or more numeric (right-aligned) columns has its columns sized by their content,
and one of more than eight numeric columns also upright column heads (templates/filters/figures.lua,
wide_table; turned-head in templates/typst/document.typ): at a dozen states and more the heads set
across ran into one another and the sources column was one reference wide. A table of fewer
numeric columns keeps the widths its template's separator line gives.
"""

from __future__ import annotations

import re
from pathlib import Path

import pypdf

from coopdocs.tools.pandoc import pandoc
from coopdocs.tools.typst import typst_pdf
from locations import ROOT
from support.documents import pdf_text

TEMPLATE = ROOT / "templates" / "typst" / "document.typ"
FILTER = ROOT / "templates" / "filters" / "figures.lua"
EPOCH = 1672358400
STATES = ["Babado", "Babaman", "Babamo", "Babara", "Badoba", "Badolor", "Badoman", "Badone",
          "Bakado", "Bakaka", "Bakara", "Bakatu", "Other states (38)", "EAEU"]  # fmt: skip
# Citations as citeproc links them (link-citations), each to its entry (ENTRIES) in the document.
NUMBERS = [26, 38, 39, 49, 94, 99, 113, 176, 188, 193, 211, 223, 226, 247]
SOURCES = "[" + ",".join(f"[{n}](#ref-{n})" for n in NUMBERS) + "]"
ENTRIES = "".join(f"::: {{#ref-{n}}}\n{n}\\. Entry.\n:::\n\n" for n in NUMBERS)


def count_table(states: list[str]) -> str:
    """A count table as the review writes it: a label, one numeric column per state, sources."""
    head = "| Instrument type |" + "".join(f" {s} |" for s in states) + " Sources |"
    rule = "|:----------|" + "".join(f"{'-' * max(len(s), 5)}:|" for s in states) + ":------|"
    rows = [
        f"| {label} |" + "".join(f" {(i * 7 + n) % 4 or '·'} |" for i in range(len(states)))
        + f" {SOURCES} |"
        for n, label in enumerate(["agreement", "medium-term programme", "strategy"])
    ]  # fmt: skip
    caption = ": Table 3. Instruments by type and member state (number of instruments)."
    return "\n".join(
        ["---", "title: Counts", "---", "", head, rule, *rows, "", caption, "", ENTRIES]
    )


def typst_of(folder: Path, markdown: str) -> str:
    """The Typst source pandoc writes for ``markdown`` with the house template and filter."""
    md, typ = folder / "doc.md", folder / "doc.typ"
    md.write_text(markdown, encoding="utf-8")
    pandoc(
        md, typ, "typst", epoch=EPOCH, template=TEMPLATE, lua_filters=[FILTER],
        source_format="markdown",
    )  # fmt: skip
    return typ.read_text(encoding="utf-8")


def test_a_table_of_fourteen_numeric_columns_turns_its_heads_and_sizes_columns_by_content(
    tmp_path,
):
    typst = typst_of(tmp_path, count_table(STATES))
    table = typst[typst.index("#table(") :]
    assert "columns: 16," in table  # every column as wide as its content: no percentages
    assert not re.search(r"columns: \([\d.]+%", table)
    turned = re.findall(r"#turned-head\[(.*?)\]", table, re.S)
    assert [" ".join(t.split()) for t in turned] == STATES
    assert "[Instrument type]" in " ".join(table.split())  # the text columns' heads stay across
    assert "#turned-head[Sources]" not in table


def test_a_count_table_of_five_states_sizes_its_columns_but_keeps_its_heads_across(tmp_path):
    typst = typst_of(tmp_path, count_table(STATES[:5]))
    table = typst[typst.index("#table(") :]
    assert "columns: 7," in table and "#turned-head[" not in table


def test_a_table_of_two_numeric_columns_keeps_the_templates_widths(tmp_path):
    typst = typst_of(tmp_path, count_table(STATES[:2]))
    table = typst[typst.index("#table(") :]
    assert "#turned-head[" not in table
    assert re.search(r"columns: \([\d.]+%", table)


def test_the_wide_table_fits_the_page_and_reads_whole(tmp_path):
    typ = tmp_path / "doc.typ"
    typ.write_text(typst_of(tmp_path, count_table(STATES)), encoding="utf-8")
    pdf = tmp_path / "doc.pdf"
    typst_pdf(typ, pdf, epoch=EPOCH)
    text = pdf_text(pdf)
    for state in STATES:  # each head extracts as its words, not letter by letter
        assert state in " ".join(text.split()), state
    # The sources column is wide enough for several references a line (it was one a line).
    lines = [line for line in text.splitlines() if "[26,38" in line]
    assert lines and len(lines[0].split("[26,38")[1].split(",")) >= 5, lines
    # Nothing starts in the right margin (2.2 cm of the A4 page's 595 pt): no column ran off it.
    page = pypdf.PdfReader(str(pdf)).pages[0]  # the table's page (the entries follow it)
    starts: list[float] = []
    page.extract_text(
        visitor_text=lambda t, cm, tm, *_: starts.append(cm[4] + tm[4]) if t.strip() else None
    )
    assert starts and max(starts) < float(page.mediabox.width) - 2.2 / 2.54 * 72
