"""Issue 19: one line instead of a traceback (SOURCE_DATE_EPOCH in year 10000, `trace` of a path
outside the project, `verify` of a non-zip, a malformed SHA256SUMS line, archives with `..`
members), and `coopdocs verify` runs nothing of an archive that fails its integrity check or whose
source does not match its own manifest.

The archives here are small BagIt bags made in the test, whose source.tar holds a Snakefile that
would leave a marker file if it ever ran; the rebuild itself is replaced by a stand-in that fails
the test if it is called.
"""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from coopdocs.archive import bag as archive_bag
from coopdocs.archive.bag import ArchiveError, verify
from support import cli


def _tar(files: dict[str, bytes], extra: list[tarfile.TarInfo] | None = None) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for info in extra or []:
            tar.addfile(info, io.BytesIO(b"x" * info.size) if info.size else None)
    return buf.getvalue()


def make_bag(
    folder: Path,
    marker: Path,
    *,
    source: dict[str, bytes] | None = None,
    extra: list[tarfile.TarInfo] | None = None,
    recorded: dict[str, bytes] | None = None,
) -> Path:
    """A bag like `coopdocs archive` makes, small: a report, a manifest recording the source's files, source.tar."""
    import bagit

    snakefile = f"open({str(marker)!r}, 'w').write('the archive ran')\n".encode()
    source = (
        source if source is not None else {"Snakefile": snakefile, "rules/common.smk": b"# rules\n"}
    )
    recorded = recorded if recorded is not None else source
    bag = folder / "coopdocs-test-v1"
    (bag / "reports" / "briefs").mkdir(parents=True)
    (bag / "reports" / "briefs" / "armenia.pdf").write_bytes(b"%PDF-1.7 a report %%EOF")
    manifest = {
        "source_date_epoch": 1672358400,
        "git": {"commit": "0" * 40},
        "outputs": [
            {
                "path": "reports/briefs/armenia.pdf",
                "inputs": [
                    {"path": k, "sha256": hashlib.sha256(v).hexdigest()}
                    for k, v in recorded.items()
                ],
            }
        ],
    }
    (bag / "reports" / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (bag / "source.tar").write_bytes(_tar(source, extra))
    files = sorted(p for p in bag.rglob("*") if p.is_file())
    (bag / "SHA256SUMS").write_text(
        "".join(
            f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.relative_to(bag).as_posix()}\n"
            for p in files
        ),
        encoding="utf-8",
    )
    bagit.make_bag(str(bag), checksums=["sha256"])
    return bag


@pytest.fixture()
def no_rebuild(monkeypatch):
    """Fail the test if verify gets as far as running the archive's code."""

    def refuse(*args, **kwargs):
        raise AssertionError("verify ran the archive's workflow")

    monkeypatch.setattr(archive_bag, "build_snapshot", refuse)
    monkeypatch.setattr(archive_bag, "_environment_python", refuse)


def test_an_intact_archive_is_rebuilt(tmp_path, monkeypatch):
    bag = make_bag(tmp_path, tmp_path / "ran")
    called = []

    def stand_in(source_tar, workdir, epoch, commit, python=None, cores=2):
        called.append(epoch)
        project = workdir / "project"
        (project / "reports" / "briefs").mkdir(parents=True)
        (project / "reports" / "briefs" / "armenia.pdf").write_bytes(b"%PDF-1.7 a report %%EOF")
        (project / "reports" / "manifest.json").write_bytes(
            (bag / "data" / "reports" / "manifest.json").read_bytes()
        )
        return project

    monkeypatch.setattr(archive_bag, "build_snapshot", stand_in)
    monkeypatch.setattr(archive_bag, "_environment_python", lambda *a: sys.executable)
    assert verify(bag) == [] and called == [1672358400]


@pytest.mark.parametrize("damage", ["payload-oxum", "manifest", "sha256sums"])
def test_an_archive_failing_its_integrity_check_is_not_run(tmp_path, no_rebuild, damage):
    marker = tmp_path / "ran"
    bag = make_bag(tmp_path, marker)
    snakefile_tar = bag / "data" / "source.tar"
    tampered = _tar(
        {"Snakefile": b"import os; os.system('echo pwned')\n", "rules/common.smk": b"# rules\n"}
    )
    if damage == "payload-oxum":  # another size: BagIt's Payload-Oxum fails
        snakefile_tar.write_bytes(tampered + b"\0" * 512)
    elif damage == "manifest":  # same size, other bytes: the bag's manifest fails
        data = bytearray(snakefile_tar.read_bytes())
        data[600] ^= 1
        snakefile_tar.write_bytes(bytes(data))
    else:  # a report changed, and SHA256SUMS with the bag's manifest rewritten to hide it: SHA256SUMS still holds
        (bag / "data" / "reports" / "briefs" / "armenia.pdf").write_bytes(b"%PDF-1.7 other %%EOF")
        import bagit

        b = bagit.Bag(str(bag))
        b.save(manifests=True)
    differences = verify(bag)
    assert differences and differences[-1].startswith("archive: not rebuilt")
    assert not marker.exists()


