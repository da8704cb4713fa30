"""Every valid package builds (issue 32): generated packages, every citation resolved.

A property over generated data packages (benchmarks/synthetic.py): sizes from 1 to 60 member
states, several above ``detailed_states_max`` so that the tables document and the review sum
states under "Other states", and some with tables left empty (header only). For each package
that validates, the project's own steps run in-process (prepare, tables, the Markdown of every
document) and every citation of every document must be in that document's bibliography: a key
missing from it is what made Typst stop on a missing label and left '???' in the DOCX and HTML.
Three packages, the summed ones among them, are then published in full (DOCX, HTML, PDF) and
every citation link of the HTML and the PDF's reference list checked.

About 20 packages in a few minutes on a loaded two-core machine: within CI's five.
"""

from __future__ import annotations

import contextlib
import io
import json
import random
import re
from pathlib import Path

import pytest

import rbtools
import synthetic
from coopdocs.cli import main as coopdocs
from coopdocs.compute.claims import claim_names
from coopdocs.load.datapackage import DataError, load_package
from coopdocs.render.markdown import render
from coopdocs.tools.config import load_config
from coopdocs.workflow.commands import prepare_args

ROOT = Path(__file__).resolve().parents[2]
EPOCH = "1672358400"
# Tables whose rows no other table needs: a valid package may hold none of them.
OPTIONAL_ROWS = ("events", "facts", "proposals", "roles", "offices", "contributions", "outcomes")
# (member states, seed, tables left empty): the reported cases first, then a seeded draw.
REPORTED = [(50, 1, ()), (13, 0, ()), (1, 3, ("events", "facts"))]


def _cases() -> list[tuple[int, int, tuple[str, ...]]]:
    draw = random.Random(32)
    cases = list(REPORTED)
    while len(cases) < 22:
        n = draw.choice([1, 2, 3, 5, 8, 12, 13, 17, 25, 40, 60])
        empty = tuple(sorted(draw.sample(OPTIONAL_ROWS, draw.choice([0, 0, 1, 2]))))
        cases.append((n, draw.randrange(1000), empty))
    return cases


CASES = _cases()
PUBLISHED = {0, 1, 2}  # indexes of CASES built in every format


def _run(*args: str) -> None:
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = coopdocs(list(args))
    assert code == 0, f"coopdocs {' '.join(args)} failed:\n{err.getvalue()[-3000:]}"


def _empty(data: Path, tables: tuple[str, ...]) -> None:
    for name in tables:
        path = data / f"{name}.csv"
        header = path.read_text(encoding="utf-8").splitlines()[0]
        path.write_text(header + "\n", encoding="utf-8")


def _cited(markdown: str) -> set[str]:
    """Pandoc citation keys of a Markdown document ('[@ref045; @shugurov2022]', '@ref045')."""
    return set(re.findall(r"(?<![\w.])@([A-Za-z0-9][\w:.#$%&+?<>~/-]*[A-Za-z0-9_])", markdown))


def _documents(contexts: Path) -> list[tuple[str, Path, Path]]:
    """(template key, context, bibliography) of every document the contexts folder holds."""
    docs = []
    for ctx in sorted(contexts.rglob("*.json")):
        if ctx.name.endswith(".bib.json"):
            continue
        kind = ctx.parent.name
        docs.append((kind, ctx, ctx.with_name(ctx.stem + ".bib.json")))
    return docs


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A copy of the project's build files; each case puts its own package in ``data``."""
    return rbtools.copy_project(tmp_path_factory.mktemp("every-package") / "project")


