"""The ``coopdocs`` command line: the entry points the workflow's rules call.

Each subcommand imports only what it needs, because the workflow starts one process per
document (see the measured costs in docs/performance.md).

    coopdocs validate [--data data] [--json]
    coopdocs prepare  --data data --organisation ID [--union CODE] [--union-body ID]
                      --bundle OUT --contexts DIR --epoch N
    coopdocs render   --context C.json --template brief.md.j2 --templates templates --out X.md
    coopdocs tables   --bundle B --tables-dir D --figures-dir F --context C --bib B --epoch N [--config C] ...
    coopdocs preview  [DOCUMENT] [--port 8000]   (author preview, HTML in the browser)
    coopdocs build    [--no-stamp] [snakemake options]   (every report; see workflow/stamp.py)
    coopdocs publish  --context C.json --template brief.md.j2 --md .. --docx .. --html .. --pdf .. (one document)
                      [--stage read|write: Markdown and AST | DOCX, HTML, Typst and PDF]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from coopdocs import freeze_heap_at_exit, layout


def _report_template_error(exc: Exception, template: str) -> None:
    """Print a Jinja error as ``file:line: template error: message`` (the partial, if it is there)."""
    where = f"{getattr(exc, 'filename', None) or template}:{getattr(exc, 'lineno', '?')}"
    print(f"{where}: template error: {exc}", file=sys.stderr)


def _report_problems(problems: list, as_json: bool) -> None:
    if as_json:
        json.dump([p.as_dict() for p in problems], sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
        return
    errors = [p for p in problems if p.severity == "error"]
    for p in problems:
        print(str(p), file=sys.stderr)
    if errors:
        print(
            f"\n{len(errors)} error(s) in the data; nothing was built. Fix them and run again.",
            file=sys.stderr,
        )


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate the data package; print every problem; exit 1 on any error."""
    from coopdocs.compute.claims import claim_names
    from coopdocs.load.datapackage import DataError, load_package
    from coopdocs.load.settings import authored_front

    claims = claim_names()
    try:
        package = load_package(Path(args.data), root=Path.cwd(), claims=claims)
    except DataError as exc:
        _report_problems(exc.problems, args.json)
        return 1
    # The authored texts as the build reads them (their front matter against the data too).
    faults = authored_front(package, claims)[1]
    if faults:
        _report_problems(faults + package.warnings, args.json)
        return 1
    _report_problems(package.warnings, args.json)
    if not args.json:
        counts = ", ".join(f"{len(v)} {k}" for k, v in package.tables.items())
        print(f"data valid: {counts}", file=sys.stderr)
    return 0


def cmd_prepare(args: argparse.Namespace) -> int:
    """Validate the data, then write the data bundle and one context (+ bibliography) per document
    (the strings file must label every coded value the data's descriptor allows)."""
    from coopdocs.compute.claims import claim_names
    from coopdocs.compute.stage import write_contexts
    from coopdocs.compute.tables import StringsError
    from coopdocs.load.datapackage import DataError, load_package
    from coopdocs.load.settings import language_problems, resolve_settings
    from coopdocs.load.strings import load_strings
    from coopdocs.tools.collation import kept_keys

    claims = claim_names()
    try:
        package = load_package(Path(args.data), root=Path.cwd(), claims=claims)
    except DataError as exc:
        _report_problems(exc.problems, args.json_errors)
        return 1
    settings, problems = resolve_settings(
        package, args.organisation, args.union, args.union_body, claims
    )
    problems += language_problems(args.language)
    if problems:
        _report_problems(problems, args.json_errors)
        print(
            "The config names records the data does not have; nothing was built.", file=sys.stderr
        )
        return 1
    register, numbering = _register(package, Path(args.data))
    if any(p.severity == "error" for p in numbering):
        _report_problems(numbering, args.json_errors)
        return 1
    _report_problems(package.warnings + numbering, False)
    if args.language:
        settings["language"] = args.language
    try:
        with kept_keys(Path(layout.COLLATION_CACHE) / "prepare"):
            write_contexts(
                package,
                Path(args.data),
                Path(args.bundle),
                Path(args.contexts),
                args.epoch,
                settings,
                words=load_strings(Path(args.strings) if args.strings else None),
                register=register,
            )
    except StringsError as exc:
        return _strings_error(exc, args.strings)
    return 0


