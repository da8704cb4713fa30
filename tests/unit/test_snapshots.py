"""The documents' Markdown on the small fixture packages, kept as reviewed snapshots (syrupy).

Every brief, the comparative-tables document and the review article of tests/fixtures/two-states
and tests/fixtures/iawc are rendered as the build renders them (``coopdocs prepare``, ``coopdocs
tables``, ``coopdocs render``) and compared with their snapshot, one Markdown file each under
tests/unit/__snapshots__/test_snapshots/. A change of template, strings or grammar therefore shows
in review as the text that changed. After a deliberate change of wording, update them with

    .venv/bin/pytest tests/unit/test_snapshots.py --snapshot-update

and review the snapshot diff with the change (README, "Wording changes in review").
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from coopdocs import layout
from coopdocs.render.markdown import render
from coopdocs.render.publish import render_text
from coopdocs.workflow.commands import prepare_args
from locations import FIXTURES, ROOT
from support import cli

EPOCH = 1672358400
# Each fixture package and the settings a project of it would configure.
PACKAGES = {
    "two-states": {"organisation": "unido"},
    "iawc": {"organisation": "iawc", "union": "NWU"},
}


class MarkdownSnapshot(SingleFileSnapshotExtension):
    """One snapshot file of Markdown text per document (readable in a diff)."""

    _write_mode = WriteMode.TEXT
    file_extension = "md"

    @classmethod
    def get_snapshot_name(cls, *, test_location, index=0) -> str:
        """The document's name (``two-states-brief-belarus.md``), not the test's."""
        return str(index)


def _contexts(package: str, tmp: Path) -> dict[str, Path]:
    """The contexts of every document of ``package``, as the build writes them, by document."""
    build = tmp / "build"
    strings = ROOT / "templates" / layout.STRINGS
    cli.check(
        *prepare_args(
            PACKAGES[package], EPOCH, bundle=build / "bundle.json", contexts=build / "context",
            strings=strings, data_dir=FIXTURES / package,
        )
    )  # fmt: skip
    config = tmp / "config.yaml"
    settings = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    config.write_text(yaml.safe_dump(settings), encoding="utf-8")
    cli.check(
        "tables", "--bundle", build / "bundle.json", "--tables-dir", tmp / "tables",
        "--figures-dir", tmp / "figures", "--context", build / "tables.json",
        "--bib", build / "tables.bib.json", "--config", config,
        "--article-context", build / "article.json", "--article-bib", build / "article.bib.json",
        "--strings", strings, "--epoch", EPOCH,
    )  # fmt: skip
    contexts = {
        f"brief-{path.stem}": path
        for path in sorted((build / "context" / "briefs").glob("*.json"))
        if not path.name.endswith(".bib.json")
    }
    contexts.update({"tables": build / "tables.json", "article": build / "article.json"})
    return contexts


@pytest.fixture(scope="module")
def documents(tmp_path_factory) -> dict[str, tuple[Path, str]]:
    """Every document of every fixture package: its context and its template."""
    settings = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    templates = {
        "brief": settings[layout.BRIEF.template],
        "tables": settings[layout.TABLES_DOCUMENT.template],
        "article": settings[layout.ARTICLE.template],
    }
    found = {}
    for package in PACKAGES:
        for name, context in _contexts(package, tmp_path_factory.mktemp(package)).items():
            found[f"{package}-{name}"] = (context, templates[name.split("-")[0]])
    return found


EXPECTED = [
    "two-states-brief-belarus",
    "two-states-brief-eaeu",
    "two-states-brief-russia",
    "two-states-tables",
    "two-states-article",
]


def test_every_fixture_document_is_snapshotted(documents):
    assert set(EXPECTED) <= set(documents)
    assert any(name.startswith("iawc-brief-") for name in documents)


@pytest.mark.parametrize("package", list(PACKAGES))
def test_the_documents_markdown_is_its_snapshot(documents, package, snapshot):
    import json

    for name, (context, template) in sorted(documents.items()):
        if not name.startswith(package + "-"):
            continue
        data = json.loads(context.read_text(encoding="utf-8"))
        bibliography = context.with_name(context.stem + ".bib.json")
        # As the build renders it: its text digest filled in (coopdocs.render.publish).
        text = render_text(
            lambda c, t=template: render(ROOT / "templates", t, c), data, bibliography
        )
        assert text == snapshot(name=name, extension_class=MarkdownSnapshot), name
