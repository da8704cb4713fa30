"""Archival builds: refusals, a valid BagIt archive of PDF/A documents, identical bytes, verify."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tarfile
import zipfile
from pathlib import Path

import bagit
import pypdf
import pytest

from coopdocs.tools.revision import BUILD_FILES
from helpers import copy_files
from support import cli

ROOT = Path(__file__).resolve().parents[2]
# The archive also carries the README, which a build does not need.
FILES = (*BUILD_FILES, "README.md")
pytestmark = pytest.mark.timeout(900)


def make_repo(dest: Path) -> Path:
    """A git repository holding the project, committed and tagged v1 at a fixed time."""
    copy_files(ROOT, dest, FILES)
    (dest / ".gitignore").write_text(
        "reports/\nbuild/\nlogs/\n.snakemake/\n__pycache__/\n*.egg-info/\n", encoding="utf-8"
    )
    env = dict(
        os.environ,
        GIT_AUTHOR_DATE="2022-12-30T12:00:00Z",
        GIT_COMMITTER_DATE="2022-12-30T12:00:00Z",
    )
    for cmd in (
        ["init", "-q"],
        ["add", "-A"],
        ["-c", "user.email=t@example.org", "-c", "user.name=t", "commit", "-qm", "v1"],
        ["tag", "v1"],
    ):
        subprocess.run(["git", *cmd], cwd=dest, check=True, env=env)
    return dest


def coopdocs(cwd: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """``coopdocs ARGS`` in ``cwd`` without the build's SOURCE_DATE_EPOCH (unless ``env`` sets it)."""
    return cli.run(cwd, *args, env=env, timeout=900, drop=("SOURCE_DATE_EPOCH",))


@pytest.fixture(scope="module")
def archived(tmp_path_factory) -> Path:
    repo = make_repo(tmp_path_factory.mktemp("archive") / "repo")
    proc = coopdocs(repo, "archive", "--epoch-from-commit")
    assert proc.returncode == 0, proc.stderr
    return repo


def bag_of(repo: Path) -> Path:
    return repo / "reports" / "archive" / "eaeu-unido-cooperation-v1"


def test_refuses_dirty_tree_and_bad_epoch(tmp_path):
    repo = make_repo(tmp_path / "repo")
    unset = coopdocs(repo, "archive")
    assert unset.returncode == 2 and "explicit SOURCE_DATE_EPOCH" in unset.stderr
    bad = coopdocs(repo, "archive", env={"SOURCE_DATE_EPOCH": "yesterday"})
    assert bad.returncode == 2 and "'yesterday' is not a number" in bad.stderr
    with (repo / "data" / "themes.csv").open("a", encoding="utf-8") as fh:
        fh.write("extra,Extra,Something new.\n")
    dirty = coopdocs(repo, "archive", env={"SOURCE_DATE_EPOCH": "1672401600"})
    assert (
        dirty.returncode == 2
        and "uncommitted changes" in dirty.stderr
        and "data/themes.csv" in dirty.stderr
    )
    assert not (repo / "reports" / "archive").exists()


def test_refuses_a_numbering_register_that_is_not_compact(tmp_path):
    """A publication build prints numbers in reading order: a register with a gap is refused."""
    repo = make_repo(tmp_path / "repo")
    path = repo / "data" / "numbering.json"
    register = json.loads(path.read_text(encoding="utf-8"))
    sources = register["briefs/armenia"]["sources"]
    last = max(sources, key=sources.get)
    sources[last] += 5  # as if five sources had been removed from the brief since it was numbered
    path.write_text(json.dumps(register, indent=1), encoding="utf-8")
    subprocess.run(
        ["git", "-c", "user.email=t@example.org", "-c", "user.name=t", "commit", "-qam", "gap"],
        cwd=repo,
        check=True,
    )
    proc = coopdocs(repo, "archive", env={"SOURCE_DATE_EPOCH": "1672401600"})
    assert proc.returncode == 2, proc.stderr
    assert "the numbering register does not number this build 1..n" in proc.stderr
    assert "run `coopdocs number`" in proc.stderr
    assert "data/numbering.json: briefs/armenia: sources not numbered 1.." in proc.stderr
    assert ": a gap" in proc.stderr
    assert not (repo / "reports" / "archive").exists()


