"""The compute stage as the workflow runs it: data bundle and contexts, tables, figures."""

from __future__ import annotations

import gc
import json
from pathlib import Path
from typing import Any

from coopdocs import layout
from coopdocs.compute.article import article_context, article_provenance
from coopdocs.compute.claims import add_brief_claims
from coopdocs.compute.contexts import (
    bibliography,
    brief_context,
    cited_sources,
    declared_tables,
    organisation,
    provenance,
    union_of,
)
from coopdocs.compute.overview import cached_figure
from coopdocs.compute.selection import focus_frames, focus_order, focus_states
from coopdocs.compute.spreadsheets import cached_xlsx, to_csv_text
from coopdocs.compute.tables import (
    TABLES,
    StringsError,
    caption,
    check_strings,
    column_headings,
    compute_tables,
    without_left_out,
)
from coopdocs.compute.tables_document import build_document_context
from coopdocs.load.datapackage import Package
from coopdocs.load.descriptor import table_names
from coopdocs.load.register import Register, number_bibliography, number_provenance
from coopdocs.load.strings import DEFAULT_LOCALE, Words, fill, label_gaps, with_locale, word
from coopdocs.tools.builddate import iso_date
from coopdocs.tools.cache import Store
from coopdocs.tools.files import atomic_output, write_json
from coopdocs.tools.git import changed_records


def build_info(
    descriptor: dict[str, Any], epoch: int, language: str | None = None
) -> dict[str, Any]:
    """What every document says about its build: the date, the data package's title and version,
    and the language the documents are written in (config ``language``, BCP 47; default English)."""
    return {
        "language": language or DEFAULT_LOCALE,
        "epoch": epoch,
        "date": iso_date(epoch),
        "data_title": descriptor.get("title", ""),
        "data_version": descriptor.get("version", ""),
    }


def _brief_outputs(
    package: Package, country: dict[str, Any], run: dict[str, Any]
) -> dict[Path, object]:
    """One brief's context (with the claims it counts) and bibliography, by the path of each.

    ``run``: what every brief of the run shares (``build``, ``settings``, ``git``, ``words`` and
    ``contexts_dir``, as :func:`write_contexts` has them).
    """
    build, settings, git, words = run["build"], run["settings"], run["git"], run["words"]
    contexts_dir = run["contexts_dir"]
    org, union = settings["organisation"], settings.get("union")
    ctx = brief_context(package, country["code"], build, org, git, words=words, union_code=union)
    # What the brief counts: named claims with their records (coopdocs.compute.claims).
    add_brief_claims(ctx, package, country["code"], org, union, settings.get("union_body"))
    stem = country["slug"]
    bib = bibliography(package, cited_sources(package, ctx), words)
    numbered(ctx, bib, run.get("register"), f"{layout.BRIEF.folder}/{stem}")
    return {
        Path(layout.context(layout.BRIEF.folder, stem, contexts_dir)): ctx,
        Path(layout.bibliography(layout.BRIEF.folder, stem, contexts_dir)): bib,
    }


def _key(kind: layout.Kind) -> str:
    """The layout key of the one document of ``kind`` (the register's key for it)."""
    return layout.Document(kind, str(kind.name)).key


def numbered(context: dict, bib: list, register: Register | None, key: str) -> None:
    """Number the records and sources of document ``key`` (its context's provenance appendix
    and its bibliography) by the numbering register; without a register they keep the numbers
    of their reading order (the appendix's order, citeproc's order of first citation)."""
    if register is None:
        return
    entry = register.get(key, {})
    number_provenance(context["provenance"], entry)
    number_bibliography(bib, entry)


def _bundle(
    package: Package, git: Any, settings: dict[str, Any], register: Register | None
) -> dict[str, Any]:
    """The data bundle the tables job reads: the descriptor, the records (without the loader's
    private fields), the changed records, the checked settings, the authored texts and (when the
    data has one) the numbering register."""
    bundle = {
        "descriptor": package.descriptor,
        "tables": {
            name: [{k: v for k, v in r.items() if not k.startswith("_")} for r in recs]
            for name, recs in package.tables.items()
        },
        "git": git,
        "settings": settings,
        "texts": package.texts,
    }
    if register is not None:
        bundle["numbering"] = register
    return bundle


