"""Run Typst: a ``.typ`` file to a PDF/A in an isolated build root, with the bundled fonts only."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from coopdocs.tools.files import atomic_output
from coopdocs.tools.pandoc import ConversionError


def typst_pdf(source: Path, target: Path, *, epoch: int, assets: list[Path] | None = None, pdf_a: bool = True) -> None:
    """Compile the Typst file ``source`` to the PDF ``target`` in an isolated build root.

    The build root is a fresh temporary folder holding only the ``.typ`` file and ``assets``
    (figures), so a document cannot read anything else on the machine.
    """
    import typst  # the compiler is only needed here; keep other commands light

    with tempfile.TemporaryDirectory(prefix="coopdocs-typst-") as root:
        root_path = Path(root)
        main = root_path / "main.typ"
        shutil.copyfile(source, main)
        for asset in assets or []:
            dest = root_path / asset.name
            shutil.copyfile(asset, dest)
        try:
            pdf = typst.compile(
                str(main),
                root=str(root_path),
                ignore_system_fonts=True,
                timestamp=epoch,
                pdf_standards=["a-2b"] if pdf_a else [],
            )
        except Exception as exc:  # typst raises TypstError with its diagnostics
            raise ConversionError(f"typst {source} -> {target} failed:\n{exc}") from exc
    with atomic_output(target) as tmp:
        tmp.write_bytes(pdf)