def _register(package, data_dir: Path) -> tuple:
    """The data's numbering register (None without one) and its problems (coopdocs.load.register),
    checked against the documents this data makes."""
    from coopdocs.load.register import register_for

    return register_for(data_dir, [str(c["slug"]) for c in package.tables["countries"]])


def _strings_error(exc: Exception, strings: str | None) -> int:
    """Report each word the strings file lacks (one a line, naming the file); exit status 1."""
    where = strings or "the strings file"
    for line in str(exc).splitlines():
        print(f"{where}: {line}", file=sys.stderr)
    return 1


def cmd_render(args: argparse.Namespace) -> int:
    """Render one document's Markdown from its context and template."""
    import jinja2

    from coopdocs.render.markdown import render
    from coopdocs.render.publish import render_text
    from coopdocs.tools.files import atomic_output

    context = json.loads(Path(args.context).read_text(encoding="utf-8"))
    bibliography = Path(args.bibliography) if args.bibliography else None
    try:
        text = render_text(
            lambda c: render(Path(args.templates), args.template, c), context, bibliography
        )
    except jinja2.TemplateError as exc:
        _report_template_error(exc, args.template)
        return 1
    with atomic_output(Path(args.out)) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return 0


def cmd_tables(args: argparse.Namespace) -> int:
    """Compute the comparative tables and figures from the data bundle and write them; the
    strings file must have every table's caption and column headings (all missing ones named)."""
    from coopdocs.compute.tables import StringsError
    from coopdocs.load.strings import load_strings
    from coopdocs.tools.collation import kept_keys

    meta, detailed = None, None
    if args.config:
        from coopdocs.tools.config import load_config

        # validate=False: the Snakefile validated this configuration (jsonschema: 0.3 s a job).
        settings = load_config(Path.cwd(), Path(args.config), validate=False)
        meta, detailed = settings["article"], settings.get("detailed_states_max")
    opt = lambda v: Path(v) if v else None  # noqa: E731 - tiny local adapter
    try:
        # The names it sorts, with their keys from its last run (coopdocs.tools.collation).
        with kept_keys(Path(layout.COLLATION_CACHE) / "tables"):
            _write_tables(args, opt, meta, detailed, load_strings(opt(args.strings)))
    except StringsError as exc:
        return _strings_error(exc, args.strings)
    return 0


def _write_tables(args, opt, meta, detailed, words) -> None:
    """Compute and write the tables and figures with the parsed options (see cmd_tables)."""
    from coopdocs.compute.stage import write_tables

    write_tables(
        Path(args.bundle),
        Path(args.tables_dir),
        Path(args.figures_dir),
        Path(args.context),
        Path(args.bib),
        args.epoch,
        article_meta=meta,
        words=words,
        article_context_path=opt(args.article_context),
        article_bib_path=opt(args.article_bib),
        cache_dir=opt(args.cache_dir),
        detailed_states=detailed,
    )


def cmd_claims_register(args: argparse.Namespace) -> int:
    """Write reports/claims/register.csv from the documents' contexts of a (partial) build."""
    from coopdocs.describe.claims_register import write_register
    from coopdocs.tools.config import load_config

    root = Path.cwd()
    data_dir = args.data_dir or load_config(root, Path(args.config), validate=False)["data_dir"]
    print(write_register(root, data_dir).relative_to(root))
    return 0


def cmd_number(args: argparse.Namespace) -> int:
    """Write the numbering register (``numbering.json`` beside the data's descriptor) from the
    last build: every document's sources and records numbered 1..n in reading order, no gaps.
    ``--check``: write nothing; exit 1 listing what keeps the register from being that (a source
    or record it lacks or no longer used, a gap or another order), 0 when it is."""
    from coopdocs.describe.numbers import NumberError, reading, register_problems
    from coopdocs.load.register import compact, dumps, register_path
    from coopdocs.tools.config import load_config

    root = Path.cwd()
    data_dir = args.data_dir or load_config(root, Path(args.config), validate=False)["data_dir"]
    path = register_path(root / data_dir)
    # As the command was given: relative to the project for its own data, else in full.
    shown = path.relative_to(root) if path.is_relative_to(root) else path
    try:
        if args.check:
            lines = register_problems(root, data_dir, shown)
            for line in lines:
                print(line, file=sys.stderr)
            return 1 if lines else 0
        order = reading(root, data_dir)
    except NumberError as exc:
        print(f"coopdocs number: {exc}", file=sys.stderr)
        return 2
    text = dumps(compact(order))
    path.write_text(text, encoding="utf-8")
    counts = sum(len(v) for d in order.values() for v in d.values())
    print(f"{shown}: {len(order)} documents, {counts} numbers")
    return 0


