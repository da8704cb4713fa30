"""Locale rules from CLDR (Babel): plural categories, numbers, dates and lists in the build's
language (config ``language``), through the templates' filters, and ``lang`` in every format."""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from pathlib import Path

import pypdf
import pytest

from coopdocs.compute.stage import build_info
from coopdocs.load import grammar
from coopdocs.load.strings import load_strings, locale_of, with_locale
from coopdocs.render.markdown import make_environment, render
from coopdocs.render.metadata import document_metadata
from coopdocs.tools.pandoc import pandoc_command
from coopdocs.tools.typst import typst_pdf

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
# A small Russian strings file: nouns by CLDR plural category, list and date words from CLDR.
RUSSIAN = {
    "locale": "ru",
    "language": {
        "plurals": {
            "проект": {
                "few": "проекта",
                "many": "проектов",
                "other": "проекта",
                "plural": "проекты",
            },
            "страна": {"few": "страны", "many": "стран", "other": "страны", "plural": "страны"},
        },
    },
}


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, "1 проект"),
        (2, "2 проекта"),
        (5, "5 проектов"),
        (11, "11 проектов"),
        (21, "21 проект"),
        (22, "22 проекта"),
        (25, "25 проектов"),
        (0, "0 проектов"),
    ],
)
def test_russian_counts_take_the_cldr_plural_category(n: int, expected: str) -> None:
    assert grammar.count(n, "проект", words=RUSSIAN, spelled=False) == expected
    assert grammar.plural_category(n, RUSSIAN) in {"one", "few", "many"}


def test_a_template_giving_two_forms_still_gets_the_strings_third() -> None:
    # The template's "many" word is a fallback only: the strings' form for "few" wins.
    assert grammar.count(3, "проект", "проектов", RUSSIAN, spelled=False) == "3 проекта"
    assert grammar.count(7, "проект", "проектов", RUSSIAN, spelled=False) == "7 проектов"


def test_plural_filter_takes_named_category_forms() -> None:
    assert grammar.plural(2, "проект", "проектов", few="проекта", words=RUSSIAN) == "проекта"
    assert grammar.plural(5, "проект", "проектов", few="проекта", words=RUSSIAN) == "проектов"
    assert grammar.plural(21, "проект", "проектов", few="проекта", words=RUSSIAN) == "проект"


def test_russian_plural_and_singular_are_inverse() -> None:
    assert grammar.plural_of("проект", RUSSIAN) == "проекты"
    for form in ("проекты", "проектов", "проекта"):
        assert grammar.singular_of(form, RUSSIAN) == "проект"


def test_english_keeps_two_forms() -> None:
    words = load_strings(TEMPLATES)
    assert [grammar.count(n, "project", words=words, spelled=False) for n in (0, 1, 2, 21)] == [
        "0 projects",
        "1 project",
        "2 projects",
        "21 projects",
    ]
    assert grammar.count(1.0, "country", words=words, spelled=False) == "1 country"
    assert grammar.digits(1234567) == "1,234,567"
    assert grammar.digits(2.5) == "2.5" and grammar.digits(2600000000000.0) == "2,600,000,000,000"


def test_russian_numbers_dates_and_lists_through_the_filters() -> None:
    env = make_environment(TEMPLATES)
    env.globals["words"] = RUSSIAN
    text = env.from_string(
        "{{ 1234567 | number }}|{{ 2.5 | number }}|{{ '2018-04-27' | long_date }}|"
        "{{ '2018-04' | long_date }}|{{ ['А', 'Б', 'В'] | join_list }}|{{ ['А', 'Б'] | join_list('or') }}|"
        "{{ 22 | count('страна', spelled=False) }}"
    ).render()
    nbsp = "\u00a0"
    # What pandoc reads: the escaping backslashes removed.
    assert re.sub(r"\\(.)", r"\1", text).split("|") == [
        f"1{nbsp}234{nbsp}567",
        "2,5",
        "27 апреля 2018\u202fг.",
        "апрель 2018\u202fг.",
        "А, Б и В",
        "А или Б",
        "22 страны",
    ]


def test_states_number_reads_the_locales_digits() -> None:
    assert grammar.states_number("Более 1\u00a0000 человек.", 1000, None, RUSSIAN)
    assert grammar.states_number("Более 1000 человек.", 1000, None, RUSSIAN)


