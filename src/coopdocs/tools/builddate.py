"""The build date (SOURCE_DATE_EPOCH): one policy, in three modes.

Outputs never contain the wall-clock time. A build is dated by its inputs: the time of the last
commit that changed the data, the templates, the configuration, the code, the workflow or the
lock file (:func:`input_paths`). A commit that changes only the README, the documentation or the
tests therefore changes no output's bytes and Snakemake reruns nothing; uncommitted changes do not
move the date either (only a commit does). ``SOURCE_DATE_EPOCH``, when set, wins; it must be a
non-negative integer (pandoc silently falls back to "now" on anything else, so it is refused).

The modes:

- **build** (:func:`source_date_epoch`, the workflow at parse time): ``SOURCE_DATE_EPOCH``, else
  the inputs' last commit time, else ``source_date_epoch_fallback`` of the configuration (outside
  git).
- **diff** (:func:`source_date_epoch` with ``revision``): ``coopdocs diff A B`` builds both
  versions with one date: ``SOURCE_DATE_EPOCH``, else the inputs' last commit time at B (at HEAD
  for the work tree), else the fallback.
- **archive** (:func:`archival_epoch`): an archival build states its date explicitly:
  ``SOURCE_DATE_EPOCH`` is required, or ``--epoch-from-commit`` takes the inputs' last commit time
  at HEAD, the date an ordinary build of that commit has.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from coopdocs.tools import git

# What a build reads besides the data and templates folders the configuration names: a commit
# that changes none of these (nor those folders) changes no output.
BUILD_INPUTS = ("Snakefile", "rules", "config", "src", "pyproject.toml", "uv.lock")


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
            "(e.g. SOURCE_DATE_EPOCH=1672358400); unset it to date the build by its last commit"
        )
    if int(value.strip()) > MAX_EPOCH:
        raise BuildInfoError(
            f"SOURCE_DATE_EPOCH={value!r} is after 2107-12-31, the last date a ZIP file (DOCX, XLSX) can hold; "
            "unset it to use the last commit's time"
        )
    return int(value.strip())


def input_paths(config: Mapping[str, Any] | None = None) -> list[str]:
    """The build's inputs (relative to the project folder) whose commits date a build.

    The data and templates folders are the configuration's (``data`` and ``templates`` without
    one); a folder outside the project is left out (git cannot date it).

    >>> input_paths({"data_dir": "data", "templates_dir": "templates"})
    ['Snakefile', 'config', 'data', 'pyproject.toml', 'rules', 'src', 'templates', 'uv.lock']
    """
    config = config or {}
    folders = [
        str(config.get("data_dir") or "data"),
        str(config.get("templates_dir") or "templates"),
    ]
    inside = [
        f
        for f in folders
        if not PurePosixPath(f).is_absolute() and ".." not in PurePosixPath(f).parts
    ]
    return sorted(set(BUILD_INPUTS) | set(inside))


def inputs_commit_time(
    root: Path, revision: str = "HEAD", config: Mapping[str, Any] | None = None
) -> int | None:
    """Time of the last commit up to ``revision`` that changed the build's inputs (None outside git).

    When no commit touched them (inputs not tracked), the time of ``revision`` itself.
    """
    when = git.commit_time(root, revision, input_paths(config))
    return when if when is not None else git.commit_time(root, revision)


def source_date_epoch(
    root: Path,
    fallback: int,
    environ: Mapping[str, str] | None = None,
    *,
    revision: str = "HEAD",
    config: Mapping[str, Any] | None = None,
) -> int:
    """The build's SOURCE_DATE_EPOCH: the environment's, else the inputs' last commit time, else ``fallback``.

    ``revision``: the version being built (diff mode: the second version); ``config``: its
    configuration (where the data and the templates are).
    """
    env = os.environ if environ is None else environ
    if env.get("SOURCE_DATE_EPOCH", "") != "":
        return parse_epoch(env["SOURCE_DATE_EPOCH"])
    when = inputs_commit_time(root, revision, config)
    return when if when is not None else fallback


def archival_epoch(
    root: Path,
    from_commit: bool = False,
    environ: Mapping[str, str] | None = None,
    config: Mapping[str, Any] | None = None,
) -> int:
    """SOURCE_DATE_EPOCH of an archival build: explicit, or (``from_commit``) the inputs' commit time."""
    if from_commit:
        when = inputs_commit_time(root, "HEAD", config)
        if when is None:
            raise BuildInfoError(f"{root} has no commit to take the build date from")
        return when
    env = os.environ if environ is None else environ
    value = env.get("SOURCE_DATE_EPOCH")
    if value is None or value == "":
        raise BuildInfoError(
            "archival builds need an explicit SOURCE_DATE_EPOCH, or --epoch-from-commit for the date "
            "an ordinary build of the commit has (its last commit that changed the build's inputs)"
        )
    return parse_epoch(value)


def iso_date(epoch: int) -> str:
    """The UTC calendar date of an epoch, as shown in documents.

    >>> iso_date(1672358400)
    '2022-12-30'
    """
    return dt.datetime.fromtimestamp(epoch, tz=dt.UTC).date().isoformat()


def iso_datetime(epoch: int) -> str:
    """The UTC time of an epoch as ISO 8601 with a Z (the date of tracked changes).

    >>> iso_datetime(1672358400)
    '2022-12-30T00:00:00Z'
    """
    return dt.datetime.fromtimestamp(epoch, tz=dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
