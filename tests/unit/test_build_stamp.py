"""The build stamp's decision on a small made-up project (coopdocs.workflow.stamp), no Snakemake.

A stamp written for a state shows that state up to date; any change to any value it holds, to a
source, an output, Snakemake's records or the environment does not. The end-to-end cases (a real
build, each change Snakemake acts on) are tests/workflow/test_build_stamp.py.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coopdocs.workflow import stamp

OUTPUT = "out/doc.txt"
EXTRA = "elsewhere/input.txt"  # a job input outside the build's folders
# The environment of every call (pytest's own variables change between a test's phases).
ENV = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
ARGS = ["--cores", "2"]


def record(root: Path, name: str) -> None:
    """Snakemake's metadata record of output ``name``, its endtime the output's mtime."""
    path = stamp._record_path(root, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"endtime": os.stat(root / name).st_mtime}), encoding="utf-8")


def made_up(root: Path) -> Path:
    """A project: config, data, templates, one extra input, one output with its record."""
    files = {
        "config/config.yaml": "data_dir: data\ntemplates_dir: templates\n",
        "data/a.csv": "id,name\n1,one\n",
        "templates/t.md.j2": "{{ name }}\n",
        "Snakefile": "# rules\n",
        EXTRA: "input\n",
        OUTPUT: "one\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    past = time.time_ns() - 3600 * 10**9
    os.utime(root / EXTRA, ns=(past, past))
    record(root, OUTPUT)
    return root


def write_stamp(root: Path, before: dict | None = None) -> str | None:
    dag = root / ".snakemake" / "dag.json"
    dag.write_text(json.dumps({"outputs": [OUTPUT], "sources": [EXTRA]}), encoding="utf-8")
    before = stamp.sources(root) if before is None else before
    return stamp.write(
        root, before, stamp.build_key(root, ARGS, ENV), dag, time.time_ns() - 10**9, ENV
    )


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    monkeypatch.setitem(ENV, "GIT_CEILING_DIRECTORIES", str(tmp_path))
    root = made_up(tmp_path / "p")
    assert write_stamp(root) is None
    return root


def test_a_written_stamp_shows_the_state_up_to_date(project):
    assert stamp.stale_reason(project, ARGS, ENV) is None
    saved = json.loads((project / stamp.STAMP).read_text(encoding="utf-8"))
    assert {OUTPUT, EXTRA, "data/a.csv", "templates/t.md.j2", "Snakefile"} <= set(
        saved["sources"]
    ) | set(saved["outputs"])


def _leaves(value, path=()):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _leaves(v, (*path, k))
    elif isinstance(value, list) and value:
        for i, v in enumerate(value):
            yield from _leaves(v, (*path, i))
    else:
        yield path


def _changed(value):
    if isinstance(value, bool) or value is None:
        return 0 if value is None else not value
    if isinstance(value, int | float):
        return value + 1
    if isinstance(value, str):
        return value + "x"
    return [0]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_change_to_the_stamp_is_not_up_to_date(project, data):
    path = project / stamp.STAMP
    good = path.read_text(encoding="utf-8")
    saved = json.loads(good)
    where = data.draw(st.sampled_from(list(_leaves(saved))))
    parent = saved
    for step in where[:-1]:
        parent = parent[step]
    parent[where[-1]] = _changed(parent[where[-1]])
    path.write_text(json.dumps(saved), encoding="utf-8")
    try:
        assert stamp.stale_reason(project, ARGS, ENV) is not None, where
    finally:
        path.write_text(good, encoding="utf-8")


@pytest.mark.parametrize(
    "change",
    [
        lambda r: (r / "data/a.csv").write_text("id,name\n1,One\n", encoding="utf-8"),
        lambda r: (r / "data/b.csv").write_text("new\n", encoding="utf-8"),
        lambda r: (r / "templates/t.md.j2").unlink(),
        lambda r: (r / EXTRA).write_text("Input\n", encoding="utf-8"),
        lambda r: (r / OUTPUT).unlink(),
        lambda r: os.utime(r / OUTPUT),
        lambda r: stamp._record_path(r, OUTPUT).unlink(),
        lambda r: (
            (r / ".snakemake/incomplete").mkdir(parents=True)
            or (r / ".snakemake/incomplete/x").write_text("", encoding="utf-8")
        ),
        lambda r: (
            (r / ".snakemake/locks").mkdir(parents=True)
            or (r / ".snakemake/locks/0.input.lock").write_text("", encoding="utf-8")
        ),
        lambda r: (r / "config/config.yaml").write_text(
            "data_dir: data\ntemplates_dir: templates\nsource_date_epoch_fallback: 1\n",
            encoding="utf-8",
        ),
    ],
    ids=[
        "data-edit",
        "data-file-added",
        "template-removed",
        "extra-input-edit",
        "output-deleted",
        "output-touched",
        "record-removed",
        "incomplete-mark",
        "lock",
        "config",
    ],
)
def test_a_change_is_not_up_to_date(project, change):
    change(project)
    assert stamp.stale_reason(project, ARGS, ENV) is not None


def test_an_edit_of_the_same_size_and_mtime_is_not_up_to_date(project):
    path = project / "data/a.csv"
    st_before = os.stat(path)
    path.write_text("id,name\n1,eno\n", encoding="utf-8")
    os.utime(path, ns=(st_before.st_atime_ns, st_before.st_mtime_ns))
    assert stamp.stale_reason(project, ARGS, ENV) is not None


@pytest.mark.parametrize("name", ["SOURCE_DATE_EPOCH", "COOPDOCS_SOURCE_COMMIT", "PYTHONPATH", "X"])
def test_an_environment_change_is_not_up_to_date(project, name):
    env = dict(ENV)
    env[name] = env.get(name, "") + "1"
    assert stamp.stale_reason(project, ARGS, env) is not None


@pytest.mark.parametrize("args", [["--cores", "1"], ["-c2"], ["--cores", "all"], []])
def test_other_cores_are_not_up_to_date(project, args):
    assert stamp.stale_reason(project, args, ENV) is not None


@pytest.mark.parametrize("args", [["--cores", "2", "--quiet"], ["-p", "--cores", "2", "-k"]])
def test_what_snakemake_prints_does_not_matter(project, args):
    assert stamp.stale_reason(project, args, ENV) is None


def test_no_stamp_when_a_source_changed_during_the_run(tmp_path, monkeypatch):
    monkeypatch.setitem(ENV, "GIT_CEILING_DIRECTORIES", str(tmp_path))
    root = made_up(tmp_path / "p")
    before = stamp.sources(root)
    (root / "data/a.csv").write_text("id,name\n1,two\n", encoding="utf-8")
    assert write_stamp(root, before) is not None
    assert not (root / stamp.STAMP).exists()


def test_no_stamp_when_an_extra_input_was_written_during_the_run(tmp_path, monkeypatch):
    monkeypatch.setitem(ENV, "GIT_CEILING_DIRECTORIES", str(tmp_path))
    root = made_up(tmp_path / "p")
    os.utime(root / EXTRA)  # now: after the run began
    assert write_stamp(root) is not None
    assert not (root / stamp.STAMP).exists()


def test_no_stamp_when_an_output_changed_during_the_run_after_its_job(tmp_path, monkeypatch):
    monkeypatch.setitem(ENV, "GIT_CEILING_DIRECTORIES", str(tmp_path))
    root = made_up(tmp_path / "p")
    os.utime(root / OUTPUT)  # now: after the job's recorded end, during the run
    assert stamp.recorded_mtimes_hold(root, [OUTPUT], time.time_ns() - 10**9) is False
    assert write_stamp(root) is not None
    assert not (root / stamp.STAMP).exists()


def test_an_output_changed_before_the_run_was_seen_by_snakemake(tmp_path, monkeypatch):
    """Touched before the run began: Snakemake decided on it as it is (its job ran, or not)."""
    monkeypatch.setitem(ENV, "GIT_CEILING_DIRECTORIES", str(tmp_path))
    root = made_up(tmp_path / "p")
    past = time.time_ns() - 60 * 10**9
    os.utime(root / OUTPUT, ns=(past, past))
    assert write_stamp(root) is None
    assert stamp.stale_reason(root, ARGS, ENV) is None


def test_invalidate_removes_whatever_is_there(project):
    stamp.invalidate(project)
    assert not (project / stamp.STAMP).exists()
    (project / stamp.STAMP).mkdir()
    stamp.invalidate(project)
    assert not (project / stamp.STAMP).exists()
    stamp.invalidate(project)  # nothing there: nothing to do


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--cores", "2"],
        ["-c2"],
        ["--cores=all", "--quiet"],
        ["-j", "4", "-p", "-k"],
        ["-q", "rules", "progress"],
    ],
)
def test_plain_builds(args):
    assert stamp.plain_build(args)


@pytest.mark.parametrize(
    "args",
    [
        ["all"],
        ["--cores", "2", "reports/briefs/russia.pdf"],
        ["--cores", "x"],
        ["-n"],
        ["--forcerun", "prepare_data"],
        ["-R", "prepare_data"],
        ["--touch"],
        ["--until", "prepare_data"],
        ["--config", "data_dir=x"],
        ["--configfile", "c.yaml"],
        ["--profile", "profiles/slurm"],
        ["--directory", "elsewhere"],
        ["--quiet=rules"],
        ["--rerun-triggers", "mtime"],
    ],
)
def test_not_plain_builds(args):
    assert not stamp.plain_build(args)