def write_contexts(
    package: Package,
    data_dir: Path,
    bundle_path: Path,
    contexts_dir: Path,
    epoch: int,
    settings: dict[str, Any],
    slugs: set[str] | None = None,
    words: Words | None = None,
    register: Register | None = None,
) -> None:
    """Write the data bundle and each brief's context and bibliography (the prepare_data job).

    ``settings``: the config's ``organisation``, ``union`` and ``union_body``, checked against the
    data (coopdocs.load.settings.resolve_settings); the bundle carries them to the tables job.
    ``words``: the strings file. ``slugs``: only the briefs with these slugs (the preview of one
    brief); None: every brief. ``register``: the numbering register (coopdocs.load.register), None
    when the data has none. Everything is computed first, then written: a failure leaves no mix
    of old and new files.
    """
    build = build_info(package.descriptor, epoch, settings.get("language"))
    words = with_locale(words, build["language"])
    # Every coded value the descriptor allows needs its word before any document is written.
    missing = label_gaps(words, package.descriptor)
    if missing:
        raise StringsError("\n".join(missing))
    git = changed_records(data_dir, package.descriptor)
    run = dict(build=build, settings=settings, git=git, words=words, contexts_dir=contexts_dir)
    run["register"] = register
    outputs: dict[Path, object] = {}
    for country in package.tables["countries"]:
        if slugs is None or country["slug"] in slugs:
            outputs.update(_brief_outputs(package, country, run))
    outputs[bundle_path] = _bundle(package, git, settings, register)
    for path, value in sorted(outputs.items()):
        write_json(path, value)


def _focus(t: dict[str, list], frames: dict, words: Words | None, detailed_states: int | None):
    """What the documents and figures show: the states one by one (at most ``detailed_states``,
    focus_states) and the others summed, the shown tables, and the figures' row orders."""
    keep, others = focus_states(t, detailed_states)
    shown = focus_frames(frames, keep, others, words)
    unions = {c["code"] for c in t["countries"] if c["kind"] == "union"}
    order = focus_order(t, keep, others, with_other=False, words=words)
    theme_order = [
        o for o in focus_order(t, keep, others, with_other=True, words=words) if o[0] not in unions
    ] + [o for o in order if o[0] in unions]
    return keep, others, shown, order, theme_order


def _write_document_contexts(
    bundle: dict[str, Any],
    focus: tuple,
    build: dict[str, Any],
    words: Words | None,
    paths: dict[str, Path | None],
    article_meta: dict[str, Any],
) -> dict[str, Any]:
    """Write the contexts and bibliographies of the tables document and (with
    ``paths["article_context"]``) of the article; return the organisation's record."""
    keep, others, shown = focus[:3]
    settings, t, git = bundle["settings"], bundle["tables"], bundle.get("git")
    package = Package(descriptor=bundle["descriptor"], tables=t, texts=bundle.get("texts") or {})
    org = organisation(package, settings["organisation"])
    context = build_document_context(shown, t, build, keep, others, words=words, org=org)
    context["org"] = org
    context["provenance"] = provenance(package, context["records"], git)
    context["union"] = union_of(package, settings.get("union"))
    context["declared"] = declared_tables(package)
    register = bundle.get("numbering")
    bib = bibliography(package, cited_sources(package, context), words)
    numbered(context, bib, register, _key(layout.TABLES_DOCUMENT))
    write_json(paths["context"], context)
    write_json(paths["bib"], bib)
    if paths.get("article_context") is not None:
        article = article_context(
            package, shown, article_meta, build, settings, keep=keep, others=others, words=words
        )
        article["provenance"] = article_provenance(package, article, git)
        bib = bibliography(package, cited_sources(package, article), words)
        numbered(article, bib, register, _key(layout.ARTICLE))
        write_json(paths["article_context"], article)
        write_json(paths["article_bib"], bib)
    return org


def withdraw_tables(tables_dir: Path, table_ids: list[str]) -> None:
    """Remove every table file (CSV, XLSX) in ``tables_dir`` that is not one of ``table_ids``,
    the tables this build writes: what an earlier build wrote for a table this data no longer
    has (a union programme whose rows are gone) or this program no longer makes (a table since
    renamed). This step is the only writer of table files, so it knows the whole set; reports/
    then holds only this build's tables, and the manifest and archive list no stale file as if
    this build had made it."""
    if not tables_dir.is_dir():
        return
    for fmt in layout.TABLE_FORMATS:
        for path in sorted(tables_dir.glob(f"*.{fmt}")):
            if path.stem not in table_ids:
                path.unlink(missing_ok=True)


