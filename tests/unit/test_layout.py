"""The layout contract (coopdocs.layout): every output named once, and taken from there."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from coopdocs import layout as L

ROOT = Path(__file__).resolve().parents[2]
SLUGS = ["armenia", "eaeu"]

# String constants in src/ equal to a layout name that are not that name: (module, value) -> why.
NOT_OUTPUT_NAMES = {
    (
        "compute/contexts.py",
        L.MAIN_DIRECTIONS,
    ): "the instrument type of the same name (data/instruments.csv)",
    (
        "compute/tables.py",
        L.MAIN_DIRECTIONS,
    ): "the instrument type of the same name (data/instruments.csv)",
}


def test_documents_of_a_build():
    docs = L.documents(SLUGS)
    assert [d.key for d in docs] == [
        "briefs/armenia",
        "briefs/eaeu",
        "tables/comparative-tables",
        "article/review",
    ]
    brief, tables, article = docs[0], docs[2], docs[3]
    assert brief.md == "build/md/briefs/armenia.md" and brief.ast == "build/ast/briefs/armenia.json"
    assert brief.typ == "build/typst/briefs/armenia.typ"
    assert brief.context == "build/context/briefs/armenia.json"
    assert brief.bibliography == "build/context/briefs/armenia.bib.json"
    assert brief.outputs == [
        "reports/briefs/armenia.docx",
        "reports/briefs/armenia.html",
        "reports/briefs/armenia.pdf",
    ]
    assert brief.figures == ["timeline-armenia"]
    assert tables.figures == article.figures == list(L.OVERVIEW_FIGURES)
    assert tables.kind.split and article.kind.split and not brief.kind.split
    assert L.document("tables", "comparative-tables") == tables
    assert L.document("tables", "timeline") is None and L.document("nowhere", "x") is None


def test_all_outputs_are_documents_tables_and_figures():
    outputs = L.all_outputs(SLUGS)
    assert len(outputs) == len(set(outputs)) == 4 * 3 + len(L.TABLE_IDS) * 2 + (2 + 2) * 2
    assert "reports/tables/projects-by-theme.xlsx" in outputs
    assert (
        "reports/figures/timeline-eaeu.png" in outputs
        and "reports/figures/themes-by-state.svg" in outputs
    )
    assert all(L.describe(o) is not None for o in outputs)


def test_wildcard_patterns():
    assert L.document_files("{folder}", "{name}") == {
        "md": "build/md/{folder}/{name}.md",
        "ast": "build/ast/{folder}/{name}.json",
        "typ": "build/typst/{folder}/{name}.typ",
        "docx": "reports/{folder}/{name}.docx",
        "html": "reports/{folder}/{name}.html",
        "pdf": "reports/{folder}/{name}.pdf",
    }
    assert L.context("briefs", "{wildcards.name}") == "build/context/briefs/{wildcards.name}.json"
    assert L.context("briefs", "x", "/tmp/ctx") == "/tmp/ctx/briefs/x.json"
    assert L.log("publish", "briefs", "{name}") == "logs/publish/briefs-{name}.log"
    assert L.log("prepare_data") == "logs/prepare_data/prepare_data.log"


@pytest.mark.parametrize(
    "path, kind, document",
    [
        ("reports/briefs/armenia.pdf", "brief", "briefs/armenia"),
        ("reports/tables/comparative-tables.docx", "tables-document", "tables/comparative-tables"),
        ("reports/article/review.html", "article", "article/review"),
        ("reports/tables/timeline.csv", "table", None),
        ("reports/figures/timeline-armenia.svg", "figure", None),
        ("reports/elsewhere/x.csv", "other", None),
    ],
)
def test_describe(path, kind, document):
    out = L.describe(path)
    assert out is not None and out.kind == kind and out.path == path
    assert (out.document.key if out.document else None) == document


@pytest.mark.parametrize(
    "path",
    [
        "reports/manifest.json",
        "reports/ro-crate-metadata.json",
        "reports/diff/a..b/x.docx",
        "reports/archive/x/data/reports/briefs/armenia.pdf",
        "reports/briefs/.x.pdf",
        "reports/briefs/armenia.txt",
        "build/md/briefs/armenia.md",
        "reports/x.csv",
    ],
)
def test_not_outputs(path):
    assert L.describe(path) is None


def test_figures_name_their_brief():
    assert L.figure_subject(L.timeline_figure("kazakhstan")) == "kazakhstan"
    assert all(L.figure_subject(f) is None for f in L.OVERVIEW_FIGURES)
    assert set(L.FIGURE_TABLES) == set(L.OVERVIEW_FIGURES) and set(L.FIGURE_TABLES.values()) <= set(
        L.TABLE_IDS
    )


def test_styles_are_config_keys_and_what_publish_reads():
    schema = yaml.safe_load((ROOT / L.SCHEMA).read_text(encoding="utf-8"))
    keys = set(L.READ_STYLES) | set(L.write_styles()) | {k for kind in L.KINDS for k in kind.styles}
    keys |= {kind.template for kind in L.KINDS}
    assert keys <= set(schema["properties"])
    # Each format: the CSL (reading), then its writer's files; a brief also its timeline template.
    assert L.styles(L.BRIEF, "pdf") == (
        "csl",
        "timeline_template",
        "typst_template",
        "records_filter",
    )
    assert L.styles(L.ARTICLE, "docx") == (
        "csl",
        "reference_docx",
        "figures_filter",
        "records_filter",
    )
    config = yaml.safe_load((ROOT / L.CONFIG).read_text(encoding="utf-8"))
    assert list(L.style_files(config, L.READ_STYLES).values()) == [config["csl"]]


def test_compute_makes_the_tables_of_the_layout():
    from coopdocs.compute.tables import TABLES

    assert tuple(spec.id for spec in TABLES) == L.TABLE_IDS


def test_inputs_of_the_project():
    files = L.data_files("data", ROOT)
    assert files[0] == "data/datapackage.json" and "data/projects.csv" in files
    assert L.template_files("templates", "brief.md.j2", ROOT)[0] == "templates/brief.md.j2"
    assert "templates/partials/provenance.md.j2" in L.template_files("templates", root=ROOT)
    # An absolute templates_dir (issue 34): the files named absolutely, every one there.
    absolute = L.template_files(str(ROOT / "templates"), "brief.md.j2", "/elsewhere")
    assert absolute[0] == f"{ROOT}/templates/brief.md.j2"
    assert f"{ROOT}/templates/partials/provenance.md.j2" in absolute
    assert all(Path(f).is_file() for f in absolute)
    assert "src/coopdocs/layout.py" in L.code_files(ROOT)
    assert L.workflow_files(ROOT)[0] == L.SNAKEFILE and "rules/common.smk" in L.workflow_files(ROOT)
    assert L.brief_slugs(ROOT / "data") == sorted(
        L.brief_slugs(ROOT / "data")
    ) and "armenia" in L.brief_slugs(ROOT / "data")


def test_layout_is_standard_library_only_and_cheap():
    """The Snakefile imports it at parse time and every job again.

    What importing it adds: the environment's start-up (coopdocs_startup.pth) has already imported
    the package and ``coopdocs.workflow.startup`` (standard library only) before any of this.
    """
    code = (
        "import sys; before = set(sys.modules); import coopdocs.layout; "
        "print(sorted(m for m in set(sys.modules) - before "
        "if m.split('.')[0] in ('coopdocs', 'yaml', 'snakemake')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() in ("['coopdocs.layout']", "['coopdocs', 'coopdocs.layout']")


def _string_constants(path: Path):
    """(line, value) of every string constant of a module but its docstrings and its prose."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            and node.body
        ):
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
        ):
            if not any(c.isspace() for c in node.value):  # messages and help texts may name a path
                yield node.lineno, node.value


