"""The package's authored texts (the custom descriptor property ``texts``, e.g. ``{"article":
"text/article.md"}``): read as UTF-8 text, confined to the data folder like every table, and
checked line by line (coopdocs.load.authored).
"""

from __future__ import annotations

import os
import stat
import unicodedata
from collections.abc import Collection
from pathlib import Path
from typing import Any

from coopdocs.load.problems import Problem, Record, display
from coopdocs.load.rows import table_path

# The largest authored text read (bytes; documented in the README): a review's own words are a
# few thousand; the limit stops a file that never ends (a device, a generated giant) early.
TEXT_LIMIT = 1_048_576


def text_paths(descriptor: dict[str, Any]) -> dict[str, str]:
    """The authored texts the descriptor declares (custom property ``texts``): name -> path in the package."""
    texts = descriptor.get("texts") or {}
    return {str(k): str(v) for k, v in texts.items()} if isinstance(texts, dict) else {}


def authored_problems(
    texts: dict[str, str],
    descriptor: dict[str, Any],
    data_dir: Path,
    root: Path | None,
    tables: dict[str, list[Record]],
    claims: Collection[str] = (),
) -> list[Problem]:
    """Every problem of the authored texts (coopdocs.load.authored), by file and line; ``claims``:
    the names of the claims a text may name."""
    from coopdocs.load.authored import text_problems

    keys = {str(r.get("id")) for name in ("sources", "publications") for r in tables.get(name, [])}
    paths = text_paths(descriptor)
    return [
        Problem(display(data_dir / paths[name], root), line, "", shown, message)
        for name, text in sorted(texts.items())
        for line, shown, message in text_problems(text, keys, claims)
    ]


def read_texts(
    descriptor: dict[str, Any], data_dir: Path, root: Path | None, problems: list[Problem]
) -> dict[str, str]:
    """The authored texts of the package, each read as UTF-8 and NFC-normalised; problems when unreadable."""
    texts: dict[str, str] = {}
    if "texts" in descriptor and not isinstance(descriptor["texts"], dict):
        problems.append(
            Problem(
                "datapackage.json",
                0,
                "texts",
                "",
                "is not a mapping",
                'e.g. {"article": "text/article.md"}',
            )
        )
    for name, rel in sorted(text_paths(descriptor).items()):
        path = data_dir / rel
        shown = display(path, root)
        if Path(rel).is_absolute() or ".." in Path(rel).parts:
            problems.append(
                Problem(
                    shown,
                    0,
                    "texts",
                    rel,
                    "is not a path inside the package",
                    "a relative path such as text/article.md",
                )
            )
            continue
        text = _read_text_file(data_dir, name, rel, shown, problems)
        if text is not None:
            texts[name] = unicodedata.normalize("NFC", text.lstrip("\ufeff").replace("\r\n", "\n"))
    return texts


def _read_text_file(
    data_dir: Path, name: str, rel: str, shown: str, problems: list[Problem]
) -> str | None:
    """The authored text ``rel`` of the package as text; None (and a problem) when it cannot be.

    Confined like every table (no symbolic link on the way, nothing outside the data folder), a
    regular file (not a device such as /dev/zero, not a pipe) of at most :data:`TEXT_LIMIT` bytes,
    and UTF-8: read once, never more than the limit.
    """
    path = table_path(data_dir, rel, shown, problems)
    if path is None:
        return None
    fault = None
    try:
        # Non-blocking: opening a pipe would otherwise wait for a writer that never comes.
        with os.fdopen(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                fault = ("is not a regular file", "a Markdown file")
            else:
                data = fh.read(TEXT_LIMIT + 1)
                if len(data) > TEXT_LIMIT:
                    fault = (f"is larger than {TEXT_LIMIT:,} bytes", "a shorter text")
    except FileNotFoundError:
        fault = (f"the authored text {name!r} is missing", "the file named in datapackage.json")
    except OSError as exc:
        fault = (f"cannot be read: {exc.strerror or exc}", "a readable file")
    if fault is None:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            fault = ("bytes that are not UTF-8", "UTF-8 text")
    problems.append(Problem(shown, 0, "texts", rel, *fault))
    return None