def _write_table_files(
    specs: list,
    frames: dict,
    words: Words | None,
    org: dict[str, Any],
    tables_dir: Path,
    epoch: int,
    cache_dir: Path | None,
    used: set[Path],
) -> None:
    """Write every table of ``specs`` as CSV and as an XLSX workbook (the workbook from the verified
    cache when its table, title and headings did not change; its entry is added to ``used``)."""
    names = {"org": org["short_name"]}
    headings = {
        column: fill(text, **names) for column, text in (words or {}).get("headings", {}).items()
    }
    for spec in specs:
        df = frames[spec.id]
        csv_text = to_csv_text(df)
        # A table with no rows says so in its workbook's title row (its caption may name what the data lacks).
        title = (
            caption(words, spec.id, org)
            if df.rows
            else word(words, "empty_table", "{id}", id=spec.id)
        )
        with atomic_output(tables_dir / f"{spec.id}.csv") as tmp:
            tmp.write_text(csv_text, encoding="utf-8")
        with atomic_output(tables_dir / f"{spec.id}.xlsx") as tmp:
            tmp.write_bytes(
                cached_xlsx(
                    df, csv_text, title, epoch, cache_dir, column_headings(headings, df), used
                )
            )


def _draw_figures(
    focus: tuple, words: Words | None, figures_dir: Path, cache_dir: Path | None, used: set[Path]
) -> None:
    """Draw the two overview figures (or take them from the verified cache; their entries are
    added to ``used``)."""
    shown, order, theme_order = focus[2:]
    labels = (words or {}).get("figures", {})
    cached_figure(
        figures_dir / layout.TIMELINE_FIGURE,
        cache_dir,
        "timeline_overview",
        shown[layout.TIMELINE_TABLE],
        order,
        labels.get(layout.TIMELINE_FIGURE, {}),
        used,
    )
    cached_figure(
        figures_dir / layout.THEMES_FIGURE,
        cache_dir,
        "theme_matrix",
        shown[layout.PROJECTS_BY_THEME],
        theme_order,
        labels.get(layout.THEMES_FIGURE, {}),
        used,
    )


def write_tables(
    bundle_path: Path,
    tables_dir: Path,
    figures_dir: Path,
    context_path: Path,
    bib_path: Path,
    epoch: int,
    article_meta: dict[str, Any] | None = None,
    article_context_path: Path | None = None,
    article_bib_path: Path | None = None,
    cache_dir: Path | None = None,
    detailed_states: int | None = None,
    words: Words | None = None,
    table_files: bool = True,
) -> None:
    """Compute every table and figure from the data bundle and write them all (the compute_tables job).

    Also the contexts of the comparative-tables document and (with ``article_context_path``) of
    the review article, whose metadata is ``article_meta`` (the config's ``article`` key). The
    organisation, union and union body are those the bundle carries (checked by prepare_data).
    ``words``: the strings file (captions, notes, headings, figure labels). ``table_files``
    False: the contexts and figures only, no CSV or XLSX (the preview, whose HTML holds none).
    """
    bundle = json.loads(bundle_path.read_text(encoding="utf-8"))
    build = build_info(bundle["descriptor"], epoch, bundle["settings"].get("language"))
    words = with_locale(words, build["language"])
    declared = table_names(bundle["descriptor"])
    frames = without_left_out(compute_tables(bundle["tables"], words), declared)
    # A role's table (the union's yearly programme) is written only where the data has its rows.
    written = [spec for spec in TABLES if spec.has_rows(bundle["tables"])] if table_files else []
    if table_files:
        withdraw_tables(tables_dir, [spec.id for spec in written])
    missing = check_strings(words, frames)
    if missing:
        raise StringsError("\n".join(missing))
    focus = _focus(bundle["tables"], frames, words, detailed_states)
    paths = {
        "context": context_path,
        "bib": bib_path,
        "article_context": article_context_path,
        "article_bib": article_bib_path,
    }
    article_meta = dict(article_meta or {}, date=build["date"])
    org = _write_document_contexts(bundle, focus, build, words, paths, article_meta)
    # The records are no longer needed: let the workbooks and figures (openpyxl, matplotlib) reuse
    # their memory (the data of 1,000 states is ~85 MB as Python objects; docs/performance.md).
    del bundle
    if table_files:
        gc.collect()
    used: set[Path] = set()
    _write_table_files(written, frames, words, org, tables_dir, epoch, cache_dir, used)
    _draw_figures(focus, words, figures_dir, cache_dir, used)
    # Only this run's workbooks and figures stay in the cache: each edit of a table would otherwise
    # add an entry that no later build reads. The preview (no table files) prunes nothing.
    if cache_dir is not None and table_files:
        Store(cache_dir).keep_files(used)
