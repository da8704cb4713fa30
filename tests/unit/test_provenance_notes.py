"""Issue 30: a record's notes said once across the briefs, in the brief that presents it in full.

A brief's provenance entry for a record about another state gives that state's brief title
(``notes_in``) instead of the record's notes; that brief must then carry the record with its notes,
so that the trail from every mark still ends at the record's notes.
"""

from __future__ import annotations

import pytest

from coopdocs.compute.contexts import brief_context
from coopdocs.load.strings import load_strings

ORG = "unido"
BUILD = {"epoch": 1672358400, "date": "2022-12-30", "data_title": "t", "data_version": "1"}


def _contexts(package, root):
    """Every brief's context, keyed by its title, with the real strings."""
    words = load_strings(root / "templates")
    union = next((c["code"] for c in package.tables["countries"] if c["kind"] == "union"), None)
    out = {}
    for country in package.tables["countries"]:
        ctx = brief_context(package, country["code"], BUILD, ORG, words=words, union_code=union)
        out[ctx["document"]["title"]] = ctx
    return out


@pytest.mark.parametrize("name", ["real_package", "two_states"])
def test_notes_elsewhere_lead_to_a_brief_that_gives_them(name, request, root):
    package = request.getfixturevalue(name)
    briefs = _contexts(package, root)
    referred = 0
    for title, ctx in briefs.items():
        for e in ctx["provenance"]["records"]:
            home = e.get("notes_in")
            if not home:
                continue
            referred += 1
            assert home != title and home in briefs, (title, e["id"], home)
            there = {x["id"]: x for x in briefs[home]["provenance"]["records"]}
            assert e["id"] in there, f"{title}: {e['id']} refers to {home}, which lacks it"
            assert not there[e["id"]].get("notes_in"), (home, e["id"])
            assert (there[e["id"]]["note"], there[e["id"]]["source_note"]) == (
                e["note"],
                e["source_note"],
            )
    if name == "real_package":
        # Russia's brief lists the projects it funds in other states; their notes are theirs.
        russia = next(c for c in briefs.values() if c["country"]["code"] == "RU")
        homes = {e["id"]: e.get("notes_in") for e in russia["provenance"]["records"]}
        assert homes["prj-by-automotive-components"] == "Belarus and UNIDO"
        assert homes["RU"] is None and referred > 10
