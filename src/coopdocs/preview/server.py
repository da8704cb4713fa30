"""``coopdocs preview``: serve the documents' HTML on 127.0.0.1 and reload the page when its sources change.

One process: a :class:`~coopdocs.preview.session.PreviewSession` keeps the HTML current, a
watcher (watchfiles) tells it when data, templates or config change, and an HTTP server shows
the pages. Each page is the session's HTML file, byte for byte, plus two things only the preview
adds: a small script that listens to ``/events`` (server-sent events) and reloads the page when
a refresh finished, and, while the sources have an error, a banner with the error above the last
good version. The server binds to 127.0.0.1 only and answers only requests addressed to it by
that name or ``localhost`` on its own port (403 otherwise): a page of another site that rebinds
its own name to 127.0.0.1 cannot read the author's drafts.
"""

from __future__ import annotations

import html
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from coopdocs import layout
from coopdocs.preview.session import DocumentId, PreviewSession, Refresh

HOST = "127.0.0.1"
LOCAL_NAMES = ("127.0.0.1", "localhost")
# Marks what the preview adds to a page, so that a test (or a curious author) can take it out again.
INJECTED_START = "<!-- coopdocs-preview -->"
INJECTED_END = "<!-- /coopdocs-preview -->"
RELOAD_SCRIPT = (
    "<script>(function () {\n"
    "  var source = new EventSource('/events?generation=%d');\n"
    "  source.onmessage = function () { source.close(); location.reload(); };\n"
    "})();</script>"
)
BANNER_STYLE = (
    "position:sticky;top:0;z-index:1000;margin:0;padding:0.8em 1em;background:#fff4f4;color:#7a0000;"
    "border-bottom:2px solid #b00020;font:0.9rem/1.4 monospace;white-space:pre-wrap"
)


class Generation:
    """A counter of finished refreshes that request handlers can wait on (for server-sent events)."""

    def __init__(self) -> None:
        self.value = 0
        self._changed = threading.Condition()

    def bump(self) -> None:
        """A refresh finished: wake every page waiting for one."""
        with self._changed:
            self.value += 1
            self._changed.notify_all()

    def wait_past(self, seen: int, timeout: float) -> int:
        """Wait until the counter is past ``seen`` (or ``timeout`` seconds); return its value."""
        with self._changed:
            self._changed.wait_for(lambda: self.value > seen, timeout=timeout)
            return self.value


def inject(page: str, generation: int, error: str | None) -> str:
    """``page`` with the reload script before ``</body>`` and, on an error, a banner after ``<body>``."""
    script = f"{INJECTED_START}{RELOAD_SCRIPT % generation}{INJECTED_END}"
    end = page.rfind("</body>")
    page = page[:end] + script + page[end:] if end >= 0 else page + script
    if error:
        banner = (
            f'{INJECTED_START}<pre role="alert" id="coopdocs-preview-error" style="{BANNER_STYLE}">'
            f"{html.escape(error)}</pre>{INJECTED_END}"
        )
        start = page.find("<body")
        close = page.find(">", start) + 1 if start >= 0 else 0
        page = page[:close] + banner + page[close:]
    return page


def strip_injected(page: str) -> str:
    """The page as the session wrote it: what :func:`inject` added taken out."""
    while INJECTED_START in page:
        start = page.index(INJECTED_START)
        end = page.index(INJECTED_END, start) + len(INJECTED_END)
        page = page[:start] + page[end:]
    return page


def index_page(session: PreviewSession) -> str:
    """The list of documents the preview can show."""
    items = "\n".join(
        f'<li><a href="/{html.escape(d.key)}.html">{html.escape(session.titles.get(d, d.name))}</a> '
        f"<small>({html.escape(d.key)})</small></li>"
        for d in session.documents
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>coopdocs preview</title></head>\n'
        f"<body><main><h1>Documents</h1>\n<ul>\n{items}\n</ul></main></body>\n</html>\n"
    )


class PortError(Exception):
    """The preview cannot listen on the port asked for (out of range, in use, not allowed)."""


def parse_generation(query: str) -> int:
    """The ``generation`` a page of ``/events?generation=N`` last saw; 0 when absent or not a number."""
    value = parse_qs(query).get("generation", ["0"])[0]
    return int(value) if value.isascii() and value.isdigit() else 0


def allowed_host(host: str | None, port: int) -> bool:
    """Whether a request's Host header names this preview: 127.0.0.1 or localhost on ``port``."""
    return host is not None and host.lower() in {f"{n}:{port}" for n in LOCAL_NAMES}


