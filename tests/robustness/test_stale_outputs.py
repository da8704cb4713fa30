"""Issue 19, silent wrong output: a failed or killed job never leaves a state that a later build
calls current.

The tables document and the article are built by two jobs (read_document: Markdown and AST;
publish_document: DOCX, HTML, PDF). When the pandoc that reads one of them died (killed, out of
memory, disk full), Snakemake removed the read job's outputs, and the next build exited 0 and
said "Nothing to be done" with documents that lacked the edit: Snakemake does not rerun a job
only because an intermediate input is missing. Each test edits a record both documents show,
makes one of the two jobs fail, builds again, and compares every output with a clean build of
the edited data, byte for byte.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import time
from pathlib import Path

import pytest

import rbtools

pytestmark = pytest.mark.workflow

# A project whose title the review prints (the review names a state's earliest and latest
# projects, not every one; the briefs and the tables document show them all).
OLD = "Promoting the development of quality infrastructure in Armenia"
NEW = "Promoting the development XYZZY of quality infrastructure in Armenia"


def _edit(project: Path) -> None:
    path = project / "data" / "projects.csv"
    text = path.read_text(encoding="utf-8")
    assert OLD in text
    path.write_text(text.replace(OLD, NEW, 1), encoding="utf-8")


@pytest.fixture(scope="session")
def edited_clean(tmp_path_factory) -> Path:
    """A clean build (from nothing) of the edited data: what every recovered build must equal."""
    project = rbtools.copy_project(tmp_path_factory.mktemp("edited-clean") / "project")
    _edit(project)
    rbtools.snakemake(project)
    return project


def _outputs(project: Path) -> dict[str, bytes]:
    files = rbtools.every_file(project / "reports")
    files.update(
        {
            f"build/{k}": v
            for k, v in rbtools.every_file(project / "build").items()
            if k.split("/")[0] in ("md", "ast", "typst", "context")
        }
    )
    return files


def _assert_same_as(project: Path, reference: Path) -> None:
    got, want = _outputs(project), _outputs(reference)
    assert sorted(got) == sorted(want)
    differ = [name for name in want if got[name] != want[name]]
    assert not differ, f"differ from a clean build: {differ}"


def _processes_in(project: Path, *words: str) -> list[int]:
    """Processes running in ``project`` (their working folder) whose command line holds every word."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cwd = os.readlink(f"/proc/{pid}/cwd")
            cmd = (
                Path(f"/proc/{pid}/cmdline")
                .read_bytes()
                .replace(b"\0", b" ")
                .decode("utf-8", "replace")
            )
        except OSError:
            continue
        if (cwd == str(project) or cwd.startswith(str(project) + os.sep)) and all(
            w in cmd for w in words
        ):
            found.append(int(pid))
    return found


def _build_killing(project: Path, words: tuple[str, ...], log: Path) -> subprocess.CompletedProcess:
    """Run the build; SIGKILL the first process of it whose command line holds ``words`` (as the
    kernel's out-of-memory killer would); return the finished build."""
    env = dict(os.environ, SOURCE_DATE_EPOCH=str(rbtools.EPOCH))
    with log.open("wb") as fh:
        proc = subprocess.Popen(
            [rbtools.SNAKEMAKE, "--cores", "2"],
            cwd=project,
            env=env,
            stdout=fh,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    killed = False
    end = time.monotonic() + 600
    while proc.poll() is None and time.monotonic() < end:
        pids = _processes_in(project, *words)
        if pids:
            os.kill(pids[0], signal.SIGKILL)
            killed = True
            break
        time.sleep(0.001)
    proc.wait(timeout=600)
    assert killed, f"no process {words} was seen:\n" + log.read_text(errors="replace")[-3000:]
    return subprocess.CompletedProcess(
        proc.args, proc.returncode, log.read_text(errors="replace"), ""
    )


def _recovers(project: Path, reference: Path) -> None:
    again = rbtools.run_snakemake(project)
    assert again.returncode == 0, (again.stdout + again.stderr)[-4000:]
    dry = rbtools.run_snakemake(project, "-n")
    assert "Nothing to be done" in dry.stdout + dry.stderr, (dry.stdout + dry.stderr)[-3000:]
    _assert_same_as(project, reference)
    # The edit reached the documents that print the project's title: the tables document and the
    # review (as one of Armenia's projects). Words, not lines: the HTML writer wraps lines
    # wherever the text falls.
    for document in ("tables/comparative-tables.html", "article/review.html"):
        assert NEW in " ".join(rbtools.html_text(project / "reports" / document).split()), document


@pytest.mark.parametrize("folder, name", [("article", "review"), ("tables", "comparative-tables")])
@pytest.mark.parametrize("stage", ["read", "write"])
def test_a_killed_long_document_job_is_redone_by_the_next_build(
    baseline, edited_clean, tmp_path, folder, name, stage
):
    project = rbtools.copy_tree(baseline, tmp_path / "p")
    _edit(project)
    if stage == "read":  # the pandoc run that reads the Markdown and resolves the citations
        words = ("pandoc", "--citeproc", f"build/ast/{folder}/.{name}.json")
    else:  # the pandoc that runs the publish job's writers (coopdocs.tools.pandoc_writers)
        words = ("pandoc", " lua ", f"coopdocs-writers-{name}-")
    failed = _build_killing(project, words, tmp_path / "killed.log")
    assert failed.returncode != 0, "the build must say that it failed"
    # Never the old document: the failed job's documents are absent until the next build.
    for fmt in ("docx", "html", "pdf"):
        assert not (project / "reports" / folder / f"{name}.{fmt}").exists(), (
            f"{name}.{fmt} outlived the failed job"
        )
    _recovers(project, edited_clean)


def test_disk_full_while_reading_the_article_is_redone_by_the_next_build(
    baseline, edited_clean, tmp_path
):
    project = rbtools.copy_tree(baseline, tmp_path / "p")
    _edit(project)
    ast = baseline / "build" / "ast" / "article" / "review.json"
    limit = (
        ast.stat().st_size - 100_000
    )  # the article's AST no longer fits; every other file written before does

    def small_disk():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        signal.signal(
            signal.SIGXFSZ, signal.SIG_IGN
        )  # a write past the limit fails (EFBIG), as on a full disk

    env = dict(os.environ, SOURCE_DATE_EPOCH=str(rbtools.EPOCH))
    full = subprocess.run(
        [rbtools.SNAKEMAKE, "--cores", "2"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        preexec_fn=small_disk,
    )
    assert full.returncode != 0, (full.stdout + full.stderr)[-3000:]
    assert "Error in rule read_document" in full.stdout + full.stderr, (full.stdout + full.stderr)[
        -3000:
    ]
    assert not (project / "reports" / "article" / "review.html").exists()
    _recovers(project, edited_clean)