def cmd_manifest(args: argparse.Namespace) -> int:
    """Write reports/manifest.json and the RO-Crate from what the build produced."""
    from coopdocs.describe.claims_register import write_register
    from coopdocs.describe.provenance import write
    from coopdocs.tools.builddate import input_paths
    from coopdocs.tools.config import load_config
    from coopdocs.tools.git import is_dirty, last_commit

    root = Path.cwd()
    # validate=False: the Snakefile validated this configuration (jsonschema: 0.3 s a job).
    settings = load_config(root, Path(args.config), validate=False)
    if (
        args.data_dir
    ):  # the workflow's data_dir (`snakemake --config data_dir=...` overrides the file)
        settings["data_dir"] = args.data_dir
    # The build's version: the last commit that changed its inputs, and whether they have changes
    # since (a commit or an edit of the README, the docs or the tests changes no byte).
    inputs = input_paths(settings)
    commit = last_commit(root, inputs)
    write_register(root, settings["data_dir"])
    write(
        root,
        settings,
        args.epoch,
        {"commit": commit, "dirty": is_dirty(root, inputs) if commit else None},
    )
    return 0


def cmd_trace(args: argparse.Namespace) -> int:
    """Answer 'where is this record/source used?' or 'what feeds this output (or phrase)?'."""
    from coopdocs.describe.trace import Build, TraceError, format_human, trace_item, trace_output

    try:
        build = Build.load(Path.cwd())
        target = args.target
        is_output = (
            target.startswith(f"{layout.REPORTS}/")
            or Path(target).suffix[1:] in layout.OUTPUT_FORMATS
        )
        result = (
            trace_output(build, target, args.phrase) if is_output else trace_item(build, target)
        )
    except TraceError as exc:
        print(f"coopdocs trace: {exc}", file=sys.stderr)
        return 2
    if args.json:
        json.dump(result, sys.stdout, indent=1, ensure_ascii=False, sort_keys=True)
        sys.stdout.write("\n")
    else:
        print(format_human(result))
    return 0


def _config_option(parser: argparse.ArgumentParser) -> None:
    """The ``--config KEY=VALUE`` option of the commands that build (as Snakemake's: settings put
    over config/config.yaml, ``--config language=ru`` for the Russian edition)."""
    parser.add_argument(
        "--config",
        nargs="+",
        action="extend",
        default=[],
        metavar="KEY=VALUE",
        help="settings put over config/config.yaml, as snakemake --config (e.g. language=ru)",
    )


def cmd_archive(args: argparse.Namespace) -> int:
    """Build the committed state in isolation and pack it as a BagIt archive plus a .zip."""
    from coopdocs.archive.bag import ArchiveError, archival_epoch, make_archive

    root = Path.cwd()
    try:
        epoch = archival_epoch(root, from_commit=args.epoch_from_commit)
        target = make_archive(root, epoch, cores=args.cores, config=tuple(args.config))
    except ArchiveError as exc:
        print(f"coopdocs archive: refused: {exc}", file=sys.stderr)
        return 2
    print(f"{target.relative_to(root) if target.is_relative_to(root) else target} (+ .zip)")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    """Rebuild an archive from its own source snapshot and lock file and compare every hash.

    This runs the archive's own workflow and code, after its integrity checks passed (coopdocs.archive.bag.verify).
    """
    from coopdocs.archive.bag import ArchiveError, verify

    try:
        differences = verify(Path(args.archive), fresh_env=args.fresh_env, cores=args.cores)
    except ArchiveError as exc:
        print(f"coopdocs verify: {exc}", file=sys.stderr)
        return 2
    for line in differences:
        print(f"DIFFERS {line}")
    print(
        "verified: every file rebuilt byte for byte"
        if not differences
        else f"{len(differences)} difference(s)"
    )
    return 0 if not differences else 1


def cmd_diff(args: argparse.Namespace) -> int:
    """Build two versions and write a change report and redlines to reports/diff/<A>..<B>/."""
    from coopdocs.review.diff import main as diff_main

    return diff_main(Path.cwd(), args.a, args.b, cores=args.cores, config=tuple(args.config))


