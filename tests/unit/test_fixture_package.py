"""The two-state fixture package (tests/fixtures/two-states) that unit tests use instead of data/.

It must stay a valid package with every table kind filled, so that a test on it exercises every
part of a context; and it must stay small, so that those tests stay fast.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from locations import TWO_STATES

COOPDOCS = str(Path(sys.executable).parent / "coopdocs")


def test_validates_without_warnings_and_has_every_table_kind(two_states):
    assert two_states.warnings == []  # every source kept is cited
    t = two_states.tables
    assert sorted((c["code"], c["kind"]) for c in t["countries"]) == [
        ("BY", "member-state"),
        ("EAEU", "union"),
        ("RU", "member-state"),
    ]
    empty = [name for name, rows in t.items() if not rows]
    assert empty == []
    assert (
        sum(len(rows) for rows in t.values()) < 200
    )  # a few records of each kind, not the real data


def test_keeps_the_shapes_the_documents_need(two_states):
    t = two_states.tables
    codes = {"BY", "RU", "EAEU"}
    for table in ("instruments", "projects", "events"):
        assert all(set(r["countries"]) <= codes for r in t[table]), table
        for code in codes:
            assert any(code in r["countries"] for r in t[table]), (table, code)
        # records tied to no state (UNIDO's own framework) and records naming both states
        if table != "projects":  # the real data has no project without a country
            assert any(not r["countries"] for r in t[table]), table
        assert any({"BY", "RU"} <= set(r["countries"]) for r in t[table]), table
    gov = {a["id"]: a["country"] for a in t["actors"] if a["type"] == "government"}
    assert any(
        p["countries"] == ["BY"] and gov.get("gov-ru") == "RU" and "gov-ru" in p["funders"]
        for p in t["projects"]
    )
    assert [i["type"] for i in t["instruments"]].count("main-directions") >= 2
    assert any(o["value"] is not None and o["unit"] for o in t["outcomes"])
    assert {r["country"] for r in t["roles"]} == {"BY"} and {
        c["country"] for c in t["contributions"]
    } == {"RU"}


def test_descriptor_is_the_real_one_but_for_the_title(root):
    real = json.loads((root / "data" / "datapackage.json").read_text(encoding="utf-8"))
    real.pop("texts", None)  # the seed's authored text (issue 16) is not the fixture's
    fixture = json.loads((TWO_STATES / "datapackage.json").read_text(encoding="utf-8"))
    assert fixture["title"] != real["title"] and "fixture" in fixture["title"]
    assert {**fixture, "title": real["title"]} == real


def test_command_line_validates_it():
    proc = subprocess.run(
        [COOPDOCS, "validate", "--data", str(TWO_STATES)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "3 countries" in proc.stdout + proc.stderr and "warning" not in proc.stderr