def test_no_output_name_written_outside_the_contract():
    """Names of tables, figures and single documents, and build paths, are only in coopdocs.layout."""
    names = set(L.TABLE_IDS) | set(L.OVERVIEW_FIGURES) | {k.name for k in L.KINDS if k.name}
    paths = [
        L.MD_DIR,
        L.AST_DIR,
        L.TYPST_DIR,
        L.CONTEXTS,
        L.TABLES_DIR,
        L.FIGURES_DIR,
        *(Path(p).name for p in (L.MANIFEST, L.CRATE, L.BUNDLE)),
    ]
    found = []
    package = ROOT / L.PACKAGE_DIR
    for path in sorted(package.rglob("*.py")):
        module = path.relative_to(package).as_posix()
        if module == "layout.py":
            continue
        for line, value in _string_constants(path):
            stem, _, suffix = value.rpartition(".")
            named = value in names or (suffix in L.OUTPUT_FORMATS and stem in names)
            if (named or any(p in value for p in paths)) and (
                module,
                value,
            ) not in NOT_OUTPUT_NAMES:
                found.append(f"{module}:{line}: {value!r}")
    assert not found, "names written outside coopdocs.layout:\n" + "\n".join(found)


def test_rules_type_no_output_path():
    """The rules take every path from the layout: none typed as a string or a command's argument."""
    typed = re.compile(
        rf"""["']({L.BUILD}|{L.REPORTS}|{L.LOGS})/|--[\w-]+ ({L.BUILD}|{L.REPORTS})/"""
    )
    for path in [ROOT / L.SNAKEFILE, *sorted((ROOT / L.RULES_DIR).glob("*.smk"))]:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            assert not typed.search(line), f"{path.name}:{number}: {line.strip()}"
