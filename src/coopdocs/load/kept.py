"""Values a job would otherwise work out again at each start, kept between jobs.

A brief's job is one process among two hundred, and each used to pay the same start-up work for
a handful of values: PyYAML's import and parse of the strings file (~0.03 s), and Babel's whole
CLDR locale (the root locale merged with the language's, ~0.03 s) for a plural rule and three
number signs. Inside :func:`kept_values` (the publish command), :func:`kept` returns such a value
from a verified entry of coopdocs.tools.cache (``build/cache/kept``), keyed by everything the
value is made of: its inputs, the libraries' and Python's versions and the code that makes it.
Only a value that ``marshal`` gives back exactly (the same ``repr``: the strings file's integer
keys stay integers) is kept, so a kept value is the computed value; outside the block, or on a
miss, the value is computed as before. An entry is unmarshalled only after it verified.
"""

from __future__ import annotations

import contextlib
import marshal
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

_store = None


@contextlib.contextmanager
def kept_values(folder: Path) -> Iterator[None]:
    """Within the block, :func:`kept` keeps its values in ``folder`` (a coopdocs.tools.cache store)."""
    from coopdocs.tools.cache import Store

    global _store
    _store = Store(folder, ".entry")
    try:
        yield
    finally:
        _store = None


def kept(
    name: str,
    parts: Iterable[str],
    make: Callable[[], Any],
    libraries: Iterable[str] = (),
    code: Iterable[Path] = (),
) -> Any:
    """``make()``, or the value it gave before for the same ``name``, ``parts``, ``libraries``
    versions and ``code`` (within :func:`kept_values`; else always ``make()``).

    >>> kept("square", ["3"], lambda: 3 * 3)
    9
    """
    if _store is None:
        return make()
    from coopdocs.tools.cache import digest

    key = digest("kept/1", name, *parts, code=[Path(__file__), *code], libraries=libraries)
    content = _store.get(key)
    if content is not None:
        return marshal.loads(content)
    value = make()
    try:
        data = marshal.dumps(value)
    except ValueError:  # a type marshal does not write (a YAML date): computed each time
        return value
    if repr(marshal.loads(data)) == repr(value):
        _store.put(key, data)
    return value
