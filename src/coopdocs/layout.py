"""The layout contract: the name and path of every document, table, figure and build file.

Everything that names an output or a file of the build takes it from here: the Snakefile's
targets and the rules' paths (rules/*.smk), the CLI, ``coopdocs diff`` (which documents to build
and compare), ``coopdocs trace`` and the manifest (which inputs each output has), and the tests.
Nothing reads the rule files to find out what the build makes.

A build of the data package makes:

- **documents**, one per kind and subject (:data:`KINDS`): a brief per member state (subject: the
  state's slug), the comparative-tables document and the review article, each in :data:`FORMATS`
  under ``reports/<folder>/<name>.<format>``, from the context ``build/context/<folder>/<name>.json``
  through ``build/md``, ``build/ast`` and ``build/typst``;
- **tables** (:data:`TABLE_IDS`, in the order the tables document shows them; those of
  :data:`TABLE_ROWS` only where the data has such rows, :func:`table_ids`) as CSV and XLSX in
  ``reports/tables/``;
- **figures** in ``reports/figures/`` (SVG and PNG): the overview figures (:data:`OVERVIEW_FIGURES`)
  and one timeline per brief (:func:`timeline_figure`);
- the **manifest** and the RO-Crate (:data:`MANIFEST`, :data:`CRATE`).

Paths are POSIX strings relative to the project folder; a function given Snakemake wildcards
(``"{folder}"``, ``"{name}"``) returns the pattern. Standard library only and no work at import:
the Snakefile imports this at parse time and every job imports it again.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

# --------------------------------------------------------------------------------------------
# Folders and files of a build

REPORTS = "reports"
TABLES_DIR = f"{REPORTS}/tables"
FIGURES_DIR = f"{REPORTS}/figures"
MANIFEST = f"{REPORTS}/manifest.json"
CRATE = f"{REPORTS}/ro-crate-metadata.json"
# Every computed claim the documents state (coopdocs.describe.claims_register), written with the
# manifest.
CLAIMS_REGISTER = f"{REPORTS}/claims/register.csv"
DIFF_DIR = f"{REPORTS}/diff"  # coopdocs diff: reports/diff/<A>..<B>/ (not build outputs)
ARCHIVE_DIR = f"{REPORTS}/archive"  # coopdocs archive (not build outputs)

BUILD = "build"
BUNDLE = f"{BUILD}/data/bundle.json"  # the validated data, written by prepare_data
CONTEXTS = f"{BUILD}/context"
MD_DIR = f"{BUILD}/md"
AST_DIR = f"{BUILD}/ast"
TYPST_DIR = f"{BUILD}/typst"
CACHE = f"{BUILD}/cache"  # caches only: deleting them costs time, never changes a byte
TABLES_CACHE = f"{CACHE}/tables"
JINJA_CACHE = f"{CACHE}/jinja"
SECTIONS_CACHE = f"{CACHE}/sections"
CONFIG_CACHE = f"{CACHE}/config"  # configurations that passed the schema (workflow.helpers)
HASHES_CACHE = f"{CACHE}/hashes"  # the manifest's file hashes (describe.provenance)
KEPT_CACHE = f"{CACHE}/kept"  # a publish job's start-up values (load.kept)
COLLATION_CACHE = f"{CACHE}/collation"  # sort keys of names, per stage (tools.collation)

LOGS = "logs"

# The numbering register beside the data package's descriptor (coopdocs.load.register): the
# number of each source and record in each document. Optional; an input of every document.
NUMBERING = "numbering.json"

# Files of the project that every output is made from (besides the data, templates and styles).
SNAKEFILE = "Snakefile"
RULES_DIR = "rules"
PACKAGE_DIR = "src/coopdocs"
CONFIG = "config/config.yaml"
SCHEMA = "config/schema.yaml"
LOCKS = ("uv.lock", "pyproject.toml")
STRINGS = "strings.yaml"  # in the templates folder (strings_file)

# --------------------------------------------------------------------------------------------
# Formats

FORMATS = ("docx", "html", "pdf")  # of every document
TABLE_FORMATS = ("csv", "xlsx")
FIGURE_FORMATS = ("svg", "png")
OUTPUT_FORMATS = FORMATS + TABLE_FORMATS + FIGURE_FORMATS

# The style files (config keys) each step of a document reads. pandoc reads the Markdown and
# resolves the citations once (the CSL), then each format's writer uses its own files; the PDF is
# compiled by Typst from the Typst writer's output.
READ_STYLES = ("csl",)
FORMAT_STYLES = {
    "docx": ("reference_docx", "figures_filter", "records_filter"),
    "html": ("html_template", "figures_filter", "records_filter"),
    "pdf": ("typst_template", "records_filter"),
}

# --------------------------------------------------------------------------------------------
# Tables and figures

INSTITUTIONAL_PROFILE = "institutional-profile"
LEGAL_BASIS = "legal-basis"
PROJECTS_BY_THEME = "projects-by-theme"
PROJECTS_BY_FUNDER = "projects-by-funder"
TIMELINE_TABLE = "timeline"
# The union's yearly programme: also the typed role of its rows (coopdocs.load.roles).
UNION_PROGRAMME = "union-programme"
# Every comparative table, in the order the tables document shows them (coopdocs.compute.tables).
TABLE_IDS = (
    INSTITUTIONAL_PROFILE,
    LEGAL_BASIS,
    PROJECTS_BY_THEME,
    PROJECTS_BY_FUNDER,
    TIMELINE_TABLE,
    UNION_PROGRAMME,
)
# Tables that exist only where the data has rows of a typed role (issue 34): table id -> (data
# table, column, value). A package without such rows gets no file, section or sentence for it.
TABLE_ROWS = {UNION_PROGRAMME: ("instruments", "role", UNION_PROGRAMME)}

TIMELINE_FIGURE = "timeline"  # drawn from the timeline table
THEMES_FIGURE = "themes-by-state"  # drawn from the projects-by-theme table
# Drawn by compute_tables (matplotlib), shown by the tables document and the article.
OVERVIEW_FIGURES = (TIMELINE_FIGURE, THEMES_FIGURE)
# The table each overview figure is drawn from (the manifest takes its records from it).
FIGURE_TABLES = {TIMELINE_FIGURE: TIMELINE_TABLE, THEMES_FIGURE: PROJECTS_BY_THEME}
_TIMELINE_PREFIX = f"{TIMELINE_FIGURE}-"


def timeline_figure(slug: str) -> str:
    """The name of a brief's own timeline figure (drawn by the brief's job with Typst).

    >>> timeline_figure("armenia")
    'timeline-armenia'
    """
    return f"{_TIMELINE_PREFIX}{slug}"


def figure_subject(figure: str) -> str | None:
    """The brief (slug) a figure belongs to, None for an overview figure.

    >>> figure_subject("timeline-armenia"), figure_subject("themes-by-state")
    ('armenia', None)
    """
    return figure[len(_TIMELINE_PREFIX) :] if figure.startswith(_TIMELINE_PREFIX) else None


def figure_names(slugs: list[str]) -> list[str]:
    """Every figure of a build: the overview figures, then one timeline per brief."""
    return list(OVERVIEW_FIGURES) + [timeline_figure(s) for s in slugs]


def table_output(table: str, fmt: str) -> str:
    """``reports/tables/<table>.<fmt>``."""
    return f"{TABLES_DIR}/{table}.{fmt}"


def table_outputs(fmt: str, tables: tuple[str, ...] | list[str] = TABLE_IDS) -> list[str]:
    """Every table of ``tables`` (the data's, :func:`table_ids`) in one format."""
    return [table_output(t, fmt) for t in tables]


def figure_file(figure: str, fmt: str) -> str:
    """A figure's file name, as documents refer to it: ``<figure>.<fmt>`` (in :data:`FIGURES_DIR`)."""
    return f"{figure}.{fmt}"


def figure_output(figure: str, fmt: str) -> str:
    """``reports/figures/<figure>.<fmt>``."""
    return f"{FIGURES_DIR}/{figure_file(figure, fmt)}"


# --------------------------------------------------------------------------------------------
# Documents


@dataclass(frozen=True)
class Kind:
    """A kind of document: where its files go, what it is made from, how it is built."""

    folder: str  # reports/<folder>/, build/*/<folder>/; the context's document.kind; the {folder} wildcard
    label: str  # its kind in the manifest
    template: str  # the config key naming its Jinja template
    name: str | None = (
        None  # the one document of this kind; None: one per member state, named by slug
    )
    figures: tuple[str, ...] = ()  # overview figures it shows (made by compute_tables)
    styles: tuple[str, ...] = ()  # further config keys its job reads (a brief draws its timeline)
    split: bool = False  # read (Markdown, AST) and written (DOCX, HTML, Typst, PDF) by two jobs


BRIEF = Kind("briefs", "brief", "brief_template", styles=("timeline_template",))
TABLES_DOCUMENT = Kind(
    "tables",
    "tables-document",
    "tables_template",
    name="comparative-tables",
    figures=OVERVIEW_FIGURES,
    split=True,
)
ARTICLE = Kind(
    "article", "article", "article_template", name="review", figures=OVERVIEW_FIGURES, split=True
)
KINDS = (BRIEF, TABLES_DOCUMENT, ARTICLE)
KIND_BY_FOLDER = {k.folder: k for k in KINDS}
SPLIT_FOLDERS = tuple(
    k.folder for k in KINDS if k.split
)  # built by read_document + publish_document


def read_styles(kind: Kind) -> tuple[str, ...]:
    """Config keys of the style files read with a document's Markdown (and a brief's figure)."""
    return READ_STYLES + kind.styles


def write_styles(formats: tuple[str, ...] = FORMATS) -> tuple[str, ...]:
    """Config keys of the style files pandoc's writers and Typst use for ``formats``."""
    return tuple(dict.fromkeys(k for fmt in formats for k in FORMAT_STYLES[fmt]))


def styles(kind: Kind, fmt: str) -> tuple[str, ...]:
    """Config keys of the style files one format of a document of ``kind`` is made with."""
    return read_styles(kind) + FORMAT_STYLES[fmt]


def style_files(settings: dict, keys: tuple[str, ...]) -> dict[str, str]:
    """``{key: path}`` of the style files ``keys`` in the configuration (those it sets)."""
    return {k: settings[k] for k in keys if settings.get(k)}


def md(folder: str, name: str) -> str:
    """``build/md/<folder>/<name>.md``: the rendered Markdown."""
    return f"{MD_DIR}/{folder}/{name}.md"


def ast(folder: str, name: str) -> str:
    """``build/ast/<folder>/<name>.json``: pandoc's AST with citations resolved."""
    return f"{AST_DIR}/{folder}/{name}.json"


def typ(folder: str, name: str) -> str:
    """``build/typst/<folder>/<name>.typ``: the Typst source of the PDF."""
    return f"{TYPST_DIR}/{folder}/{name}.typ"


def context(folder: str, name: str, base: str | Path = CONTEXTS) -> str:
    """``build/context/<folder>/<name>.json``: what the document's template is rendered with."""
    return f"{PurePosixPath(base)}/{folder}/{name}.json"


def bibliography(folder: str, name: str, base: str | Path = CONTEXTS) -> str:
    """``build/context/<folder>/<name>.bib.json``: the CSL JSON of the sources it cites."""
    return f"{PurePosixPath(base)}/{folder}/{name}.bib.json"


def sections_cache(folder: str, name: str) -> str:
    """``build/cache/sections/<folder>/<name>``: a long document's read sections."""
    return f"{SECTIONS_CACHE}/{folder}/{name}"


def output(folder: str, name: str, fmt: str) -> str:
    """``reports/<folder>/<name>.<fmt>``: one format of a document."""
    return f"{REPORTS}/{folder}/{name}.{fmt}"


def document_files(folder: str, name: str) -> dict[str, str]:
    """What one document's job(s) write: md, ast, typ (under build/) and each format (reports/)."""
    files = {"md": md(folder, name), "ast": ast(folder, name), "typ": typ(folder, name)}
    files.update((fmt, output(folder, name, fmt)) for fmt in FORMATS)
    return files


def log(rule: str, *names: str) -> str:
    """``logs/<rule>/<names joined by '-'>.log``; ``logs/<rule>/<rule>.log`` for a rule with one job."""
    return f"{LOGS}/{rule}/{'-'.join(names) or rule}.log"


@dataclass(frozen=True)
class Document:
    """One document of a build: a kind and a subject (a state's slug or the kind's one name)."""

    kind: Kind
    name: str

    @property
    def folder(self) -> str:
        return self.kind.folder

    @property
    def key(self) -> str:
        """``<folder>/<name>``, as the diff, the trace and the tests name it."""
        return f"{self.folder}/{self.name}"

    @property
    def md(self) -> str:
        return md(self.folder, self.name)

    @property
    def ast(self) -> str:
        return ast(self.folder, self.name)

    @property
    def typ(self) -> str:
        return typ(self.folder, self.name)

    @property
    def context(self) -> str:
        return context(self.folder, self.name)

    @property
    def bibliography(self) -> str:
        return bibliography(self.folder, self.name)

    def output(self, fmt: str) -> str:
        return output(self.folder, self.name, fmt)

    @property
    def outputs(self) -> list[str]:
        """Its files under reports/, one per format."""
        return [self.output(fmt) for fmt in FORMATS]

    @property
    def figures(self) -> list[str]:
        """The figures it shows: the overview figures, or a brief's own timeline."""
        return list(self.kind.figures) if self.kind.name else [timeline_figure(self.name)]


def documents(slugs: list[str]) -> list[Document]:
    """Every document of a build with these briefs: the briefs, then the tables document and the article."""
    docs: list[Document] = []
    for kind in KINDS:
        docs += (
            [Document(kind, kind.name)] if kind.name else [Document(kind, slug) for slug in slugs]
        )
    return docs


def document(folder: str, name: str) -> Document | None:
    """The document ``<folder>/<name>``, None when no kind has that folder or that name."""
    kind = KIND_BY_FOLDER.get(folder)
    if kind is None or (kind.name is not None and kind.name != name):
        return None
    return Document(kind, name)


def all_outputs(slugs: list[str], table_list: tuple[str, ...] | list[str] = TABLE_IDS) -> list[str]:
    """Every file a build writes under reports/ but the manifest and the RO-Crate (the tables of
    ``table_list``: the data's, :func:`table_ids`)."""
    docs = [o for d in documents(slugs) for o in d.outputs]
    tables = [table_output(t, fmt) for t in table_list for fmt in TABLE_FORMATS]
    figures = [figure_output(f, fmt) for f in figure_names(slugs) for fmt in FIGURE_FORMATS]
    return docs + tables + figures


@dataclass(frozen=True)
class Output:
    """A file under reports/ as the manifest describes it."""

    path: str
    kind: str  # a document kind's label, "table", "figure", "claims-register" or "other"
    folder: str
    subject: str  # the file name without its extension
    format: str
    document: Document | None = None


def describe(path: str) -> Output | None:
    """What the file ``reports/...`` is; None for what is not a build output.

    Not outputs: other suffixes, hidden files, the manifest and the RO-Crate, and what
    ``coopdocs diff`` and ``coopdocs archive`` write under reports/.

    >>> describe("reports/briefs/armenia.pdf").kind, describe("reports/tables/timeline.csv").kind
    ('brief', 'table')
    """
    p = PurePosixPath(path)
    parts = p.relative_to(REPORTS).parts if p.parts[:1] == (REPORTS,) else ()
    fmt = p.suffix[1:]
    if (
        len(parts) < 2
        or fmt not in OUTPUT_FORMATS
        or p.name.startswith(".")
        or str(p) in (MANIFEST, CRATE)
        or p.is_relative_to(DIFF_DIR)
        or p.is_relative_to(ARCHIVE_DIR)
    ):
        return None
    folder, subject = parts[0], p.stem
    doc = document(folder, subject) if fmt in FORMATS else None
    if doc is not None:
        return Output(str(p), doc.kind.label, folder, subject, fmt, doc)
    if f"{REPORTS}/{folder}" == TABLES_DIR:
        return Output(str(p), "table", folder, subject, fmt)
    if f"{REPORTS}/{folder}" == FIGURES_DIR:
        return Output(str(p), "figure", folder, subject, fmt)
    if str(p) == CLAIMS_REGISTER:
        return Output(str(p), "claims-register", folder, subject, fmt)
    return Output(str(p), "other", folder, subject, fmt)


# --------------------------------------------------------------------------------------------
# Inputs: what the build reads (paths relative to the project folder ``root``)


def column_values(data_dir: str | Path, table: str, column: str) -> set[str]:
    """The filled values of one column of a data table, stripped, read without the loader.

    A table the descriptor leaves out, a missing or malformed file or column yields none here;
    validation (the prepare_data rule) reports what is wrong properly.
    """
    descriptor = json.loads((Path(data_dir) / "datapackage.json").read_text(encoding="utf-8"))
    path = next(
        (Path(data_dir) / r["path"] for r in descriptor["resources"] if r["name"] == table), None
    )
    if path is None:
        return set()
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return {
                row[column].strip() for row in csv.DictReader(fh) if (row.get(column) or "").strip()
            }
    except (OSError, KeyError, UnicodeDecodeError, csv.Error):
        return set()


def brief_slugs(data_dir: str | Path) -> list[str]:
    """Slugs of the briefs to build: one per row of the countries table, sorted (only the
    ``slug`` column is read)."""
    return sorted(column_values(data_dir, "countries", "slug"))


def table_ids(data_dir: str | Path) -> list[str]:
    """The comparative tables of this data package, in :data:`TABLE_IDS` order: every table but
    those of :data:`TABLE_ROWS` whose rows the data lacks (read as :func:`brief_slugs` reads the
    slugs, where Snakemake reads the Snakefile)."""
    return [
        t
        for t in TABLE_IDS
        if t not in TABLE_ROWS
        or TABLE_ROWS[t][2] in column_values(data_dir, TABLE_ROWS[t][0], TABLE_ROWS[t][1])
    ]


def data_files(data_dir: str, root: str | Path = ".") -> list[str]:
    """Every file of the data package: the descriptor, then each table it names, its authored
    texts (the descriptor's ``texts``) and its numbering register (:data:`NUMBERING`, when it
    has one), sorted."""
    descriptor_path = PurePosixPath(data_dir) / "datapackage.json"
    descriptor = json.loads((Path(root) / descriptor_path).read_text(encoding="utf-8"))
    texts = descriptor.get("texts") if isinstance(descriptor.get("texts"), dict) else {}
    register = PurePosixPath(data_dir) / NUMBERING
    numbering = {str(register)} if (Path(root) / register).is_file() else set()
    return [str(descriptor_path)] + sorted(
        {str(PurePosixPath(data_dir) / r["path"]) for r in descriptor["resources"]}
        | {str(PurePosixPath(data_dir) / p) for p in texts.values()}
        | numbering
    )


def language_folder(templates_dir: str, language: str | None, root: str | Path = ".") -> str | None:
    """The folder of ``templates_dir`` that holds the templates and strings of ``language`` (a
    BCP 47 tag): ``<templates_dir>/<tag>`` (``templates/pt-BR``), else the folder of its language
    subtag (``templates/pt``), when it exists; None otherwise (the base folder's own language).

    A language folder overrides the base folder file by file (a template it lacks is the base
    folder's) and holds the whole strings file of its language.

    >>> language_folder("templates", "ru"), language_folder("templates", "en"), language_folder("templates", None)
    ('templates/ru', None, None)
    """
    if not language:
        return None
    for tag in dict.fromkeys((str(language), str(language).split("-")[0])):
        folder = PurePosixPath(templates_dir) / tag
        if (Path(root) / folder / STRINGS).is_file():
            return str(folder)
    return None


def _in_language_folder(path: Path, folder: Path) -> bool:
    """Whether ``path`` lies in a language folder below ``folder`` (one holding a strings file)."""
    return any(
        (parent / STRINGS).is_file()
        for parent in path.parents
        if parent != folder and parent.is_relative_to(folder)
    )


def template_folders(
    templates_dir: str, language: str | None = None, root: str | Path = "."
) -> list[str]:
    """The folders a template is looked up in, in order: the language folder
    (:func:`language_folder`) if there is one, then ``templates_dir``.

    >>> template_folders("templates", "ru"), template_folders("templates")
    (['templates/ru', 'templates'], ['templates'])
    """
    folder = language_folder(templates_dir, language, root)
    return ([folder] if folder else []) + [str(PurePosixPath(templates_dir))]


def strings_file(templates_dir: str, language: str | None = None, root: str | Path = ".") -> str:
    """The strings file of a template folder in ``language``: the words the program writes into
    every document, workbook and figure (coopdocs.load.strings). The language folder's own
    (never merged with the base folder's, so that no word of another language slips in)."""
    return str(PurePosixPath(template_folders(templates_dir, language, root)[0]) / STRINGS)


def template_files(
    templates_dir: str,
    template: str | None = None,
    root: str | Path = ".",
    language: str | None = None,
) -> list[str]:
    """The Jinja files a render reads: ``template`` and every partial (all templates if None),
    those of the language folder (:func:`template_folders`) included, and the strings file.

    A change to one document kind's template then reruns only that kind's renders; a change to a
    shared partial reruns them all. The base folder's files come first and are always listed,
    so that ``templates_dir/template`` names the folder of the render.
    """
    base = Path(root)

    def rel(folder: str, paths) -> list[str]:
        # Named as templates_dir names its folder: relative to the project, or absolute.
        return sorted(
            (PurePosixPath(folder) / p.relative_to(base / folder).as_posix()).as_posix()
            for p in paths
        )

    folders = list(reversed(template_folders(templates_dir, language, root)))
    # The strings file holds words every document shows.
    strings = strings_file(templates_dir, language, root)
    files: list[str] = []
    for folder in folders:
        path = base / folder
        if template is None:
            files += rel(
                folder, (p for p in path.rglob("*.j2") if not _in_language_folder(p, path))
            )
            continue
        if (path / template).is_file():
            files.append(str(PurePosixPath(folder) / template))
        if (path / "partials").is_dir():
            files += rel(folder, (path / "partials").rglob("*.j2"))
    return list(dict.fromkeys(files)) + ([strings] if (base / strings).is_file() else [])


def code_files(root: str | Path = ".") -> list[str]:
    """The package's source files, when the project has them (a change reruns what uses them)."""
    package = Path(root) / PACKAGE_DIR
    return (
        sorted(p.relative_to(root).as_posix() for p in package.rglob("*.py"))
        if package.is_dir()
        else []
    )


def workflow_files(root: str | Path = ".") -> list[str]:
    """The Snakefile and the rule files."""
    return [SNAKEFILE] + sorted(
        p.relative_to(root).as_posix() for p in (Path(root) / RULES_DIR).glob("*.smk")
    )


def common_inputs(settings: dict, root: str | Path = ".") -> list[str]:
    """What every output is made from: the data, the configuration, the workflow, the code, the locks."""
    locks = [f for f in LOCKS if (Path(root) / f).is_file()]
    return (
        data_files(settings["data_dir"], root)
        + [CONFIG, SCHEMA]
        + workflow_files(root)
        + code_files(root)
        + locks
    )


def output_inputs(
    out: Output, settings: dict, common: list[str], templates: list[str]
) -> list[str]:
    """The input files of one output, as the manifest lists them.

    ``common`` is :func:`common_inputs`; a document also has the Jinja ``templates`` (every
    template: the manifest does not tell a kind's template from the others) and the style files
    of its format (:func:`styles`), the same the rules declare.
    """
    if out.document is None:
        return list(common)
    return (
        common
        + templates
        + list(style_files(settings, styles(out.document.kind, out.format)).values())
    )
