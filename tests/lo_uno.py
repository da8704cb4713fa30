"""LibreOffice through its UNO bridge, for the test scripts that the system Python runs.

The project's virtual environment cannot import ``uno`` (Debian's python3-uno belongs to the
system Python), so the tests run small scripts with /usr/bin/python3: libreoffice_redlines.py
(tracked changes in DOCX) and workflow/lo_sheets.py (workbooks in Calc). Both start soffice the
same way, from this module: headless, with a private profile folder (so that parallel runs and a
user's own LibreOffice do not share one), listening on a pipe that the UNO resolver polls until
soffice answers.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import uno
from com.sun.star.beans import PropertyValue

# soffice takes a few seconds to start, longer on a busy machine: poll for up to 2 minutes.
_POLLS, _POLL_SECONDS = 240, 0.5


def prop(name: str, value):
    """A UNO PropertyValue (the arguments of loadComponentFromURL, storeToURL ...)."""
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def service(ctx, name: str):
    """An instance of the UNO service ``name`` ("com.sun.star.frame.Desktop") in ``ctx``."""
    return ctx.ServiceManager.createInstanceWithContext(name, ctx)


def connect(profile: Path | str) -> tuple[subprocess.Popen, object]:
    """Start a headless soffice with the profile folder ``profile``; its process and UNO context.

    Exits the script (SystemExit) when soffice stops or does not answer within two minutes.
    """
    pipe = f"coopdocs-tests-{os.getpid()}"
    proc = subprocess.Popen(
        [
            "soffice",
            f"-env:UserInstallation={Path(profile).resolve().as_uri()}",
            "--headless",
            "--invisible",
            "--nologo",
            "--norestore",
            "--nodefault",
            f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    resolver = service(uno.getComponentContext(), "com.sun.star.bridge.UnoUrlResolver")
    for _ in range(_POLLS):
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            # The desktop answers only once soffice has finished starting.
            service(ctx, "com.sun.star.frame.Desktop")
            return proc, ctx
        except Exception:  # not listening yet (NoConnectException) or still starting
            if proc.poll() is not None:
                raise SystemExit("soffice exited before it accepted a connection") from None
            time.sleep(_POLL_SECONDS)
    proc.kill()
    raise SystemExit(f"soffice did not accept a connection in {_POLLS * _POLL_SECONDS:.0f} s")


@contextlib.contextmanager
def office(profile: Path | str) -> Iterator[object]:
    """A running soffice (see :func:`connect`) for the ``with`` block: yields its UNO context,
    and stops soffice when the block ends, however it ends."""
    proc, ctx = connect(profile)
    try:
        yield ctx
    finally:
        try:
            service(ctx, "com.sun.star.frame.Desktop").terminate()
        except Exception:  # the bridge closes as soffice exits: nothing left to stop
            pass
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
