"""The examples in the package's docstrings hold: each module's doctests run as tests.

Docstrings show how a function reads ("capacity building (4 projects)"); a change that makes an
example false fails here instead of leaving the documentation wrong.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import coopdocs


def _modules() -> list[str]:
    return sorted(
        m.name
        for m in pkgutil.walk_packages(coopdocs.__path__, prefix="coopdocs.")
        if not m.ispkg and not m.name.endswith("__main__")
    )


@pytest.mark.parametrize("name", _modules())
def test_the_docstring_examples_of_the_module_hold(name: str):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples fail in {name}"
