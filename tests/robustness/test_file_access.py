"""Promise 3, data cannot make pandoc or Typst read a file (RELIABILITY case 8, and the two
protections behind it): pandoc runs with --sandbox; Typst compiles in a build root that holds
only the generated .typ file and the project's figures. These tests bypass the escaping on
purpose (they hand the tools Markdown/Typst that asks for a file), so they prove the second line
of defence on its own. The data-level test (a field holding image syntax) is
test_injection.py::test_case08_image_syntax_is_literal_and_no_file_is_embedded.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from coopdocs.tools.pandoc import ConversionError, pandoc
from coopdocs.tools.typst import typst_pdf

CANARY = b"CANARY-51e0d2-SECRET"


def _png(tmp_path: Path) -> Path:
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")
        )

    path = tmp_path / "outside" / "secret.png"
    path.parent.mkdir()
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", bytes([0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]))
        + chunk(b"tEXt", b"Comment\x00" + CANARY)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )
    return path


def test_case08_pandoc_sandbox_refuses_an_image_outside_the_command_line(tmp_path):
    secret = _png(tmp_path)
    md = tmp_path / "doc.md"
    md.write_text(f"Text.\n\n![x]({secret})\n\n![y](/etc/hostname)\n", encoding="utf-8")
    out = tmp_path / "doc.docx"
    pandoc(md, out, "docx", epoch=0)
    with zipfile.ZipFile(out) as z:
        assert [n for n in z.namelist() if n.startswith("word/media/")] == []
        assert all(CANARY not in z.read(n) for n in z.namelist())


def test_case08_pandoc_sandbox_refuses_an_include_in_html(tmp_path):
    secret = _png(tmp_path)
    md = tmp_path / "doc.md"
    md.write_text(f"![x]({secret})\n", encoding="utf-8")
    out = tmp_path / "doc.html"
    pandoc(md, out, "html", epoch=0)
    assert CANARY.decode() not in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "code",
    [
        '#read("/etc/hostname")',
        '#read("/etc/passwd")',
        '#read("../../../../../../etc/passwd")',
        '#image("{secret}")',
        '#read("{beside}")',
        '#read("beside.txt")',
        '#include "beside.typ"',
    ],
    ids=[
        "read-etc-hostname",
        "read-etc-passwd",
        "read-dotdot",
        "image-absolute",
        "read-beside-absolute",
        "read-beside-relative",
        "include-beside",
    ],
)
def test_case08_typst_cannot_read_outside_its_build_root(tmp_path, code):
    secret = _png(tmp_path)
    src = tmp_path / "src"
    src.mkdir()
    (src / "beside.txt").write_text("BESIDE-SECRET", encoding="utf-8")
    (src / "beside.typ").write_text("BESIDE-SECRET", encoding="utf-8")
    typ = src / "doc.typ"
    typ.write_text(
        "Hello.\n" + code.format(secret=secret, beside=src / "beside.txt") + "\n", encoding="utf-8"
    )
    out = tmp_path / "doc.pdf"
    with pytest.raises(ConversionError) as info:
        typst_pdf(typ, out, epoch=0, pdf_a=False)
    assert "typst" in str(info.value) and str(typ) in str(info.value)
    assert not out.exists()


def test_typst_compiles_the_projects_own_assets(tmp_path):
    # The isolation must not break the legitimate case: a figure handed over as an asset.
    svg = tmp_path / "fig.svg"
    svg.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        '<rect width="10" height="10"/></svg>'
    )
    typ = tmp_path / "doc.typ"
    typ.write_text('Hello.\n#image("fig.svg")\n', encoding="utf-8")
    out = tmp_path / "doc.pdf"
    typst_pdf(typ, out, epoch=0, assets=[svg], pdf_a=False)
    assert out.read_bytes().startswith(b"%PDF-")


def test_case08_one_process_writers_refuse_an_image_outside_the_media_bag(tmp_path):
    """The writers of coopdocs.render.publish run in one `pandoc lua` process, which has no
    --sandbox: an image that no filter put into the media bag is refused before any writer runs."""
    from coopdocs.tools.pandoc import PANDOC_READER
    from coopdocs.tools.pandoc_writers import PandocWriters, Writer

    secret = _png(tmp_path)
    md = tmp_path / "doc.md"
    md.write_text(f"Text.\n\n![x]({secret})\n", encoding="utf-8")
    ast = tmp_path / "doc.json"
    pandoc(md, ast, "json", epoch=0, source_format=PANDOC_READER)
    for to in ("docx", "html"):
        out = tmp_path / f"doc.{to}"
        run = PandocWriters(ast, [Writer(to, out)], epoch=0)
        error = run.wait()
        assert error is not None and "is not one of the project's figures" in error
        assert str(out) in error
        assert not out.exists()
