"""Archival builds: a self-describing BagIt archive that can rebuild itself and verify every byte.

``coopdocs archive`` builds the committed state of the repository (a ``git archive`` of HEAD,
extracted into a temporary folder, so no stale or uncommitted file can slip in) with an explicit
``SOURCE_DATE_EPOCH``, and packs the result as a BagIt bag in ``reports/archive/<name>-<version>/``
plus a deterministic ``.zip`` of it. ``coopdocs verify <archive>`` rebuilds from the archive's own
source snapshot and lock file in a temporary folder and compares every hash.

Archive layout (the bag's payload is under ``data/``, as BagIt requires)::

    bagit.txt  bag-info.txt  manifest-sha256.txt  tagmanifest-sha256.txt
    data/README.md             what is inside and how to rebuild and verify
    data/SHA256SUMS            sha256 of every other payload file
    data/reports/...           documents (PDF/A-2b, DOCX, HTML), tables, figures, manifest, RO-Crate
    data/data/...              the data snapshot with its schema (datapackage.json)
    data/bibliography.json     CSL-JSON of every source and of the citing work
    data/uv.lock               the exact lock file
    data/source.tar            the source snapshot (git archive of the commit)
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

import bagit

from coopdocs import layout
from coopdocs.compute.claims import claim_names
from coopdocs.compute.contexts import bibliography
from coopdocs.load.datapackage import load_package
from coopdocs.tools import git, revision
from coopdocs.tools.builddate import BuildInfoError, iso_date
from coopdocs.tools.builddate import archival_epoch as _policy_epoch
from coopdocs.tools.config import ConfigError, load_config
from coopdocs.tools.files import sha256
from coopdocs.tools.zips import zip_folder


class ArchiveError(RuntimeError):
    """The archive cannot be made or checked; the message says why and what to do."""


# What verify unpacks at most (README, "Archival builds"), checked on the sizes the zip's and
# the source tar's headers declare, before anything is written: a zip bomb (a few MB that unpack
# to GB) is refused, not extracted. A real archive of the seed is ~30 MB, of 1,000 states ~1 GB.
ZIP_ENTRIES_MAX = 100_000
ZIP_ENTRY_MAX = 1 << 30  # 1 GiB one file
ZIP_TOTAL_MAX = 4 << 30  # 4 GiB in all
SOURCE_MEMBERS_MAX = 100_000
SOURCE_TOTAL_MAX = 1 << 30  # 1 GiB of source in source.tar


def _gib(n: int) -> str:
    return f"{n / (1 << 30):.2f} GiB"


def check_zip_sizes(archive: Path, z: zipfile.ZipFile) -> None:
    """Refuse (one line) a zip whose entries would unpack beyond the limits, or whose source.tar
    would; nothing is extracted before this passes."""
    infos = z.infolist()
    if len(infos) > ZIP_ENTRIES_MAX:
        raise ArchiveError(f"{archive}: {len(infos):,} entries (at most {ZIP_ENTRIES_MAX:,})")
    big = next((i for i in infos if i.file_size > ZIP_ENTRY_MAX), None)
    if big is not None:
        raise ArchiveError(
            f"{archive}: {big.filename!r} would unpack to {_gib(big.file_size)} "
            f"(at most {_gib(ZIP_ENTRY_MAX)} a file)"
        )
    total = sum(i.file_size for i in infos)
    if total > ZIP_TOTAL_MAX:
        raise ArchiveError(
            f"{archive}: would unpack to {_gib(total)} (at most {_gib(ZIP_TOTAL_MAX)})"
        )
    for info in infos:
        if PurePosixPath(info.filename).name == "source.tar":
            with z.open(info) as fh, tarfile.open(fileobj=fh, mode="r|") as tar:
                check_source_sizes(f"{archive}: {info.filename}", tar)


def check_source_sizes(shown: str, tar: tarfile.TarFile) -> None:
    """Refuse (one line) a source tar with too many members, too many bytes or a sparse member
    (whose declared size is not what it stores); reads the headers only."""
    count = total = 0
    for member in tar:
        count += 1
        total += member.size
        if member.issparse():
            raise ArchiveError(f"{shown}: member {member.name!r} is a sparse file")
        if count > SOURCE_MEMBERS_MAX or total > SOURCE_TOTAL_MAX:
            raise ArchiveError(
                f"{shown}: more than {SOURCE_MEMBERS_MAX:,} files or {_gib(SOURCE_TOTAL_MAX)}"
            )


def archival_epoch(
    root: Path, from_commit: bool = False, environ: dict[str, str] | None = None
) -> int:
    """SOURCE_DATE_EPOCH for an archival build (tools.builddate, archive mode): explicit, and a
    non-negative integer; or, ``from_commit``, the date an ordinary build of HEAD has."""
    try:
        config = load_config(root) if from_commit else None
        return _policy_epoch(root, from_commit, environ, config)
    except (BuildInfoError, ConfigError) as exc:
        raise ArchiveError(str(exc)) from exc


def check_clean(root: Path) -> str:
    """The HEAD commit, or ArchiveError when the work tree has uncommitted changes."""
    try:
        if not git.is_work_tree(root):
            raise ArchiveError(f"{root} is not a git work tree")
        status = git.status(root)
        if status:
            shown = "\n".join("  " + line for line in status.splitlines()[:10])
            raise ArchiveError(
                "the work tree has uncommitted changes; commit or stash them first "
                f"(an archive must be the build of one commit):\n{shown}"
            )
        return git.run(root, "rev-parse", "HEAD")
    except git.GitError as exc:
        raise ArchiveError(str(exc)) from exc


def version_name(root: Path) -> str:
    """The archive's version: the tag on HEAD, else ``git describe``, else the short commit."""
    name = git.query(root, "describe", "--tags", "--always", "--dirty") or git.run(
        root, "rev-parse", "--short=12", "HEAD"
    )
    return name.replace("/", "-")


