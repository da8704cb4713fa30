"""The Snakefile and rules/*.smk: formatted with snakefmt and clean for `snakemake --lint` (workflow tier:
the linter parses the whole workflow, ~10 s)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def test_rules_are_formatted_with_snakefmt():
    proc = subprocess.run(
        [str(BIN / "snakefmt"), "--check", "--diff", "Snakefile", "rules"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, (
        f"run `snakefmt Snakefile rules`:\n{proc.stdout[-3000:]}{proc.stderr[-2000:]}"
    )


def test_snakemake_lint_is_clean():
    proc = subprocess.run(
        [str(BIN / "snakemake"), "--lint"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    out = proc.stdout + proc.stderr
    assert (
        proc.returncode == 0 and "Congratulations, your workflow is in a good condition!" in out
    ), out[-4000:]
