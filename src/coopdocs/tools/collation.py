"""Sorting names the way a reader expects: the Unicode Collation Algorithm, not code points.

Code-point order puts 'Ísvík' after 'Zeta' and 'Čermava' after both; the Unicode Collation
Algorithm (pyuca, pure Python, its default table: the DUCET) sorts them among the I's and C's,
and Greek or Cyrillic names after Latin ones. The collator is built once per process, on first
use (reading its table costs ~0.8 s, so only the jobs that sort names by collation pay it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import TypeVar

T = TypeVar("T")


@lru_cache(maxsize=1)
def _collator():
    from pyuca import Collator

    return Collator()


@lru_cache(maxsize=65536)
def collation_key(text: str) -> tuple:
    """The sort key of ``text``: its UCA key, then the text itself (a total, stable order).

    >>> sorted(["Zeta", "Ísvík", "Čermava", "Alpha"], key=collation_key)
    ['Alpha', 'Čermava', 'Ísvík', 'Zeta']
    """
    return (tuple(_collator().sort_key(text)), text)


def by_name(items: Iterable[T], name: Callable[[T], str]) -> list[T]:
    """``items`` sorted by collation of ``name(item)``."""
    return sorted(items, key=lambda item: collation_key(str(name(item) or "")))
