"""A long document's published files put back instead of written again (issue 35).

The tables document and the article are built by two jobs: ``--stage read`` (Markdown and AST)
and ``--stage write`` (DOCX, HTML, Typst and PDF from the AST). An edit of a record a document
does not print leaves its text, its text digest (coopdocs.render.publish.text_digest) and so its
AST alone. Then the write job would make the very same files again.

So the read job moves the write job's files into a stash instead of deleting them
(:func:`withdraw`; a failed read still leaves them absent from reports/, issue 19) and puts them
back (:func:`reinstate`) only when everything they were made from is byte for byte what the write
job would read now: the write job records, after it succeeded, the digest of its AST, of every
other file it read (styles, templates, filters, the figures the AST names), of the build date and
of the code and library versions (:func:`record`). read_document is a checkpoint: Snakemake
examines publish_document after it, finds its inputs unchanged by checksum and skips it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from pathlib import Path

from coopdocs.tools.files import atomic_output, sha256

# Below the stash folder: the withdrawn files, and the record of what they were made from.
STASHED = "files"
RECORD = "made-from.json"


def made_from(
    ast: Path, inputs: list[Path], epoch: int, figures_dir: Path | None, code: str | None
) -> str:
    """The digest of everything the write job's files are made from: the AST's bytes, each of
    ``inputs`` (path and bytes), the figures of ``figures_dir`` the AST names (the writers embed
    them), the build date, and ``code``, the version of this package's code and its libraries
    (the rules' ``code`` parameter, coopdocs.workflow.helpers.code_version, computed here when
    not given; the fonts are Typst's bundled ones, in its version)."""
    from coopdocs.tools.cache import digest

    if code is None:
        from coopdocs.workflow.helpers import code_version

        code = code_version()
    tree = ast.read_bytes()
    files = set(inputs)
    if figures_dir is not None and figures_dir.is_dir():
        files |= {f for f in figures_dir.iterdir() if f.is_file() and f.name.encode() in tree}
    parts: list[str | bytes] = [tree, str(epoch), code]
    for path in sorted(files):
        parts += [path.as_posix(), path.read_bytes()]
    return digest("made-from", *parts)


def record(
    stash: Path,
    outputs: list[Path],
    ast: Path,
    inputs: list[Path],
    *,
    epoch: int,
    figures_dir: Path | None,
    code: str | None = None,
) -> None:
    """After a successful write: note in ``stash`` the files it made (their SHA-256) and what they
    were made from; a stashed file is put back only with the bytes the write made."""

    stash.mkdir(parents=True, exist_ok=True)
    entry = {
        "outputs": [sha256(p) for p in outputs],
        "inputs": sorted(p.as_posix() for p in inputs),
        "figures_dir": figures_dir.as_posix() if figures_dir is not None else None,
        "key": made_from(ast, inputs, epoch, figures_dir, code),
    }
    with atomic_output(stash / RECORD) as tmp:
        tmp.write_text(json.dumps(entry, sort_keys=True), encoding="utf-8")


def forget(stash: Path) -> None:
    """Before a write: its files are about to change, so no record describes them any longer."""
    (stash / RECORD).unlink(missing_ok=True)


def withdraw(paths: list[Path], stash: Path) -> None:
    """Move the write job's files into ``stash`` (emptied first), before the document is read."""
    shutil.rmtree(stash / STASHED, ignore_errors=True)
    (stash / STASHED).mkdir(parents=True, exist_ok=True)
    for i, path in enumerate(paths):
        with contextlib.suppress(FileNotFoundError):
            try:
                os.replace(path, stash / STASHED / f"{i}-{path.name}")
            except OSError:  # another file system: removed, made again by the write job
                path.unlink()


def reinstate(
    paths: list[Path], ast: Path, stash: Path, epoch: int, code: str | None = None
) -> bool:
    """Put back the files :func:`withdraw` stashed when they were made from exactly what the write
    job would read now (:func:`made_from`, with the inputs its :func:`record` named); all of them
    or none. Otherwise the stash and its record are removed. Returns whether they were put back."""
    stashed = [stash / STASHED / f"{i}-{path.name}" for i, path in enumerate(paths)]
    same = False
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        entry = json.loads((stash / RECORD).read_text(encoding="utf-8"))
        inputs = [Path(p) for p in entry["inputs"]]
        folder = Path(entry["figures_dir"]) if entry["figures_dir"] is not None else None
        same = [sha256(f) for f in stashed] == entry["outputs"] and made_from(
            ast, inputs, epoch, folder, code
        ) == entry["key"]
    if same:
        for f, path in zip(stashed, paths):
            os.replace(f, path)
    else:
        (stash / RECORD).unlink(missing_ok=True)
    shutil.rmtree(stash / STASHED, ignore_errors=True)
    return same
