"""Snakemake's internals, fenced (coopdocs.workflow.patches).

These fail when an upgrade of Snakemake (in uv.lock) or a change in its private names would make
a patch wrong: then read the new Snakemake's code for each patch, fix it, and set
``patches.SNAKEMAKE_VERSION`` to the version the lock pins.
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from coopdocs.workflow import patches

ROOT = Path(__file__).resolve().parents[2]


def locked_version(package: str) -> str:
    text = (ROOT / "uv.lock").read_text(encoding="utf-8")
    match = re.search(
        rf'^\[\[package\]\]\nname = "{re.escape(package)}"\nversion = "([^"]+)"', text, re.M
    )
    assert match, f"{package} is not in uv.lock"
    return match.group(1)


def test_patches_were_checked_against_the_locked_snakemake():
    assert patches.SNAKEMAKE_VERSION == locked_version("snakemake"), (
        "uv.lock pins another Snakemake: check every patch against its code, then update SNAKEMAKE_VERSION"
    )
    assert patches.snakemake_version() == patches.SNAKEMAKE_VERSION, (
        "the environment is not the lock's (bootstrap.py setup)"
    )


@pytest.mark.parametrize("patch", patches.PATCHES, ids=lambda p: p.name)
def test_the_private_names_each_patch_relies_on_are_there(patch):
    assert patch.check() == []


def test_every_patch_applies_with_the_pinned_snakemake():
    assert patches.plan() == {p.name: None for p in patches.PATCHES}
    code = (
        "from coopdocs.workflow import patches as p; from snakemake.scheduling.job_scheduler import JobScheduler as J;"
        "print(p.apply(), J._schedule_reevalutation is p._schedule_once, J.update_input_sizes is p._update_input_sizes)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert proc.stdout.split("}")[1].split() == ["True", "True"]
    assert "'rate_limit_timer': True, 'input_sizes': True, 'checkpoint_memo': True" in proc.stdout
    assert proc.stderr == ""


def test_another_snakemake_is_left_alone_and_said_once():
    reasons = patches.plan(version="9.99.0")
    assert all("9.99.0 is not" in why for why in reasons.values())
    code = (
        "import snakemake; snakemake.__version__ = '9.99.0'\n"
        "from coopdocs.workflow import patches as p; from snakemake.scheduling.job_scheduler import JobScheduler as J\n"
        "print(p.apply(), p.apply(), J._schedule_reevalutation is p._schedule_once)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert proc.stdout.strip().endswith("False") and "True" not in proc.stdout
    said = (proc.stdout + proc.stderr).count("not patched")
    assert said == 1, proc.stderr


def test_a_missing_private_name_disables_only_its_patch(monkeypatch):
    from snakemake.scheduling.job_scheduler import JobScheduler

    monkeypatch.delattr(JobScheduler, "update_input_sizes")
    reasons = patches.plan(wanted="")
    assert reasons["rate_limit_timer"] is None and reasons["checkpoint_memo"] is None
    assert "update_input_sizes" in reasons["input_sizes"]


def test_patches_can_be_left_out_for_a_measurement():
    reasons = patches.plan(wanted="input_sizes")
    assert reasons["input_sizes"] is None
    assert reasons["rate_limit_timer"] == reasons["checkpoint_memo"] == f"left out by {patches.ENV}"


def test_one_pending_reevaluation_timer():
    class Scheduler:
        _open_jobs = threading.Semaphore(0)

    s = Scheduler()
    patches._schedule_once(s, 0.2)
    first = s._coopdocs_timer
    patches._schedule_once(s, 0.2)
    assert s._coopdocs_timer is first and first.daemon
    assert s._open_jobs.acquire(timeout=2)
    time.sleep(0.05)
    assert not s._open_jobs.acquire(blocking=False)  # one release, not two
    patches._schedule_once(s, 0.01)  # the first has fired: a new one may be armed
    assert s._coopdocs_timer is not first


def test_input_sizes_measured_once_per_file():
    import asyncio

    class File(str):
        calls = 0

        async def exists(self):
            return True

        async def size(self):
            File.calls += 1
            return 7

    class Job:
        def __init__(self, *paths):
            self.input = [File(p) for p in paths]

    class Scheduler:
        _input_sizes: dict = {}

    s = Scheduler()
    asyncio.run(patches._update_input_sizes(s, [Job("a", "b"), Job("b")]))
    asyncio.run(patches._update_input_sizes(s, [Job("a", "b", "c")]))
    assert File.calls == 3 and s._input_sizes == {"a": 7, "b": 7, "c": 7}


def test_checkpoint_done_remembers_and_raises_without_expanding(monkeypatch):
    from snakemake.exceptions import IncompleteCheckpointException

    class Checkpoint:
        gets = 0

        def get(self):
            Checkpoint.gets += 1
            if "out/first" not in checkpoints.created_output:
                raise IncompleteCheckpointException(rule="r", targetfile="out/first")

    class Checkpoints:
        created_output: set = set()
        prep = Checkpoint()

    checkpoints = Checkpoints()
    monkeypatch.setitem(patches._STATE, "checkpoint_memo", True)
    monkeypatch.setattr(patches, "_COMPLETE_CHECKPOINTS", set())
    monkeypatch.setattr(patches, "_PENDING_CHECKPOINTS", {})
    for _ in range(3):
        with pytest.raises(IncompleteCheckpointException):
            patches.checkpoint_done(checkpoints, "prep")
    assert Checkpoint.gets == 1  # raised again without asking Snakemake
    checkpoints.created_output.add(IncompleteCheckpointException("r", "out/first").targetfile)
    checkpoints.created_output.add("out/first")
    patches.checkpoint_done(checkpoints, "prep")
    patches.checkpoint_done(checkpoints, "prep")
    assert Checkpoint.gets == 2


def test_input_checksums_hashed_once_per_state_of_a_file(tmp_path, monkeypatch):
    import asyncio
    import hashlib
    import os

    calls = []

    async def original(self, threshold=None, force=False, algorithm=None):
        calls.append(self.file)
        return "sha256:" + hashlib.sha256(Path(self.file).read_bytes()).hexdigest()

    class File:
        is_storage = False

        def __init__(self, path):
            self.file = str(path)

    monkeypatch.setattr(patches, "_original_checksum", original)
    monkeypatch.setattr(patches, "_CHECKSUMS", {})
    path = tmp_path / "context.json"
    path.write_text("one", encoding="utf-8")

    def checksum(f, **kw):
        return asyncio.run(patches._checksum_once(f, 1_000_000, **kw))

    first = checksum(File(path))
    assert checksum(File(path)) == first and len(calls) == 1  # the same state: hashed once
    tmp = tmp_path / "new"
    tmp.write_text("two", encoding="utf-8")
    os.replace(tmp, path)  # an atomic rewrite, as every job writes
    second = checksum(File(path))
    assert second != first and second == "sha256:" + hashlib.sha256(b"two").hexdigest()
    assert len(calls) == 2
    checksum(File(path), force=True)  # forced, another algorithm, storage: Snakemake's own
    checksum(File(path), algorithm="md5")
    stored = File(path)
    stored.is_storage = True
    checksum(stored)
    assert len(calls) == 5
    with pytest.raises(FileNotFoundError):  # a missing file: Snakemake's own answer (here, raising)
        checksum(File(tmp_path / "absent"))
    assert len(calls) == 6
