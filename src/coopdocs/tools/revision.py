"""Build one version of the project in a folder of its own, never in the work tree.

A version is put in a folder (usually a temporary one) in one of three ways: :func:`export`
writes a git revision (``git archive``) or the work tree as git sees it; :func:`extract` unpacks
a source snapshot (an archive's ``source.tar``); :func:`copy_project` copies the build's files
from a project folder. :func:`build` then runs Snakemake there with an explicit build date and
the version's own code.

Used by ``coopdocs diff`` (two revisions), ``coopdocs archive`` and ``verify`` (HEAD's snapshot,
an archive's snapshot), the tests (copies of the project) and the benchmarks.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from coopdocs.tools import git

# What a build of the project reads: the workflow, its inputs and settings, the code and the lock.
BUILD_FILES = (
    "Snakefile",
    "rules",
    "templates",
    "config",
    "data",
    "envs",
    "report",
    "src",
    "profiles",
    "pyproject.toml",
    "uv.lock",
)


def export(root: Path, commit: str | None, dest: Path) -> Path:
    """Write the files of the project folder ``root`` at ``commit`` into ``dest`` (a new folder).

    ``commit`` None: the work tree as it is, its tracked files and the untracked ones git does not
    ignore. A revision is exported with ``git archive``: nothing in the repository changes.
    """
    dest.mkdir(parents=True)
    if commit is None:
        for rel in git.worktree_files(root):
            src = root / rel
            if src.is_file() and not src.is_symlink():
                (dest / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dest / rel)
        return dest
    where = git.prefix(root)
    return extract(git.archive(root, f"{commit}:{where}" if where else commit), dest)


def extract(snapshot: Path | bytes, dest: Path) -> Path:
    """Unpack a source snapshot (a tar file, or its bytes) into ``dest``; return ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    opened = (
        tarfile.open(fileobj=io.BytesIO(snapshot))
        if isinstance(snapshot, bytes)
        else tarfile.open(snapshot)
    )
    with opened as tar:
        tar.extractall(dest, filter="data")
    return dest


def files_of(folder: Path) -> set[Path]:
    """Every file under ``folder``, relative to it (a version's files, before it is built)."""
    return {p.relative_to(folder) for p in folder.rglob("*") if p.is_file() or p.is_symlink()}


def overlay(built: Path, built_files: set[Path], version: Path, dest: Path) -> Path:
    """A second version made incremental: ``dest`` is the built folder ``built`` (its build and
    Snakemake's records included, times kept), with the files of the folder ``version`` in place
    of ``built``'s own files ``built_files`` (those it had before it was built).

    Only the files whose bytes differ are written (and so are newer than the first build's
    outputs); the others keep their times, so a build in ``dest`` reruns only the jobs whose inputs
    changed (Snakemake's mtime, input, params and code triggers). A file of the first version that
    the second lacks is removed. Returns ``dest``.
    """
    shutil.copytree(built, dest, symlinks=True)
    files = files_of(version)
    for rel in built_files - files:
        (dest / rel).unlink()
    for rel in files:
        src, out = version / rel, dest / rel
        if out.is_file() and not out.is_symlink() and out.read_bytes() == src.read_bytes():
            continue
        if out.exists() or out.is_symlink():
            out.unlink()
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src, out, follow_symlinks=False)
    return dest


def copy_project(source: Path, dest: Path, names: Iterable[str] = BUILD_FILES) -> Path:
    """Copy the files and folders ``names`` of ``source`` (those that exist) into ``dest``; return ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in names:
        src = source / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        elif src.exists():
            shutil.copy2(src, dest / name)
    return dest


# What a scratch repository of the project (tests, benchmarks) leaves out of its commits.
SCRATCH_IGNORE = "reports/\nbuild/\nlogs/\n.snakemake/\n__pycache__/\n.venv/\n"


def scratch_repository(source: Path, repo: Path, author: str, when: int | None = None) -> Path:
    """A new git repository in ``repo`` holding a copy of the project ``source`` (its build
    files), committed by ``author`` at ``when`` (:func:`coopdocs.tools.git.run_as`) on the branch
    ``main`` and tagged ``v1``: the first version the diff's tests and benchmark edit."""
    copy_project(source, repo)
    (repo / ".gitignore").write_text(SCRATCH_IGNORE, encoding="utf-8")
    for args in (
        ("init", "-q", "-b", "main"),
        ("add", "-A"),
        ("commit", "-q", "-m", "v1"),
        ("tag", "v1"),
    ):
        git.run_as(repo, *args, author=author, when=when)
    return repo


def snakemake_path(python: str | None = None) -> str:
    """The ``snakemake`` beside ``python`` (default: the running interpreter's environment)."""
    return str(Path(python or sys.executable).parent / "snakemake")


def build_env(
    project: Path,
    epoch: int | None,
    *,
    commit: str | None = None,
    own_code: bool = True,
    fixed_locale: bool = False,
    base: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment a build of ``project`` runs in (``base``, default this process's, adjusted).

    - ``epoch``: its SOURCE_DATE_EPOCH; None: unset, the build dates itself (tools.builddate).
    - ``commit``: the commit a source snapshot was made from, stated by its documents
      (``COOPDOCS_SOURCE_COMMIT``); None: the build asks git, which finds no repository above
      the project folder (``GIT_CEILING_DIRECTORIES``).
    - ``own_code``: the project's ``src/`` comes first on PYTHONPATH, so a version is built with
      its own code, as it was (the environment's package otherwise, or when it has none).
    - ``fixed_locale``: C.UTF-8 and UTC, whatever the caller's.
    """
    env = dict(os.environ if base is None else base)
    for name in ("GIT_DIR", "GIT_WORK_TREE", git.SNAPSHOT_COMMIT_ENV, "SOURCE_DATE_EPOCH"):
        env.pop(name, None)
    if epoch is not None:
        env["SOURCE_DATE_EPOCH"] = str(epoch)
    if commit:
        env[git.SNAPSHOT_COMMIT_ENV] = commit
    env["GIT_CEILING_DIRECTORIES"] = str(project.parent.resolve())
    if fixed_locale:
        env.update(LC_ALL="C.UTF-8", TZ="UTC")
    if own_code and (project / "src" / "coopdocs").is_dir():
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in [str(project / "src"), env.get("PYTHONPATH", "")] if p
        )
    return env


def build(
    project: Path,
    *args: str,
    epoch: int | None,
    cores: int = 2,
    commit: str | None = None,
    python: str | None = None,
    own_code: bool = True,
    fixed_locale: bool = False,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
    preexec_fn: Callable[[], object] | None = None,
) -> subprocess.CompletedProcess:
    """Run Snakemake in ``project`` with ``args`` (targets, options); the completed process, not checked.

    The environment is :func:`build_env`'s (``epoch``, ``commit``, ``own_code``, ``fixed_locale``)
    updated with ``env``; Snakemake is the one beside ``python``. Output is captured as text.
    """
    full = build_env(project, epoch, commit=commit, own_code=own_code, fixed_locale=fixed_locale)
    full.update(env or {})
    return subprocess.run(
        [snakemake_path(python), "--cores", str(cores), *args],
        cwd=project,
        env=full,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
        preexec_fn=preexec_fn,
    )
