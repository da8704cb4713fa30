"""The defect detectors of tests/document_defects.py fail on what they look for.

Each is given a small template rendered by the project's Jinja environment and read by pandoc:
once as written, once broken the way Jinja's whitespace control breaks a document (a heading
swallowed into the paragraph before it, an author line run into the date), or with a sentence
said twice. The workflow tier runs the same detectors on every document of the seed build
(tests/workflow/test_document_defects.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pypandoc

from coopdocs.render.markdown import make_environment
from document_defects import (
    ast_headings,
    missing_headings,
    raw_markdown,
    repeated_sentences,
    template_headings,
)

GOOD = """\
% Title
% Ann Author
% 2026-11-27

# About {{ "about" | anchor }}

The review presents each state in full.
{% for s in states %}

## {{ loop.index }}. {{ s }} {{ ("state-" ~ s | lower) | anchor }}

{{ s }} has a section of its own.
{% endfor %}

# Data provenance {{ "data-provenance" | anchor }}

The same sentence of the appendix is said here twice on purpose.
The same sentence of the appendix is said here twice on purpose.
"""

# The whitespace control of "-%}" eats the blank line before each state's heading.
SWALLOWED = GOOD.replace("{% for s in states %}", "{% for s in states -%}")
# The author line runs into the date.
RUN_ON = GOOD.replace("% Ann Author\n% 2026", "% Ann Author% 2026")
STATES = ["Armenia", "Belarus"]


def _read(tmp_path: Path, template: str) -> tuple[dict, str, list]:
    """The AST pandoc reads from ``template`` rendered, its Markdown and the template's headings."""
    (tmp_path / "doc.md.j2").write_text(template, encoding="utf-8")
    markdown = make_environment(tmp_path).get_template("doc.md.j2").render(states=STATES)
    ast = json.loads(pypandoc.convert_text(markdown, "json", format="markdown"))
    return ast, markdown, template_headings(tmp_path / "doc.md.j2", tmp_path)


def test_the_good_template_has_no_defect(tmp_path):
    ast, markdown, shapes = _read(tmp_path, GOOD)
    assert [h[1] for h in ast_headings(ast)] == [
        "about",
        "state-armenia",
        "state-belarus",
        "data-provenance",
    ]
    assert raw_markdown(ast) == []
    assert missing_headings(markdown, ast, shapes) == []
    # The appendix says a sentence twice; the body never does.
    assert repeated_sentences(ast) == []


def test_a_swallowed_heading_is_missing_and_raw(tmp_path):
    ast, markdown, shapes = _read(tmp_path, SWALLOWED)
    # Each state's heading runs on from the paragraph before it.
    assert [h[1] for h in ast_headings(ast)] == ["about", "data-provenance"]
    missing = missing_headings(markdown, ast, shapes)
    assert len(missing) == 1 and "written 2, read 0" in missing[0], missing
    raw = raw_markdown(ast)
    assert any(r.startswith("heading marker '## 1'") for r in raw), raw
    assert any(r.startswith("attribute '{#state-armenia") for r in raw), raw


def test_an_author_line_run_into_the_date_is_raw(tmp_path):
    ast, _, _ = _read(tmp_path, RUN_ON)
    raw = raw_markdown(ast)
    assert raw and raw[0].startswith("title block"), raw


def test_raw_emphasis_citations_table_rows_and_list_markers_are_found(tmp_path):
    broken = GOOD.replace(
        "The review presents each state in full.",
        # An emphasis that lost its end, a citation its brackets, a table its blank line and a
        # list the blank line before it.
        "The review presents **each state in full, as x[@ref045 says.\n| A | B |\n| 1 | 2 |\n"
        "- one item",
    )
    ast, _, _ = _read(tmp_path, broken)
    kinds = {r.split(" '")[0].split(":")[0] for r in raw_markdown(ast)}
    assert kinds == {
        "strong marker",
        "citation",
        "pipe-table row",
        "list marker at the start of a line",
    }, raw_markdown(ast)


def test_a_sentence_said_twice_in_the_body_is_found(tmp_path):
    twice = GOOD.replace(
        "{{ s }} has a section of its own.",
        "Every state has a section of its own in this review.",
    )
    ast, _, _ = _read(tmp_path, twice)
    assert repeated_sentences(ast) == [
        "2 times: Every state has a section of its own in this review."
    ]
