"""Sorting names the way a reader expects: the Unicode Collation Algorithm, not code points.

Code-point order puts 'Ísvík' after 'Zeta' and 'Čermava' after both; the Unicode Collation
Algorithm (pyuca, pure Python, its default table: the DUCET) sorts them among the I's and C's,
and Greek or Cyrillic names after Latin ones. The collator is built once per process, on first
use, and parses its table lazily: pyuca reads all 30,000 entries of the DUCET (0.2 CPU-s, about a
third of the tables job of an edit, which sorts a few dozen names); here the file's lines are only
grouped by their first code point, and a group is parsed the first time a text needs it (every
entry a lookup can reach starts with the code point it starts from, so the keys are the same).
Even so, reading the table is ~0.1 s of each of the two jobs on an edit's path (prepare and
tables), which sort the same few dozen names every time: within :func:`kept_keys` the keys a job
computed are kept for its next run (a coopdocs.tools.cache entry, keyed by the table's bytes and
the collation code), and the table is read only for a name that is not there.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from pathlib import Path
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


class _KeptKeys:
    """The UCA keys of one job's names: those of its last run (``known``), those of this one (``used``)."""

    FORMAT = "collation-keys/1"

    def __init__(self, folder: Path) -> None:
        import pyuca
        import pyuca.collator

        from coopdocs.tools.cache import Store, digest

        package = Path(pyuca.collator.__file__).parent
        table = package / f"allkeys-{pyuca.Collator.UCA_VERSION}.txt"
        self.store = Store(folder, ".json")
        # Everything a key is made of: the table pyuca reads, its code and this module's.
        code = [table, *(package / f for f in ("collator.py", "trie.py", "utils.py"))]
        self.key = digest(self.FORMAT, code=[*code, Path(__file__)])
        content = self.store.get(self.key)
        self.known: dict[str, list[int]] = json.loads(content) if content is not None else {}
        self.used: dict[str, list[int]] = {}

    def sort_key(self, text: str) -> list[int]:
        """The UCA key of ``text``, kept or computed."""
        if text not in self.used:
            known = self.known.get(text)
            self.used[text] = known if known is not None else list(_collator().sort_key(text))
        return self.used[text]

    def save(self) -> None:
        """Keep this run's keys (only these: a name no longer sorted leaves the table)."""
        if self.used != self.known:
            self.store.put(self.key, json.dumps(self.used, sort_keys=True).encode("utf-8"))
        self.store.keep_only([self.key])


_kept: _KeptKeys | None = None


@contextlib.contextmanager
def kept_keys(folder: Path) -> Iterator[None]:
    """Within the block, sort keys come from the table of the last run kept in ``folder`` (one
    folder per job), and this run's are kept there when the block ends without an error."""
    global _kept
    collation_key.cache_clear()
    _kept = _KeptKeys(folder)
    try:
        yield
        _kept.save()
    finally:
        _kept = None
        collation_key.cache_clear()


@lru_cache(maxsize=65536)
def collation_key(text: str) -> tuple:
    """The sort key of ``text``: its UCA key, then the text itself (a total, stable order).

    >>> sorted(["Zeta", "Ísvík", "Čermava", "Alpha"], key=collation_key)
    ['Alpha', 'Čermava', 'Ísvík', 'Zeta']
    """
    if _kept is not None:
        return (tuple(_kept.sort_key(text)), text)
    return (tuple(_collator().sort_key(text)), text)


def by_name(items: Iterable[T], name: Callable[[T], str]) -> list[T]:
    """``items`` sorted by collation of ``name(item)``."""
    return sorted(items, key=lambda item: collation_key(str(name(item) or "")))
