"""Reading a long document by sections gives exactly the AST of a whole-document read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coopdocs.render import sections
from coopdocs.tools.pandoc import PANDOC_READER, pandoc

ROOT = Path(__file__).resolve().parents[2]
CSL = ROOT / "templates" / "csl" / "american-medical-association-brackets.csl"
KEYS = ["a", "b", "c", "d", "e"]

TITLE = "% A document\n% The team\n% 2022-12-30\n\nIntroductory text [@a].\n\n"
SNIPPETS = [
    "# Results {#results}\n\nWe found it [@b; @c].\n\n",
    "## Notes {#notes}\n\nA claim.^[With a note that cites [@a] and [@d].] Then [@e].\n\n",
    "## A table {#table}\n\n| State | Sources |\n|---|---|\n| One | [@a] |\n| Two | [@b; @c] |\n\n",
    "# Lists {#lists}\n\n- first [@c]\n- second^[a plain note]\n\n> quoted [@d]\n\n",
    "### Deep {#deep}\n\n::: {.box}\n# Inside a div {#inside}\n\nboxed [@e]\n:::\n\n",
    "# Code {#code}\n\n```\n# not a heading {#nope}\n```\n\nafter [@a]\n\n",
    "# Untitled headings {#untitled}\n\n## Same name\n\ntext\n\n## Same name\n\nmore [@b]\n\n",
    "# Glued {#glued}\ntext right under the heading\n# Not cut here {#not-cut}\n\n[@c]\n\n",
    "## Links {#links}\n\nSee [the results](#results) and [a site](https://example.org).\n\n",
]


@pytest.fixture()
def bibliography(tmp_path: Path) -> Path:
    path = tmp_path / "refs.json"
    path.write_text(
        json.dumps(
            [
                {
                    "id": k,
                    "type": "book",
                    "title": f"Book {k.upper()}",
                    "issued": {"date-parts": [[2000 + i]]},
                }
                for i, k in enumerate(KEYS)
            ]
        ),
        encoding="utf-8",
    )
    return path


def whole_read(md: Path, target: Path, bibliography: Path) -> bytes:
    pandoc(
        md, target, "json", epoch=0, source_format=PANDOC_READER, bibliography=bibliography, csl=CSL
    )
    return target.read_bytes()


def section_read(md: Path, target: Path, cache: Path, bibliography: Path) -> bool:
    return sections.read(md, target, cache, epoch=0, heap=None, bibliography=bibliography, csl=CSL)


def test_split_cuts_only_before_identified_headings_at_the_top_level():
    parts = sections.split(TITLE + "".join(SNIPPETS))
    assert [p.heading_id for p in parts] == [
        None,
        "results",
        "notes",
        "table",
        "lists",
        "deep",
        "code",
        "untitled",
        "glued",
        "links",
    ]
    assert "".join(p.text for p in parts) == TITLE + "".join(SNIPPETS)
    # Not cut: a heading inside a fenced div or a code fence, one without an identifier, one
    # right under a line of text.
    assert (
        "# Inside a div {#inside}" in parts[5].text and "# not a heading {#nope}" in parts[6].text
    )
    assert "## Same name" in parts[7].text and "# Not cut here {#not-cut}" in parts[8].text


@pytest.mark.parametrize(
    "text",
    [
        "# A {#a}\n\nSee [the site][site].\n\n# B {#b}\n\n[site]: https://example.org\n",
        "# A {#a}\n\nText[^1].\n\n# B {#b}\n\n[^1]: The note.\n",
        "# A {#a}\n\n(@first) An example.\n\n# B {#b}\n\nAs (@first) shows.\n",
    ],
)
def test_references_across_sections_mean_a_whole_read(tmp_path, bibliography, text):
    md = tmp_path / "doc.md"
    md.write_text(text, encoding="utf-8")
    assert sections.split(text) is None
    assert not section_read(md, tmp_path / "out.json", tmp_path / "cache", bibliography)
    assert not (tmp_path / "out.json").exists()


def test_a_heading_name_in_two_sections_means_a_whole_read(tmp_path, bibliography):
    # Read whole, pandoc names the second heading "intro-1"; read alone, its section: "intro".
    md = tmp_path / "doc.md"
    md.write_text(
        "# Intro {#intro}\n\ntext\n\n# Later {#later}\n\n## Intro\n\nmore\n", encoding="utf-8"
    )
    assert not section_read(md, tmp_path / "out.json", tmp_path / "cache", bibliography)
    assert "intro-1" in whole_read(md, tmp_path / "whole.json", bibliography).decode()
    # Nothing was cached: the second section's "intro-1" holds only beside the first section.
    assert not list((tmp_path / "cache").iterdir())


def test_cold_and_warm_reads_equal_a_whole_read(tmp_path, bibliography):
    md, cache = tmp_path / "doc.md", tmp_path / "cache"
    md.write_text(TITLE + "".join(SNIPPETS), encoding="utf-8")
    assert section_read(md, tmp_path / "cold.json", cache, bibliography)
    assert (tmp_path / "cold.json").read_bytes() == whole_read(
        md, tmp_path / "whole.json", bibliography
    )
    first = {p.name for p in cache.iterdir()}
    assert len(first) == len(sections.split(md.read_text(encoding="utf-8")))

    # One section changes and gains citations and a note: every later note number moves.
    edited = SNIPPETS[:]
    edited[1] = (
        "## Notes {#notes}\n\nA new claim [@c].^[Another note [@b].] Then [@e] and [@a].\n\n"
    )
    md.write_text(TITLE + "".join(edited), encoding="utf-8")
    assert section_read(md, tmp_path / "warm.json", cache, bibliography)
    assert (tmp_path / "warm.json").read_bytes() == whole_read(
        md, tmp_path / "whole.json", bibliography
    )
    # Only the changed section was read again; the old one left the cache.
    second = {p.name for p in cache.iterdir()}
    assert len(second - first) == 1 and len(first - second) == 1


def test_a_damaged_cache_entry_is_read_again(tmp_path, bibliography):
    md, cache = tmp_path / "doc.md", tmp_path / "cache"
    md.write_text(TITLE + "".join(SNIPPETS), encoding="utf-8")
    assert section_read(md, tmp_path / "a.json", cache, bibliography)
    victim = sorted(cache.iterdir())[0]
    victim.write_text("not json", encoding="utf-8")
    assert section_read(md, tmp_path / "b.json", cache, bibliography)
    assert (tmp_path / "b.json").read_bytes() == (tmp_path / "a.json").read_bytes()
    assert victim.read_text(encoding="utf-8") != "not json"


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    order=st.lists(st.sampled_from(range(len(SNIPPETS))), min_size=1, max_size=7),
    change=st.integers(min_value=0, max_value=6),
)
def test_any_arrangement_reads_as_a_whole_read(tmp_path_factory, bibliography, order, change):
    # Repeated snippets repeat heading identifiers: those documents must be read whole.
    folder = tmp_path_factory.mktemp("doc")
    md, cache = folder / "doc.md", folder / "cache"
    md.write_text(TITLE + "".join(SNIPPETS[i] for i in order), encoding="utf-8")
    for attempt in ("cold", "warm"):
        if section_read(md, folder / f"{attempt}.json", cache, bibliography):
            assert (folder / f"{attempt}.json").read_bytes() == whole_read(
                md, folder / "whole.json", bibliography
            )
        # Then one section gets an extra citation and a note, and the document is read again.
        parts = [SNIPPETS[i] for i in order]
        k = change % len(parts)
        parts[k] = parts[k].rstrip("\n") + " Added [@d].^[Added note [@e].]\n\n"
        md.write_text(TITLE + "".join(parts), encoding="utf-8")