def build_snapshot(
    source_tar: Path,
    workdir: Path,
    epoch: int,
    commit: str,
    python: str | None = None,
    cores: int = 2,
    config: tuple[str, ...] = (),
) -> Path:
    """Extract a source snapshot into ``workdir`` and build every report there; return the project
    folder. ``config``: settings put over the snapshot's config (``KEY=VALUE``, ``language=ru``)."""
    project = revision.extract(source_tar, workdir / "project")
    options = ("--config", *config) if config else ()
    proc = revision.build(
        project, "--quiet", *options, epoch=epoch, cores=cores, commit=commit, python=python
    )
    if proc.returncode != 0:
        raise ArchiveError(f"the build of the snapshot failed:\n{proc.stderr[-4000:]}")
    return project


def check_numbering(project: Path, config: tuple[str, ...] = ()) -> None:
    """ArchiveError when the snapshot's numbering register does not number its build 1..n.

    A publication prints every document's citation and record numbers 1..n: a source added since
    the register was written (numbered after all the others, "[140]" on page 2) or a removed
    one's gap is an editor's draft, closed by ``coopdocs number`` and a commit. A data set
    without a register is numbered 1..n at every build, so it passes.
    """
    from coopdocs.describe.numbers import register_problems
    from coopdocs.load.register import register_path
    from coopdocs.tools.config import load_config, parse_overrides

    data_dir = load_config(project, validate=False, overrides=parse_overrides(list(config)))[
        "data_dir"
    ]
    path = register_path(project / data_dir)
    if not path.is_file():
        return
    # Gaps and unnumbered or unused entries, not order: an edition in another language may cite
    # in another order than the one the register was numbered from (numbers 1..n still hold).
    problems = register_problems(project, data_dir, path.relative_to(project), order=False)
    if problems:
        shown = "\n".join("  " + line for line in problems[:10])
        more = f"\n  ... and {len(problems) - 10} more" if len(problems) > 10 else ""
        raise ArchiveError(
            "the numbering register does not number this build 1..n, so citation or record "
            "numbers would print with gaps or out of reading order; run `coopdocs number` after "
            f"a build and commit {path.relative_to(project)}:\n{shown}{more}"
        )


README = """# {name} {version}: archival build

This folder is a BagIt bag (RFC 8493). Its payload (`data/`) holds the publication build of
commit {commit} of the coopdocs project, made with SOURCE_DATE_EPOCH={epoch} ({date}).

- `reports/`: the documents (PDF/A-2b, DOCX, HTML), the comparative tables (CSV, XLSX), the
  figures, `manifest.json` (every output with hashes, records, sources and inputs) and
  `ro-crate-metadata.json` (the run as a Workflow Run RO-Crate).
- `data/`: the data snapshot with its schema (`datapackage.json`).
- `bibliography.json`: every source (the article's numbered references) as CSL-JSON.
- `uv.lock`: the exact versions of every Python package (pandoc and Typst come inside wheels).
- `source.tar`: the source of the project at that commit (`git archive`).
- `SHA256SUMS`: the sha256 of every payload file (check with `sha256sum -c SHA256SUMS`).

To rebuild and check every byte, with the project installed (or from the extracted source:
`python3 bootstrap.py setup`):

    coopdocs verify {folder}.zip

which extracts `source.tar`, installs `uv.lock` when it differs from the running environment,
builds with SOURCE_DATE_EPOCH={epoch}, and compares every file against `SHA256SUMS`. Verifying
runs this archive's own workflow and code: it first checks the bag, `SHA256SUMS` and `source.tar`
against `reports/manifest.json`, and runs nothing when they fail.
"""