def cmd_preview(args: argparse.Namespace) -> int:
    """Serve the HTML of a document (or all) on 127.0.0.1 and reload it when its sources change."""
    from coopdocs.preview.server import resolve_document, serve
    from coopdocs.tools.config import ConfigError, parse_overrides

    try:
        overrides = parse_overrides(args.config)
    except ConfigError as exc:
        print(f"coopdocs preview: {exc}", file=sys.stderr)
        return 2
    return serve(Path.cwd(), resolve_document(args.document), args.port, overrides)


def _publish_options_needed(args: argparse.Namespace) -> list[str]:
    """The options ``coopdocs publish`` needs for its stage and the outputs asked for."""
    needed = []
    if args.stage in ("read", "all"):
        needed += ["context", "bibliography", "template", "csl"]
    if args.stage in ("write", "all"):
        needed += ["figures_dir", "records_filter"]
        needed += ["typ", "typst_template"] if args.pdf or args.stage == "all" else []
        needed += ["typst_template"] if args.typ else []
        needed += ["reference_doc", "figures_filter"] if args.docx else []
        needed += ["html_template", "figures_filter"] if args.html else []
    return list(dict.fromkeys(needed))


def _publish_template(args: argparse.Namespace) -> str | None:
    """The document's template as a name inside --templates (the rules give it as a path there)."""
    template = args.template
    if template and Path(template).parent != Path("."):
        template = Path(template).relative_to(Path(args.templates)).as_posix()
    return template


def _publish_job(args: argparse.Namespace, pub) -> tuple:
    """The publish command's arguments as the renderer's Document, Styles and Outputs."""
    opt = lambda v: Path(v) if v else None  # noqa: E731 - tiny local adapter
    doc = pub.Document(
        context=opt(args.context),
        bibliography=opt(args.bibliography),
        templates_dir=Path(args.templates),
        template=_publish_template(args),
        figures_dir=opt(args.figures_dir),
        figures=[Path(f) for f in args.figures],
        timeline_template=opt(args.timeline_template),
        jinja_cache=opt(args.jinja_cache),
        sections_cache=opt(args.sections_cache),
    )
    styles = pub.Styles(
        csl=opt(args.csl),
        reference_doc=opt(args.reference_doc),
        html_template=opt(args.html_template),
        typst_template=opt(args.typst_template),
        figures_filter=opt(args.figures_filter),
        records_filter=opt(args.records_filter),
    )
    out = pub.Outputs(
        md=Path(args.md),
        ast=Path(args.ast),
        typ=opt(args.typ),
        docx=opt(args.docx),
        html=opt(args.html),
        pdf=opt(args.pdf),
        timeline_svg=opt(args.timeline_svg),
        timeline_png=opt(args.timeline_png),
    )
    return doc, styles, out


def _run_publish_stage(args: argparse.Namespace, pub) -> None:
    """Run the stage --stage names: read (Markdown and AST), write (the formats) or all."""
    doc, styles, out = _publish_job(args, pub)
    # Where the long documents' files wait while they are read again, and the code version that
    # says whether they may be put back (coopdocs.render.reuse).
    stash = {"stash": Path(args.stash) if args.stash else None, "code": args.code_version}
    if args.stage == "read":
        withdrawn = [Path(w) for w in args.withdraw]
        pub.read_stage(doc, out, epoch=args.epoch, csl=styles.csl, withdrawn=withdrawn, **stash)
    elif args.stage == "write":
        pub.write_stage(styles, out, epoch=args.epoch, doc=doc, parallel=args.parallel, **stash)
    else:
        pub.publish(doc, styles, out, epoch=args.epoch, parallel=args.parallel)


def cmd_publish(args: argparse.Namespace) -> int:
    """Build one document: Markdown, DOCX, HTML, Typst and PDF (and a brief's timeline figure)."""
    missing = [
        f"--{o.replace('_', '-')}"
        for o in _publish_options_needed(args)
        if getattr(args, o) is None
    ]
    if missing:
        print(
            f"coopdocs publish --stage {args.stage}: missing {', '.join(missing)}", file=sys.stderr
        )
        return 2
    if args.stage == "write":  # renders no template: no need to import Jinja (50 ms)
        template_errors: tuple = ()
    else:
        import jinja2

        template_errors = (jinja2.TemplateError,)
    from coopdocs.load.kept import kept_values
    from coopdocs.render import publish as pub
    from coopdocs.tools.pandoc import ConversionError

    try:
        # The strings' parse and the language's CLDR facts, kept for the next job.
        with kept_values(Path(layout.KEPT_CACHE)):
            _run_publish_stage(args, pub)
    except template_errors as exc:
        _report_template_error(exc, _publish_template(args))
        return 1
    except ConversionError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except OSError as exc:  # a full disk, a file that cannot be written: one line, not a traceback
        print(
            f"coopdocs publish: {exc.filename or ''}{': ' if exc.filename else ''}{exc.strerror or exc}",
            file=sys.stderr,
        )
        return 1
    return 0


