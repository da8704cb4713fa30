"""No word of the seed data's world in the program (issue 34).

The pipeline builds any organisation's package: the seed's organisation, union and body names,
and the seed's own values of its enums (kinds of office, kinds of instrument), belong to the
data package and its templates, never to ``src/``. The program knows roles (an office's
``owner``, an instrument's ``role``), not the seed's words.
"""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"

# The seed's words, as whole words or identifiers (case-insensitive): its organisation, union
# and bodies, and the seed's values of its kinds of office and instrument.
SEED_WORDS = (
    "UNIDO",
    "EAEU",
    "EEC",
    "ITPO",
    "Eurasian",
    "promotion",
    "main-directions",
    "investment-technology-promotion-office",
    "cleaner-production-centre",
)
_PATTERN = re.compile(
    r"(?<![A-Za-z0-9])(" + "|".join(re.escape(w) for w in SEED_WORDS) + r")(?![A-Za-z0-9])",
    re.IGNORECASE,
)

# Hits another change removes, as (file, word); remove each when that change lands. A listed hit
# that no longer occurs fails too, so that the list only shrinks. (The union's yearly programme
# table is found by its typed role since issue 34, s34c: the list is empty.)
PENDING: set[tuple[str, str]] = set()


def seed_hits(root: Path = SRC) -> dict[tuple[str, str], list[int]]:
    """Every seed word in the Python files under ``root``: (file, word as written) to line numbers."""
    hits: dict[tuple[str, str], list[int]] = {}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for match in _PATTERN.finditer(line):
                hits.setdefault((rel, match.group(1)), []).append(number)
    return hits


def test_the_pattern_finds_seed_words_as_words_only(tmp_path):
    (tmp_path / "a.py").write_text(
        'X = "unido"\nY = o["type"] == "cleaner-production-centre"\nZ = "Promotion"\n'
        "fine = 'eecs' + 'unidos' + 'neaeu'\n",
        encoding="utf-8",
    )
    assert seed_hits(tmp_path) == {
        ("a.py", "unido"): [1],
        ("a.py", "cleaner-production-centre"): [2],
        ("a.py", "Promotion"): [3],
    }


def test_no_seed_vocabulary_in_src():
    hits = seed_hits()
    found = {(f, w): lines for (f, w), lines in hits.items() if (f, w) not in PENDING}
    assert not found, "seed words in src/ (use the data's roles or config instead): " + "; ".join(
        f"{f}:{','.join(map(str, lines))}: {w}" for (f, w), lines in sorted(found.items())
    )
    gone = sorted(p for p in PENDING if p not in hits)
    assert not gone, f"no longer in src/, remove from PENDING: {gone}"
