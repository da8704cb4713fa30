"""``coopdocs diff A B``: what changed between two versions, for editors.

Both versions are built in temporary folders (:mod:`coopdocs.tools.revision`): the first from
scratch, the second on a copy of the first's build where only the jobs whose inputs changed rerun
(:func:`coopdocs.tools.revision.overlay`); both with the project's own Snakefile and the running Python
environment, and the same ``SOURCE_DATE_EPOCH`` (:mod:`coopdocs.tools.builddate`, diff mode: so
build dates agree); then ``reports/diff/<A>..<B>/`` gets:

- ``changes.md`` / ``.html`` / ``.docx``: the change report (:mod:`coopdocs.review.report`):
  records added, removed and changed (field by field, old → new), per table
  (:mod:`coopdocs.review.records`); the comparative tables' rows added and removed and cells
  changed (:mod:`coopdocs.review.tables`); sources added to or removed from the data and from each
  document; for every change the documents it affects (a record affects a document when its ID
  is in the document's ``records`` list in either version) and the sections it appears under;
  documents whose content changed without any record change (a template edit); unchanged
  documents (:mod:`coopdocs.review.documents`).
- ``<folder>-<name>.docx``: per changed document, a redline with native Word tracked changes
  (``w:ins``/``w:del``, author ``coopdocs``, dated from ``SOURCE_DATE_EPOCH``), and
  ``<folder>-<name>.html`` with ``<ins>``/``<del>`` (:mod:`coopdocs.review.redlines`). See
  :mod:`coopdocs.review.redline` for how the two versions are aligned and how citations are compared.

A version is a git revision or ``WORKTREE`` (the work tree as it is, tracked and untracked files
that git does not ignore; :mod:`coopdocs.review.versions`). Revisions are exported with
``git archive`` (nothing in the repository changes); snapshots are built outside any git work
tree, so neither build states a commit and the version line never shows as a change.

Exit status: 0 no change, 1 changes, 2 error.
"""

from __future__ import annotations

import concurrent.futures
import shutil
import sys
import tempfile
from pathlib import Path

from coopdocs import layout
from coopdocs.review import versions
from coopdocs.review.documents import compare, record_sections
from coopdocs.review.records import record_changes
from coopdocs.review.redlines import styles, write_redline
from coopdocs.review.report import (
    ReportWordsError,
    change_report,
    report_context,
    report_words,
    summary_line,
    write_report,
)
from coopdocs.review.tables import compare_tables
from coopdocs.review.versions import WORKTREE, DiffError, Version
from coopdocs.tools import revision
from coopdocs.tools.builddate import BuildInfoError, source_date_epoch
from coopdocs.tools.config import ConfigError, load_config, parse_overrides
from coopdocs.tools.git import GitError

__all__ = ["WORKTREE", "DiffError", "main", "md_targets", "run"]


def md_targets(project: Path) -> list[str]:
    """What the diff needs from a build of a version: the Markdown of every document, the CSV of
    every table and the PNG of every figure (the pictures the documents' DOCX show).

    The documents and figures are those of the layout contract (coopdocs.layout) for the
    version's briefs.
    """
    config = load_config(project, validate=False)
    data_dir = project / config.get("data_dir", "data")
    slugs = layout.brief_slugs(data_dir)
    return sorted(
        [d.md for d in layout.documents(slugs)]
        + layout.table_outputs(layout.TABLE_FORMATS[0], layout.table_ids(data_dir))
        + [layout.figure_output(f, layout.FIGURE_FORMATS[1]) for f in layout.figure_names(slugs)]
    )


def epoch_for(root: Path, b: Version, config: dict) -> int:
    """The SOURCE_DATE_EPOCH both builds use (tools.builddate, diff mode: dated by version B)."""
    try:
        return source_date_epoch(
            root, config["source_date_epoch_fallback"], revision=b.commit or "HEAD", config=config
        )
    except BuildInfoError as exc:
        raise DiffError(str(exc)) from exc


def build(version: Version, epoch: int, cores: int = 2, config: tuple[str, ...] = ()) -> None:
    """Build the Markdown (and contexts) of every document of ``version`` in its snapshot folder.

    ``config``: settings put over the version's config (``KEY=VALUE``, ``language=ru``).

    Only the targets the diff reads are requested (the Markdown of every document, which needs
    the contexts and the data bundle); if that fails (a version whose rules name other files),
    the whole default build is run instead.
    """
    project = version.project
    assert project is not None
    try:
        targets = md_targets(project)
    except Exception:  # noqa: BLE001 - an unreadable config: let the full build report it
        targets = []
    proc = None
    options = ("--config", *config) if config else ()
    if targets:
        proc = revision.build(
            project, "--nolock", *targets, *options, epoch=epoch, cores=cores, fixed_locale=True
        )
    if proc is None or proc.returncode != 0:
        proc = revision.build(
            project, "--nolock", *options, epoch=epoch, cores=cores, fixed_locale=True
        )
    if proc.returncode != 0:
        raise DiffError(
            f"the build of {version.label} failed:\n{(proc.stdout + proc.stderr)[-4000:]}"
        )
    # A document of the version B was built on (revision.overlay) that this version lacks.
    for md in (project / layout.MD_DIR).glob("*/*.md") if targets else ():
        if md.relative_to(project).as_posix() not in targets:
            md.unlink()


