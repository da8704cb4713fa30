"""Every document of the seed build read as its reader would: no raw Markdown, no lost heading, no repeat.

The project's own tests for three classes of defect of ../shared/checks/prose.py (issue 17), read
from the pandoc AST each document's three formats are written from (coopdocs.layout.ast), on the
shared build of the tier (the ``built`` fixture). The detectors are in tests/document_defects.py;
tests/unit/test_document_defects.py shows that each of them fails on a broken template.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coopdocs import layout
from coopdocs.tools.config import load_config
from document_defects import missing_headings, raw_markdown, repeated_sentences, template_headings


def _documents(built: Path) -> list[tuple[layout.Document, dict, str, Path]]:
    """Each document of the build: itself, its AST, its Markdown and its template."""
    settings = load_config(built)
    templates = built / settings["templates_dir"]
    docs = layout.documents(layout.brief_slugs(built / settings["data_dir"]))
    assert len(docs) >= 3, "briefs, the tables document and the article"
    return [
        (
            doc,
            json.loads((built / doc.ast).read_text(encoding="utf-8")),
            (built / doc.md).read_text(encoding="utf-8"),
            templates / settings[doc.kind.template],
        )
        for doc in docs
    ]


@pytest.fixture(scope="module")
def documents(built):
    return _documents(built)


def test_no_raw_markdown_reaches_the_reader(documents):
    found = {doc.key: raw_markdown(ast) for doc, ast, _, _ in documents}
    assert not {k: v for k, v in found.items() if v}, found


def test_every_heading_a_template_writes_is_read_as_a_heading(documents):
    found = {}
    for doc, ast, markdown, template in documents:
        shapes = template_headings(template, template.parent)
        assert shapes, f"{template.name} writes no heading"
        found[doc.key] = missing_headings(markdown, ast, shapes)
    assert not {k: v for k, v in found.items() if v}, found


def test_no_long_sentence_is_said_twice(documents):
    found = {doc.key: repeated_sentences(ast) for doc, ast, _, _ in documents}
    assert not {k: v for k, v in found.items() if v}, found
