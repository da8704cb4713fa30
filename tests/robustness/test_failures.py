"""Promise 2, nothing half-written, nothing lost (RELIABILITY cases 11-14): a template typo names
the template and line; a build killed during pandoc or Typst leaves the previous output intact or
absent, never truncated, and the next run recovers; a failing pandoc shows its own message and
leaves no output; a stale lock after a crash tells how to recover (the tests unlock explicitly).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

import rbtools
from coopdocs.tools.pandoc import ConversionError, pandoc
from support import cli

# --- case 11 ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def armenia_context(tmp_path_factory) -> Path:
    """The Armenian brief's context as the build writes it (``coopdocs prepare`` in-process)."""
    from coopdocs.tools.config import load_config
    from coopdocs.workflow.commands import prepare_args

    out = tmp_path_factory.mktemp("prepared")
    settings = load_config(rbtools.ROOT)
    args = prepare_args(
        settings,
        rbtools.EPOCH,
        bundle=out / "bundle.json",
        contexts=out / "context",
        strings=rbtools.ROOT / settings["templates_dir"] / "strings.yaml",
        data_dir=rbtools.ROOT / settings["data_dir"],
    )
    cli.check(*args)
    return out / "context" / "briefs" / "armenia.json"


def render_with_line(context: Path, tmp_path: Path, where: str, line: int, text: str):
    """Render the brief of ``context`` with a copy of the templates in which ``text`` is inserted
    as line ``line`` of ``where``: the exit code, what it wrote to stderr and the edited file."""
    templates = tmp_path / "templates"
    shutil.copytree(rbtools.ROOT / "templates", templates)
    path = templates / where
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(line - 1, text + "\n")
    path.write_text("".join(lines), encoding="utf-8")
    code, _, err = cli.call(
        "render",
        "--context",
        str(context),
        "--templates",
        str(templates),
        "--template",
        "brief.md.j2",
        "--out",
        str(tmp_path / "out.md"),
    )
    return code, err, path


@pytest.mark.parametrize("where, line", [("brief.md.j2", 14), ("partials/metadata.md.j2", 6)])
def test_case11_template_typo_names_template_file_and_line(armenia_context, tmp_path, where, line):
    code, err, path = render_with_line(
        armenia_context, tmp_path, where, line, "{{ document.misspelt_variable }}"
    )
    assert code == 1
    message = err.strip()
    assert message.startswith(f"{path}:{line}: template error:"), message
    assert "misspelt_variable" in message
    assert not (tmp_path / "out.md").exists() and not list(tmp_path.glob(".out.md.*"))


def test_case11_template_syntax_error_names_template_and_line(armenia_context, tmp_path):
    code, err, path = render_with_line(
        armenia_context, tmp_path, "brief.md.j2", 10, "{{ document.title | nosuchfilter }}"
    )
    assert code == 1
    assert err.startswith(f"{path}:10: template error:"), err


# --- case 12 and 14: kill the build ----------------------------------------------------------


