"""The tools layer: the build-date policy, the configuration through its schema, deterministic zips."""

from __future__ import annotations

import io
import os
import subprocess
import zipfile
from pathlib import Path

import pytest
import yaml

import helpers
from coopdocs.tools import builddate, git, revision
from coopdocs.tools.builddate import BuildInfoError, archival_epoch, input_paths, source_date_epoch
from coopdocs.tools.config import ConfigError, load_config
from coopdocs.tools.zips import entry, rewrite_zip, write_zip

ROOT = Path(__file__).resolve().parents[2]
T1, T2, T3, T4 = 1700000000, 1700100000, 1700200000, 1700300000


def commit(repo: Path, when: int, message: str) -> None:
    helpers.git(repo, "add", "-A", when=when)
    helpers.git(repo, "commit", "-q", "-m", message, when=when)


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    """A project whose inputs were last committed at T1 and whose README at T2."""
    repo = tmp_path / "project"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    for rel in (
        "Snakefile",
        "data/projects.csv",
        "templates/brief.md.j2",
        "config/config.yaml",
        "README.md",
    ):
        write(repo / rel, f"{rel}\n")
    commit(repo, T1, "inputs")
    write(repo / "README.md", "Changed words.\n")
    commit(repo, T2, "README only")
    return repo


def test_the_build_is_dated_by_its_inputs_not_by_head(repo):
    assert git.commit_time(repo) == T2
    assert source_date_epoch(repo, 0, {}) == T1
    # Documentation and tests change no output either.
    write(repo / "docs" / "guide.md", "More.\n")
    write(repo / "tests" / "test_x.py", "def test(): pass\n")
    commit(repo, T3, "docs and tests")
    assert source_date_epoch(repo, 0, {}) == T1


def test_uncommitted_input_changes_do_not_move_the_date(repo):
    write(repo / "data" / "projects.csv", "edited\n")
    assert git.is_dirty(repo)
    assert source_date_epoch(repo, 0, {}) == T1


def test_a_commit_to_any_input_moves_the_date(repo):
    for when, rel in ((T3, "templates/brief.md.j2"), (T4, "uv.lock")):
        write(repo / rel, "new\n")
        commit(repo, when, rel)
        assert source_date_epoch(repo, 0, {}) == when


def test_the_configured_data_folder_is_an_input(repo):
    write(repo / "elsewhere" / "projects.csv", "x\n")
    commit(repo, T3, "data elsewhere")
    assert source_date_epoch(repo, 0, {}) == T1
    assert (
        source_date_epoch(
            repo, 0, {}, config={"data_dir": "elsewhere", "templates_dir": "templates"}
        )
        == T3
    )


def test_diff_mode_dates_a_revision_by_its_own_inputs(repo):
    write(repo / "data" / "projects.csv", "edited\n")
    commit(repo, T3, "data")
    assert source_date_epoch(repo, 0, {}, revision="HEAD~1") == T1
    assert source_date_epoch(repo, 0, {}, revision="HEAD") == T3


def test_source_date_epoch_wins_and_is_checked(repo):
    assert source_date_epoch(repo, 0, {"SOURCE_DATE_EPOCH": "42"}) == 42
    with pytest.raises(BuildInfoError, match="not a number"):
        source_date_epoch(repo, 0, {"SOURCE_DATE_EPOCH": "yesterday"})
    assert source_date_epoch(repo.parent / "not-a-repo", 123, {}) == 123


def test_archive_mode_needs_an_explicit_date_or_the_commit(repo):
    with pytest.raises(BuildInfoError, match="explicit SOURCE_DATE_EPOCH"):
        archival_epoch(repo, environ={})
    assert archival_epoch(repo, environ={"SOURCE_DATE_EPOCH": "7"}) == 7
    assert archival_epoch(repo, from_commit=True, environ={"SOURCE_DATE_EPOCH": "7"}) == T1


def test_input_paths_leave_out_folders_outside_the_project():
    paths = input_paths({"data_dir": "/srv/data", "templates_dir": "../templates"})
    assert paths == sorted(builddate.BUILD_INPUTS)


