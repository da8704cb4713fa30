"""The WordprocessingML rules a redline's tracked changes must keep (checked on its document.xml).

The tests check the rules of ECMA-376 Part 1 (§17.13.5) that a redline can break, without a
schema validator in the lock:

- a run-level ``w:ins``/``w:del`` holds runs only: no hyperlink, bookmark, field or other
  change inside it (a hyperlink whose text is inserted is ``w:hyperlink`` holding ``w:ins``);
- a deleted run's text is ``w:delText`` (never ``w:t``), an inserted run's never ``w:delText``;
- every ``w:ins``/``w:del`` has an author and a date, and its own ``w:id``, shared with no other
  revision and no bookmark;
- a tracked table row's ``w:trPr`` holds a row property before its ``w:ins``/``w:del``;
- every paragraph, character and table style used is defined.

(openxml-audit 0.8.0, tried outside the lock, reports no error on the redlines of the diff test.)
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def q(tag: str) -> str:
    """The qualified name of a WordprocessingML element."""
    return f"{{{W}}}{tag}"


# What a run-level w:ins/w:del may hold (CT_RunTrackChange: runs, and math runs, which pandoc
# writes inside them as m:r only through w:r).
_RUN_CONTENT = {q("r")}


def revision_errors(docx: Path) -> list[str]:
    """Every broken rule of the tracked changes in ``docx`` (empty: valid)."""
    root = etree.fromstring(zipfile.ZipFile(docx).read("word/document.xml"))
    errors: list[str] = []
    ids: dict[str, str] = {}
    for el in root.iter(q("ins"), q("del")):
        kind = etree.QName(el).localname
        rid = el.get(q("id"))
        if rid is None or rid in ids:
            errors.append(f"w:{kind} with a missing or repeated w:id {rid!r}")
        ids[rid] = kind
        if not el.get(q("author")) or not el.get(q("date")):
            errors.append(f"w:{kind} {rid} without author or date")
        if el.getparent().tag == q("rPr"):
            continue  # a paragraph mark's change: empty
        for child in el:
            if child.tag not in _RUN_CONTENT:
                errors.append(f"w:{kind} {rid} holds {etree.QName(child).localname}")
        wrong = "t" if kind == "del" else "delText"
        if any(True for _ in el.iter(q(wrong))):
            errors.append(f"w:{kind} {rid} holds w:{wrong}")
    for trpr in root.iter(q("trPr")):
        changes = [c for c in trpr if c.tag in (q("ins"), q("del"))]
        if changes and trpr.index(changes[0]) == 0:
            errors.append("w:trPr holds a row change but no row property before it")
    archive = zipfile.ZipFile(docx)
    styles = etree.fromstring(archive.read("word/styles.xml"))
    defined = {st.get(q("styleId")) for st in styles.iter(q("style"))}
    for ref in root.iter(q("pStyle"), q("rStyle"), q("tblStyle")):
        if ref.get(q("val")) not in defined:
            errors.append(f"style {ref.get(q('val'))!r} used but not defined")
    for b in root.iter(q("bookmarkStart")):
        if b.get(q("id")) in ids:
            errors.append(f"bookmark {b.get(q('name'))} shares the w:id {b.get(q('id'))}")
    for tag in ("hyperlink", "bookmarkStart", "bookmarkEnd", "fldSimple", "fldChar", "instrText"):
        for el in root.iter(q(tag)):
            change = next(
                (a for a in el.iterancestors(q("ins"), q("del"))),
                None,
            )
            if change is not None:
                errors.append(f"w:{tag} inside w:{etree.QName(change).localname}")
    return errors


SYSTEM_PYTHON = "/usr/bin/python3"
_SCRIPT = Path(__file__).with_name("libreoffice_redlines.py")


def libreoffice_available() -> bool:
    """Whether LibreOffice and its Python bridge (Debian's python3-uno) are installed."""
    if not (shutil.which("soffice") and Path(SYSTEM_PYTHON).is_file()):
        return False
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True)
    return probe.returncode == 0


def open_in_libreoffice(files: list[Path], profile: Path) -> dict[str, dict]:
    """Each DOCX (by file stem) as LibreOffice reads it: its tracked changes' count and its text as shown, after
    Accept All and after Reject All (see libreoffice_redlines.py); one soffice for all files,
    with the private profile folder ``profile``."""
    proc = subprocess.run(
        [SYSTEM_PYTHON, str(_SCRIPT), str(profile), *(str(f) for f in files)],
        capture_output=True,
        text=True,
        timeout=600,
        env={k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
        | {"HOME": str(profile)},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {Path(k).stem: v for k, v in json.loads(proc.stdout).items()}


def settled_text(docx: Path, accept: bool) -> list[str]:
    """The body's paragraphs (table cells one by one) after every tracked change of ``docx`` is
    accepted (``accept``) or rejected, read from its WordprocessingML as ECMA-376 defines the
    changes: the other kind's runs and tracked rows removed, a paragraph whose mark is removed
    joined to the next. Where LibreOffice is not installed, the tests settle redlines with this."""
    root = etree.fromstring(zipfile.ZipFile(docx).read("word/document.xml"))
    dropped = q("del") if accept else q("ins")
    for row in list(root.iter(q("tr"))):
        props = row.find(q("trPr"))
        if props is not None and props.find(dropped) is not None:
            row.getparent().remove(row)
    out: list[str] = []
    carried = ""
    for p in root.iter(q("p")):
        text = "".join(
            t.text or ""
            for t in p.iter(q("t"), q("delText"))
            if not any(a.tag == dropped for a in t.iterancestors())
        )
        mark = p.find(f"{q('pPr')}/{q('rPr')}/{dropped}")
        if mark is not None:
            carried += text
            continue
        out.append(carried + text)
        carried = ""
    return out + ([carried] if carried else [])