class PreviewServer(ThreadingHTTPServer):
    """The HTTP server of one preview: the session, its lock and its refresh counter."""

    daemon_threads = True

    def __init__(self, session: PreviewSession, port: int, default: str | None):
        if not 0 <= port <= 65535:
            raise PortError(
                f"cannot serve on port {port}: a port is a number from 1 to 65535 (0: any free one)"
            )
        try:
            super().__init__((HOST, port), _Handler)
        except OSError as exc:
            raise PortError(f"cannot serve on {HOST}:{port}: {exc.strerror or exc}") from None
        self.session = session
        self.default = default
        self.wanted = [default] if default else None  # the documents refreshed (None: all)
        self.generation = Generation()
        self.lock = threading.Lock()  # one refresh at a time
        # The document whose page was served last (a key): with several documents, it is
        # refreshed first and its page told, before the others are brought up to date.
        self.viewed: str | None = None

    def refresh(self, wanted: list[str] | None) -> None:
        """Refresh the session and tell the open pages; the page viewed last first (see :attr:`viewed`)."""
        keys = wanted or [d.key for d in self.session.documents]
        viewed = self.viewed
        if viewed is None or viewed not in keys or len(keys) == 1:
            self._refresh(wanted)
            return
        self._refresh([viewed])
        # The others (the viewed one's inputs are unchanged now): told only of a change or an error.
        self._refresh(None if wanted is None else [k for k in keys if k != viewed], quiet=True)

    def _refresh(self, wanted: list[str] | None, quiet: bool = False) -> None:
        """One refresh of the session; tell the open pages (``quiet``: only of a change or an error)."""
        with self.lock:
            error_before = self.session.error
            try:
                result = self.session.refresh(wanted)
            except Exception as exc:  # noqa: BLE001 - shown in the page; the watch goes on
                # An error the session does not expect (a bug) would end the watcher's thread,
                # and the page would silently stop following the saves.
                result = Refresh(error=f"the preview failed: {type(exc).__name__}: {exc}")
                self.session.error = result.error
        if quiet and not result.rebuilt and result.error == error_before:
            return
        if result.error:
            print(f"coopdocs preview: {result.error}", file=sys.stderr, flush=True)
        elif result.rebuilt:
            print(
                f"coopdocs preview: rebuilt {', '.join(d.key for d in result.rebuilt)}",
                file=sys.stderr,
                flush=True,
            )
        self.generation.bump()

    def handle_error(self, request, client_address) -> None:
        """A client that hangs up is no news; anything else is one line, never a traceback."""
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError):
            return
        print(
            f"coopdocs preview: a request failed: {type(exc).__name__}: {exc}",
            file=sys.stderr,
            flush=True,
        )


class _Handler(BaseHTTPRequestHandler):
    """GET / (the default document or the index), /<folder>/<name>.html, /events."""

    server: PreviewServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's signature
        """Quiet: the author's terminal shows refreshes and errors, not every request."""

    def do_GET(self) -> None:  # noqa: N802 - the name http.server dispatches to
        """Serve a page, the index or the event stream, to a request addressed to this preview."""
        if not allowed_host(self.headers.get("Host"), self.server.server_address[1]):
            self._send("this preview answers only 127.0.0.1 and localhost", HTTPStatus.FORBIDDEN)
            return
        path = urlsplit(self.path).path
        if path == "/events":
            self._events()
            return
        session = self.server.session
        if path in ("/", "/index.html"):
            if self.server.default is None:
                generation, error = self.server.generation.value, session.error
                self._send(inject(index_page(session), generation, error))
                return
            path = f"/{self.server.default}.html"
        doc = next((d for d in session.documents if f"/{d.key}.html" == path), None)
        if doc is None:
            self._send(f"not a document of this preview: {html.escape(path)}", HTTPStatus.NOT_FOUND)
            return
        self.server.viewed = doc.key
        # Read without waiting for a refresh under way (the viewed page is refreshed first, the
        # others after it): the files are replaced whole (atomic_output), and the generation is
        # taken before the file, so a refresh that ends between the two costs one more reload,
        # never a missed one.
        generation, error = self.server.generation.value, session.error
        try:
            page = session.html(doc).read_text(encoding="utf-8")
        except FileNotFoundError:
            page = "<!DOCTYPE html>\n<html><body><p>Not built yet.</p></body></html>"
        self._send(inject(page, generation, error))

    def _send(self, body: str, status: HTTPStatus = HTTPStatus.OK) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        try:
            self.wfile.write(data)
        except ConnectionError:  # the browser reloaded or closed the tab before the page came
            pass

    def _events(self) -> None:
        """Server-sent events: one message when a refresh after the page's own generation finished."""
        seen = parse_generation(urlsplit(self.path).query)
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        try:
            while True:
                value = self.server.generation.wait_past(seen, timeout=15)
                if value > seen:
                    self.wfile.write(f"data: {value}\n\n".encode())
                    self.wfile.flush()
                    return
                self.wfile.write(
                    b": keep-alive\n\n"
                )  # a comment: keeps proxies and the browser patient
                self.wfile.flush()
        except ConnectionError:
            return


