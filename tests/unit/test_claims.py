"""Claims as code (issue 28): named counts over the typed data, their registry and consistency."""

from __future__ import annotations

from pathlib import Path

import pytest

from coopdocs.compute.claims import CLAIMS, ClaimSet, claim_names, contradictions
from coopdocs.load.datapackage import load_package

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = {
    "seed": (ROOT / "data", "unido", "EAEU", "eec"),
    "two-states": (ROOT / "tests" / "fixtures" / "two-states", "unido", "EAEU", "eec"),
    "iawc": (ROOT / "tests" / "fixtures" / "iawc", "iawc", "NWU", "basin-commission"),
    "typed": (ROOT / "tests" / "fixtures" / "typed", "iawc", "NWU", "basin-commission"),
}
PER_COUNTRY = [
    name
    for name, fn in CLAIMS.items()
    if "country" in fn.__code__.co_varnames[: fn.__code__.co_argcount]
]


def every_claim(name: str) -> ClaimSet:
    """Every claim of the registry on package ``name``, for every country where it takes one."""
    data, org, union, body = PACKAGES[name]
    package = load_package(data, claims=claim_names())
    claims = ClaimSet(package, org, union, body)
    codes = [c["code"] for c in package.tables["countries"]]
    for claim in CLAIMS:
        if claim in PER_COUNTRY:
            for code in codes:
                claims.get(claim, country=code)
        elif claim == "records_established":
            for table in ("instruments", "projects", "events", "offices"):
                claims.get(claim, table=table)
        else:
            claims.get(claim)
    return claims


@pytest.mark.parametrize("name", list(PACKAGES))
def test_no_claim_contradicts_another(name):
    claims = every_claim(name)
    assert claims.register
    assert contradictions({"all": claims.register}) == []


def test_a_contradiction_is_found():
    counted = {
        "name": "projects_of",
        "params": {"country": "A"},
        "number": 2,
        "records": ["p1", "p2"],
        "apart": {},
    }
    planned = {
        "name": "projects_of",
        "params": {"country": "B"},
        "number": 0,
        "records": [],
        "apart": {"planned": ["p2"]},
    }
    other = dict(counted, number=3)
    found = contradictions({"brief": [counted, planned], "review": [other]})
    assert any("counts p2 as established" in p for p in found)
    assert any("states" in p and "brief" in p and "review" in p for p in found)


def test_ties_are_ties_and_few_cases_make_no_winner():
    claims = every_claim("typed")
    theme = claims.get("most_frequent_theme", country="TS")  # no project
    assert theme.value is None and theme.ties == () and theme.number == 0
    for code in ("NA", "CM", "MR", "NO"):
        c = claims.get("most_frequent_theme", country=code)
        assert c.value is None or not c.ties


def test_every_claim_says_what_it_counts():
    for name, fn in CLAIMS.items():
        assert fn.__doc__ and len(fn.__doc__.split()) >= 8, name


def test_an_unknown_claim_names_the_known_ones():
    claims = every_claim("iawc")
    with pytest.raises(KeyError, match="offices_open"):
        claims.get("offices_opened", country="CM")
