"""The figures' text alternatives take every word from the strings file: a translated strings file
changes them with no code change, and the English one words them as the documents show them."""

from __future__ import annotations

import copy
from pathlib import Path

from coopdocs.compute.overview import describe_theme_matrix, describe_timeline_overview
from coopdocs.compute.tables import Frame
from coopdocs.compute.timeline import describe
from coopdocs.load.strings import load_strings

ROOT = Path(__file__).resolve().parents[2]
ENGLISH = load_strings(ROOT / "templates")
ORDER = [("AR", "Arcadia"), ("BO", "Borduria"), ("SY", "Syldavia")]
TIMELINE = Frame.of(
    [
        {
            "country_code": "AR",
            "kind": "instrument",
            "year": 2011,
            "start_year": None,
            "end_year": None,
        },
        {"country_code": "AR", "kind": "event", "year": 2015, "start_year": None, "end_year": None},
        {
            "country_code": "BO",
            "kind": "project",
            "year": None,
            "start_year": 2018,
            "end_year": 2024,
        },
    ]
)
THEMES = Frame.of(
    [
        {"theme": "Health", "country_code": "AR", "count": 2},
        {"theme": "Water", "country_code": "BO", "count": 3},
        {"theme": "Water", "country_code": "SY", "count": 0},
    ]
)
BRIEF = {
    "country": {"name": "Arcadia"},
    "projects": [{"start_year": 2019, "end_year": None}, {"start_year": 2020, "end_year": 2022}],
    "instruments": [{"date": "2009-03-01"}],
    "events": [],
}


def test_english_words_of_each_figure():
    assert describe_timeline_overview(TIMELINE, ORDER, ENGLISH) == (
        "Timeline of 1 instrument, 1 event and 1 project of Arcadia and Borduria, 2011–2024, one row"
        " each: projects as bars from their first to their last year, instruments and events as"
        " marks sized by their number in the year."
    )
    assert describe_theme_matrix(THEMES, ORDER, ENGLISH) == (
        "Heat map of project counts in 2 thematic areas (rows) by state (columns: Arcadia and"
        " Borduria); darker cells hold more projects, the most being 3 in Water for Borduria."
    )
    assert describe(BRIEF, ENGLISH) == (
        "Timeline of 1 instrument and 2 projects of Arcadia, 2009–2022."
    )
    undated = dict(BRIEF, projects=[], instruments=[])
    assert describe(undated, ENGLISH) == (
        "Timeline of 0 instruments, 0 events and 0 projects of Arcadia, none of them dated."
    )
    assert describe_theme_matrix(Frame.of([]), ORDER, ENGLISH).endswith(
        "no project has a thematic area."
    )


def test_another_language_needs_only_its_strings_file():
    """The nouns come from the alt section; their plurals and the list's words from the one
    language section that the templates' filters use too."""
    words = copy.deepcopy(ENGLISH)
    alt, lang = words["alt"], words["language"]
    alt["nouns"]["event"] = "événement"
    alt["nouns"]["project"] = "projet"
    lang["conjunctions"]["and"] = "et"
    alt["brief_timeline"]["text"] = "Chronologie de {counts} : {country}{span}."
    assert describe(BRIEF, words) == (
        "Chronologie de 1 instrument et 2 projets : Arcadia, 2009–2022."
    )
    alt["themes-by-state"]["text"] = "Carte : {areas} ; {states} ; {top} {theme} {state}"
    alt["nouns"]["thematic_area"] = "domaine thématique"
    lang["plurals"]["domaine thématique"] = "domaines thématiques"
    assert describe_theme_matrix(THEMES, ORDER, words) == (
        "Carte : 2 domaines thématiques ; Arcadia et Borduria ; 3 Water Borduria"
    )
    # A language with a serial comma says so once, and every list of the figures follows.
    lang["serial_comma"] = True
    with_event = dict(BRIEF, events=[{"date": "2015-01-01"}])
    assert describe(with_event, words).startswith("Chronologie de 1 instrument, 1 événement, et 2")
