"""Names in running text (issue 34): whether a name takes the article comes from the data
(countries.article, actors.article: ``the``, ``none``, or empty for the language's rule), and a
long official name is given once, at its first mention, and the short name after it.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

import rbtools
from test_package_shapes import _documents, _package


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A copy of the project's build files; each case puts its own package beside ``data``."""
    return rbtools.copy_project(tmp_path_factory.mktemp("names") / "project")


def _union_named(project: Path, folder: str, name: str, official: str, article: str) -> dict:
    """The documents of a generated package whose union has these names, by kind/name."""
    data = _package(project, folder)
    path = data / "countries.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        if row["kind"] == "union":
            row.update(name=name, official_name=official, article=article)
    members = [row for row in rows if row["kind"] != "union"]
    members[0]["union_member_from"] = "2015"  # its brief says when it joined
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    docs = _documents(project, data)
    return {key: re.sub(r"\\(.)", r"\1", text) for key, text in docs.items()}


def _body(markdown: str) -> str:
    """The brief's sentences before its back matter (the provenance appendix quotes records)."""
    return markdown.split("This brief was built on")[0]


def test_a_name_that_takes_no_article_never_gets_one(project: Path):
    docs = _union_named(project, "no-article", "Mercosul", "Mercosul Common Market", "none")
    union = _body(docs["briefs/eaeu"])
    assert "Mercosul Common Market's cooperation" in union  # the first mention, in full
    assert "the Mercosul" not in union and "The Mercosul" not in union
    assert re.search(r"\bMercosul\b(?! Common)", union)  # later mentions: the short name
    assert any("joined Mercosul Common Market in 2015" in text for text in docs.values())
    assert not any("joined the Mercosul" in text for text in docs.values())


def test_a_short_name_that_takes_the_article_has_it_after_the_full_name(project: Path):
    docs = _union_named(project, "the-article", "NEC", "Nordvik Economic Community", "the")
    union = _body(docs["briefs/eaeu"])
    first = union.index("The Nordvik Economic Community's cooperation")
    assert union.count("Nordvik Economic Community") == 1
    # The brief's sentences about the union; lists of states ("It spans NEC, …") and figure
    # labels keep the bare short name (a list's names are not yet given their articles).
    later = union.index("places the NEC's instruments")
    assert "The NEC's cooperation rests on" in union
    assert "places NEC's" not in union and "NEC's cooperation" not in union.replace("The NEC's", "")
    assert first < later


def test_the_language_rule_decides_when_the_data_says_nothing(project: Path):
    docs = _union_named(project, "rule", "Nordvik Community", "Nordvik Economic Community", "")
    union = _body(docs["briefs/eaeu"])
    # "community" takes the article in English (language.article_nouns of the strings)
    assert union.startswith("% The Nordvik Community and UNIDO")
    assert "places the Nordvik Community's instruments" in union
    assert "The Nordvik Community's cooperation rests on" in union
