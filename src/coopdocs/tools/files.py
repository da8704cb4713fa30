"""Files the build writes: atomically, only when their content changed, and as compact JSON.

Every output is written to a temporary file in the destination folder and moved into place with
``os.replace`` only when the writer succeeded, so an interrupted or failed run leaves the previous
output intact or no output, never a truncated one.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes, read in blocks (the manifest's, the archive's and the
    long documents' stash's file hashes)."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _same_bytes(a: Path, b: Path) -> bool:
    if not b.is_file() or a.stat().st_size != b.stat().st_size:
        return False
    return a.read_bytes() == b.read_bytes()


# Leftover temporary files per folder, listed once per process: a glob per written file made
# writing thousands of files into one folder quadratic (1,000 states: 2,000 contexts).
_PARTS: dict[Path, dict[str, list[Path]]] = {}


def _stale_parts(target: Path) -> list[Path]:
    """Temporary files (``.<name>.<random>.part``) that an earlier, killed run left for ``target``."""
    folder = target.parent
    if folder not in _PARTS:
        index: dict[str, list[Path]] = {}
        with os.scandir(folder) as entries:
            for entry in entries:
                name = entry.name
                if name.startswith(".") and name.endswith(".part") and name.count(".") >= 3:
                    index.setdefault(name[1 : -len(".part")].rsplit(".", 1)[0], []).append(
                        folder / name
                    )
        _PARTS[folder] = index
    return _PARTS[folder].pop(target.name, [])


@contextlib.contextmanager
def atomic_output(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; move it into place only if the block succeeds.

    When the new content equals the file already there, the old file is kept untouched (same
    mtime): tools that look at modification times then see that nothing changed. Temporary files
    of this target left by a run that was killed outright are removed first.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    # A run killed outright (SIGKILL, power loss) cannot clean up after itself: remove what such a
    # run left for this target. One job writes one target at a time (Snakemake's lock ensures it).
    for stale in _stale_parts(target):
        with contextlib.suppress(FileNotFoundError):
            stale.unlink()
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        if not _same_bytes(tmp_path, target):
            os.chmod(tmp_path, 0o644)
            os.replace(tmp_path, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()


def write_json(path: Path, value: object) -> None:
    """Write ``value`` to ``path`` atomically as compact, key-sorted JSON (build intermediates).

    Compact: with ``indent`` the json module falls back to its pure-Python encoder, which made
    writing the contexts of 1,000 states take over a minute (and 50 ms of a one-record edit).
    """
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"
    with atomic_output(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