def _add_validate(sub: argparse._SubParsersAction) -> None:
    """``validate``: check the data package and report every problem."""
    p = sub.add_parser("validate", help="check the data package and report every problem")
    p.add_argument("--data", default="data")
    p.add_argument("--json", action="store_true", help="print problems as JSON for scripts")
    p.set_defaults(func=cmd_validate)


def _add_prepare(sub: argparse._SubParsersAction) -> None:
    """``prepare``: the data, the outputs and the documents' organisation, union and language."""
    p = sub.add_parser(
        "prepare", help="validate, then write the data bundle and per-document contexts"
    )
    p.add_argument("--data", default="data")
    p.add_argument("--bundle", required=True)
    p.add_argument("--contexts", required=True)
    p.add_argument("--epoch", type=int, required=True)
    p.add_argument("--json-errors", action="store_true")
    p.add_argument(
        "--organisation", required=True, help="actor id of the organisation the documents are about"
    )
    p.add_argument(
        "--union",
        default="",
        help="code of the union's row in countries.csv (default: the one row of kind union)",
    )
    p.add_argument(
        "--union-body", default="", help="actor id of the union's executive body (optional)"
    )
    p.add_argument("--strings", help="the strings file of the templates (templates/strings.yaml)")
    p.add_argument(
        "--language", default="", help="BCP 47 tag of the documents' language (default: en)"
    )
    p.set_defaults(func=cmd_prepare)


def _add_render(sub: argparse._SubParsersAction) -> None:
    """``render``: a document's context and template in, its Markdown out."""
    p = sub.add_parser("render", help="render a document's Markdown from its context")
    p.add_argument("--context", required=True)
    p.add_argument("--template", required=True)
    p.add_argument("--templates", default="templates")
    p.add_argument("--out", required=True)
    p.add_argument(
        "--bibliography", help="the document's CSL JSON (its cited entries are in the text digest)"
    )
    p.set_defaults(func=cmd_render)


def _add_tables(sub: argparse._SubParsersAction) -> None:
    """``tables``: the bundle in; tables, figures, the tables context and bibliography out."""
    p = sub.add_parser(
        "tables", help="compute comparative tables (CSV, XLSX), figures and the tables context"
    )
    p.add_argument("--bundle", required=True)
    p.add_argument("--tables-dir", required=True)
    p.add_argument("--figures-dir", required=True)
    p.add_argument("--context", required=True)
    p.add_argument("--bib", required=True)
    p.add_argument("--epoch", type=int, required=True)
    p.add_argument("--config", help="config.yaml whose 'article' key holds the article's metadata")
    p.add_argument("--strings", help="the strings file of the templates (templates/strings.yaml)")
    p.add_argument("--article-context")
    p.add_argument("--article-bib")
    p.add_argument(
        "--cache-dir",
        help="folder of figures and workbooks by content digest (skips unchanged ones)",
    )
    p.set_defaults(func=cmd_tables)


def _add_claims_register(sub: argparse._SubParsersAction) -> None:
    """``claims-register``: the config and data package whose claims are listed."""
    p = sub.add_parser(
        "claims-register",
        help="write reports/claims/register.csv from the documents' contexts (the build writes "
        "it with the manifest)",
    )
    p.add_argument("--config", default="config/config.yaml")
    p.add_argument("--data-dir", help="the data package built (default: the config's data_dir)")
    p.set_defaults(func=cmd_claims_register)


def _add_manifest(sub: argparse._SubParsersAction) -> None:
    """``manifest``: the config, data package and epoch the manifest describes."""
    p = sub.add_parser(
        "manifest", help="write reports/manifest.json and reports/ro-crate-metadata.json"
    )
    p.add_argument("--config", default="config/config.yaml")
    p.add_argument(
        "--data-dir", help="the data package built (default: the config file's data_dir)"
    )
    p.add_argument("--epoch", type=int, required=True)
    p.set_defaults(func=cmd_manifest)


