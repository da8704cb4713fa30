"""A brief's job imports what it uses: at 200 states there are 200 such jobs, so 0.1 s of imports
each is 20 CPU-s of the build (docs/performance.md, issue 35: the per-job start)."""

from __future__ import annotations

import subprocess
import sys

from locations import ROOT

# Imported by a brief's job before (each 10-50 ms) and used by none of its steps.
NOT_A_BRIEFS = (
    "coopdocs.load.datapackage",  # the data loader: the brief reads its context
    "coopdocs.compute.contexts",  # was imported for one function (record_year)
    "importlib.metadata",  # was imported to key the Jinja cache by jinja2's version
    "urllib.request",  # through xml.sax.saxutils, for one escape function
    "ssl",
)


def _imported_by(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"import sys\n{code}\nprint('\\n'.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return set(out.split())


def test_a_briefs_job_imports_neither_the_loader_nor_the_network_nor_metadata():
    modules = _imported_by(
        "import coopdocs.cli, coopdocs.render.publish, coopdocs.render.markdown\n"
        "import coopdocs.render.docx, coopdocs.compute.timeline\n"
        "from coopdocs.tools.cache import digest\n"
        "digest('key', libraries=['jinja2', 'pypandoc-binary'])"
    )
    assert "coopdocs.render.publish" in modules and "jinja2" in modules
    assert modules.isdisjoint(NOT_A_BRIEFS), sorted(modules & set(NOT_A_BRIEFS))


def test_the_docx_escape_is_xml_saxutils_escape():
    from xml.sax.saxutils import escape as sax_escape

    from coopdocs.render.docx import escape

    for text in ("a & b < c > d", "say \"hi\" & 'bye'", "", "&amp;", "é\n\t"):
        assert escape(text) == sax_escape(text)
        assert escape(text, {'"': "&quot;"}) == sax_escape(text, {'"': "&quot;"})


def test_the_snakefiles_checks_import_no_table_checks(tmp_path):
    """What the Snakefile runs at parse time on every Snakemake run (the descriptor's and the
    templates' checks) does not import the data loader; a broken descriptor still stops it with
    the loader's message."""
    code = (
        "from coopdocs.tools.config import load_config\n"
        "from coopdocs.workflow import helpers as cw\n"
        f"config = load_config(__import__('pathlib').Path({str(ROOT)!r}))\n"
        f"cw.descriptor_or_exit({str(ROOT / 'data')!r})\n"
        "cw.templates_or_exit(config)\n"
    )
    modules = _imported_by(f"import os\nos.chdir({str(ROOT)!r})\n{code}")
    assert "coopdocs.load.descriptor" in modules
    assert modules.isdisjoint({"coopdocs.load.datapackage", "coopdocs.load.authored"})
    (tmp_path / "datapackage.json").write_text('{"resources": 3}', encoding="utf-8")
    broken = subprocess.run(
        [
            sys.executable,
            "-c",
            f"from coopdocs.workflow import helpers as cw\n"
            f"cw.descriptor_or_exit({str(tmp_path)!r})",
        ],
        capture_output=True,
        text=True,
    )
    assert broken.returncode != 0 and "datapackage.json" in broken.stderr
    assert "nothing was built" in broken.stderr and "Traceback" not in broken.stderr
