"""Running the ``coopdocs`` command line from a test: in this process, or as the build runs it."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path

# The command as the workflow's rules run it (the console script of this environment).
COOPDOCS = str(Path(sys.executable).parent / "coopdocs")


def call(*args: str) -> tuple[int, str, str]:
    """``coopdocs ARGS`` in this process: its exit code, standard output and standard error."""
    from coopdocs.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(arg) for arg in args])
    return code, out.getvalue(), err.getvalue()


def check(*args: str) -> str:
    """``coopdocs ARGS`` in this process, which must succeed: its standard output."""
    code, out, err = call(*args)
    if code != 0:
        raise AssertionError(f"coopdocs {' '.join(map(str, args))} failed ({code}):\n{err}")
    return out


def run(
    cwd: Path, *args: str, env: dict | None = None, timeout: float = 300, drop: tuple = ()
) -> subprocess.CompletedProcess:
    """``coopdocs ARGS`` as a separate process in ``cwd``, its output captured as text.

    ``env`` is added to this process's environment, after the variables named in ``drop`` are
    removed from it (for instance SOURCE_DATE_EPOCH, to see the command choose its own date).
    """
    full = {key: value for key, value in os.environ.items() if key not in drop}
    full.update(env or {})
    return subprocess.run(
        [COOPDOCS, *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=full,
        timeout=timeout,
    )
