"""bootstrap.py's setup stamp: `build` and `test` skip uv's check only when nothing a setup
depends on changed since the last finished one (the lock, pyproject.toml, the interpreter, the
environment's packages)."""

from __future__ import annotations

import importlib.util
import json
import os
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def boot(tmp_path, monkeypatch):
    """bootstrap.py as a module, pointed at a fake project and environment in ``tmp_path``."""
    spec = importlib.util.spec_from_file_location("bootstrap_under_test", ROOT / "bootstrap.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    venv = tmp_path / ".venv"
    site = Path(sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)}))
    site.mkdir(parents=True)
    (venv / module.BIN).mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n", encoding="utf-8")
    (tmp_path / "uv.lock").write_text("version = 1\n", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    monkeypatch.setattr(module, "ROOT", tmp_path)
    monkeypatch.setattr(module, "VENV", venv)
    monkeypatch.setattr(module, "SETUP_STAMP", venv / ".coopdocs-setup.json")
    module.site = site
    return module


def _finish_setup(boot) -> None:
    boot.SETUP_STAMP.write_text(json.dumps(boot.setup_state()), encoding="utf-8")


def test_no_stamp_or_a_broken_one_is_not_set_up(boot):
    assert not boot.set_up_already()
    boot.SETUP_STAMP.write_text("{not json", encoding="utf-8")
    assert not boot.set_up_already()
    _finish_setup(boot)
    assert boot.set_up_already()


@pytest.mark.parametrize(
    "change",
    [
        lambda b: (b.ROOT / "uv.lock").write_text("version = 2\n", encoding="utf-8"),
        lambda b: (b.ROOT / "pyproject.toml").write_text("[project]\nname='y'\n", encoding="utf-8"),
        lambda b: (b.site / "extra-1.0.dist-info").mkdir(),
        lambda b: (b.VENV / b.BIN / "tool").write_text("", encoding="utf-8"),
        lambda b: (b.VENV / "pyvenv.cfg").unlink(),
        lambda b: os.rename(b.site, b.site.with_name("moved")),
    ],
    ids=["lock", "pyproject", "package-added", "script-added", "venv-gone", "site-gone"],
)
def test_any_change_a_setup_depends_on_asks_uv_again(boot, change):
    _finish_setup(boot)
    change(boot)
    assert not boot.set_up_already()


def test_another_interpreter_asks_uv_again(boot, monkeypatch):
    _finish_setup(boot)
    monkeypatch.setattr(boot.sys, "executable", "/elsewhere/python3")
    assert not boot.set_up_already()