def test_config_is_read_through_its_schema(tmp_path):
    project = revision.copy_project(ROOT, tmp_path / "p", ["config"])
    config = load_config(project)
    assert config["data_dir"] == "data" and config == load_config(project, validate=False)
    settings = yaml.safe_load((project / "config" / "config.yaml").read_text(encoding="utf-8"))
    settings["detailed_states_max"] = "twelve"
    del settings["csl"]
    (project / "config" / "config.yaml").write_text(yaml.safe_dump(settings), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(project)
    assert "detailed_states_max: 'twelve' is not of type 'integer'" in str(err.value)
    assert "'csl' is a required property" in str(err.value)


def test_config_defaults_come_from_the_schema(tmp_path):
    project = revision.copy_project(ROOT, tmp_path / "p", ["config"])
    schema_path = project / "config" / "schema.yaml"
    schema = yaml.safe_load(schema_path.read_text(encoding="utf-8"))
    schema["properties"]["detailed_states_max"]["default"] = 7
    schema["properties"]["article"]["properties"]["version"]["default"] = "0.1"
    schema_path.write_text(yaml.safe_dump(schema), encoding="utf-8")
    settings = yaml.safe_load((project / "config" / "config.yaml").read_text(encoding="utf-8"))
    del settings["detailed_states_max"]
    (project / "config" / "config.yaml").write_text(yaml.safe_dump(settings), encoding="utf-8")
    config = load_config(project)
    assert config["detailed_states_max"] == 7
    assert config["article"]["version"] == "1.0"  # a value given keeps its value


def test_zip_entries_are_fixed_and_rewrites_keep_or_fix_headers():
    buf = io.BytesIO()
    write_zip(buf, [(entry("b.xml", 0), b"<b/>"), (entry("a.xml", 1672358400), b"<a/>")])
    with zipfile.ZipFile(buf) as z:
        infos = z.infolist()
    assert [i.filename for i in infos] == ["b.xml", "a.xml"]  # the order given
    assert infos[0].date_time == (1980, 1, 1, 0, 0, 0) and infos[1].date_time == (
        2022,
        12,
        30,
        0,
        0,
        0,
    )
    assert {i.external_attr >> 16 for i in infos} == {0o644}
    upper = rewrite_zip(buf.getvalue(), lambda name, data: data.upper())
    with zipfile.ZipFile(io.BytesIO(upper)) as z:
        assert z.read("a.xml") == b"<A/>" and z.infolist()[1].date_time == (2022, 12, 30, 0, 0, 0)
    redated = rewrite_zip(buf.getvalue(), epoch=1700000000)
    assert {i.date_time for i in zipfile.ZipFile(io.BytesIO(redated)).infolist()} == {
        (2023, 11, 14, 22, 13, 20)
    }
    assert rewrite_zip(buf.getvalue(), epoch=1700000000) == redated


def test_overlay_keeps_the_first_build_and_writes_only_changed_files(tmp_path):
    """The second version of a diff is the first's built folder with its own files: a changed
    file is newer than the first build's outputs, an unchanged one keeps its time, a file only the
    first version had is gone, and the first build's outputs are there for Snakemake to reuse."""
    first, second = tmp_path / "a", tmp_path / "b"
    for folder, texts in ((first, ("same", "old", "gone")), (second, ("same", "new", None))):
        (folder / "data").mkdir(parents=True)
        for name, text in zip(("same.csv", "changed.csv", "removed.csv"), texts):
            if text is not None:
                (folder / "data" / name).write_text(text, encoding="utf-8")
    sources = revision.files_of(first)
    (first / "build").mkdir()
    (first / "build" / "out.md").write_text("built", encoding="utf-8")
    old = 1_600_000_000
    for path in (
        first / "data" / "same.csv",
        first / "data" / "changed.csv",
        first / "build" / "out.md",
    ):
        os.utime(path, (old, old))
    dest = revision.overlay(first, sources, second, tmp_path / "c")
    assert (dest / "build" / "out.md").read_text(encoding="utf-8") == "built"
    assert (dest / "data" / "changed.csv").read_text(encoding="utf-8") == "new"
    assert (dest / "data" / "changed.csv").stat().st_mtime > old
    assert (dest / "data" / "same.csv").stat().st_mtime == old
    assert (dest / "build" / "out.md").stat().st_mtime == old
    assert not (dest / "data" / "removed.csv").exists()