def _prepare(project: Path, case: int) -> dict | None:
    """Generate case ``case`` into the project; None when it does not validate."""
    n, seed, empty = CASES[case]
    data = project / f"data-{case}"
    synthetic.generate(data, n, seed=seed)
    _empty(data, empty)
    try:
        load_package(data, claims=claim_names())
    except DataError:
        return None  # not a valid package: nothing to build
    cfg = load_config(project)
    work = project / f"build-{case}"
    with rbtools._cwd(project):
        _run(
            *prepare_args(
                cfg, EPOCH, bundle=f"{work}/bundle.json", contexts=f"{work}/context", data_dir=data
            )
        )
        _run("tables", "--bundle", f"{work}/bundle.json", "--tables-dir", f"{work}/tables",
             "--figures-dir", f"{work}/figures", "--context", f"{work}/context/tables/tables.json",
             "--bib", f"{work}/context/tables/tables.bib.json", "--config", "config/config.yaml",
             "--article-context", f"{work}/context/article/review.json",
             "--article-bib", f"{work}/context/article/review.bib.json",
             "--strings", "templates/strings.yaml", "--epoch", EPOCH)  # fmt: skip
    return {"data": data, "work": work, "cfg": cfg}


@pytest.mark.parametrize(
    "case", range(len(CASES)), ids=[f"{n}-states-seed{s}" for n, s, _ in CASES]
)
def test_every_citation_of_every_document_is_in_its_bibliography(project: Path, case: int):
    built = _prepare(project, case)
    if built is None:
        pytest.skip(f"case {CASES[case]} is not a valid package")
    cfg = built["cfg"]
    templates = {
        "briefs": cfg["brief_template"],
        "tables": cfg["tables_template"],
        "article": cfg["article_template"],
    }
    documents = _documents(built["work"] / "context")
    assert {kind for kind, _, _ in documents} == set(templates)
    for kind, ctx, bib in documents:
        context = json.loads(ctx.read_text(encoding="utf-8"))
        markdown = render(project / cfg["templates_dir"], templates[kind], context)
        keys = {item["id"] for item in json.loads(bib.read_text(encoding="utf-8"))}
        missing = _cited(markdown) - keys
        assert not missing, f"{ctx.relative_to(project)} cites {sorted(missing)} not in {bib.name}"
    if case in PUBLISHED:
        _publish_article(project, built)


def _publish_article(project: Path, built: dict) -> None:
    """The review in DOCX, HTML and PDF; every citation link of the HTML lands on an entry."""
    cfg, work = built["cfg"], built["work"]
    out = work / "reports"
    with rbtools._cwd(project):
        _run("publish", "--context", f"{work}/context/article/review.json",
             "--bibliography", f"{work}/context/article/review.bib.json",
             "--templates", cfg["templates_dir"], "--template", cfg["article_template"],
             "--csl", cfg["csl"], "--reference-doc", cfg["reference_docx"],
             "--html-template", cfg["html_template"], "--typst-template", cfg["typst_template"],
             "--figures-filter", cfg["figures_filter"], "--records-filter", cfg["records_filter"],
             "--figures-dir", f"{work}/figures",
             "--figures", f"{work}/figures/timeline.svg", f"{work}/figures/themes-by-state.svg",
             "--md", f"{work}/md/review.md", "--ast", f"{work}/ast/review.json",
             "--typ", f"{work}/typst/review.typ", "--docx", f"{out}/review.docx",
             "--html", f"{out}/review.html", "--pdf", f"{out}/review.pdf",
             "--epoch", EPOCH)  # fmt: skip
    html = (out / "review.html").read_text(encoding="utf-8")
    targets = set(re.findall(r'href="#(ref-[^"]+)"', html))
    assert targets, "the review cites nothing"
    ids = set(re.findall(r'id="(ref-[^"]+)"', html))
    assert targets <= ids, sorted(targets - ids)
    assert "???" not in html and "???" not in rbtools.docx_text(out / "review.docx")
    assert rbtools.pdf_ok(out / "review.pdf")
    typ = (work / "typst" / "review.typ").read_text(encoding="utf-8")
    assert set(re.findall(r"<(ref-[^>]+)>", typ)) >= {t for t in targets}