def _copy_payload(project: Path, source_tar: Path, payload: Path) -> None:
    """The built reports, the data snapshot, the lock file, the source and the bibliography."""
    payload.mkdir()
    shutil.copytree(
        project / "reports",
        payload / "reports",
        ignore=shutil.ignore_patterns("archive", "diff"),
    )
    shutil.copytree(project / "data", payload / "data")
    lock = project / "uv.lock"
    if lock.is_file():
        shutil.copy2(lock, payload / "uv.lock")
    shutil.copy2(source_tar, payload / "source.tar")
    package = load_package(project / "data", claims=claim_names())
    bib = bibliography(package, [s["id"] for s in package.tables["sources"]])
    (payload / "bibliography.json").write_text(
        json.dumps(bib, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def _describe_payload(payload: Path, readme: str) -> None:
    """The payload's README and SHA256SUMS, and the same permissions on every machine."""
    (payload / "README.md").write_text(readme, encoding="utf-8")
    files = sorted(p for p in payload.rglob("*") if p.is_file())
    sums = "".join(f"{sha256(p)}  {p.relative_to(payload).as_posix()}\n" for p in files)
    (payload / "SHA256SUMS").write_text(sums, encoding="utf-8")
    for p in payload.rglob("*"):
        os.chmod(p, 0o755 if p.is_dir() else 0o644)


def make_archive(
    root: Path,
    epoch: int,
    out_dir: Path | None = None,
    cores: int = 2,
    config: tuple[str, ...] = (),
) -> Path:
    """Build HEAD in isolation and write ``reports/archive/<name>-<version>/`` and its ``.zip``
    (``config``: settings put over HEAD's config, ``language=ru`` for the Russian edition)."""
    commit = check_clean(root)
    version = version_name(root)
    descriptor = json.loads((root / "data" / "datapackage.json").read_text(encoding="utf-8"))
    package_name = descriptor.get("name", "coopdocs")
    name = f"{package_name}-{version}"
    out_dir = out_dir or root / "reports" / "archive"
    date = iso_date(epoch)
    with tempfile.TemporaryDirectory(prefix="coopdocs-archive-") as tmp:
        tmp_path = Path(tmp)
        source_tar = tmp_path / "source.tar"
        git.archive(root, "HEAD", output=source_tar)
        project = build_snapshot(
            source_tar, tmp_path / "build", epoch, commit, cores=cores, config=tuple(config)
        )
        check_numbering(project, config)
        bag = tmp_path / name
        _copy_payload(project, source_tar, bag)
        readme = README.format(
            name=package_name, version=version, commit=commit, epoch=epoch, date=date, folder=name
        )
        _describe_payload(bag, readme)
        bagit.make_bag(
            str(bag),
            {
                "Bagging-Date": date,
                "Source-Organization": "coopdocs",
                "External-Identifier": f"git:{commit}",
                "External-Description": f"coopdocs archival build {version}",
                "Bag-Software-Agent": "coopdocs (bagit.py)",
            },
            checksums=["sha256"],
        )
        target = out_dir / name
        if target.exists():
            shutil.rmtree(target)
        out_dir.mkdir(parents=True, exist_ok=True)
        shutil.copytree(bag, target)
    zip_folder(target, out_dir / f"{name}.zip", epoch)
    return target


def _open_archive(archive: Path, tmp: Path) -> Path:
    """The bag folder of an archive given as a folder or as its .zip (refused: not a zip, unsafe names)."""
    if archive.is_dir():
        return archive
    if archive.suffix == ".zip" and archive.is_file():
        try:
            with zipfile.ZipFile(archive) as z:
                for name in z.namelist():
                    parts = PurePosixPath(name).parts
                    if name.startswith(("/", "\\")) or ".." in parts or "\\" in name or ":" in name:
                        raise ArchiveError(
                            f"{archive}: member {name!r} would leave the folder it is extracted to"
                        )
                check_zip_sizes(archive, z)
                z.extractall(tmp / "unzipped")
        except (
            zipfile.BadZipFile,
            zipfile.LargeZipFile,
            tarfile.TarError,
            OSError,
            EOFError,
            ValueError,
        ) as exc:
            raise ArchiveError(f"{archive}: not a readable zip archive ({exc})") from None
        folders = [p for p in (tmp / "unzipped").iterdir() if p.is_dir()]
        if len(folders) != 1:
            raise ArchiveError(f"{archive} does not hold one archive folder")
        return folders[0]
    raise ArchiveError(f"{archive} is neither an archive folder nor its .zip")


def _environment_python(bag_payload: Path, tmp: Path, fresh: bool) -> str:
    """A Python with exactly the archive's lock installed: the running one when its lock matches."""
    running_lock = Path(sys.prefix).parent / "uv.lock"
    lock = bag_payload / "uv.lock"
    if (
        not fresh
        and running_lock.is_file()
        and lock.is_file()
        and running_lock.read_bytes() == lock.read_bytes()
    ):
        return sys.executable
    uv = shutil.which("uv") or str(Path(sys.prefix).parent / ".tools" / "bin" / "uv")
    if not Path(uv).exists() and not shutil.which(uv):
        raise ArchiveError(
            "the archive's lock differs from this environment and uv is not available to install it"
        )
    project = tmp / "env-project"
    project.mkdir()
    revision.extract(bag_payload / "source.tar", project)
    env = dict(
        os.environ,
        UV_PROJECT_ENVIRONMENT=str(tmp / "venv"),
        UV_PYTHON=sys.executable,
        UV_PYTHON_DOWNLOADS="never",
    )
    proc = subprocess.run(
        [uv, "sync", "--frozen", "--quiet"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise ArchiveError(f"installing the archive's lock file failed:\n{proc.stderr[-3000:]}")
    return str(tmp / "venv" / "bin" / "python")


def _read_sums(payload: Path) -> dict[str, str]:
    """SHA256SUMS of the payload as {path: digest}; a malformed line is one message naming it."""
    path = payload / "SHA256SUMS"
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ArchiveError(f"{path.name}: cannot be read ({exc})") from None
    sums: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        digest, sep, rel = line.partition("  ")
        parts = PurePosixPath(rel).parts
        if (
            not sep
            or not re.fullmatch(r"[0-9a-f]{64}", digest)
            or not rel
            or rel.startswith("/")
            or ".." in parts
            or "\\" in rel
        ):
            shown = line if len(line) <= 120 else line[:117] + "..."
            raise ArchiveError(
                f"SHA256SUMS:{number}: value {shown!r}: not '<sha256>  <path inside the archive>'"
            )
        sums[rel] = digest
    return sums


def _file_sha256(path: Path) -> str | None:
    try:
        return sha256(path) if path.is_file() and not path.is_symlink() else None
    except OSError:
        return None


def check_source(payload: Path, manifest: dict[str, Any]) -> list[str]:
    """Where ``source.tar`` differs from the inputs ``reports/manifest.json`` records (same build).

    The manifest lists every file the build read (Snakefile, rules, code, templates, data, config)
    with its sha256; the archive's source must hold exactly those bytes, or the rebuild would run
    other code than the one that made the documents. A member that would leave the extraction
    folder (absolute, ``..``, a link pointing out) is refused too.
    """
    recorded: dict[str, str] = {}
    for output in manifest.get("outputs", []):
        for item in output.get("inputs", []):
            recorded[item["path"]] = item["sha256"]
    problems: list[str] = []
    try:
        with tarfile.open(payload / "source.tar") as tar:
            check_source_sizes("source.tar", tar)
            files = {}
            for member in tar.getmembers():
                parts = PurePosixPath(member.name).parts
                if member.name.startswith("/") or ".." in parts:
                    raise ArchiveError(
                        f"source.tar: member {member.name!r} would leave the folder it is extracted to"
                    )
                if (member.issym() or member.islnk()) and (
                    member.linkname.startswith("/") or ".." in PurePosixPath(member.linkname).parts
                ):
                    raise ArchiveError(
                        f"source.tar: link {member.name!r} -> {member.linkname!r} points outside the source"
                    )
                if member.isfile():
                    files[member.name] = member
            for rel, digest in sorted(recorded.items()):
                member = files.get(rel)
                if member is None:
                    problems.append(
                        f"source.tar: {rel}: recorded in reports/manifest.json but missing"
                    )
                    continue
                data = tar.extractfile(member).read()
                if hashlib.sha256(data).hexdigest() != digest:
                    problems.append(
                        f"source.tar: {rel}: differs from the file reports/manifest.json records"
                    )
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise ArchiveError(f"source.tar: not a readable tar archive ({exc})") from None
    return problems


def _integrity_differences(archive: Path, bag_dir: Path) -> tuple[list[str], dict[str, str]]:
    """Where the bag (its manifests, Payload-Oxum) and SHA256SUMS disagree with the files; and
    SHA256SUMS itself."""
    differences: list[str] = []
    try:
        bag = bagit.Bag(str(bag_dir))
    except (bagit.BagError, OSError, UnicodeDecodeError) as exc:
        raise ArchiveError(f"{archive}: not a BagIt archive ({exc})") from None
    try:
        bag.validate()
    except bagit.BagValidationError as exc:
        differences.append(f"bag: {exc}")
    except (bagit.BagError, OSError, UnicodeDecodeError, ValueError) as exc:
        differences.append(f"bag: cannot be validated ({exc})")
    payload = bag_dir / "data"
    sums = _read_sums(payload)
    for rel, digest in sums.items():
        if _file_sha256(payload / rel) != digest:
            differences.append(f"{rel}: does not match SHA256SUMS in the archive")
    return differences, sums


def _archived_build(payload: Path) -> tuple[int, str]:
    """The epoch and commit the archive was built with, once its source matches its manifest."""
    try:
        manifest = json.loads((payload / layout.MANIFEST).read_text(encoding="utf-8"))
        epoch, commit = int(manifest["source_date_epoch"]), str(manifest["git"]["commit"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ArchiveError(f"reports/manifest.json: unreadable or incomplete ({exc!r})") from None
    mismatches = check_source(payload, manifest)
    if mismatches:
        raise ArchiveError(
            "refused: the archive's source does not match its own manifest, nothing was run:\n  "
            + "\n  ".join(mismatches)
        )
    return epoch, commit


def _rebuild_differences(project: Path, sums: dict[str, str]) -> list[str]:
    """Every report the rebuild made differently, left out, or made in addition to the archive's."""
    differences: list[str] = []
    for rel, digest in sorted(sums.items()):
        if not rel.startswith("reports/"):
            continue
        rebuilt = project / rel
        if not rebuilt.is_file():
            differences.append(f"{rel}: not produced by the rebuild")
        elif sha256(rebuilt) != digest:
            differences.append(
                f"{rel}: rebuilt bytes differ (archive {digest[:12]}, rebuild {sha256(rebuilt)[:12]})"
            )
    archived = {rel for rel in sums if rel.startswith("reports/")}
    for path in sorted((project / "reports").rglob("*")):
        rel = path.relative_to(project).as_posix()
        if (
            path.is_file()
            and rel not in archived
            and "/archive/" not in rel
            and "/diff/" not in rel
        ):
            differences.append(f"{rel}: produced by the rebuild but missing from the archive")
    return differences


def verify(archive: Path, fresh_env: bool = False, cores: int = 2) -> list[str]:
    """Rebuild an archive from its own source and lock file; return the differences (empty: identical).

    The rebuild RUNS THE ARCHIVE'S CODE (its Snakefile, rules and package, and installs its lock
    file). So nothing is run unless the archive is intact: the BagIt manifests and Payload-Oxum,
    every line of SHA256SUMS, and its ``source.tar`` against the inputs ``reports/manifest.json``
    records. An archive failing these is reported (its differences) or refused, never rebuilt.
    These checks find damage and tampering that did not also rewrite the manifests: they prove
    integrity, not authorship. Verify only archives from people you trust.
    """
    with tempfile.TemporaryDirectory(prefix="coopdocs-verify-") as tmp:
        tmp_path = Path(tmp)
        bag_dir = _open_archive(archive, tmp_path)
        differences, sums = _integrity_differences(archive, bag_dir)
        if differences:  # damaged or tampered: nothing of the archive is run
            differences.append(
                "archive: not rebuilt, since it failed its integrity check (verify runs the "
                "archive's own workflow only when its content is intact)"
            )
            return differences
        payload = bag_dir / "data"
        epoch, commit = _archived_build(payload)
        python = _environment_python(payload, tmp_path, fresh_env)
        project = build_snapshot(
            payload / "source.tar", tmp_path / "rebuild", epoch, commit, python=python, cores=cores
        )
        return _rebuild_differences(project, sums)
