"""Deterministic zip files: the one writer of every zip the project makes or rewrites.

Three users: the XLSX workbooks (openpyxl's zip rewritten with fixed entry times and document
dates), the redline DOCX files of ``coopdocs diff`` (pandoc's zip with the revisions renumbered)
and the archive's ``.zip``. Entries are written in the order given; an entry made by
:func:`entry` carries only what the content determines: the build's date, deflate, mode 0644.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO

from coopdocs.tools.files import atomic_output

# 1980-01-01T00:00:00Z: a zip entry cannot hold an earlier time.
ZIP_EPOCH_MIN = 315532800


def entry(name: str, epoch: int) -> zipfile.ZipInfo:
    """A zip entry named ``name`` dated ``epoch`` (1980 at the earliest), deflated, mode 0644."""
    stamp = dt.datetime.fromtimestamp(max(epoch, ZIP_EPOCH_MIN), tz=dt.UTC).timetuple()[:6]
    info = zipfile.ZipInfo(name, stamp)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def write_zip(dest: Path | BinaryIO, members: Iterable[tuple[zipfile.ZipInfo, bytes]]) -> None:
    """Write ``members`` (entry, content), in that order, as the zip ``dest`` (a path or a binary file)."""
    with zipfile.ZipFile(dest, "w") as z:
        for info, content in members:
            z.writestr(info, content)


def zip_folder(folder: Path, target: Path, epoch: int) -> None:
    """Write ``target``: every file of ``folder`` as ``<folder name>/<path>``, in path order, dated ``epoch``."""
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    with atomic_output(target) as tmp:
        write_zip(
            tmp,
            (
                (entry(f"{folder.name}/{p.relative_to(folder).as_posix()}", epoch), p.read_bytes())
                for p in files
            ),
        )


def rewrite_zip(
    data: bytes, transform: Callable[[str, bytes], bytes] | None = None, epoch: int | None = None
) -> bytes:
    """The zip ``data`` (an OOXML document) rewritten, each part passed through ``transform(name, content)``.

    ``epoch`` given: every entry is made anew by :func:`entry` (fixed time, deflate, mode), for
    zips whose writer stamps the clock (openpyxl); None: the entries keep their own headers.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        members = []
        for info in src.infolist():
            content = src.read(info.filename)
            if transform is not None:
                content = transform(info.filename, content)
            members.append((entry(info.filename, epoch) if epoch is not None else info, content))
    out = io.BytesIO()
    write_zip(out, members)
    return out.getvalue()
