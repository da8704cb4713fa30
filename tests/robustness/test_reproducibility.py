"""Same data, same bytes (RELIABILITY cases 16-18) and archival refusal (case 19).

Case 16/17: the session's baseline build (-c2, the test runner's directory, time zone, locale and
umask) against a second build from the same sources with everything varied at once: -c1, another
(deeper, differently named) directory, TZ=Pacific/Honolulu (a day behind UTC at the build epoch's
hour), another locale, umask 077. Every file under reports/ must be byte-identical; a failure names
the files that differ.
"""

from __future__ import annotations

import os
import random
import subprocess
from pathlib import Path

import pytest

import rbtools
from coopdocs.tools.revision import BUILD_FILES
from helpers import copy_files, read_table, write_table
from support import cli


def fresh_copy(source: Path, dest: Path) -> Path:
    """The sources of ``source`` (no reports/, build/, logs/ or .snakemake/), copied to ``dest``."""
    return copy_files(source, dest, BUILD_FILES)


def _other_locale() -> str:
    current = os.environ.get("LC_ALL") or os.environ.get("LANG") or "C"
    available = subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout.split()
    for candidate in ("en_US.UTF-8", "en_US.utf8", "C", "C.UTF-8"):
        if (candidate in available or candidate == "C") and candidate.lower() != current.lower():
            return "en_US.UTF-8" if candidate == "en_US.utf8" else candidate
    return "C"


@pytest.fixture(scope="module")
def varied_build(baseline, tmp_path_factory) -> Path:
    project = fresh_copy(
        baseline, tmp_path_factory.mktemp("elsewhere") / "a much deeper" / "other-name"
    )
    loc = _other_locale()
    env = {
        "TZ": "Pacific/Honolulu",
        "LANG": loc,
        "LC_ALL": loc,
        "LANGUAGE": "",
        "TMPDIR": str(project.parent),
    }
    proc = rbtools.run_snakemake(project, env=env, umask=0o077, cores=1)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return project


def differing_files(a: Path, b: Path) -> list[str]:
    left, right = rbtools.every_file(a / "reports"), rbtools.every_file(b / "reports")
    names = sorted(set(left) | set(right))
    return [n for n in names if left.get(n) != right.get(n)]


@pytest.mark.workflow
def test_case16_c1_and_c2_builds_are_byte_identical(baseline, varied_build):
    assert differing_files(baseline, varied_build) == []


@pytest.mark.workflow
def test_case17_builds_in_other_directory_timezone_locale_umask_are_byte_identical(
    baseline, varied_build
):
    differ = differing_files(baseline, varied_build)
    assert differ == [], f"outputs differ between the two builds: {differ}"
    # No absolute path of either build, and no host name, in any output.
    host = os.uname().nodename.encode()
    for name, data in rbtools.every_file(varied_build / "reports").items():
        assert str(varied_build).encode() not in data and str(baseline).encode() not in data, name
        if len(host) >= 6:
            assert host not in data, name


@pytest.mark.workflow
def test_case18_shuffled_row_order_gives_identical_output(tmp_path, baseline):
    a = fresh_copy(baseline, tmp_path / "a")
    b = fresh_copy(baseline, tmp_path / "b")
    rng = random.Random(18)
    for path in sorted((b / "data").glob("*.csv")):
        rows = read_table(path)
        rng.shuffle(rows)
        write_table(path, rows)
        # the file really changed (tables of one row excepted)
    outputs = {}
    for name, project in (("a", a), ("b", b)):
        outputs[name] = rbtools.build_brief(project, "eaeu")
    # Every context, bibliography and the data bundle (which alone feeds the tables, figures and
    # the article) are the same bytes; so is every brief's Markdown and the Union brief's outputs.
    assert rbtools.every_file(a / "build" / "context") == rbtools.every_file(
        b / "build" / "context"
    )
    assert (a / "build/data/bundle.json").read_bytes() == (
        b / "build/data/bundle.json"
    ).read_bytes()
    for fmt in ("docx", "html", "pdf"):
        assert outputs["a"][fmt].read_bytes() == outputs["b"][fmt].read_bytes(), fmt


# --- case 19 ------------------------------------------------------------------------------------


def _archive_available() -> bool:
    try:
        return (
            subprocess.run(
                [cli.COOPDOCS, "archive", "--help"], capture_output=True, timeout=60
            ).returncode
            == 0
        )
    except (OSError, subprocess.TimeoutExpired):
        return False


needs_archive = pytest.mark.skipif(
    not _archive_available(),
    reason=(
        "`coopdocs archive` does not exist yet (archival mode is another engineer's "
        "work); these tests state what it must refuse and run as soon as "
        "`coopdocs archive --help` succeeds"
    ),
)


def _git_project(tmp_path: Path) -> Path:
    """The project's sources in a new git repository (no build: archive refuses before building)."""
    project = rbtools.copy_project(tmp_path / "p")
    (project / ".gitignore").write_text(
        "reports/\nbuild/\nlogs/\n.snakemake/\n__pycache__/\n", encoding="utf-8"
    )
    git = lambda *a: subprocess.run(["git", *a], cwd=project, check=True, capture_output=True)  # noqa: E731
    git("init", "-q")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "data")
    return project


def _archive(project: Path, env: dict) -> subprocess.CompletedProcess:
    return cli.run(project, "archive", env=env, timeout=600, drop=("SOURCE_DATE_EPOCH",))


@needs_archive
@pytest.mark.parametrize(
    "epoch",
    [None, "", "yesterday", "1672358400.5", "-1"],
    ids=["unset", "empty", "word", "fraction", "negative"],
)
def test_case19_archive_refuses_missing_or_non_numeric_source_date_epoch(tmp_path, epoch):
    project = _git_project(tmp_path)
    proc = _archive(project, {} if epoch is None else {"SOURCE_DATE_EPOCH": epoch})
    assert proc.returncode != 0
    assert "SOURCE_DATE_EPOCH" in proc.stdout + proc.stderr
    assert "refused" in proc.stderr
    assert not (project / "reports" / "archive").exists()


@needs_archive
def test_case19_archive_refuses_a_dirty_work_tree(tmp_path):
    project = _git_project(tmp_path)
    path = project / "data" / "events.csv"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    proc = _archive(project, {"SOURCE_DATE_EPOCH": str(rbtools.EPOCH)})
    assert proc.returncode != 0
    assert "refused" in proc.stderr and not (project / "reports" / "archive").exists()
    text = (proc.stdout + proc.stderr).lower()
    assert (
        "data/events.csv" in text
        or "uncommitted" in text
        or "dirty" in text
        or "not committed" in text
    )
