"""No function in src/coopdocs is longer than 60 lines.

A long function does several things under one name; split by meaning, each piece gets a name and a
docstring that say what it does. Ruff has no rule for length, so this test walks the syntax tree of
every module (nested functions and methods included) and fails naming each function over the limit.

``PENDING`` lists the long functions another engineer is shortening this session, with the owner. It
may only shrink: a listed function that is already at or under the limit, or that no longer exists,
fails the test too, so the entry is removed with the change that shortened it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import coopdocs

PACKAGE = Path(coopdocs.__file__).parent
LIMIT = 60

# (module path under src/, function name): the engineer shortening it.
PENDING: dict[tuple[str, str], str] = {
    ("coopdocs/compute/article.py", "article_context"): "s29",
}


def function_lengths(root: Path = PACKAGE) -> dict[tuple[str, str], int]:
    """Every function and method under the package ``root`` by (path from its parent, name), with its length in
    lines from ``def`` (decorators excluded) to its last line; the longest wins when one module
    defines a name twice."""
    lengths: dict[tuple[str, str], int] = {}
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        module = path.relative_to(root.parent).as_posix()
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                key = (module, node.name)
                length = node.end_lineno - node.lineno + 1
                lengths[key] = max(length, lengths.get(key, 0))
    return lengths


def test_the_walk_measures_functions(tmp_path):
    """The measure counts a function's lines, nested ones included, so the gate can fail."""
    package = tmp_path / "coopdocs"
    package.mkdir()
    body = "\n".join(f"    x{i} = {i}" for i in range(LIMIT))
    (package / "m.py").write_text(
        f"def long():\n{body}\n\n\ndef outer():\n    def inner():\n        return 1\n    return inner\n"
    )
    lengths = function_lengths(package)
    assert lengths[("coopdocs/m.py", "long")] == LIMIT + 1
    assert lengths[("coopdocs/m.py", "inner")] == 2
    assert lengths[("coopdocs/m.py", "outer")] == 4


def test_no_function_is_over_the_limit():
    """Every function in src/ is at most 60 lines, except those PENDING with their owner."""
    too_long = [
        f"{module}: {name} is {length} lines"
        for (module, name), length in sorted(function_lengths().items())
        if length > LIMIT and (module, name) not in PENDING
    ]
    assert not too_long, f"functions over {LIMIT} lines (split them by meaning):\n" + "\n".join(
        too_long
    )


def test_pending_only_shrinks():
    """A PENDING function already short enough, or gone, is taken off the list."""
    lengths = function_lengths()
    stale = [
        f"{module}: {name} ({owner}) is "
        + (f"{lengths[(module, name)]} lines" if (module, name) in lengths else "gone")
        for (module, name), owner in sorted(PENDING.items())
        if lengths.get((module, name), 0) <= LIMIT
    ]
    assert not stale, "remove from PENDING (now within the limit):\n" + "\n".join(stale)
