"""Helpers for the robustness tests: the project's own build steps run in-process, text read back
from DOCX, HTML and PDF, structure signatures, and the workflow helpers of tests/workflow.

Importable as ``rbtools`` from any test module in this folder.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import helpers
from coopdocs.tools.config import load_config
from coopdocs.workflow.commands import prepare_args
from support import cli
from support.documents import (  # noqa: F401 - the readers, for this folder's tests
    W,
    docx_text,
    docx_xml,
    html_text,
    in_pdf_text,
    norm,
    parse_html,
    pdf_outline,
    pdf_text,
    squash,
)

ROOT = Path(__file__).resolve().parents[2]

# The end-to-end helpers of tests/workflow (copy_project, snakemake), loaded under their own
# module name so that they do not depend on which conftest pytest imported last.
_spec = importlib.util.spec_from_file_location(
    "coopdocs_workflow_build", ROOT / "tests" / "workflow" / "workflow_build.py"
)
_workflow = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_workflow)
copy_project = _workflow.copy_project
snakemake = _workflow.snakemake
SNAKEMAKE = _workflow.SNAKEMAKE

EPOCH = 1672358400


# --- text read back: tests/support/documents.py (one reader for every tier) --------------------


def docx_media(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        return sorted(n for n in z.namelist() if n.startswith("word/media/"))


def docx_signature(path: Path) -> dict:
    """Structure of a DOCX: paragraph styles in order and counts of structural elements."""
    root = ET.fromstring(docx_xml(path))
    styles = []
    for p in root.iter(W + "p"):
        st = p.find(f"{W}pPr/{W}pStyle")
        styles.append(st.get(W + "val") if st is not None else "")
    count = lambda tag: sum(1 for _ in root.iter(W + tag))  # noqa: E731
    tags = {el.tag for el in root.iter()}
    return {
        "styles": styles,
        "hyperlinks": count("hyperlink"),
        "drawings": count("drawing"),
        "tables": count("tbl"),
        "footnotes": count("footnoteReference"),
        "fields": count("fldSimple") + count("instrText"),
        "tags": tags,
        "media": docx_media(path),
    }


def html_tags(path: Path) -> list[str]:
    """Start tags in document order: any element added by data changes this list."""
    return parse_html(path).tags


def docx_ok(path: Path) -> bool:
    """A complete DOCX: a valid zip whose members all pass their CRC check, XML that parses."""
    try:
        with zipfile.ZipFile(path) as z:
            if z.testzip() is not None:
                return False
            for name in z.namelist():
                if name.endswith(".xml") or name.endswith(".rels"):
                    ET.fromstring(z.read(name))
        return True
    except (zipfile.BadZipFile, ET.ParseError, OSError, EOFError):
        return False


def pdf_ok(path: Path) -> bool:
    data = path.read_bytes()
    return data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")


def html_ok(path: Path) -> bool:
    text = path.read_text(encoding="utf-8", errors="replace")
    return text.lstrip().startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")


def output_ok(path: Path) -> bool:
    return {"docx": docx_ok, "pdf": pdf_ok, "html": html_ok}.get(path.suffix[1:], lambda p: True)(
        path
    )


# --- the project's build steps, in-process ----------------------------------------------------


def _config(project: Path) -> dict:
    return load_config(project)


@contextlib.contextmanager
def _cwd(path: Path):
    old = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def build_brief(project: Path, slug: str, formats=("docx", "html", "pdf")) -> dict[str, Path]:
    """Build one brief from ``project/data`` with the same commands the workflow's rules run.

    A brief draws its own timeline figure, into ``project/reports/figures``. Returns the outputs
    by format.
    """
    cfg = _config(project)
    out: dict[str, Path] = {}
    with _cwd(project):
        cli.check(*prepare_args(cfg, EPOCH))
        cli.check(
            "publish",
            "--context",
            f"build/context/briefs/{slug}.json",
            "--bibliography",
            f"build/context/briefs/{slug}.bib.json",
            "--templates",
            cfg["templates_dir"],
            "--template",
            cfg["brief_template"],
            "--csl",
            cfg["csl"],
            "--reference-doc",
            cfg["reference_docx"],
            "--html-template",
            cfg["html_template"],
            "--typst-template",
            cfg["typst_template"],
            "--figures-filter",
            cfg["figures_filter"],
            "--records-filter",
            cfg["records_filter"],
            "--figures-dir",
            "reports/figures",
            "--md",
            f"build/md/briefs/{slug}.md",
            "--ast",
            f"build/ast/briefs/{slug}.json",
            "--typ",
            f"build/typst/briefs/{slug}.typ",
            *[a for fmt in formats for a in (f"--{fmt}", f"reports/briefs/{slug}.{fmt}")],
            "--timeline-template",
            cfg["timeline_template"],
            "--timeline-svg",
            f"reports/figures/timeline-{slug}.svg",
            "--timeline-png",
            f"reports/figures/timeline-{slug}.png",
            "--epoch",
            str(EPOCH),
        )
        for fmt in formats:
            out[fmt] = project / f"reports/briefs/{slug}.{fmt}"
    return out


def copy_tree(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest, symlinks=True)
    return dest


def every_file(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def jobs_of(output: str) -> list[str]:
    """(rule, output) lines of a Snakemake run or dry run.

    For example 'rule publish_brief: build/md/briefs/x.md, ...'.
    """
    jobs, rule = [], None
    for line in output.splitlines():
        m = re.match(r"^(?:local)?(?:rule|checkpoint) (\w+):", line)
        if m:
            rule = m.group(1)
            continue
        m = re.match(r"^\s+output: (.+)$", line)
        if m and rule:
            jobs.append(f"{rule}: {m.group(1)}")
            rule = None
    return sorted(jobs)


def run_snakemake(
    project: Path,
    *args: str,
    env: dict | None = None,
    umask: int | None = None,
    cores: int = 2,
    timeout: float = 900,
) -> subprocess.CompletedProcess:
    """Run Snakemake in ``project`` (SOURCE_DATE_EPOCH fixed unless ``env`` says otherwise), optionally
    under another umask; the completed process is returned, not checked."""
    return helpers.snakemake(project, *args, env=env, cores=cores, timeout=timeout, umask=umask)
