"""Run Typst: the one call of the compiler, in an isolated build root with the bundled fonts only.

Used for the documents' PDF/A (:func:`typst_pdf`) and for the briefs' timeline figures
(:mod:`coopdocs.compute.timeline`, SVG and PNG).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import typst

from coopdocs.tools.files import atomic_output
from coopdocs.tools.pandoc import ConversionError


def typst_compile(
    source: Path,
    target: Path,
    *,
    name: str = "main.typ",
    assets: Iterable[Path] = (),
    **options: Any,
) -> bytes:
    """Compile the Typst file ``source``; return the output (``format``, default PDF) as bytes.

    The build root is a fresh temporary folder holding only ``source`` (as ``name``) and
    ``assets`` (figures), so a document cannot read anything else on the machine; system fonts
    are ignored. ``options`` go to ``typst.compile`` (format, ppi, timestamp, pdf_standards,
    sys_inputs). ``target`` is the file the output is meant for, named in error messages.
    """
    with tempfile.TemporaryDirectory(prefix="coopdocs-typst-") as root:
        root_path = Path(root)
        main = root_path / name
        shutil.copyfile(source, main)
        for asset in assets:
            shutil.copyfile(asset, root_path / asset.name)
        try:
            return typst.compile(
                str(main), root=str(root_path), ignore_system_fonts=True, **options
            )
        except Exception as exc:  # typst raises TypstError with its diagnostics
            raise ConversionError(f"typst {source} -> {target} failed:\n{exc}") from exc


def typst_pdf(
    source: Path, target: Path, *, epoch: int, assets: list[Path] | None = None, pdf_a: bool = True
) -> None:
    """Compile the Typst file ``source`` to the PDF ``target``: PDF/A-2b and PDF/UA-1 unless
    ``pdf_a`` is False.

    PDF/UA-1 makes Typst check what a screen reader needs (a title, a text alternative for every
    figure: a build fails without one) and show the document's title, not its file name, in the
    viewer's title bar (DisplayDocTitle).
    """
    pdf = typst_compile(
        source,
        target,
        assets=assets or [],
        timestamp=epoch,
        pdf_standards=["a-2b", "ua-1"] if pdf_a else [],
    )
    with atomic_output(target) as tmp:
        tmp.write_bytes(pdf)
