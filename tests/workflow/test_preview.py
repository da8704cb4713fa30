"""coopdocs preview: the HTML it serves is the build's, errors show in the page, a saved edit
reloads it.

The browser test drives Debian's Chromium (/usr/bin/chromium, package ``chromium``; installed by
.ci/run) through Playwright; it is skipped with the reason when Chromium is not installed.
"""

from __future__ import annotations

import shutil
import time
import urllib.request
from pathlib import Path

import pytest

from coopdocs.preview.server import inject, start, strip_injected
from coopdocs.preview.session import PreviewSession
from helpers import read_table, write_table

CHROMIUM = Path("/usr/bin/chromium")
EPOCH = "1672358400"  # the epoch of the `built` fixture's build
# Flags that let Chromium run here as root without reaching for the network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture()
def project(built: Path, tmp_path: Path, monkeypatch) -> Path:
    """A writable copy of the built project's sources (data, templates, config) for one test."""
    dest = tmp_path / "project"
    for name in ("data", "templates", "config"):
        shutil.copytree(built / name, dest / name)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    return dest


def _get(server, path: str) -> str:
    host, port = server.server_address[:2]
    with urllib.request.urlopen(f"http://{host}:{port}{path}", timeout=30) as response:
        return response.read().decode("utf-8")


def _set_title(project: Path, record: str, title: str) -> str:
    """Give the project ``record`` a new title in ``data/projects.csv``; return the old one."""
    path = project / "data" / "projects.csv"
    with path.open(encoding="utf-8") as fh:
        header = fh.readline().strip().split(",")
    rows = read_table(path)
    row = next(r for r in rows if r["id"] == record)
    old, row["title"] = row["title"], title
    write_table(path, rows, header)
    return old


def test_preview_html_is_the_build_html(built: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    session = PreviewSession(built, out=tmp_path / "preview")
    result = session.refresh()
    assert result.error is None
    assert {d.key for d in result.rebuilt} == {f"{d.folder}/{d.name}" for d in session.documents}
    assert len(session.documents) == 8
    for doc in session.documents:
        assert (
            session.html(doc).read_bytes()
            == (built / "reports" / doc.folder / f"{doc.name}.html").read_bytes()
        ), doc
    # Nothing changed: nothing is rebuilt.
    assert session.refresh().rebuilt == []


def test_served_page_is_the_file_plus_the_reload_script(project: Path):
    server, stop = start(project, "briefs/kazakhstan", 0)
    try:
        page = _get(server, "/")
        assert "new EventSource('/events" in page
        assert strip_injected(page) == (
            project / "build/preview/reports/briefs/kazakhstan.html"
        ).read_text("utf-8")
        assert "Kazakhstan" in page
    finally:
        stop.set()


def test_an_error_shows_above_the_last_good_version_and_goes_when_fixed(project: Path):
    session = PreviewSession(project)
    assert session.refresh(["briefs/armenia"]).error is None
    html = session.html(session.documents[0])
    good = html.read_bytes()
    path = project / "data" / "projects.csv"
    original = path.read_text(encoding="utf-8")
    header = original.splitlines()[0].split(",")
    rows = read_table(path)
    next(r for r in rows if r["countries"] == "AM")["countries"] = "XX"
    write_table(path, rows, header)
    result = session.refresh(["briefs/armenia"])
    assert result.error is not None
    assert (
        "data/projects.csv:" in result.error
        and "countries" in result.error
        and "'XX'" in result.error
    )
    assert html.read_bytes() == good  # the last good version stays
    page = inject(good.decode("utf-8"), 3, session.error)
    assert 'role="alert"' in page and "countries" in page
    assert strip_injected(page) == good.decode("utf-8")
    path.write_text(original, encoding="utf-8")
    assert session.refresh(["briefs/armenia"]).error is None
    assert session.error is None


def test_unknown_document_is_named(project: Path):
    result = PreviewSession(project).refresh(["briefs/atlantis"])
    assert (
        result.error is not None
        and "briefs/atlantis" in result.error
        and "briefs/armenia" in result.error
    )


@pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed (.ci/run installs it)"
)
def test_browser_reloads_after_a_saved_edit(project: Path):
    from playwright.sync_api import sync_playwright

    record = next(
        r["id"] for r in read_table(project / "data" / "projects.csv") if r["countries"] == "KZ"
    )
    server, stop = start(project, "briefs/kazakhstan", 0)
    host, port = server.server_address[:2]
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(f"http://{host}:{port}/")
            assert "Kazakhstan" in page.title() + page.inner_text("body")
            assert "Preview-edited title" not in page.inner_text("body")
            page.wait_for_timeout(300)  # the page's event stream is open
            saved = time.monotonic()
            _set_title(project, record, "Preview-edited title of a project")
            page.wait_for_function(
                "document.body.innerText.includes('Preview-edited title of a project')",
                timeout=30_000,
            )
            elapsed = time.monotonic() - saved
            browser.close()
    finally:
        stop.set()
    assert elapsed < 30
