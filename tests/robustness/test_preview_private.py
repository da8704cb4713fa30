"""The preview is private and durable (issue 32): only its own host, no traceback for a client
that hangs up or an odd query, a bad or busy port in one line, and a data folder moved away and
back watched again.

Each test runs a real preview of one brief on a copy of the project's data, templates and config.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

from coopdocs.preview.server import serve, start
from helpers import read_table, write_table

ROOT = Path(__file__).resolve().parents[2]
DOC = "briefs/armenia"


@pytest.fixture()
def project(tmp_path: Path, monkeypatch) -> Path:
    dest = tmp_path / "project"
    for name in ("data", "templates", "config"):
        shutil.copytree(ROOT / name, dest / name)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1672358400")
    return dest


@pytest.fixture()
def preview(project: Path):
    server, stop = start(project, DOC, 0)
    assert server.session.error is None, server.session.error
    yield server
    stop.set()


def _request(server, path: str = "/", host: str | None = None) -> tuple[int, str]:
    port = server.server_address[1]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.putrequest("GET", path, skip_host=True)
    conn.putheader("Host", host if host is not None else f"127.0.0.1:{port}")
    conn.endheaders()
    response = conn.getresponse()
    body = response.read().decode("utf-8") if path != "/events" else ""
    conn.close()
    return response.status, body


def test_only_its_own_host_is_answered(preview):
    port = preview.server_address[1]
    assert _request(preview, "/", f"127.0.0.1:{port}")[0] == 200
    assert _request(preview, "/", f"localhost:{port}")[0] == 200
    for host in (
        "attacker.example",
        f"attacker.example:{port}",
        f"127.0.0.1:{port + 1}",
        "127.0.0.1",
        f"localhost.attacker.example:{port}",
        "",
    ):
        status, body = _request(preview, "/", host)
        assert status == 403 and "Armenia" not in body, host
        assert _request(preview, f"/{DOC}.html", host)[0] == 403, host


def test_no_traceback_for_a_client_that_hangs_up_or_an_odd_query(preview, capsys):
    port = preview.server_address[1]
    for _ in range(10):
        # A browser reload: the request is sent, the connection reset before the page comes.
        sock = socket.create_connection(("127.0.0.1", port))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.sendall(f"GET /{DOC}.html HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        sock.close()
    for query in ("abc", "-1", "%ff", "1&generation=x", "%D9%A3", "99999999999999999999"):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", f"/events?generation={query}")
        assert conn.getresponse().status == 200, query
        conn.close()
    assert _request(preview, "/")[0] == 200
    time.sleep(0.5)
    assert "Traceback" not in capsys.readouterr().err


def _serve_once(project: Path, port: int) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "coopdocs", "preview", "armenia", "--port", str(port)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
    )


def test_a_bad_or_busy_port_is_one_line(project: Path, capsys):
    assert serve(project, DOC, 70000) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "70000" in err and "Traceback" not in err
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = _serve_once(project, port)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and str(port) in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


def _wait(condition, timeout: float = 120) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_the_data_folder_moved_away_and_back_is_watched_again(preview, project: Path):
    data, away = project / "data", project.parent / "data-away"
    session = preview.session
    data.rename(away)
    assert _wait(lambda: session.error is not None), "the missing data folder was not noticed"
    away.rename(data)
    assert _wait(lambda: session.error is None), session.error
    # A later edit shows: the watch was armed again on the folder that came back.
    path = data / "projects.csv"
    header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
    rows = read_table(path)
    next(r for r in rows if r["countries"] == "AM")["title"] = "Came back and still watched"
    write_table(path, rows, header)
    assert _wait(lambda: "Came back and still watched" in _request(preview, f"/{DOC}.html")[1])


def test_a_backtracking_pattern_saved_during_the_preview_is_an_error_not_a_hang(
    project: Path, tmp_path: Path
):
    """The refresh of `coopdocs preview` validates with the pattern time limit (main thread only)."""
    log = tmp_path / "preview.log"
    with log.open("w", encoding="utf-8") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "coopdocs", "preview", "armenia", "--port", "0"],
            cwd=project,
            stdout=subprocess.DEVNULL,
            stderr=err,
            env=dict(os.environ),
        )
    try:
        assert _wait(lambda: "http://127.0.0.1:" in log.read_text(encoding="utf-8")), log.read_text(
            encoding="utf-8"
        )
        path = project / "data" / "datapackage.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        themes = next(r for r in data["resources"] if r["name"] == "themes")
        label = next(f for f in themes["schema"]["fields"] if f["name"] == "label")
        label.setdefault("constraints", {})["pattern"] = "(a+)+$"
        rows = read_table(project / "data" / "themes.csv")
        rows[0]["label"] = "a" * 40 + "!"  # 2**40 ways to fail: hours without a time limit
        write_table(project / "data" / "themes.csv", rows)
        path.write_text(json.dumps(data, indent=1), encoding="utf-8")
        assert _wait(
            lambda: "pattern (a+)+$ took over 2 s" in log.read_text(encoding="utf-8"), timeout=90
        ), log.read_text(encoding="utf-8")
        assert proc.poll() is None, "the preview stopped instead of showing the error"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert "Traceback" not in log.read_text(encoding="utf-8")
