"""Where the project and the tests' own data are (importable as ``locations`` from any test).

Test modules import these names from here, never from ``conftest``: there is one conftest.py per
tier folder, and which of them ``import conftest`` finds depends on the order of collection.
"""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
DATA = ROOT / "data"
FIXTURES = TESTS / "fixtures"
# The two-state fixture package (tests/fixtures/make_two_states.py says how it was derived).
TWO_STATES = FIXTURES / "two-states"
