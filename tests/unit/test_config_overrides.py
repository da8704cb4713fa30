"""Preview, diff and archive honour the language: their ``--config KEY=VALUE`` settings reach the
builds they run and the templates they render (issue 34)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from coopdocs.archive import bag
from coopdocs.cli import build_parser
from coopdocs.preview.session import PreviewSession
from coopdocs.review import diff
from coopdocs.review.versions import Version
from coopdocs.tools import revision
from coopdocs.tools.config import ConfigError, load_config, parse_overrides

ROOT = Path(__file__).resolve().parents[2]


def test_overrides_are_read_as_snakemake_reads_them():
    assert parse_overrides(["language=ru", "detailed_states_max=5"]) == {
        "language": "ru",
        "detailed_states_max": 5,
    }
    with pytest.raises(ConfigError, match="not KEY=VALUE"):
        parse_overrides(["ru"])


def test_overrides_go_through_the_schema():
    assert load_config(ROOT, overrides={"language": "ru"})["language"] == "ru"
    with pytest.raises(ConfigError, match="language"):
        load_config(ROOT, overrides={"language": "not a tag"})


@pytest.mark.parametrize("command", ["diff", "archive", "preview"])
def test_the_commands_take_config(command):
    args = build_parser().parse_args([command, "--config", "language=ru"])
    assert args.config == ["language=ru"]


def _fake_build(calls):
    def build(project, *args, **kwargs):
        calls.append(args)
        return subprocess.CompletedProcess(args, 0, "", "")

    return build


def test_diff_builds_each_version_with_the_settings(tmp_path, monkeypatch):
    project = tmp_path / "project"
    for name in ("config", "data"):
        shutil.copytree(ROOT / name, project / name)
    calls: list[tuple] = []
    monkeypatch.setattr(revision, "build", _fake_build(calls))
    diff.build(Version("HEAD", "abc", project), 0, config=("language=ru",))
    (args,) = calls
    # Targets first: Snakemake's --config takes every word after it.
    assert args[-2:] == ("--config", "language=ru") and args[0] == "--nolock"


def test_archive_builds_the_snapshot_with_the_settings(tmp_path, monkeypatch):
    calls: list[tuple] = []
    monkeypatch.setattr(revision, "extract", lambda tar, dest: dest)
    monkeypatch.setattr(revision, "build", _fake_build(calls))
    bag.build_snapshot(tmp_path / "s.tar", tmp_path, 0, "abc", config=("language=ru",))
    assert calls == [("--quiet", "--config", "language=ru")]


def test_the_preview_renders_in_the_language(tmp_path):
    session = PreviewSession(ROOT, out=tmp_path, overrides={"language": "ru"})
    session._load_settings()
    assert session.settings["language"] == "ru"
    env = session._env()
    assert Path(env.get_template("brief.md.j2").filename).parent.name == "ru"
    assert env.globals["words"]["documents"]["tables"]["keyword"] == "сравнительные таблицы"