def _add_trace(sub: argparse._SubParsersAction) -> None:
    """``trace``: a record, source or output to trace, and an optional passage."""
    p = sub.add_parser(
        "trace",
        help="which outputs use a record or source; which records feed an output",
        description="coopdocs trace prj-kz-gcip-cleantech-2019 | trace 45 | trace ref045 | "
        "trace reports/briefs/kazakhstan.pdf [--phrase 'Green Bridge']",
    )
    p.add_argument(
        "target",
        help="a record ID, a source (ref045, 45; WORK:45 where several citing works number "
        "from 1) or an output path under reports/",
    )
    p.add_argument(
        "--phrase",
        help="with an output: the passage to explain (words as they appear in the document)",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_trace)


def _add_archive(sub: argparse._SubParsersAction) -> None:
    """``archive``: an archival build of HEAD."""
    p = sub.add_parser(
        "archive", help="archival build of HEAD: BagIt folder + .zip under reports/archive/"
    )
    p.add_argument(
        "--epoch-from-commit",
        action="store_true",
        help="date the build as an ordinary build of HEAD: by its last commit that changed the build's inputs",
    )
    p.add_argument("--cores", type=int, default=2)
    _config_option(p)
    p.set_defaults(func=cmd_archive)


def _add_verify(sub: argparse._SubParsersAction) -> None:
    """``verify``: the archive to check and rebuild."""
    p = sub.add_parser(
        "verify",
        help="rebuild an archive from its source and lock file; compare every hash "
        "(RUNS the archive's own workflow and code)",
        description="Check an archive's integrity (BagIt manifests and Payload-Oxum, SHA256SUMS, "
        "source.tar against reports/manifest.json), then rebuild it from its own source "
        "and uv.lock and compare every file. The rebuild RUNS THE ARCHIVE'S CODE (its "
        "Snakefile, rules and package); nothing is run when the integrity check fails. "
        "The checks prove integrity, not authorship: verify only archives you trust.",
    )
    p.add_argument("archive", help="the archive folder or its .zip")
    p.add_argument(
        "--fresh-env",
        action="store_true",
        help="always install the archive's uv.lock into a new environment",
    )
    p.add_argument("--cores", type=int, default=2)
    p.set_defaults(func=cmd_verify)


_NUMBER_USAGE = (
    "coopdocs number [--check]: the citation and record-mark numbers of every document, in "
    "reading order, from the last build; --check: exit 1 listing what differs"
)


def _add_number(sub: argparse._SubParsersAction) -> None:
    """``number``: write or check the numbering register."""
    what = "renumber: write data/numbering.json from the last build (1..n per document)"
    p = sub.add_parser("number", help=what, description=_NUMBER_USAGE)
    p.add_argument("--check", action="store_true", help="write nothing; exit 1 if not compact")
    p.add_argument("--config", default="config/config.yaml")
    p.add_argument("--data-dir", help="the data package (default: the config's data_dir)")
    p.set_defaults(func=cmd_number)


def _add_diff(sub: argparse._SubParsersAction) -> None:
    """``diff``: the two versions to compare."""
    p = sub.add_parser(
        "diff",
        help="what changed between two versions: change report and Word redlines",
        description="coopdocs diff [A] [B]: A, B are git revisions or WORKTREE (defaults: the last "
        "tag, else HEAD; and WORKTREE); writes reports/diff/<A>..<B>/; exit 0 no change, "
        "1 changes, 2 error",
    )
    p.add_argument("a", nargs="?", help="first version (default: the last tag, else HEAD)")
    p.add_argument("b", nargs="?", help="second version (default: WORKTREE, the work tree)")
    p.add_argument("--cores", type=int, default=2)
    _config_option(p)
    p.set_defaults(func=cmd_diff)


def _add_preview(sub: argparse._SubParsersAction) -> None:
    """``preview``: the document to serve and the port."""
    p = sub.add_parser(
        "preview",
        help="serve a document's HTML on 127.0.0.1; the page reloads when data, "
        "templates or config change",
        description="coopdocs preview [DOCUMENT]: DOCUMENT is a brief's slug (armenia), tables or "
        "article; without it, an index of every document. HTML only: DOCX and PDF are "
        "the build's.",
    )
    p.add_argument(
        "document", nargs="?", help="a brief's slug, 'tables' or 'article' (default: an index)"
    )
    p.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (0: any free port)")
    _config_option(p)
    p.set_defaults(func=cmd_preview)