def watch(
    server: PreviewServer,
    wanted: list[str] | None,
    stop: threading.Event,
    ready: threading.Event,
    catch_up: bool = False,
) -> None:
    """Refresh whenever a watched file changes, until ``stop`` is set; set ``ready`` once watching.

    step: changes are taken 30 ms after the last one of a burst (an editor's save writes several
    times); debounce: at most 500 ms of grouping. The watcher wakes every 200 ms with no change
    (an empty batch): the first wake says it is watching, so a save right after ``start`` is seen
    by a caller that waits for ``ready``. ``catch_up``: refresh once at that first wake (quietly:
    only a change or an error is told), for a caller that served before watching (:func:`serve`).
    A changed config may name other folders: the watch then starts again on those.
    """
    import watchfiles  # the watcher is only needed by a running preview

    while not stop.is_set():
        paths = server.session.watched()
        for changes in watchfiles.watch(
            *paths, stop_event=stop, step=30, debounce=500, rust_timeout=200, yield_on_timeout=True
        ):
            if catch_up and not ready.is_set():
                ready.set()
                server._refresh(wanted, quiet=True)
                continue
            ready.set()
            # A watched folder moved away and back sends no event to a watch armed without it:
            # its coming back (or going) is seen here, and the watch is armed again.
            if not changes and server.session.watched() == paths:
                continue
            server.refresh(wanted)
            if server.session.watched() != paths:
                break
    ready.set()


def start(
    root: Path,
    document: str | None,
    port: int,
    overrides: dict | None = None,
    watcher: bool = True,
) -> tuple[PreviewServer, threading.Event]:
    """Build the preview of ``document`` (e.g. ``briefs/armenia``; None: every document) and start serving it.

    ``overrides``: settings put over the config file's (``--config language=ru``). ``watcher``:
    watch the files in a thread of its own, armed before serving starts; False leaves the watch
    to the caller (:func:`serve` runs it in the main thread).

    Returns the server (its ``server_address`` holds the port) and the event that stops it.
    """
    session = PreviewSession(root, overrides=overrides)
    server = PreviewServer(session, port, document)
    server.refresh(server.wanted)
    stop, watching = threading.Event(), threading.Event()
    if watcher:
        threading.Thread(
            target=watch, args=(server, server.wanted, stop, watching), daemon=True
        ).start()
        watching.wait(timeout=30)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def shut_down() -> None:
        stop.wait()
        server.shutdown()
        server.server_close()

    threading.Thread(target=shut_down, daemon=True).start()
    return server, stop


def serve(root: Path, document: str | None, port: int, overrides: dict | None = None) -> int:
    """Run a preview until interrupted (Ctrl-C); a port it cannot use is one line and exit 2."""
    try:
        server, stop = start(root, document, port, overrides, watcher=False)
    except PortError as exc:
        print(f"coopdocs preview: {exc}", file=sys.stderr, flush=True)
        return 2
    host, bound = server.server_address[:2]
    print(f"coopdocs preview: http://{host}:{bound}/ (Ctrl-C to stop)", file=sys.stderr, flush=True)
    # The refreshes run here, in the main thread: only there does validation bound the time a
    # schema pattern may take (coopdocs.load.patterns uses SIGALRM, which only the main thread
    # receives), so a pattern that backtracks catastrophically is an error in the page, not a hang.
    try:
        watch(server, server.wanted, stop, threading.Event(), catch_up=True)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
    return 0


def resolve_document(name: str | None) -> str | None:
    """A document as the author names it (``armenia``, ``tables``, ``article``, ``briefs/armenia``) as a key."""
    if not name:
        return None
    if "/" in name:
        return name
    by_word = {"tables": layout.TABLES_DOCUMENT, "article": layout.ARTICLE}
    kind = by_word.get(name)
    return f"{kind.folder}/{kind.name}" if kind else f"{layout.BRIEF.folder}/{name}"


__all__ = [
    "DocumentId",
    "PortError",
    "PreviewServer",
    "inject",
    "resolve_document",
    "serve",
    "start",
    "strip_injected",
]
