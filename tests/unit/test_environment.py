"""The software environment is declared once: uv.lock; envs/requirements.txt is exported from it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def uv() -> str | None:
    local = ROOT / ".tools" / "bin" / "uv"
    return str(local) if local.exists() else shutil.which("uv")


@pytest.mark.skipif(
    uv() is None, reason="uv is not installed (python3 bootstrap.py installs it into .tools/)"
)
def test_conda_requirements_match_the_lock_file():
    exported = subprocess.run(
        [
            uv(),
            "export",
            "--frozen",
            "--no-hashes",
            "--no-dev",
            "--no-emit-project",
            "--format",
            "requirements-txt",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def pins(text: str) -> list[str]:
        return sorted(line.split(";")[0].strip() for line in text.splitlines() if "==" in line)

    assert pins(exported) == pins(
        (ROOT / "envs" / "requirements.txt").read_text(encoding="utf-8")
    ), "envs/requirements.txt is stale: re-export it from uv.lock (see envs/coopdocs.yaml)"


def test_pandoc_inside_the_wheel_is_3_9():
    from coopdocs.tools.pandoc import pandoc_path

    out = subprocess.run(
        [pandoc_path(), "--version"], capture_output=True, text=True, check=True
    ).stdout
    assert out.startswith("pandoc 3.9")