def _add_publish(sub: argparse._SubParsersAction) -> None:
    """``publish``: the stage, its inputs and the formats it writes."""
    p = sub.add_parser(
        "publish", help="build one document: Markdown, DOCX, HTML and PDF from its context"
    )
    p.add_argument(
        "--stage",
        choices=["all", "read", "write"],
        default="all",
        help="all (default); read: Markdown and the JSON AST with citations; write: DOCX, HTML, "
        "Typst and PDF from that AST",
    )
    p.add_argument("--md", required=True)
    p.add_argument("--ast", required=True)
    for name in (
        "context",
        "bibliography",
        "template",
        "typ",
        "csl",
        "reference-doc",
        "html-template",
        "typst-template",
        "figures-filter",
        "records-filter",
        "figures-dir",
    ):
        p.add_argument(f"--{name}", help="required by the stages that use it")
    for fmt in layout.FORMATS:
        p.add_argument(
            f"--{fmt}", help=f"where to write the {fmt.upper()} (not built when left out)"
        )
    p.add_argument("--templates", default="templates")
    p.add_argument(
        "--figures",
        nargs="*",
        default=[],
        help="SVG figures the document shows (made by other jobs)",
    )
    p.add_argument(
        "--timeline-template", help="briefs: Typst template of the state's timeline figure"
    )
    p.add_argument("--timeline-svg")
    p.add_argument("--timeline-png")
    _add_publish_run_options(p)
    p.set_defaults(func=cmd_publish)


def _add_publish_run_options(p: argparse.ArgumentParser) -> None:
    """``publish``: the build date, how many writers at once, and what it keeps or withdraws."""
    p.add_argument("--epoch", type=int, required=True)
    p.add_argument("--parallel", type=int, default=1, help="pandoc writers to run at once")
    p.add_argument("--jinja-cache", help="folder to keep compiled templates in between runs")
    p.add_argument(
        "--withdraw",
        nargs="*",
        default=[],
        help="--stage read: files made from the previous AST (the write stage's outputs), removed "
        "before anything is read, so that a failed read never leaves them looking current",
    )
    p.add_argument(
        "--code-version",
        help="with --stash: the version of the code and libraries, as the rules compute it "
        "(coopdocs.workflow.helpers.code_version; computed when not given)",
    )
    p.add_argument(
        "--stash",
        help="folder (a cache) where --stage read keeps the --withdraw files and --stage write "
        "records what its files were made from; they are put back only when made from exactly "
        "what the write would read now",
    )
    p.add_argument(
        "--sections-cache",
        help="folder to keep this document's read sections in: a rebuild reads only the sections that changed",
    )


def cmd_build(args: argparse.Namespace) -> int:
    """Build every report: Snakemake with the given options, or, for a plain full build (no
    targets; only --cores/--jobs, --quiet, -p, -k) with nothing changed since the last successful
    one, 'Nothing to be done' without starting it (the build stamp, coopdocs.workflow.stamp).
    --no-stamp: always Snakemake."""
    from coopdocs.workflow.stamp import build

    rest = [a for a in args.snakemake if a != "--no-stamp"]
    return build(rest, use_stamp=len(rest) == len(args.snakemake))


def _add_build(sub: argparse._SubParsersAction) -> None:
    """``coopdocs build [--no-stamp] [snakemake options]`` (:func:`cmd_build`)."""
    p = sub.add_parser("build", help="build every report", description=cmd_build.__doc__)
    p.add_argument("snakemake", nargs="*", help="Snakemake's options and targets, as given")
    p.set_defaults(func=cmd_build)


# The subcommands in the order ``coopdocs --help`` lists them.
_SUBCOMMANDS = (
    _add_validate,
    _add_prepare,
    _add_render,
    _add_tables,
    _add_claims_register,
    _add_manifest,
    _add_trace,
    _add_archive,
    _add_verify,
    _add_diff,
    _add_number,
    _add_preview,
    _add_publish,
    _add_build,
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``coopdocs`` command."""
    parser = argparse.ArgumentParser(prog="coopdocs", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for add in _SUBCOMMANDS:
        add(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``coopdocs`` console script."""
    freeze_heap_at_exit()
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["build"] and not {"-h", "--help"} & set(argv[1:2]):
        # Snakemake's options as given, in order (argparse would take them as coopdocs' own).
        return cmd_build(argparse.Namespace(snakemake=argv[1:]))
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
