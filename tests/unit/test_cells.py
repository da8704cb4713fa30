"""Cell text helpers (coopdocs.load.cells)."""

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from coopdocs.load.cells import visible


def _by_character(text: str) -> str:
    return "".join(c for c in text if unicodedata.category(c) != "Cf").strip()


@given(st.text() | st.text(alphabet=st.characters(max_codepoint=127)))
def test_visible_drops_format_characters_and_outer_spaces(text):
    assert visible(text) == _by_character(text)


def test_visible_of_ascii_and_of_format_characters():
    assert visible("  Plain text\t") == "Plain text"
    assert visible("\u200bZero\u200dwidth\u2060 \u200e") == "Zerowidth"
    assert visible("\u00adsoft\u00ad") == "soft"