def test_an_archive_whose_source_differs_from_its_manifest_is_refused(tmp_path, no_rebuild):
    marker = tmp_path / "ran"
    honest = {"Snakefile": b"rule all:\n    input: []\n", "rules/common.smk": b"# rules\n"}
    evil = dict(honest, Snakefile=f"open({str(marker)!r}, 'w').write('x')\n".encode())
    # A consistent bag (every BagIt and SHA256SUMS check passes) whose source is not the one recorded.
    bag = make_bag(tmp_path, marker, source=evil, recorded=honest)
    with pytest.raises(ArchiveError) as info:
        verify(bag)
    assert "does not match its own manifest" in str(info.value) and "Snakefile" in str(info.value)
    assert not marker.exists()


@pytest.mark.parametrize("name", ["../escape.txt", "/abs.txt"])
def test_a_tar_with_members_leaving_the_folder_is_refused(tmp_path, no_rebuild, name):
    info = tarfile.TarInfo(name)
    info.size = 1
    bag = make_bag(tmp_path, tmp_path / "ran", extra=[info])
    with pytest.raises(ArchiveError) as exc:
        verify(bag)
    assert f"member {name!r} would leave" in str(exc.value)


def _one_line(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    return lines[0]


def test_verify_of_a_file_that_is_not_a_zip_is_one_line(tmp_path):
    fake = tmp_path / "archive.zip"
    fake.write_bytes(b"this is not a zip")
    line = _one_line(cli.run(tmp_path, "verify", str(fake)))
    assert line.startswith(f"coopdocs verify: {fake}: not a readable zip archive")


def test_verify_of_a_zip_with_dotdot_members_is_one_line(tmp_path):
    fake = tmp_path / "archive.zip"
    with zipfile.ZipFile(fake, "w") as z:
        z.writestr("bag/../../escape.txt", "x")
    line = _one_line(cli.run(tmp_path, "verify", str(fake)))
    assert "would leave the folder" in line and "escape.txt" in line


def test_verify_of_a_folder_that_is_not_a_bag_is_one_line(tmp_path):
    (tmp_path / "folder").mkdir()
    line = _one_line(cli.run(tmp_path, "verify", str(tmp_path / "folder")))
    assert line.startswith("coopdocs verify: ") and "not a BagIt archive" in line


def test_a_malformed_sha256sums_line_is_one_line(tmp_path):
    bag = make_bag(tmp_path, tmp_path / "ran")
    sums = bag / "data" / "SHA256SUMS"
    sums.write_text(sums.read_text(encoding="utf-8") + "not a checksum line\n", encoding="utf-8")
    import bagit

    bagit.Bag(str(bag)).save(manifests=True)
    line = _one_line(cli.run(tmp_path, "verify", str(bag)))
    assert (
        "SHA256SUMS:4: value 'not a checksum line': not '<sha256>  <path inside the archive>'"
        in line
    )


def test_verify_says_that_it_runs_the_archives_code(tmp_path):
    out = cli.run(tmp_path, "verify", "--help").stdout
    assert "RUNS THE ARCHIVE'S CODE" in " ".join(out.split())


def test_source_date_epoch_in_year_10000_is_one_line(tmp_path):
    from coopdocs.tools.builddate import BuildInfoError, parse_epoch

    with pytest.raises(BuildInfoError) as info:
        parse_epoch("253402300800")  # 10000-01-01
    assert "after 2107-12-31" in str(info.value)
    assert parse_epoch("4354819198") == 4354819198


def test_trace_of_an_absolute_path_outside_the_project_is_one_line(baseline, tmp_path):
    line = _one_line(cli.run(baseline, "trace", "/etc/hostname.pdf"))
    assert line.startswith("coopdocs trace: /etc/hostname.pdf is outside this project")
    inside = cli.run(baseline, "trace", str(baseline / "reports" / "briefs" / "armenia.pdf"))
    assert inside.returncode == 0 and "reports/briefs/armenia.pdf" in inside.stdout
