"""The lazily parsed collation table gives pyuca's own keys (coopdocs.tools.collation)."""

import random

from pyuca import Collator

from coopdocs.tools.collation import _collator, by_name, collation_key

# Latin with diacritics, Greek, Cyrillic, Arabic, Thai, Tibetan (contractions), Hangul, CJK,
# combining marks and a supplementary-plane letter: the table's contractions and implicit weights.
SAMPLES = [
    "Zeta", "Ísvík", "Čermava", "Alpha", "l·l", "ch", "Ærø", "Straße", "Ǆemal", "Ωμέγα", "Ёлка",
    "Ёжик", "ещё", "العربية", "ภาษาไทย", "ཀྵ", "ཱི", "한국어", "中文", "\U0001d400", "a\u0301",
    "e\u0323\u0302", "ｶﾀｶﾅ", "", " ", "-", "O'Neil", "10", "9",
]  # fmt: skip


def _random_texts(n: int) -> list[str]:
    rng = random.Random(0)
    ranges = [(0x20, 0x24F), (0x370, 0x52F), (0x600, 0x6FF), (0xE00, 0xFFF), (0x1E00, 0x1FFF)]
    out = []
    for _ in range(n):
        lo, hi = rng.choice(ranges)
        out.append("".join(chr(rng.randint(lo, hi)) for _ in range(rng.randint(1, 6))))
    return out


def test_lazy_table_gives_pyucas_keys():
    full = Collator()
    lazy = _collator()
    for text in SAMPLES + _random_texts(3000):
        assert lazy.sort_key(text) == full.sort_key(text), repr(text)


def test_lazy_table_parses_only_what_was_asked():
    lazy = type(_collator())()
    before = len(lazy.table.pending)
    lazy.sort_key("Abc")
    assert before - len(lazy.table.pending) <= 3


def test_names_sort_as_a_reader_expects():
    assert sorted(["Zeta", "Ísvík", "Čermava", "Alpha"], key=collation_key) == [
        "Alpha",
        "Čermava",
        "Ísvík",
        "Zeta",
    ]
    assert by_name([{"n": "b"}, {"n": "A"}], lambda r: r["n"]) == [{"n": "A"}, {"n": "b"}]
