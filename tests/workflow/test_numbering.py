"""The seed's numbering register against a build of the seed (issue 33).

A register is compact when every document numbers its sources and records 1..n in reading order;
the seed ships the compact one, so its documents read exactly as without a register. These tests
need a build, so they live in this tier (the unit tier has none to read).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from coopdocs import layout
from coopdocs.describe.numbers import reading
from coopdocs.load.register import check, load_register


def test_the_seed_register_is_the_compact_one_of_the_build(built: Path):
    """data/numbering.json is what `coopdocs number` writes from a build of the seed: a merge
    that changes what a document cites or in what order fails here until the register is
    rewritten (`coopdocs number` after a build, then commit it)."""
    register, problems = load_register(built / "data", [])
    assert register is not None and not [p for p in problems if p.severity == "error"]
    assert check(register, reading(built, "data")) == []


def test_number_check_on_the_command_line(built: Path, tmp_path: Path):
    """`coopdocs number --check` after a build: exit 0 for the seed's register; exit 1 naming the
    file and the document when the register has a gap; `coopdocs number` closes it."""
    data = tmp_path / "data"
    shutil.copytree(built / "data", data)
    command = [str(Path(sys.executable).parent / "coopdocs"), "number", "--data-dir", str(data)]

    def run(*extra: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*command, *extra], cwd=built, capture_output=True, text=True, timeout=120
        )

    assert run("--check").returncode == 0
    register = json.loads((data / layout.NUMBERING).read_text(encoding="utf-8"))
    records = register["briefs/armenia"]["records"]
    records[min(records, key=records.get)] = 999
    (data / layout.NUMBERING).write_text(json.dumps(register), encoding="utf-8")
    proc = run("--check")
    assert proc.returncode == 1 and "numbering.json: " in proc.stderr, proc.stderr
    assert "briefs/armenia: records not numbered 1..27 in reading order" in proc.stderr, proc.stderr
    assert run().returncode == 0 and run("--check").returncode == 0
    assert (data / layout.NUMBERING).read_bytes() == (
        built / "data" / layout.NUMBERING
    ).read_bytes()
