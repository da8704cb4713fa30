"""Sorting names the way a reader expects: the Unicode Collation Algorithm, not code points.

Code-point order puts 'Ísvík' after 'Zeta' and 'Čermava' after both; the Unicode Collation
Algorithm (pyuca, pure Python, its default table: the DUCET) sorts them among the I's and C's,
and Greek or Cyrillic names after Latin ones. The collator is built once per process, on first
use, and parses its table lazily: pyuca reads all 30,000 entries of the DUCET (0.2 CPU-s, about a
third of the tables job of an edit, which sorts a few dozen names); here the file's lines are only
grouped by their first code point, and a group is parsed the first time a text needs it (every
entry a lookup can reach starts with the code point it starts from, so the keys are the same).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import TypeVar

T = TypeVar("T")


def _lazy_collator_class():
    """pyuca's ``Collator`` with a table parsed per first code point, when a lookup needs it."""
    from pyuca import Collator
    from pyuca.collator import COLL_ELEMENT_PATTERN
    from pyuca.trie import Trie
    from pyuca.utils import hexstrings2int

    class LazyTrie(Trie):
        """The DUCET's trie; ``pending`` holds the unparsed lines by their first code point."""

        def __init__(self, pending: dict[int, list[str]]):
            super().__init__()
            self.pending = pending

        def find_prefix(self, key):
            lines = self.pending.pop(key[0], None) if key else None
            for line in lines or ():
                a, b = line.split(";", 1)
                elements = [hexstrings2int(m.groups()) for m in COLL_ELEMENT_PATTERN.finditer(b)]
                self.add(hexstrings2int(a.split()), elements)
            return super().find_prefix(key)

    class LazyCollator(Collator):
        """As pyuca's, its ``load`` keeping each entry's line until a lookup needs it."""

        def load(self, filename):
            pending: dict[int, list[str]] = {}
            with open(filename, encoding="utf-8") as keys_file:
                for raw in keys_file:
                    line = raw.split("#", 1)[0].rstrip()
                    if not line or line.startswith("@version"):
                        continue
                    if line.startswith("@implicitweights"):
                        ch_range, base = line[len("@implicitweights") :].split(";")
                        start, end = ch_range.split("..")
                        self.implicit_weights.append([int(start, 16), int(end, 16), int(base, 16)])
                        continue
                    first = int(line.split(None, 1)[0].split(";", 1)[0], 16)
                    pending.setdefault(first, []).append(line)
            self.table = LazyTrie(pending)

    return LazyCollator


@lru_cache(maxsize=1)
def _collator():
    return _lazy_collator_class()()


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
