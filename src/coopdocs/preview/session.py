"""A warm preview session: the HTML of the documents, rebuilt in one process when their sources change.

The session runs the build's own functions (the compute stage's contexts and tables, the render
stage's Markdown, pandoc reading and HTML writing) into a private folder, ``build/preview/``,
with the build's epoch, templates and styles, so that the HTML it shows is byte for byte the
build's HTML for the same inputs. What it keeps between refreshes is what a build pays for on
every run: the interpreter and its imports, the parsed configuration, the Jinja environment with
its compiled templates, and a fingerprint of each document's inputs, so that only the documents
whose inputs changed are rendered and converted again. DOCX and PDF stay the build's job.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from coopdocs import layout
from coopdocs.compute.claims import claim_names
from coopdocs.compute.stage import write_contexts, write_tables
from coopdocs.layout import Document
from coopdocs.load.datapackage import DataError, load_package
from coopdocs.load.register import register_for
from coopdocs.load.settings import language_problems, resolve_settings
from coopdocs.load.strings import load_strings
from coopdocs.render import publish as pub
from coopdocs.render.markdown import make_environment
from coopdocs.tools.builddate import BuildInfoError, source_date_epoch
from coopdocs.tools.config import ConfigError, load_config
from coopdocs.tools.pandoc import ConversionError

# Kept for callers that name a document by its id (the server, the tests).
DocumentId = Document


@dataclass
class Refresh:
    """What one refresh did: the documents rebuilt, and the error that stopped it (None: none)."""

    rebuilt: list[Document] = field(default_factory=list)
    error: str | None = None


# One refresh at a time in a process, whatever the session: validation's pattern guard
# (coopdocs.load.patterns.PATTERNS) is one object for the process and not made for two threads in
# it at once (two previews in one process, as in the tests; a refresh of the watcher's thread
# still running when the next preview starts).
_ONE_REFRESH = threading.Lock()

# Errors a refresh shows in the page (besides Jinja's and PreviewError) instead of stopping it.
_SHOWN_ERRORS = (
    DataError,
    ConversionError,
    BuildInfoError,
    ConfigError,
    OSError,
    KeyError,
)


def _error_text(exc: Exception) -> str:
    """What the page says about an error that stopped a refresh."""
    if isinstance(exc, DataError):
        errors = [str(p) for p in exc.problems if p.severity == "error"]
        return "\n".join(
            errors + [f"{len(errors)} error(s) in the data; the page shows the last good version."]
        )
    if isinstance(exc, jinja2.TemplateError):
        where = f"{getattr(exc, 'filename', None) or 'template'}:{getattr(exc, 'lineno', '?')}"
        return f"{where}: template error: {exc}"
    return f"{type(exc).__name__}: {exc}" if isinstance(exc, KeyError) else str(exc)


class PreviewSession:
    """The documents of the project in ``root``, kept current in ``root/build/preview``.

    The preview's folder holds a build tree of its own (``build/preview/build/...`` and
    ``build/preview/reports/...``), laid out by :mod:`coopdocs.layout` as the build's is.
    """

    def __init__(
        self,
        root: Path,
        config_path: Path | None = None,
        out: Path | None = None,
        overrides: dict[str, Any] | None = None,
    ):
        self.root = root.resolve()
        # Settings put over the config file's (``coopdocs preview --config language=ru``).
        self.overrides = dict(overrides or {})
        self.config_path = config_path or self.root / layout.CONFIG
        self.out = out or self.root / "build" / "preview"
        self.settings: dict[str, Any] = {}
        self.documents: list[Document] = []
        self.titles: dict[Document, str] = {}
        self._fingerprints: dict[Document, str] = {}
        self._environment: jinja2.Environment | None = None
        self.error: str | None = None

    # -- paths ---------------------------------------------------------------------------------

    def path(self, key: str) -> Path:
        """A path of the project named in the configuration (relative to the project root)."""
        return self.root / self.settings[key]

    def file(self, path: str) -> Path:
        """The preview's own copy of a build path of :mod:`coopdocs.layout`."""
        return self.out / path

    def html(self, doc: Document) -> Path:
        """Where the session keeps the HTML of ``doc``."""
        return self.file(doc.output("html"))

    def watched(self) -> list[Path]:
        """The folders and files whose changes a preview reacts to: data, templates, config."""
        paths = [self.config_path.parent]
        if self.settings:
            paths += [self.path("data_dir"), self.path("templates_dir")]
        return sorted({p for p in paths if p.exists()})

    # -- the refresh -----------------------------------------------------------------------------

    def refresh(self, wanted: list[str] | None = None) -> Refresh:
        """Bring the HTML of the ``wanted`` documents (keys like ``briefs/armenia``; None: all) up to date.

        On an error (invalid data, a template error, a failed conversion) the HTML written before
        stays as it was, the error is returned and kept in :attr:`error` until a refresh succeeds.
        """
        with _ONE_REFRESH:
            return self._refresh(wanted)

    def _refresh(self, wanted: list[str] | None) -> Refresh:
        """:meth:`refresh`, under the process's refresh lock."""
        result = Refresh()
        try:
            self._load_settings()
            epoch = source_date_epoch(
                self.root, int(self.settings["source_date_epoch_fallback"]), config=self.settings
            )
            claims = claim_names()
            package = load_package(self.path("data_dir"), root=self.root, claims=claims)
            chosen = self._choose(package, wanted)
            settings = self._resolved_settings(package, claims)
            # The strings of the documents' language (its folder of the templates, if any).
            strings = layout.strings_file(
                self.settings["templates_dir"], settings["language"], self.root
            )
            words = load_strings(self.root / strings)
            self._name_long_documents(words)
            write_contexts(
                package,
                self.path("data_dir"),
                self.file(layout.BUNDLE),
                self.file(layout.CONTEXTS),
                epoch,
                settings,
                slugs={d.name for d in chosen if d.kind is layout.BRIEF},
                words=words,
                register=self._register(package),
            )
            del package
            if any(d.kind is not layout.BRIEF for d in chosen):
                self._write_tables(epoch, words)
            for doc in chosen:
                if self._publish(doc, epoch):
                    result.rebuilt.append(doc)
        except (jinja2.TemplateError, PreviewError, *_SHOWN_ERRORS) as exc:
            result.error = _error_text(exc)
        self.error = result.error
        return result

    def _choose(self, package, wanted: list[str] | None) -> list[Document]:
        """Set the session's documents and their titles from the data; the ``wanted`` ones (None: all)."""
        countries = package.tables["countries"]
        self.documents = layout.documents(sorted(c["slug"] for c in countries))
        self.titles = {layout.Document(layout.BRIEF, c["slug"]): c["name"] for c in countries}
        unknown = sorted(set(wanted or []) - {d.key for d in self.documents})
        if unknown:
            raise PreviewError(
                f"no such document: {', '.join(unknown)} "
                f"(documents: {', '.join(d.key for d in self.documents)})"
            )
        return [d for d in self.documents if wanted is None or d.key in wanted]

    def _resolved_settings(self, package, claims) -> dict[str, Any]:
        """The config's organisation, union, union body and language, checked against the data
        (``claims``: the claim names the documents count, coopdocs.compute.claims)."""
        settings, problems = resolve_settings(
            package,
            self.settings.get("organisation"),
            self.settings.get("union"),
            self.settings.get("union_body"),
            claims,
        )
        problems += language_problems(self.settings.get("language"))
        if problems:
            raise DataError(problems)
        # The documents' language (config ``language``): their CLDR rules and ``lang``.
        settings["language"] = self.settings.get("language") or None
        return settings

    def _name_long_documents(self, words) -> None:
        """The index names the long documents by their titles (the strings file's, or the
        article's as the config gives it), as it names a brief by its state."""
        titles = (words.get("documents") or {}) if isinstance(words, dict) else {}
        tables_title = (titles.get("tables") or {}).get("title") or layout.TABLES_DOCUMENT.name
        self.titles[Document(layout.TABLES_DOCUMENT, layout.TABLES_DOCUMENT.name)] = tables_title
        article_title = (self.settings.get("article") or {}).get("title") or layout.ARTICLE.name
        self.titles[Document(layout.ARTICLE, layout.ARTICLE.name)] = str(article_title)

    def _write_tables(self, epoch: int, words) -> None:
        """The tables stage into the preview's folder: what the two long documents show."""
        tables = Document(layout.TABLES_DOCUMENT, layout.TABLES_DOCUMENT.name)
        article = Document(layout.ARTICLE, layout.ARTICLE.name)
        write_tables(
            self.file(layout.BUNDLE),
            self.file(layout.TABLES_DIR),
            self.file(layout.FIGURES_DIR),
            self.file(tables.context),
            self.file(tables.bibliography),
            epoch,
            article_meta=self.settings["article"],
            article_context_path=self.file(article.context),
            article_bib_path=self.file(article.bibliography),
            cache_dir=self.file(layout.TABLES_CACHE),
            words=words,
            detailed_states=self.settings.get("detailed_states_max"),
            table_files=False,  # the HTML shows the tables from the contexts, links no workbook
        )

    def _load_settings(self) -> None:
        """Read the configuration (again: it may have changed), and drop the Jinja environment if it did."""
        # Through its schema: errors show in the page.
        settings = load_config(self.root, self.config_path, overrides=self.overrides)
        if settings != self.settings:
            self.settings = settings
            self._environment = None
            self._fingerprints.clear()

    def _env(self) -> jinja2.Environment:
        """The session's Jinja environment: templates compiled once, recompiled when their file changes."""
        if self._environment is None:
            self._environment = make_environment(
                self.path("templates_dir"), language=self.settings.get("language") or None
            )
        return self._environment

    def _register(self, package) -> Any:
        """The data's numbering register (None without one), as the build reads it; its errors
        stop the refresh (coopdocs.load.register)."""
        slugs = [str(c["slug"]) for c in package.tables["countries"]]
        register, problems = register_for(self.path("data_dir"), slugs)
        errors = [str(p) for p in problems if p.severity == "error"]
        if errors:
            raise PreviewError("\n".join(errors))
        return register

    def _inputs(self, doc: Document) -> tuple[pub.Document, pub.Styles, pub.Outputs]:
        """The build's description of ``doc`` (as the rules give it), for its HTML only."""
        brief = doc.kind is layout.BRIEF
        figures_dir = self.file(layout.FIGURES_DIR)
        timeline = layout.timeline_figure(doc.name)
        document = pub.Document(
            context=self.file(doc.context),
            bibliography=self.file(doc.bibliography),
            templates_dir=self.path("templates_dir"),
            template=self.settings[doc.kind.template],
            figures_dir=figures_dir,
            figures=[self.file(layout.figure_output(f, "svg")) for f in doc.kind.figures],
            timeline_template=self.path("timeline_template") if brief else None,
            # Long documents re-read only their changed sections, as in the build (same AST).
            sections_cache=self.file(layout.sections_cache(doc.folder, doc.name))
            if doc.kind.split
            else None,
        )
        styles = pub.Styles(
            csl=self.path("csl"),
            reference_doc=self.path("reference_docx"),
            html_template=self.path("html_template"),
            typst_template=self.path("typst_template"),
            figures_filter=self.path("figures_filter"),
            records_filter=self.path("records_filter"),
        )
        outputs = pub.Outputs(
            md=self.file(doc.md),
            ast=self.file(doc.ast),
            typ=None,
            html=self.html(doc),
            timeline_svg=self.file(layout.figure_output(timeline, "svg")) if brief else None,
            timeline_png=self.file(layout.figure_output(timeline, "png")) if brief else None,
        )
        return document, styles, outputs

    def _fingerprint(
        self, doc: Document, document: pub.Document, styles: pub.Styles, epoch: int
    ) -> str:
        """A digest of everything the HTML of ``doc`` is made of (its context, templates, styles, figures)."""
        digest = hashlib.sha256(str(epoch).encode())
        templates = sorted(document.templates_dir.rglob("*.j2")) + sorted(
            document.templates_dir.glob(layout.STRINGS)
        )
        files = [
            document.context,
            document.bibliography,
            *templates,
            *document.figures,
            styles.csl,
            styles.html_template,
            styles.figures_filter,
            styles.records_filter,
        ]
        if document.timeline_template is not None:
            files.append(document.timeline_template)
        for path in files:
            digest.update(path.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
        return digest.hexdigest()

    def _publish(self, doc: Document, epoch: int) -> bool:
        """Render, read and write the HTML of ``doc`` if its inputs changed; True when it was rebuilt."""
        document, styles, outputs = self._inputs(doc)
        fingerprint = self._fingerprint(doc, document, styles, epoch)
        if self._fingerprints.get(doc) == fingerprint and outputs.html.is_file():
            return False
        figures = pub.read(document, outputs, epoch=epoch, csl=styles.csl, environment=self._env())
        pub.write(styles, outputs, epoch=epoch, figures_dir=document.figures_dir, figures=figures)
        self._fingerprints[doc] = fingerprint
        return True


class PreviewError(RuntimeError):
    """The preview cannot show what was asked (an unknown document, an unreadable configuration)."""
