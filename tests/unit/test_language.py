"""The language filters (coopdocs.render.language): counts agree, lists read, names do not echo."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coopdocs.load.strings import load_strings
from coopdocs.render import language
from coopdocs.render.markdown import Trusted, make_environment

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
WORDS = load_strings(TEMPLATES)
# A second language, to show the words come from the strings and not from the code.
GERMAN = {
    "language": {
        "plural_rule": "{word}e",
        "plurals": {"Projekt": "Projekte", "Anlage": "Anlagen"},
        "number_words": ["null", "eins", "zwei", "drei"],
        "ordinal_words": ["erste", "zweite"],
        "ordinal_suffixes": {"default": "."},
        "conjunctions": {"and": "und", "or": "oder"},
        "definite_article": "das",
        "articles": ["der", "die", "das"],
        "article_nouns": ["protokoll"],
        "typed_name": "das {type} {name}",
    },
    "period": {"span": "{start}–{end}", "from": "seit {start}"},
}


def render(source: str, **context) -> str:
    """Render a template string with the project's environment (strings of templates/), and
    return the text pandoc reads from it (the escaping backslashes removed)."""
    markdown = make_environment(TEMPLATES).from_string(source).render(**context)
    return re.sub(r"\\(.)", r"\1", markdown)


@pytest.mark.parametrize(
    ("value", "one", "spelled", "expected"),
    [
        (1, "installation", False, "1 installation"),
        (3, "installation", False, "3 installations"),
        (1, "project", True, "one project"),
        (2, "project", True, "two projects"),
        (12, "project", True, "12 projects"),
        (1500, "visitor", True, "1,500 visitors"),
        (0, "event", False, "0 events"),
        (2, "country", True, "two countries"),
        (3, "framework programme", True, "three framework programmes"),
    ],
)
def test_count_agrees_with_its_noun(value, one, spelled, expected):
    """A count of one takes the singular; irregular plurals come from the strings."""
    assert language.count(value, one, words=WORDS, spelled=spelled) == expected


@given(st.integers(min_value=0, max_value=10**7), st.sampled_from(["project", "event", "party"]))
def test_count_of_one_is_singular_and_others_plural(value, noun):
    """Whatever the number, 1 reads as singular and every other count as plural."""
    phrase = language.count(value, noun, words=WORDS, spelled=False)
    assert phrase.startswith(f"{value:,} ")
    assert phrase.endswith(noun) == (value == 1)


def test_count_words_follow_the_strings():
    """Another language's strings give another language's counts, with no code change."""
    assert language.count(2, "Projekt", words=GERMAN) == "zwei Projekte"
    assert language.count(1, "Anlage", words=GERMAN) == "eins Anlage"
    assert language.count(2, "Projekt") == "2 Projekt"  # no strings: digits, nothing invented


def test_number_words_stop_at_the_configured_limit():
    """``number_words_up_to`` is the largest number written as a word."""
    words = {"language": {"number_words": ["zero", "one", "two", "three"], "number_words_up_to": 2}}
    assert [language.number_word(n, words) for n in (2, 3, 4)] == ["two", "3", "4"]


@pytest.mark.parametrize(
    ("items", "conjunction", "expected"),
    [
        ([], "and", ""),
        (["A"], "and", "A"),
        (["A", "B"], "and", "A and B"),
        (["A", "B", "C"], "and", "A, B and C"),
        (["A", "B", "C"], "or", "A, B or C"),
    ],
)
def test_join_list(items, conjunction, expected):
    """Lists read as written: commas, then the conjunction before the last item."""
    assert language.join_list(items, conjunction, WORDS) == expected


def test_join_list_in_another_language_and_with_serial_comma():
    """The conjunction and the serial comma are the strings' choice."""
    assert language.join_list(["A", "B", "C"], words=GERMAN) == "A, B und C"
    oxford = {"language": {"conjunctions": {"and": "and"}, "serial_comma": True}}
    assert language.join_list(["A", "B", "C"], words=oxford) == "A, B, and C"


