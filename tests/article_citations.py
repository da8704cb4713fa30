"""The reference numbers the source article cites, derived once from its text and kept here.

The article (Shugurov 2022, the seed of ``data/``) numbers its sources in square brackets, [1] to
[139]; its reference list survives only as numbers. The text itself lives outside the repository
(``shared/seeds/000_b3968afb981267f2.txt`` next to the checkout, see that folder's README), so a
clone without it still needs the list: this module is that list, as a test fixture.

How it was derived: :func:`derive` below, run on the seed text. It reads the body of the article
(from the heading "Introduction" to the heading "References", so neither the reference list of bare
numbers nor the peer review after it counts), takes every bracket whose parts, separated by ``;``,
are each a number or a range with optional pages ("[3, pp. 143-144]", "[28-31]", "[106; 106]"),
counts each number once per time it appears (a range counts each number in it), and notes the
bracket as written wherever it is not the bare number. ``test_citations.py`` re-derives both from
the seed when the seed is present and fails if they differ from what is frozen here; when it is
absent, that one test is skipped and the others use the frozen list.

Result: 138 numbers are cited, 1 to 139 without 105; [1] and [106] twice each (106 as "[106; 106]"),
every other number once.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

SEED_NAME = "000_b3968afb981267f2.txt"

# Reference number -> how many times the article's text cites it.
CITED: dict[int, int] = {n: 1 for n in range(1, 140) if n != 105}
CITED.update({1: 2, 106: 2})

# Reference number -> the bracket as the article writes it, where that is not the bare "[n]".
CITED_AS: dict[int, str] = {
    3: "[3, pp. 143-144]",
    9: "[9, p. 133]",
    28: "[28-31]",
    29: "[28-31]",
    30: "[28-31]",
    31: "[28-31]",
    34: "[34, pp. 127-136; 35]",
    35: "[34, pp. 127-136; 35]",
    48: "[48, p. 51]",
    60: "[60; 61]",
    61: "[60; 61]",
    106: "[106; 106]",
    114: "[114, p. 8]",
    131: "[131; 132]",
    132: "[131; 132]",
}

_BRACKET = re.compile(r"\[([^\[\]]{1,80})\]")
_PART = re.compile(
    r"\s*(\d{1,3})(?:\s*[-–]\s*(\d{1,3}))?(?:\s*,\s*pp?\.\s*\d+(?:\s*[-–]\s*\d+)?)?\s*"
)


def derive(text: str) -> tuple[dict[int, int], dict[int, str]]:
    """(times each number is cited, the bracket as written where not bare) from the article's text."""
    body = text[text.index("Introduction") : text.rindex("\nReferences\n")]
    counts: dict[int, int] = {}
    written: dict[int, str] = {}
    for m in _BRACKET.finditer(body):
        parts = [_PART.fullmatch(p) for p in m.group(1).split(";")]
        if not all(parts):
            continue  # not a citation (no such bracket in this article, but be safe)
        for part in parts:
            first, last = int(part.group(1)), int(part.group(2) or part.group(1))
            for n in range(first, last + 1):
                counts[n] = counts.get(n, 0) + 1
                if m.group(0) != f"[{n}]":
                    written.setdefault(n, m.group(0))
    return counts, written


def find_seed(root: Path) -> Path | None:
    """The seed text: $COOPDOCS_SEEDS/<name>, else shared/seeds/<name> beside the checkout (or two levels up)."""
    candidates = (
        [Path(os.environ["COOPDOCS_SEEDS"]) / SEED_NAME] if os.environ.get("COOPDOCS_SEEDS") else []
    )
    candidates += [
        root.parent / "shared" / "seeds" / SEED_NAME,
        root.parent.parent / "shared" / "seeds" / SEED_NAME,
    ]
    return next((p for p in candidates if p.is_file()), None)
