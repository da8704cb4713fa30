"""coopdocs.load.kept: values kept between jobs are exactly the values computed."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from coopdocs.load import grammar
from coopdocs.load.kept import kept, kept_values
from coopdocs.load.strings import load_strings

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _once(value):
    """A maker that gives ``value`` once and fails after (so a second call must be a kept hit)."""
    calls = []

    def make():
        if calls:
            raise AssertionError("made twice: the value was not kept")
        calls.append(1)
        return value

    return make


def test_a_kept_value_comes_back_equal_with_integer_keys(tmp_path):
    value = {"default": "th", 1: "st", 2: "nd", "list": [1.5, None, True], "t": ("a", "b")}
    make = _once(value)
    with kept_values(tmp_path):
        first = kept("suffixes", ["x"], make)
        again = kept("suffixes", ["x"], make)
    assert first == value
    assert repr(again) == repr(value)
    assert list(tmp_path.iterdir())


def test_other_parts_are_another_entry(tmp_path):
    with kept_values(tmp_path):
        assert kept("n", ["a"], lambda: 1) == 1
        assert kept("n", ["b"], lambda: 2) == 2
        assert kept("n", ["a"], _once(3)) == 1


def test_a_value_marshal_cannot_keep_is_made_each_time(tmp_path):
    day = {"when": datetime.date(2020, 1, 2)}
    with kept_values(tmp_path):
        assert kept("day", [], lambda: day) == day
        assert kept("day", [], lambda: {"when": datetime.date(2021, 1, 1)}) == {
            "when": datetime.date(2021, 1, 1)
        }
    assert not list(tmp_path.iterdir())


def test_outside_the_block_nothing_is_kept(tmp_path):
    assert kept("n", [], lambda: 1) == 1
    assert kept("n", [], lambda: 2) == 2


def test_a_damaged_entry_is_a_miss(tmp_path):
    with kept_values(tmp_path):
        kept("n", [], lambda: 1)
    (entry,) = tmp_path.iterdir()
    entry.write_bytes(entry.read_bytes() + b"0")
    with kept_values(tmp_path):
        assert kept("n", [], lambda: 7) == 7


def test_the_strings_read_from_a_kept_entry_equal_the_parse(tmp_path):
    parsed = load_strings(TEMPLATES)
    with kept_values(tmp_path):
        load_strings(TEMPLATES)
        again = load_strings(TEMPLATES)
    assert repr(again) == repr(parsed)
    assert again["language"]["ordinal_suffixes"][1]  # integer keys stay integers


@pytest.mark.parametrize("tag", ["en", "ru", "ar", "pl", "fr", "pt-BR", "cy"])
def test_the_plural_rule_made_from_its_text_is_babels(tag):
    rule = grammar.cldr_locale(tag).plural_form
    numbers = [*range(0, 230), 0.5, 1.5, 2.25, 101.7, 1000000, Decimal("1.10"), -3]
    assert [grammar._plural_rule(tag)(n) for n in numbers] == [rule(n) for n in numbers]


def test_the_language_facts_come_back_from_the_kept_entry(tmp_path):
    grammar._cldr_facts.cache_clear()
    try:
        with kept_values(tmp_path):
            made = grammar._cldr_facts("ru")
            grammar._cldr_facts.cache_clear()
            again = grammar._cldr_facts("ru")
        assert again == made
        assert made["plural"]["few"] and made["signs"] == ["\xa0", ",", "-"]
    finally:
        grammar._cldr_facts.cache_clear()
