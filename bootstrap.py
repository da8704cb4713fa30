#!/usr/bin/env python3
"""Front door: set up the project's environment from the lock file, then build or test.

    python3 bootstrap.py build [snakemake options]   # every report into reports/ (coopdocs build)
    python3 bootstrap.py test  [pytest options]      # unit, template and end-to-end tests
    python3 bootstrap.py setup                       # only the environment

Needs nothing but Python 3.11+ with pip and venv. It installs a pinned uv into .tools/ and lets
uv install exactly the versions in uv.lock into .venv/ (`uv sync --frozen`), so every machine
builds with the same pandoc, Typst and Python packages. Standard library only.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
TOOLS = ROOT / ".tools"
VENV = ROOT / ".venv"
UV_VERSION = "0.13.9"
BIN = "Scripts" if os.name == "nt" else "bin"


def run(cmd: list[str], **kwargs) -> None:
    """Run a command, echoing it; stop with its exit code when it fails."""
    print("+ " + " ".join(str(c) for c in cmd), file=sys.stderr, flush=True)
    code = subprocess.call([str(c) for c in cmd], **kwargs)
    if code != 0:
        sys.exit(code)


def ensure_uv() -> Path:
    """A uv of the pinned version in .tools/, installed with pip on first use."""
    uv = TOOLS / BIN / "uv"
    stamp = TOOLS / f"uv-{UV_VERSION}"
    if not (uv.exists() and stamp.exists()):
        if not (TOOLS / BIN / "python").exists():
            venv.EnvBuilder(with_pip=True, clear=True).create(TOOLS)
        run(
            [
                TOOLS / BIN / "python",
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                f"uv=={UV_VERSION}",
            ]
        )
        stamp.touch()
    return uv


# What the last finished setup was made from (setup_state): `build` and `test` skip uv's check
# (~0.5 s, 1 CPU-s) when nothing it depends on changed since; `setup` always asks uv.
SETUP_STAMP = VENV / ".coopdocs-setup.json"


def _digest(path: Path) -> str:
    """The SHA-256 of a file's content."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def setup_state() -> dict | None:
    """What a finished setup depends on: the pinned uv, this interpreter, the lock file and
    pyproject.toml (by content), and the environment's folders of packages and scripts (by
    modification time and inode: installing, removing or upgrading a package changes their
    entries). None when the environment is incomplete."""
    site = sysconfig.get_path("purelib", vars={"base": str(VENV), "platbase": str(VENV)})
    try:
        folders = {str(f): [os.stat(f).st_mtime_ns, os.stat(f).st_ino] for f in (site, VENV / BIN)}
        return {
            "uv": UV_VERSION,
            "python": [sys.executable, sys.version],
            "lock": _digest(ROOT / "uv.lock"),
            "pyproject": _digest(ROOT / "pyproject.toml"),
            "venv": _digest(VENV / "pyvenv.cfg"),
            "folders": folders,
        }
    except OSError:
        return None


def set_up_already() -> bool:
    """Whether the environment is as the last finished setup left it (see :func:`setup_state`)."""
    try:
        recorded = json.loads(SETUP_STAMP.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    state = setup_state()
    return state is not None and recorded == state


def setup(check: bool = True) -> None:
    """Install exactly what uv.lock pins (the project, its tools and the test extras) into .venv/.

    ``check`` False: skip uv when the environment is as the last finished setup left it
    (:func:`set_up_already`); the project's own modules are compiled either way.
    """
    if not check and set_up_already():
        _compile_sources(dict(os.environ))
        return
    SETUP_STAMP.unlink(missing_ok=True)
    uv = ensure_uv()
    env = dict(os.environ)
    env.update(
        UV_PROJECT_ENVIRONMENT=str(VENV),
        UV_PYTHON=sys.executable,  # use this interpreter; never download one
        UV_PYTHON_DOWNLOADS="never",
        # Byte-compile at install time: where PYTHONDONTWRITEBYTECODE is set, Python would
        # otherwise recompile every module in every job (measured: a no-op build 5.8 s -> 2.3 s).
        UV_COMPILE_BYTECODE="1",
    )
    run([uv, "sync", "--frozen", "--extra", "test", "--quiet"], cwd=ROOT, env=env)
    _compile_sources(env)
    state = setup_state()
    if state is not None:
        SETUP_STAMP.write_text(json.dumps(state), encoding="utf-8")


def _compile_sources(env: dict[str, str]) -> None:
    """The project's own modules are installed editable (not compiled by uv): compile them too."""
    run([VENV / BIN / "python", "-m", "compileall", "-q", str(ROOT / "src")], cwd=ROOT, env=env)


def main(argv: list[str]) -> int:
    """Dispatch ``setup``, ``build`` or ``test``."""
    if not argv or argv[0] not in {"setup", "build", "test"}:
        print(__doc__, file=sys.stderr)
        return 2
    command, rest = argv[0], argv[1:]
    setup(check=command == "setup")
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(VENV / BIN), env.get("PATH", "")])
    if command == "build":
        cores = (
            []
            if any(a.startswith(("-c", "--cores", "-j", "--jobs")) for a in rest)
            else ["--cores", "all"]
        )
        # `coopdocs build`: Snakemake, or its no-op decided by the build stamp without starting
        # it (src/coopdocs/workflow/stamp.py; `--no-stamp` always asks Snakemake).
        build = [str(VENV / BIN / "coopdocs"), "build", *cores, *rest]
        return subprocess.call(build, cwd=ROOT, env=env)
    if command == "test":
        return subprocess.call([str(VENV / BIN / "pytest"), *rest], cwd=ROOT, env=env)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
