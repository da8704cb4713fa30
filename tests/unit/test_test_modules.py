"""The test suite itself: pytest imports test modules by basename (no packages), so two modules
with one name in two folders stop the whole collection ("import file mismatch"), which a run of
one folder does not show."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def test_no_two_test_modules_share_a_name():
    names = Counter(p.name for p in TESTS.rglob("test_*.py"))
    assert [n for n, k in names.items() if k > 1] == []
