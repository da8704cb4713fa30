"""Small helpers shared by the tests (importable as ``helpers``)."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path
from typing import Iterable


def read_table(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV table as dictionaries of text."""
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def write_table(path: Path, rows: list[dict[str, str]], header: list[str] | None = None) -> None:
    """Write rows back as CSV with the given (or the first row's) header."""
    header = header or list(rows[0].keys())
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def copy_files(source: Path, dest: Path, names: Iterable[str]) -> Path:
    """Copy the files and folders ``names`` of ``source`` (those that exist) into ``dest``; return ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in names:
        src = source / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        elif src.exists():
            shutil.copy2(src, dest / name)
    return dest
