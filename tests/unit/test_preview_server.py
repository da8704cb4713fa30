"""The preview's server in-process, without a build: what a refresh that fails unexpectedly does,
and which document a save refreshes first."""

from __future__ import annotations

from pathlib import Path

import pytest

from coopdocs.layout import ARTICLE, BRIEF, Document
from coopdocs.preview.server import PreviewServer, inject
from coopdocs.preview.session import PreviewSession, Refresh


@pytest.fixture()
def server(tmp_path: Path):
    """A server of a session whose refresh is recorded, not run (no data, no pandoc)."""
    session = PreviewSession(tmp_path)
    session.documents = [Document(BRIEF, "armenia"), Document(ARTICLE, ARTICLE.name)]
    session.calls = []

    def refresh(wanted=None):
        session.calls.append(wanted)
        return Refresh(rebuilt=[d for d in session.documents if wanted is None or d.key in wanted])

    session.refresh = refresh
    srv = PreviewServer(session, 0, None)
    yield srv
    srv.server_close()


def test_an_unexpected_failure_is_shown_in_the_page_and_the_watch_goes_on(server, capsys):
    def broken(wanted=None):
        raise RuntimeError("a bug in a refresh")

    server.session.refresh = broken
    server.refresh(None)  # raises nothing: the watcher's thread would have ended
    assert server.session.error == "the preview failed: RuntimeError: a bug in a refresh"
    assert server.generation.value == 1  # the open pages reload and show it
    assert "a bug in a refresh" in inject("<body></body>", 1, server.session.error)
    assert "RuntimeError: a bug in a refresh" in capsys.readouterr().err


def test_the_page_viewed_last_is_refreshed_first_then_the_others(server):
    server.viewed = f"{ARTICLE.folder}/{ARTICLE.name}"
    server.refresh(None)
    assert server.session.calls == [[server.viewed], None]
    assert server.generation.value == 2  # the viewed page is told at once, the others after


def test_one_document_or_none_viewed_is_one_refresh(server):
    server.refresh(None)
    server.viewed = "briefs/armenia"
    server.refresh(["briefs/armenia"])
    assert server.session.calls == [None, ["briefs/armenia"]]