def _make_conversion_due(project: Path) -> None:
    """Change the Armenian brief's context so that its document job must run again (Snakemake
    compares checksums, so touching the file is not enough)."""
    path = project / "build" / "context" / "briefs" / "armenia.json"
    context = json.loads(path.read_text(encoding="utf-8"))
    context["country"]["summary"] += " One more sentence."
    path.write_text(
        json.dumps(context, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def _parts(project: Path) -> list[str]:
    return sorted(
        str(p.relative_to(project)) for p in project.rglob("*.part") if ".snakemake" not in p.parts
    )


def _start(project: Path, target: str, tmpdir: Path, log: Path) -> subprocess.Popen:
    env = dict(os.environ, SOURCE_DATE_EPOCH=str(rbtools.EPOCH), TMPDIR=str(tmpdir))
    with log.open("wb") as fh:
        return subprocess.Popen(
            [rbtools.SNAKEMAKE, "--cores", "2", target],
            cwd=project,
            env=env,
            stdout=fh,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            # As a terminal starts it: a test run started in the background (`&` in a script)
            # inherits SIGINT ignored, and Snakemake would then finish the build it was sent.
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )


def _wait_for(predicate, proc: subprocess.Popen, timeout: float = 120) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.002)
    return False


@pytest.mark.workflow
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"])
@pytest.mark.parametrize("phase", ["pandoc", "typst"])
def test_case12_killed_during_pandoc_or_typst_leaves_old_output_or_none_and_next_run_recovers(
    baseline, tmp_path, phase, sig
):
    project = rbtools.copy_tree(baseline, tmp_path / "p")
    fmt = {"pandoc": "docx", "typst": "pdf"}[phase]
    target = project / "reports" / "briefs" / f"armenia.{fmt}"
    old = target.read_bytes()
    _make_conversion_due(project)
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    if phase == "pandoc":
        # atomic_output creates the temporary file beside the target right before pandoc starts.
        during = lambda: any(target.parent.glob(f".{target.name}.*.part"))  # noqa: E731
    else:
        # typst_pdf creates its isolated build root right before the compiler runs.
        during = lambda: any(tmpdir.glob("coopdocs-typst-*"))  # noqa: E731
    proc = _start(project, str(target.relative_to(project)), tmpdir, tmp_path / "killed.log")
    caught = _wait_for(during, proc)
    assert caught, (
        f"the build finished before {phase} was seen:\n"
        + (tmp_path / "killed.log").read_text(errors="replace")[-3000:]
    )
    os.killpg(proc.pid, sig)
    proc.wait(timeout=120)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # nothing of that build may outlive it
    assert proc.returncode != 0

    # Intact or absent, never truncated.
    if target.exists():
        assert rbtools.output_ok(target), f"{target.name} is truncated after {sig.name}"
        assert target.read_bytes() == old, f"{target.name} is neither the old output nor absent"
    for path in (project / "reports").rglob("*.*"):
        assert rbtools.output_ok(path), f"{path} is not a complete file"

    # The next run: after SIGKILL Snakemake's lock is stale, and the message says how to recover
    # (case 14); the test unlocks explicitly, never silently.
    rel = str(target.relative_to(project))
    proc2 = rbtools.run_snakemake(project, rel)
    if proc2.returncode != 0:
        message = proc2.stdout + proc2.stderr
        assert sig == signal.SIGKILL, message[-3000:]
        assert "--unlock" in message and "lock" in message.lower(), message[-3000:]
        unlock = rbtools.run_snakemake(project, "--unlock")
        assert unlock.returncode == 0, unlock.stderr[-2000:]
        proc2 = rbtools.run_snakemake(project, rel)
    assert proc2.returncode == 0, (proc2.stdout + proc2.stderr)[-4000:]
    # Recovered: the output was made again, complete and valid, and nothing was left behind.
    rerun = [
        line
        for line in (proc2.stdout + proc2.stderr).splitlines()
        if line.strip().startswith("output:")
    ]
    assert any(rel in line.split(": ", 1)[1].split(", ") for line in rerun), (
        "the interrupted job was not run again"
    )
    assert rbtools.output_ok(target)
    for path in (project / "reports").rglob("*.*"):
        assert rbtools.output_ok(path), path
    assert _parts(project) == [], "temporary files left behind"


@pytest.mark.workflow
def test_case14_stale_lock_message_says_how_to_recover(baseline, tmp_path):
    # A crash (SIGKILL) right after Snakemake took its lock, before any job.
    project = rbtools.copy_tree(baseline, tmp_path / "p")
    _make_conversion_due(project)
    proc = _start(project, "reports/briefs/armenia.html", tmp_path, tmp_path / "log")
    locks = project / ".snakemake" / "locks"

    def locked() -> bool:  # both lock files written (an empty one does not lock anything)
        files = list(locks.glob("*.lock")) if locks.is_dir() else []
        return {f.name.split(".")[1] for f in files if f.stat().st_size > 0} >= {"input", "output"}

    assert _wait_for(locked, proc), (tmp_path / "log").read_text()[-2000:]
    time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    again = rbtools.run_snakemake(project, "reports/briefs/armenia.html")
    assert again.returncode != 0
    message = again.stdout + again.stderr
    assert "--unlock" in message, message[-2000:]
    assert any(locks.iterdir()), "the lock must not be removed silently"
    assert rbtools.run_snakemake(project, "--unlock").returncode == 0
    done = rbtools.run_snakemake(project, "reports/briefs/armenia.html")
    assert done.returncode == 0, done.stderr[-3000:]
    assert rbtools.html_ok(project / "reports" / "briefs" / "armenia.html")


# --- case 13 ------------------------------------------------------------------------------------


def test_case13_pandoc_failure_shows_its_stderr_and_keeps_the_old_output(tmp_path):
    md = tmp_path / "doc.md"
    md.write_text("Hello.\n", encoding="utf-8")
    bad_reference = tmp_path / "reference.docx"
    bad_reference.write_bytes(b"this is not a zip file")
    target = tmp_path / "doc.docx"
    target.write_bytes(b"previous complete output")
    with pytest.raises(ConversionError) as info:
        pandoc(md, target, "docx", epoch=0, reference_doc=bad_reference)
    message = str(info.value)
    assert "pandoc" in message and "failed (exit" in message
    assert len(message.splitlines()) > 1, "pandoc's own diagnostics are missing"
    assert target.read_bytes() == b"previous complete output"
    assert list(tmp_path.glob("*.part")) == [] and list(tmp_path.glob(".*.part")) == []


@pytest.mark.workflow
def test_case13_pandoc_failure_in_the_workflow_shows_its_message_and_leaves_no_output(
    baseline, tmp_path
):
    project = rbtools.copy_tree(baseline, tmp_path / "p")
    (project / "templates" / "docx" / "reference.docx").write_bytes(b"this is not a zip file")
    proc = rbtools.run_snakemake(project, "reports/briefs/armenia.docx")
    assert proc.returncode != 0
    output = proc.stdout + proc.stderr
    assert "pandoc" in output and "failed (exit" in output, output[-3000:]
    assert "publish_brief" in output
    target = project / "reports" / "briefs" / "armenia.docx"
    assert not target.exists() or rbtools.docx_ok(target)
    assert not target.exists(), "the failed job's output must be removed"
    assert _parts(project) == []


# --- case 12 at the level of the protection itself -----------------------------------------

_KILLED_WRITER = """
import os, signal, sys
from pathlib import Path
from coopdocs.tools.files import atomic_output
with atomic_output(Path(sys.argv[1])) as tmp:
    with open(tmp, "wb") as fh:
        fh.write(b"PK\\x03\\x04 half a new zip")
        fh.flush()
        os.kill(os.getpid(), signal.SIGKILL)
"""


def test_case12_a_writer_killed_mid_write_leaves_the_old_output_and_the_next_write_cleans_up(
    tmp_path,
):
    import sys

    target = tmp_path / "brief.docx"
    target.write_bytes(b"the previous complete output")
    proc = subprocess.run(
        [sys.executable, "-c", _KILLED_WRITER, str(target)], capture_output=True, timeout=60
    )
    assert proc.returncode == -signal.SIGKILL
    assert target.read_bytes() == b"the previous complete output"
    assert len(list(tmp_path.glob(".brief.docx.*.part"))) == 1  # what a SIGKILL cannot clean up
    from coopdocs.tools.files import atomic_output

    with atomic_output(target) as tmp:
        tmp.write_bytes(b"the new complete output")
    assert target.read_bytes() == b"the new complete output"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brief.docx"]


def test_case12_a_failed_write_keeps_the_old_output(tmp_path):
    from coopdocs.tools.files import atomic_output

    target = tmp_path / "brief.pdf"
    target.write_bytes(b"%PDF-1.7 old %%EOF")
    with pytest.raises(RuntimeError):
        with atomic_output(target) as tmp:
            tmp.write_bytes(b"%PDF-1.7 half")
            raise RuntimeError("the tool failed")
    assert target.read_bytes() == b"%PDF-1.7 old %%EOF"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brief.pdf"]