@given(st.lists(st.text(alphabet="abcxyz", min_size=1, max_size=5), max_size=6))
def test_join_list_keeps_every_item_in_order(items):
    """Nothing is lost or reordered; the conjunction appears once for two or more items."""
    text = language.join_list(items, words=WORDS)
    position = 0
    for item in items:
        position = text.index(item, position) + len(item)
    assert text.count(" and ") == (1 if len(items) >= 2 else 0)


def test_join_list_keeps_markup_the_program_built():
    """Trusted items (citations, cross-references) stay markup; plain items are escaped."""
    joined = language.join_list([Trusted("[@ref001]"), "A*B"], words=WORDS)
    assert isinstance(joined, Trusted)
    assert joined == "[@ref001] and A\\*B"


def test_year_ranges():
    """En dash between years; one year alone; open ranges in the strings' words."""
    assert language.year_range(1992, 1995, WORDS) == "1992–1995"
    assert language.year_range(2016, 2016, WORDS) == "2016"
    assert language.year_range(2016, None, WORDS) == "from 2016"
    assert language.year_range({"start_year": 2000, "end_year": 2003}, words=WORDS) == "2000–2003"
    assert language.year_range(2016, None, GERMAN) == "seit 2016"


def test_terms_group_into_one_phrase():
    """Terms on one body read as one list of ranges, as a template writes them."""
    terms = [(1992, 1995), (2000, 2003), (2012, 2015)]
    text = render("{{ terms | map('year_range') | join_list }}", terms=terms)
    assert text == "1992–1995, 2000–2003 and 2012–2015"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, "first"),
        (3, "third"),
        (11, "11th"),
        (12, "12th"),
        (21, "21st"),
        (102, "102nd"),
        (113, "113th"),
    ],
)
def test_ordinals(value, expected):
    """Words for the first ten, then the suffix by the last two digits, then the last one."""
    assert language.ordinal(value, WORDS) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Montreal Protocol", "the Montreal Protocol"),
        ("Russian Federation", "the Russian Federation"),
        ("Kyrgyz Republic", "the Kyrgyz Republic"),
        ("Kazakhstan", "Kazakhstan"),
        ("Armenia", "Armenia"),
        ("The Hague Convention", "The Hague Convention"),
    ],
)
def test_article_before_a_name(name, expected):
    """A name with a common noun takes the article; a proper name alone does not; none doubles."""
    assert language.with_article(name, WORDS) == expected


def test_article_can_be_set_by_the_data_or_the_strings():
    """An explicit answer overrides the rule; the strings may list exceptions."""
    assert language.with_article("UNIDO", WORDS, article=False) == "UNIDO"
    assert language.with_article("Netherlands", WORDS, article=True) == "the Netherlands"
    words = {"language": {**WORDS["language"], "names_with_article": ["Netherlands"]}}
    assert language.with_article("Netherlands", words, capital=True) == "The Netherlands"


@pytest.mark.parametrize(
    ("name", "label", "expected"),
    [
        ("Montreal Protocol", "protocol", "the Montreal Protocol"),
        (
            "Agreement between A and B on industry",
            "agreement",
            "the Agreement between A and B on industry",
        ),
        (
            "Framework Programme for 2019–2023",
            "framework programme",
            "the Framework Programme for 2019–2023",
        ),
        (
            "Programme for Country Partnership",
            "framework programme",
            "the Programme for Country Partnership",
        ),
        ("Lima Declaration", "agreement", "the agreement Lima Declaration"),
        ("Memorandum of Understanding", "memorandum", "the Memorandum of Understanding"),
    ],
)
def test_typed_name_never_echoes(name, label, expected):
    """The label is dropped when the name already says it; kept when it adds something."""
    assert language.typed_name(name, label, WORDS) == expected


