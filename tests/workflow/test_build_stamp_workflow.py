"""The build stamp end to end: `coopdocs build` on the two-state fixture package.

The fast path ("nothing to be done" without Snakemake) is taken after a successful full build
with nothing changed, and never after a change Snakemake would act on: each test below changes
one thing, checks that Snakemake ran (and rebuilt what it should: which jobs ran, the words in
the documents), then that the next build takes the fast path again. The tests share one project
and run in order, each leaving it built and stamped (coopdocs.workflow.stamp).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

import helpers
from coopdocs.tools import revision
from coopdocs.workflow import stamp
from helpers import git

pytestmark = pytest.mark.workflow

TWO_STATES = Path(__file__).resolve().parents[1] / "fixtures" / "two-states"
FAST = "decided by coopdocs' build stamp"
BRIEF = Path("reports/briefs/belarus.html")


def build(project: Path, *args: str, epoch: int | None = helpers.EPOCH, env=None):
    """`coopdocs build --cores 2 ARGS` in ``project``: (completed process, rules of the jobs run)."""
    # The same environment every time (pytest names the running test phase in PYTEST_*).
    base = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    full = revision.build_env(project, epoch, base=base)
    full.update(env or {})
    proc = subprocess.run(
        [str(helpers.BIN / "coopdocs"), "build", "--cores", "2", *args],
        cwd=project,
        env=full,
        capture_output=True,
        text=True,
        timeout=900,
    )
    out = proc.stdout + proc.stderr
    return proc, Counter(re.findall(r"Finished jobid: \d+ \(Rule: (\w+)\)", out))


def fast(project: Path, **kwargs) -> bool:
    """Whether a plain build succeeds on the fast path (no Snakemake: no job, no DAG)."""
    proc, ran = build(project, **kwargs)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    taken = FAST in proc.stderr
    assert not (taken and (ran or "Building DAG" in proc.stderr)), proc.stderr
    return taken


def snakemake_ran(project: Path, *args: str, **kwargs) -> Counter:
    """A build that must go to Snakemake and succeed; the rules of the jobs it ran."""
    proc, ran = build(project, *args, **kwargs)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert FAST not in proc.stderr and "Building DAG of jobs" in proc.stderr, proc.stderr
    return ran


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """The project on the two-state package, built by `coopdocs build` (a stamp written)."""
    dest = tmp_path_factory.mktemp("stamp") / "project"
    helpers.copy_project(dest, [n for n in revision.BUILD_FILES if n != "data"])
    shutil.copytree(TWO_STATES, dest / "data")
    assert snakemake_ran(dest)["publish_brief"] == 3
    return dest


def test_fast_path_after_a_full_build(project):
    assert (project / stamp.STAMP).is_file()
    assert fast(project)
    # Snakemake itself agrees that nothing is to be done.
    proc = helpers.snakemake(project, "-n")
    assert "Nothing to be done" in proc.stdout + proc.stderr


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_data_edit(project):
    edit(
        project / "data/projects.csv",
        "modernization of manufacturers",
        "modernisation of manufacturers",
    )
    assert "modernisation of manufacturers" not in (project / BRIEF).read_text(encoding="utf-8")
    ran = snakemake_ran(project)
    assert ran["prepare_data"] == 1 and ran["publish_brief"] >= 1
    assert "modernisation of manufacturers" in (project / BRIEF).read_text(encoding="utf-8")
    assert fast(project)


def test_data_edit_of_the_same_size_and_time(project):
    """Only the content differs: the same size, the same mtime to the nanosecond."""
    path = project / "data/projects.csv"
    before = os.stat(path)
    edit(path, "modernisation of manufacturers", "modernizatioN of manufacturers")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(path).st_size == before.st_size
    snakemake_ran(project)  # Snakemake decides (by modification times: nothing to rebuild)
    assert fast(project)


def test_template_edit(project):
    edit(project / "templates/strings.yaml", "\n", "\n# an edit\n")
    ran = snakemake_ran(project)
    assert ran["prepare_data"] == 1
    assert fast(project)


def test_config_override(project):
    # The union named explicitly: the same union, another command line for prepare_data.
    ran = snakemake_ran(project, "--config", "union=EAEU")
    assert ran["prepare_data"] == 1
    # That run changed the outputs and removed the stamp: the plain build goes to Snakemake.
    assert not (project / stamp.STAMP).exists()
    assert snakemake_ran(project)["prepare_data"] == 1
    assert fast(project)


def test_changed_source_date_epoch(project):
    ran = snakemake_ran(project, epoch=helpers.EPOCH + 86400)
    assert ran["publish_brief"] == 3
    assert "2022-12-31" in (project / BRIEF).read_text(encoding="utf-8")
    assert fast(project, epoch=helpers.EPOCH + 86400)
    assert snakemake_ran(project)["publish_brief"] == 3  # and back
    assert fast(project)


def test_deleted_output(project):
    (project / "reports/briefs/russia.pdf").unlink()
    ran = snakemake_ran(project)
    assert ran["publish_brief"] == 1 and (project / "reports/briefs/russia.pdf").is_file()
    assert fast(project)


def test_touched_output(project):
    # Newer than the brief made from it; whether that brief is made again (same checksum) is
    # Snakemake's decision, and after it the state is current again.
    os.utime(project / "build/context/briefs/russia.json")
    snakemake_ran(project)
    assert fast(project)


def test_changed_code_version(project):
    # The build runs the project's own code (PYTHONPATH, revision.build_env): a comment changes
    # its digest, the parameter every job has.
    with (project / "src/coopdocs/layout.py").open("a", encoding="utf-8") as f:
        f.write("# a change of the code\n")
    assert snakemake_ran(project)["publish_brief"] == 3
    assert fast(project)


def test_a_failed_run_leaves_no_stamp(project):
    path = project / "templates/brief.md.j2"
    good, st = path.read_bytes(), os.stat(path)
    path.write_text("{% if %}", encoding="utf-8")
    proc, _ = build(project)
    assert proc.returncode != 0 and not (project / stamp.STAMP).exists()
    # The template back, byte for byte and to the nanosecond: the state the stamp described,
    # but the failed run may have changed outputs; Snakemake decides.
    path.write_bytes(good)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    snakemake_ran(project)
    assert fast(project)


def test_a_run_with_a_target(project):
    (project / "reports/briefs/russia.pdf").unlink()
    ran = snakemake_ran(project, "reports/briefs/russia.pdf")
    assert ran["publish_brief"] == 1
    assert not (project / stamp.STAMP).exists()
    snakemake_ran(project)
    assert fast(project)


def test_a_raw_snakemake_run_removes_the_stamp(project):
    (project / "reports/briefs/russia.html").unlink()
    helpers.snakemake(project, "reports/briefs/russia.html")  # onstart: the stamp goes
    assert not (project / stamp.STAMP).exists()
    snakemake_ran(project)
    assert fast(project)


@pytest.mark.parametrize(
    "damage",
    [b"", b"{", b"[]", b'{"key": 1}', b"\xff\xfe", None],
    ids=["empty", "truncated", "list", "partial", "not-utf8", "a-folder"],
)
def test_an_unreadable_or_corrupt_stamp(project, damage):
    path = project / stamp.STAMP
    path.unlink()
    if damage is None:
        path.mkdir()
    else:
        path.write_bytes(damage)
    snakemake_ran(project)
    assert fast(project)


def test_a_new_commit_of_the_data(project):
    # The build dates itself from git (no SOURCE_DATE_EPOCH) and prints the data's commit.
    (project / ".gitignore").write_text(
        "reports/\nbuild/\nlogs/\n.snakemake/\n__pycache__/\n", encoding="utf-8"
    )
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "v1", when=helpers.EPOCH)
    snakemake_ran(project, epoch=None)
    assert fast(project, epoch=None)
    edit(project / "data/projects.csv", "of manufacturers of components", "of makers of components")
    snakemake_ran(project, epoch=None)
    assert fast(project, epoch=None)
    git(project, "commit", "-q", "-am", "v2", when=helpers.EPOCH + 86400)
    ran = snakemake_ran(project, epoch=None)
    assert ran["prepare_data"] == 1 and ran["publish_brief"] == 3
    assert "2022-12-31" in (project / BRIEF).read_text(encoding="utf-8")
    assert fast(project, epoch=None)


def test_the_stamp_names_every_output_of_the_job_graph(project):
    recorded = json.loads((project / stamp.STAMP).read_text(encoding="utf-8"))["outputs"]
    for name in ("reports/briefs/russia.pdf", "reports/manifest.json", "build/data/bundle.json"):
        assert name in recorded
    assert any(n.startswith(".snakemake/metadata/") for n in recorded)
