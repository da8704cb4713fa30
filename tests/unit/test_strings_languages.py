"""Every language folder of templates/ (templates/ru/) gives every word the English strings give.

A language folder's strings file is whole (coopdocs.layout.strings_file: never merged with the
base folder's), so that a key it lacks would print nothing where English prints a word. The
grammar section is each language's own (its CLDR rules differ: English lists month names and
suffixes, Russian takes dates from CLDR), so it is compared only where both name a key.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from coopdocs import layout
from coopdocs.load.grammar import count, long_date
from coopdocs.load.strings import load_strings, with_locale

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
LANGUAGES = sorted(p.parent.name for p in TEMPLATES.glob(f"*/{layout.STRINGS}"))


def keys(node, prefix: str = "") -> set[str]:
    """The dotted paths of every leaf of a strings mapping."""
    out: set[str] = set()
    for key, value in node.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        out |= keys(value, path) if isinstance(value, dict) else {path}
    return out


def test_there_is_a_russian_folder():
    assert "ru" in LANGUAGES


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_language_gives_every_english_word(language):
    english = yaml.safe_load((TEMPLATES / layout.STRINGS).read_text("utf-8"))
    other = yaml.safe_load((TEMPLATES / language / layout.STRINGS).read_text("utf-8"))
    english.pop("language"), other.pop("language")
    assert sorted(keys(english) - keys(other)) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_language_templates_exist_in_english_too(language):
    # A language folder overrides English templates file by file: a file only it has is a typo.
    own = {p.relative_to(TEMPLATES / language) for p in (TEMPLATES / language).rglob("*.j2")}
    assert own and all((TEMPLATES / p).is_file() for p in own), own


def test_the_layout_finds_the_language_folder_first():
    root = TEMPLATES.parent
    assert layout.template_folders("templates", "ru", root) == ["templates/ru", "templates"]
    assert layout.template_folders("templates", "pt-BR", root) == ["templates"]
    assert layout.strings_file("templates", "ru", root) == "templates/ru/strings.yaml"
    assert layout.strings_file("templates", None, root) == "templates/strings.yaml"
    files = layout.template_files("templates", "brief.md.j2", root, language="ru")
    assert files[0] == "templates/brief.md.j2"  # names the render's folder (folder_holding)
    assert "templates/ru/brief.md.j2" in files and files[-1] == "templates/ru/strings.yaml"
    assert not any("/ru/" in f for f in layout.template_files("templates", root=root))


def test_russian_counts_and_dates_from_cldr():
    words = with_locale(load_strings(TEMPLATES / "ru"), "ru")
    assert [count(n, "проект", words=words) for n in (1, 2, 5, 11, 21, 22, 25)] == [
        "1 проект",
        "2 проекта",
        "5 проектов",
        "11 проектов",
        "21 проект",
        "22 проекта",
        "25 проектов",
    ]
    assert long_date("2018-04-27", words) == "27 апреля 2018\u202fг."
    assert long_date("2018-04", words) == "апрель 2018\u202fг."