def _build_both(
    root: Path, a: Version, b: Version, epoch: int, cores: int, tmp: Path, config: tuple[str, ...]
) -> None:
    """Export and build both versions (once when they hold the same files), then read their builds
    (``config``: settings put over each version's, ``KEY=VALUE``)."""
    a.project = revision.export(root, a.commit, tmp / "a" / "project")
    if versions.same_content(root, a, b):
        build(a, epoch, cores, config)
        b.project = a.project
    else:
        # B is built on a copy of A's build, where only what B's changed files touch reruns.
        exported = revision.export(root, b.commit, tmp / "b" / "export")
        sources = revision.files_of(a.project)
        build(a, epoch, cores, config)
        b.project = revision.overlay(a.project, sources, exported, tmp / "b" / "project")
        shutil.rmtree(exported)
        build(b, epoch, cores, config)
    versions.load(a)
    if b.project is a.project:
        b.documents, b.tables = a.documents, a.tables
    else:
        versions.load(b)


def run(
    root: Path,
    spec_a: str | None = None,
    spec_b: str | None = None,
    cores: int = 2,
    out_base: Path | None = None,
    config: tuple[str, ...] = (),
) -> tuple[int, str]:
    """Compare two versions; write ``reports/diff/<A>..<B>/``; return (exit status, summary line).

    ``config``: settings put over the config of both versions (``KEY=VALUE``: ``language=ru``
    builds and compares their Russian editions).
    """
    root = root.resolve()
    versions.check_repository(root)
    a = versions.resolve(root, spec_a or versions.default_base(root))
    b = versions.resolve(root, spec_b or WORKTREE)
    settings = load_config(root, overrides=parse_overrides(list(config)))
    epoch = epoch_for(root, b, settings)
    out_rel = (
        Path(layout.DIFF_DIR) / f"{versions.safe_name(a.label)}..{versions.safe_name(b.label)}"
    )
    out_dir = (out_base or root) / out_rel
    house = styles(root, settings)
    templates_dir = root / settings["templates_dir"]
    try:
        words = report_words(templates_dir, settings.get("language"))
    except ReportWordsError as exc:
        raise DiffError(str(exc)) from exc
    with tempfile.TemporaryDirectory(prefix="coopdocs-diff-") as tmp:
        tmp_path = Path(tmp)
        _build_both(root, a, b, epoch, cores, tmp_path, tuple(config))
        changes = record_changes(a, b)
        results, merged_docs = compare(a, b, changes, epoch, cores, words)
        tables = compare_tables(a, b)
        sections = record_sections(a, b, changes, results, epoch)

        # Write everything into a fresh folder, then put it in place (no stale redlines remain).
        stage = tmp_path / "out"
        stage.mkdir()
        # One pandoc run per redline and format: the documents' side by side.
        with concurrent.futures.ThreadPoolExecutor(max(1, cores)) as pool:
            written = [
                pool.submit(write_redline, merged, stage, f"{key[0]}-{key[1]}", epoch, house)
                for key, merged in merged_docs.items()
            ]
            for job in written:
                job.result()
        context = report_context(a, b, changes, results, tables, sections, epoch, words)
        write_report(
            stage, change_report(templates_dir, context), epoch, house, words.get("locale")
        )
        if out_dir.exists():
            shutil.rmtree(out_dir)
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(stage, out_dir)
    changed = [x for x in (*results, *tables) if x.status != "unchanged"]
    status = 1 if changes or changed else 0
    return status, summary_line(changes, results, tables, out_rel.as_posix() + "/", words)


def main(
    root: Path, spec_a: str | None, spec_b: str | None, cores: int = 2, config: tuple[str, ...] = ()
) -> int:
    """Run the diff and print the summary (stdout) or the error (stderr); return the exit status."""
    try:
        status, line = run(root, spec_a, spec_b, cores=cores, config=tuple(config))
    except (DiffError, GitError, ConfigError) as exc:
        print(f"coopdocs diff: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - any failure is exit 2 with a message, never a traceback only
        print(f"coopdocs diff: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    print(line)
    return status
