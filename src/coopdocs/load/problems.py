"""What the loader reports: one :class:`Problem` per fault found, all carried by :class:`DataError`.

Every check of the data package (coopdocs.load.descriptor, .rows, .cells, .keys, .notes, .roles,
.texts) adds to one list of problems, so that a single pass names every fault by file, line,
field and value.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

Record = dict[str, Any]


@dataclass(frozen=True, order=True)
class Problem:
    """One problem found in the data: where it is, what was found and what was expected.

    >>> str(Problem("data/projects.csv", 4, "countries", "XX", "unknown country code", "a code in countries.csv"))
    "data/projects.csv:4: field 'countries': value 'XX': unknown country code (expected a code in countries.csv)"
    """

    file: str
    line: int
    field: str
    value: str
    message: str
    expected: str = ""
    severity: str = "error"
    # A root cause (a table that cannot be read, a broken descriptor): listed before the rest.
    root: bool = field(default=False, compare=False, repr=False)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        parts = [where + ":"]
        if self.severity != "error":
            parts.append(f"{self.severity}:")
        if self.field:
            parts.append(f"field {self.field!r}:")
        if self.value != "":
            shown = self.value if len(self.value) <= 80 else self.value[:77] + "..."
            parts.append(f"value {shown!r}:")
        text = " ".join(parts) + " " + self.message
        if self.expected:
            text += f" (expected {self.expected})"
        return text

    def as_dict(self) -> dict[str, Any]:
        """The problem as a JSON-ready dictionary."""
        out = asdict(self)
        del out["root"]
        return out


class DataError(Exception):
    """Raised when the data package does not validate; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        # Root causes first (a table that could not be read before the references into it).
        self.problems = sorted(problems, key=lambda p: (not p.root, p))
        errors = [p for p in self.problems if p.severity == "error"]
        super().__init__(f"{len(errors)} error(s) in the data")


def display(path: Path, root: Path | None) -> str:
    """``path`` as messages show it: relative to ``root`` when inside it, else as given."""
    if root is not None:
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            pass
    return path.as_posix()


def short(value: Any) -> str:
    """A descriptor value as a message shows it: text as is, anything else as JSON, at most 200 characters."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 200 else text[:197] + "..."
