"""The records changed since HEAD come from one git process for every table (tools.git.head_texts)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from coopdocs.tools import git


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


DESCRIPTOR = {
    "resources": [
        {"path": name, "schema": {"primaryKey": "id"}}
        for name in ("a.csv", "b b.csv", "new.csv", "gone.csv", "same.csv")
    ]
}


def test_changed_added_removed_untracked_and_deleted_rows_are_listed(tmp_path):
    root = tmp_path / "repo"
    data = root / "data"
    data.mkdir(parents=True)
    files = {
        "a.csv": "id,name\na1,Alpha\na2,Beta\n",
        "b b.csv": "id,name\nb1,Été\n",
        "gone.csv": "id,name\ng1,Gone\n",
        "same.csv": "id,name\ns1,Same\n",
    }
    for name, text in files.items():
        (data / name).write_text(text, encoding="utf-8")
    _git(root, "init", "-q")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "data")
    (data / "a.csv").write_text("id,name\na1,Alpha  \na3,Gamma\n", encoding="utf-8")  # a2 out
    (data / "b b.csv").write_text("id,name\nb1,Ete\n", encoding="utf-8")
    (data / "new.csv").write_text("id,name\nn1,New\n", encoding="utf-8")  # untracked
    (data / "gone.csv").unlink()
    got = git.changed_records(data, DESCRIPTOR)
    assert got["commit"] and got["changed"] == ["a2", "a3", "b1", "g1", "n1"]
    texts = git.head_texts(data, ["data/a.csv", "data/new.csv", "data", "data/b b.csv"])
    assert texts == [files["a.csv"], None, None, files["b b.csv"]]  # a folder is no file


def test_outside_git_nothing_is_at_head(tmp_path):
    assert git.head_texts(tmp_path, ["a.csv"]) == [None]
    assert git.changed_records(tmp_path, DESCRIPTOR) == {"commit": "", "changed": []}