@given(
    st.sampled_from(
        ["agreement", "protocol", "programme", "memorandum", "declaration", "strategy"]
    ),
    st.lists(st.sampled_from(["Joint", "Industrial", "of", "Cooperation", "2016"]), max_size=3),
)
def test_typed_name_has_no_label_word_twice(label, words):
    """Whatever the name, the label's word occurs in the phrase at most as often as in the name."""
    name = " ".join([*words, label.capitalize()])
    phrase = language.typed_name(name, label, WORDS).lower()
    assert phrase.count(label) == name.lower().count(label)


def test_filters_registered_with_the_strings_of_the_templates():
    """The environment offers every filter, each reading the strings beside the templates."""
    text = render(
        "{{ 1 | count('installation', spelled=False) }}; {{ 2 | count('project') }}; "
        "{{ 'Montreal Protocol' | typed_name('protocol', capital=True) }}; "
        "{{ 'Kazakhstan' | with_article }}; {{ 2 | ordinal }}; {{ 3 | plural('a', 'b') }}; "
        "{{ 'project' | plural_of }}; {{ 5 | number_word }}"
    )
    assert (
        text
        == "1 installation; two projects; The Montreal Protocol; Kazakhstan; second; b; projects; five"
    )


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (1, "installations", "one installation"),
        (4, "laboratories", "four laboratories"),
        (4, "branches", "four branches"),
        (3, "pilot installations", "three pilot installations"),
        (1, "people", "one person"),
        (30, "enterprises", "30 enterprises"),
        (1000000, "USD", "$1,000,000"),  # a currency's code: money, as amounts are written
        (2.5, "tonnes", "2.5 tonnes"),
        (7, None, "seven"),
    ],
)
def test_measure_agrees_figure_and_unit(value, unit, expected):
    """Units are stored as plural nouns; a figure of one takes the singular, a code stays as given."""
    assert language.measure(value, unit, WORDS) == expected


def test_singular_of_inverts_plural_of_in_any_language():
    for noun in ("installation", "project", "country", "laboratory", "person", "partner country"):
        assert language.singular_of(language.plural_of(noun, WORDS), WORDS) == noun
    assert language.singular_of("Projekte", GERMAN) == "Projekt"
    assert language.singular_of("Anlagen", GERMAN) == "Anlage"
    assert language.measure(1, "Anlagen", GERMAN) == "eins Anlage"
    assert language.singular_of("installations") == "installations"  # no strings: unchanged


@pytest.mark.parametrize(
    ("text", "value", "unit", "stated"),
    [
        ("Four calibration laboratories were equipped.", 4, "laboratories", True),
        ("An effect of more than 1,000,000 USD.", 1000000, "USD", True),
        ("More than 500 specialists were trained.", 500, "specialists", True),
        ("More than 500 specialists were trained.", 500, "people", False),  # unit not named
        ("One installation was transferred.", 1, "installations", True),  # in the singular
        ("An installation was transferred under a 2019 agreement.", 1, "installations", False),
        ("Opened in 2017.", 17, None, False),
        ("Worth 1.5 million.", 5, None, False),
        ("Code a4b names no figure.", 4, None, False),
    ],
)
def test_states_number_finds_a_figure_and_its_unit(text, value, unit, stated):
    assert language.states_number(text, value, unit, WORDS) is stated


def test_outcome_partial_puts_the_figure_inside_the_sentence():
    source = '{% for o in outcomes %}{% include "partials/outcome.md.j2" %}|{% endfor %}'
    outcomes = [
        {
            "clause": "An installation was transferred",
            "end": ".",
            "value": 1.0,
            "unit": "installations",
            "description": "An installation was transferred.",
            "flag": None,
        },
        {
            "clause": "Four laboratories were equipped",
            "end": ".",
            "value": 4,
            "unit": "laboratories",
            "description": "Four laboratories were equipped.",
            "flag": None,
        },
    ]
    env = make_environment(TEMPLATES)
    text = re.sub(r"\\(.)", r"\1", env.from_string(source).render(outcomes=outcomes))
    assert (
        text
        == "An installation was transferred (one installation).|Four laboratories were equipped.|"
    )
