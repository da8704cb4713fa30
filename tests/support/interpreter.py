"""Running Python code in a fresh interpreter of this environment, as a new process starts."""

from __future__ import annotations

import os
import subprocess
import sys


def fresh_python(code: str, **env: str) -> str:
    """``code`` in a fresh interpreter of this environment (its .pth files run first), with
    ``env`` added to this process's environment: its standard output, stripped."""
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **env},
    )
    return result.stdout.strip()