def test_the_render_takes_the_locale_from_the_context(tmp_path: Path) -> None:
    (tmp_path / "strings.yaml").write_bytes((TEMPLATES / "strings.yaml").read_bytes())
    (tmp_path / "probe.md.j2").write_text(
        "{{ 1234 | number }} {{ ['a', 'b', 'c'] | join_list }}", encoding="utf-8"
    )
    ru = render(tmp_path, "probe.md.j2", {"build": {"language": "ru"}})
    en = render(tmp_path, "probe.md.j2", {"build": {"language": "en"}})
    # The Russian build formats numbers by CLDR; the list words are the strings' (English here).
    assert re.sub(r"\\(.)", r"\1", ru) == "1\u00a0234 a, b and c"
    assert re.sub(r"\\(.)", r"\1", en) == "1,234 a, b and c"


def test_with_locale_sets_the_tag_once() -> None:
    words = {"language": {}}
    assert locale_of(words) == "en"
    assert locale_of(with_locale(words, "ru")) == "ru"
    assert with_locale(words, None) is words
    assert "locale" not in words  # the loaded strings are not changed


@pytest.mark.parametrize("language", ["en", "ru", "pt-BR"])
def test_lang_follows_the_config_in_the_metadata(language: str) -> None:
    build = build_info({"title": "t"}, 0, language)
    assert build["language"] == language
    meta = document_metadata({"build": build, "document": {"kind": "brief"}})
    assert meta["lang"] == language


def test_lang_defaults_to_english() -> None:
    assert document_metadata({"document": {"kind": "brief"}})["lang"] == "en"
    assert build_info({}, 0)["language"] == "en"


def _write(tmp_path: Path, to: str, suffix: str, language: str, **options) -> Path:
    """The one-paragraph document with a citation, written by pandoc to ``to`` as the build
    writes it: the metadata of a context built in ``language``."""
    md = tmp_path / "doc.md"
    md.write_text("% Title\n%\n% 2022-12-30\n\nText [@many].\n", encoding="utf-8")
    bib = tmp_path / "refs.json"
    authors = [{"family": f"Author{i}", "given": "A"} for i in range(7)]
    bib.write_text(
        json.dumps([{"id": "many", "type": "book", "title": "A book", "author": authors}]),
        encoding="utf-8",
    )
    context = {"build": build_info({}, 0, language), "document": {"kind": "brief"}}
    cmd = pandoc_command(
        to,
        bibliography=bib,
        csl=ROOT / "templates/csl/american-medical-association-brackets.csl",
        metadata=document_metadata(context),
        **options,
    )
    out = tmp_path / f"doc-{language}.{suffix}"
    subprocess.run([*cmd, "--output", str(out), str(md)], check=True)
    return out


@pytest.mark.parametrize("language", ["ru", "pt-BR"])
def test_lang_follows_the_config_in_html_docx_and_pdf(tmp_path: Path, language: str) -> None:
    html = _write(
        tmp_path, "html5", "html", language, template=ROOT / "templates/html/document.html"
    )
    assert f'<html lang="{language}"' in html.read_text(encoding="utf-8")
    docx = _write(
        tmp_path, "docx", "docx", language, reference_doc=ROOT / "templates/docx/reference.docx"
    )
    with zipfile.ZipFile(docx) as z:
        assert re.search(f'<w:lang [^>]*w:val="{language}"', z.read("word/styles.xml").decode())
        assert f"<dc:language>{language}</dc:language>" in z.read("docProps/core.xml").decode()
    typ = _write(tmp_path, "typst", "typ", language, template=ROOT / "templates/typst/document.typ")
    code, _, region = language.partition("-")
    typst = typ.read_text(encoding="utf-8")
    assert f'lang: "{code}",' in typst
    assert (f'region: "{region}",' in typst) == bool(region)
    pdf = tmp_path / f"doc-{language}.pdf"
    typst_pdf(typ, pdf, epoch=1672358400, pdf_a=False)
    assert pypdf.PdfReader(pdf).trailer["/Root"]["/Lang"] == language


def test_citeproc_takes_its_locale_from_the_config(tmp_path: Path) -> None:
    # AMA shortens seven authors to three and "et al."; Russian CSL terms say "и др.".
    ru = _write(tmp_path, "plain", "txt", "ru").read_text(encoding="utf-8")
    en = _write(tmp_path, "plain", "txt", "en").read_text(encoding="utf-8")
    assert "et al" in en and "et al" not in ru
    assert "и др" in ru