def test_archive_is_a_valid_bag_with_everything_inside(archived):
    bag_dir = bag_of(archived)
    bagit.Bag(str(bag_dir)).validate()
    payload = bag_dir / "data"
    for need in (
        "README.md",
        "SHA256SUMS",
        "bibliography.json",
        "uv.lock",
        "source.tar",
        "data/datapackage.json",
        "data/projects.csv",
        "reports/manifest.json",
        "reports/ro-crate-metadata.json",
        "reports/briefs/belarus.pdf",
        "reports/briefs/belarus.docx",
        "reports/briefs/belarus.html",
        "reports/tables/timeline.csv",
        "reports/tables/timeline.xlsx",
        "reports/article/review.pdf",
        "reports/figures/timeline.svg",
    ):
        assert (payload / need).is_file(), need
    assert (payload / "uv.lock").read_bytes() == (ROOT / "uv.lock").read_bytes()
    with tarfile.open(payload / "source.tar") as tar:
        assert "Snakefile" in tar.getnames() and "data/projects.csv" in tar.getnames()
    listed = [
        line.split("  ", 1)[1]
        for line in (payload / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    ]
    assert sorted(listed) == listed and "reports/article/review.pdf" in listed
    assert "2022-12-30" in (bag_dir / "bag-info.txt").read_text(encoding="utf-8")
    assert (archived / "reports" / "archive" / "eaeu-unido-cooperation-v1.zip").is_file()


def test_archived_pdfs_declare_pdf_a_2b(archived):
    for pdf in sorted((bag_of(archived) / "data" / "reports").rglob("*.pdf")):
        reader = pypdf.PdfReader(str(pdf))
        xmp = (
            reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8", "replace")
        )
        part = re.search(r"pdfaid:part(?:>|=\")\s*([0-9])", xmp)
        conformance = re.search(r"pdfaid:conformance(?:>|=\")\s*([A-Za-z])", xmp)
        assert (
            part and part.group(1) == "2" and conformance and conformance.group(1).upper() == "B"
        ), pdf.name


def test_two_machines_two_folders_same_archive(archived, tmp_path):
    # Another clone, folder, time zone, locale and umask: the same zip, byte for byte.
    other = tmp_path / "elsewhere" / "clone"
    subprocess.run(["git", "clone", "-q", str(archived), str(other)], check=True)
    subprocess.run(["git", "checkout", "-q", "v1"], cwd=other, check=True)
    env = {"TZ": "Pacific/Kiritimati", "LANG": "C", "LC_ALL": "C"}
    old = os.umask(0o077)
    try:
        proc = coopdocs(other, "archive", "--epoch-from-commit", env=env)
    finally:
        os.umask(old)
    assert proc.returncode == 0, proc.stderr
    a = (archived / "reports" / "archive" / "eaeu-unido-cooperation-v1.zip").read_bytes()
    b = (other / "reports" / "archive" / "eaeu-unido-cooperation-v1.zip").read_bytes()
    if a != b:
        za, zb = (
            zipfile.ZipFile(archived / "reports" / "archive" / "eaeu-unido-cooperation-v1.zip"),
            zipfile.ZipFile(other / "reports" / "archive" / "eaeu-unido-cooperation-v1.zip"),
        )
        differing = [n for n in za.namelist() if n not in zb.namelist() or za.read(n) != zb.read(n)]
        raise AssertionError(f"archives differ in: {differing[:10]}")


def test_verify_passes_then_fails_on_one_changed_byte(archived, tmp_path):
    ok = coopdocs(
        archived, "verify", str(archived / "reports" / "archive" / "eaeu-unido-cooperation-v1.zip")
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "every file rebuilt byte for byte" in ok.stdout
    tampered = tmp_path / "eaeu-unido-cooperation-v1"
    shutil.copytree(bag_of(archived), tampered)
    pdf = tampered / "data" / "reports" / "briefs" / "armenia.pdf"
    data = bytearray(pdf.read_bytes())
    data[len(data) // 2] ^= 0x01
    pdf.write_bytes(bytes(data))
    bad = coopdocs(archived, "verify", str(tampered))
    assert bad.returncode == 1
    assert "reports/briefs/armenia.pdf" in bad.stdout and "DIFFERS" in bad.stdout
