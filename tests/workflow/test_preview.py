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
from helpers import read_table, snakemake, write_table

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


def _text(page: Path) -> str:
    """The HTML of ``page`` with its entities decoded and its white space collapsed (pandoc wraps lines)."""
    import html

    return " ".join(html.unescape(page.read_text("utf-8")).split())


def _shown_record(session: PreviewSession, project: Path, doc) -> tuple[str, str]:
    """A project record whose title the HTML of ``doc`` prints (from its context's record list), and that title."""
    import json

    page = _text(session.html(doc))
    records = json.loads(session.file(doc.context).read_text("utf-8"))["records"]
    titles = {
        r["id"]: " ".join(r["title"].split()) for r in read_table(project / "data/projects.csv")
    }
    return next((r, titles[r]) for r in records if r in titles and titles[r] in page)


def _tree(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder`` with its size and modification time (ns)."""
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_after_a_save_the_review_preview_is_the_build_html(
    built: Path, tmp_path: Path, monkeypatch
):
    """The fast path (the review's HTML only, in the warm session) makes what the build makes from
    the edited data, byte for byte, and writes nothing into the project's reports/."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    project = tmp_path / "project"
    shutil.copytree(built, project, symlinks=True)
    session = PreviewSession(project)
    assert session.refresh(["article/review"]).error is None
    review = next(d for d in session.documents if d.key == "article/review")
    record, old = _shown_record(session, project, review)
    printed = _text(session.html(review)).count(old)
    reports = _tree(project / "reports")
    _set_title(project, record, "A title saved while the review was previewed")
    result = session.refresh(["article/review"])
    assert result.error is None and [d.key for d in result.rebuilt] == ["article/review"]
    preview, text = session.html(review).read_bytes(), _text(session.html(review))
    assert "A title saved while the review was previewed" in text
    assert text.count(old) < printed  # where the record was printed (a source may share it)
    assert _tree(project / "reports") == reports  # the preview wrote nothing into reports/
    done = snakemake(project, "reports/article/review.html")
    assert done.returncode == 0, done.stderr[-3000:]
    assert (project / "reports/article/review.html").read_bytes() == preview


def test_bad_data_in_the_review_shows_every_error_over_the_last_good_page(project: Path):
    """Two bad cells of records the review prints: the page names both (file, line, field, value)
    above the last good version, which stays byte for byte; the next good save clears it."""
    path = project / "data" / "projects.csv"
    original = path.read_text(encoding="utf-8")
    server, stop = start(project, "article/review", 0)
    try:
        session = server.session
        review = next(d for d in session.documents if d.key == "article/review")
        good = session.html(review).read_bytes()
        record, _ = _shown_record(session, project, review)
        other = next(r["id"] for r in read_table(path) if r["id"] != record)
        header = original.splitlines()[0].split(",")
        rows = read_table(path)
        for row in rows:
            if row["id"] == record:
                row["start_year"] = "20x3"
            if row["id"] == other:
                row["countries"] = "XX"
        write_table(path, rows, header)
        lines = {
            row: n
            for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
            for row in (record, other)
            if line.startswith(f"{row},")
        }
        server.refresh(["article/review"])
        error = session.error
        assert error is not None
        assert f"data/projects.csv:{lines[record]}" in error and "start_year" in error
        assert "'20x3'" in error
        assert f"data/projects.csv:{lines[other]}" in error and "countries" in error
        assert "'XX'" in error
        page = _get(server, "/")
        assert 'role="alert"' in page and "start_year" in page and "20x3" in page
        assert strip_injected(page).encode("utf-8") == good  # the last good version, as it was
        assert session.html(review).read_bytes() == good
        path.write_text(original, encoding="utf-8")
        server.refresh(["article/review"])
        assert session.error is None
        assert 'role="alert"' not in _get(server, "/")
    finally:
        stop.set()


def _next_event(server, seen: int) -> int:
    """Wait, as a page's reload script does, for the first refresh after generation ``seen``."""
    with urllib.request.urlopen(_url(server, f"/events?generation={seen}"), timeout=120) as stream:
        for line in stream:
            if line.startswith(b"data: "):
                return int(line[len(b"data: ") :])
    raise AssertionError("the event stream ended without a refresh")


def _url(server, path: str) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}{path}"


def test_the_page_viewed_is_rebuilt_and_told_first(project: Path, capsys):
    """With every document previewed, a save rebuilds the page the author looks at (the review)
    and reloads it before the briefs and the tables document are brought up to date."""
    server, stop = start(project, None, 0)
    try:
        _get(server, "/article/review.html")  # the author opens the review
        review = next(d for d in server.session.documents if d.key == "article/review")
        record, _ = _shown_record(server.session, project, review)
        capsys.readouterr()
        seen = server.generation.value
        _set_title(project, record, "A title the viewed page shows first")
        seen = _next_event(server, seen)
        page = " ".join(_get(server, "/article/review.html").split())
        assert "A title the viewed page shows first" in page
        _next_event(server, seen)  # the other documents the edit changed
    finally:
        stop.set()
    told = [line for line in capsys.readouterr().err.splitlines() if "rebuilt" in line]
    assert told[0] == "coopdocs preview: rebuilt article/review", told
    assert any("briefs/" in line for line in told[1:]), told
