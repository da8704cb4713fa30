"""Build metadata: the build date (SOURCE_DATE_EPOCH) and the version of the data.

Outputs never contain the wall-clock time. The build date is ``SOURCE_DATE_EPOCH`` when set (it
must be a non-negative integer: pandoc silently falls back to "now" on anything else, so we
refuse it), otherwise the time of the last git commit, otherwise a fixed fallback from the
configuration.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
from pathlib import Path


# 2107-12-31T23:59:58Z: the last time a ZIP entry (DOCX, XLSX, the archive) can record.
MAX_EPOCH = 4354819198


class BuildInfoError(ValueError):
    """SOURCE_DATE_EPOCH or another build setting is unusable."""


def parse_epoch(value: str) -> int:
    """Parse a SOURCE_DATE_EPOCH value, refusing anything but a non-negative integer.

    >>> parse_epoch("1672358400")
    1672358400
    """
    if not re.fullmatch(r"[0-9]{1,12}", value.strip()):
        raise BuildInfoError(
            f"SOURCE_DATE_EPOCH={value!r} is not a number of seconds since 1970-01-01 "
            "(e.g. SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)); unset it to use the last commit's time"
        )
    if int(value.strip()) > MAX_EPOCH:
        raise BuildInfoError(
            f"SOURCE_DATE_EPOCH={value!r} is after 2107-12-31, the last date a ZIP file (DOCX, XLSX) can hold; "
            "unset it to use the last commit's time"
        )
    return int(value.strip())


def git_commit_time(root: Path) -> int | None:
    """Committer time of HEAD in ``root``, or None outside a git work tree."""
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=root, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        return None
    text = out.stdout.strip()
    return int(text) if out.returncode == 0 and text.isdigit() else None


def source_date_epoch(root: Path, fallback: int, environ: dict[str, str] | None = None) -> int:
    """The build's SOURCE_DATE_EPOCH: the environment's, else HEAD's commit time, else ``fallback``."""
    env = os.environ if environ is None else environ
    if env.get("SOURCE_DATE_EPOCH", "") != "":
        return parse_epoch(env["SOURCE_DATE_EPOCH"])
    commit = git_commit_time(root)
    return commit if commit is not None else fallback


def iso_date(epoch: int) -> str:
    """The UTC calendar date of an epoch, as shown in documents.

    >>> iso_date(1672358400)
    '2022-12-30'
    """
    return dt.datetime.fromtimestamp(epoch, tz=dt.timezone.utc).date().isoformat()
