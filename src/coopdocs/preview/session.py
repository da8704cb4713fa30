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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import yaml

from coopdocs.compute.stage import write_contexts, write_tables
from coopdocs.load.settings import resolve_settings
from coopdocs.load.strings import load_strings
from coopdocs.load.datapackage import DataError, load_package
from coopdocs.render import publish as pub
from coopdocs.render.markdown import make_environment
from coopdocs.tools.builddate import BuildInfoError, source_date_epoch
from coopdocs.tools.pandoc import ConversionError

# The aggregate documents: (folder, name) -> the config key of their template.
AGGREGATES = {("tables", "comparative-tables"): "tables_template", ("article", "review"): "article_template"}
OVERVIEW_FIGURES = ["timeline.svg", "themes-by-state.svg"]


@dataclass(frozen=True)
class DocumentId:
    """One document of the build: a brief (``briefs``/slug), the tables document or the article."""

    folder: str
    name: str

    @property
    def key(self) -> str:
        """The document's path under reports/ without its extension, e.g. ``briefs/armenia``."""
        return f"{self.folder}/{self.name}"


@dataclass
class Refresh:
    """What one refresh did: the documents rebuilt, and the error that stopped it (None: none)."""

    rebuilt: list[DocumentId] = field(default_factory=list)
    error: str | None = None


class PreviewSession:
    """The documents of the project in ``root``, kept current in ``root/build/preview``."""

    def __init__(self, root: Path, config_path: Path | None = None, out: Path | None = None):
        self.root = root.resolve()
        self.config_path = config_path or self.root / "config" / "config.yaml"
        self.out = out or self.root / "build" / "preview"
        self.settings: dict[str, Any] = {}
        self.documents: list[DocumentId] = []
        self.titles: dict[DocumentId, str] = {}
        self._fingerprints: dict[DocumentId, str] = {}
        self._environment: jinja2.Environment | None = None
        self.error: str | None = None

    # -- paths ---------------------------------------------------------------------------------

    def path(self, key: str) -> Path:
        """A path of the project named in the configuration (relative to the project root)."""
        return self.root / self.settings[key]

    def html(self, doc: DocumentId) -> Path:
        """Where the session keeps the HTML of ``doc``."""
        return self.out / "reports" / doc.folder / f"{doc.name}.html"

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
        result = Refresh()
        try:
            self._load_settings()
            epoch = source_date_epoch(self.root, int(self.settings["source_date_epoch_fallback"]))
            package = load_package(self.path("data_dir"), root=self.root)
            self.documents = [DocumentId("briefs", c["slug"]) for c in sorted(package.tables["countries"],
                                                                               key=lambda c: c["slug"])]
            self.documents += [DocumentId(folder, name) for folder, name in AGGREGATES]
            self.titles = {DocumentId("briefs", c["slug"]): c["name"] for c in package.tables["countries"]}
            self.titles[DocumentId("tables", "comparative-tables")] = "Comparative tables"
            self.titles[DocumentId("article", "review")] = str(self.settings.get("article", {}).get("title", "Review"))
            chosen = [d for d in self.documents if wanted is None or d.key in wanted]
            unknown = sorted(set(wanted or []) - {d.key for d in self.documents})
            if unknown:
                raise PreviewError(f"no such document: {', '.join(unknown)} "
                                   f"(documents: {', '.join(d.key for d in self.documents)})")
            context = self.out / "context"
            settings, problems = resolve_settings(package, self.settings.get("organisation"), self.settings.get("union"),
                                                  self.settings.get("union_body"))
            if problems:
                raise DataError(problems)
            words = load_strings(self.path("templates_dir"))
            write_contexts(package, self.path("data_dir"), self.out / "data" / "bundle.json", context, epoch,
                           settings, slugs={d.name for d in chosen if d.folder == "briefs"}, words=words)
            del package
            if any(d.folder != "briefs" for d in chosen):
                write_tables(self.out / "data" / "bundle.json", self.out / "reports" / "tables",
                             self.out / "reports" / "figures", context / "tables" / "comparative-tables.json",
                             context / "tables" / "comparative-tables.bib.json", epoch,
                             article_meta=self.settings["article"],
                             article_context_path=context / "article" / "review.json",
                             article_bib_path=context / "article" / "review.bib.json",
                             cache_dir=self.out / "cache" / "tables", words=words,
                             detailed_states=self.settings.get("detailed_states_max"))
            for doc in chosen:
                if self._publish(doc, epoch):
                    result.rebuilt.append(doc)
        except DataError as exc:
            errors = [str(p) for p in exc.problems if p.severity == "error"]
            result.error = "\n".join(errors + [f"{len(errors)} error(s) in the data; the page shows the last good "
                                               "version."])
        except jinja2.TemplateError as exc:
            where = f"{getattr(exc, 'filename', None) or 'template'}:{getattr(exc, 'lineno', '?')}"
            result.error = f"{where}: template error: {exc}"
        except (ConversionError, BuildInfoError, PreviewError, OSError, yaml.YAMLError, KeyError) as exc:
            result.error = f"{type(exc).__name__}: {exc}" if isinstance(exc, KeyError) else str(exc)
        self.error = result.error
        return result

    def _load_settings(self) -> None:
        """Read the configuration (again: it may have changed), and drop the Jinja environment if it did."""
        settings = yaml.safe_load(self.config_path.read_text(encoding="utf-8"))
        if not isinstance(settings, dict):
            raise PreviewError(f"{self.config_path}: not a mapping of settings")
        if settings != self.settings:
            self.settings = settings
            self._environment = None
            self._fingerprints.clear()

    def _env(self) -> jinja2.Environment:
        """The session's Jinja environment: templates compiled once, recompiled when their file changes."""
        if self._environment is None:
            self._environment = make_environment(self.path("templates_dir"))
        return self._environment

    def _inputs(self, doc: DocumentId) -> tuple[pub.Document, pub.Styles, pub.Outputs]:
        """The build's description of ``doc`` (as rules/convert.smk gives it), for HTML only."""
        folder, name = doc.folder, doc.name
        template_key = "brief_template" if folder == "briefs" else AGGREGATES[(folder, name)]
        figures_dir = self.out / "reports" / "figures"
        document = pub.Document(
            context=self.out / "context" / folder / f"{name}.json",
            bibliography=self.out / "context" / folder / f"{name}.bib.json",
            templates_dir=self.path("templates_dir"), template=self.settings[template_key], figures_dir=figures_dir,
            figures=[] if folder == "briefs" else [figures_dir / f for f in OVERVIEW_FIGURES],
            timeline_template=self.path("timeline_template") if folder == "briefs" else None,
            # Long documents re-read only their changed sections, as in the build (same AST).
            sections_cache=None if folder == "briefs" else self.out / "cache" / "sections" / folder / name,
        )
        styles = pub.Styles(csl=self.path("csl"), reference_doc=self.path("reference_docx"),
                            html_template=self.path("html_template"), typst_template=self.path("typst_template"),
                            figures_filter=self.path("figures_filter"), records_filter=self.path("records_filter"))
        outputs = pub.Outputs(md=self.out / "md" / folder / f"{name}.md", ast=self.out / "ast" / folder / f"{name}.json",
                              typ=None, html=self.html(doc),
                              timeline_svg=figures_dir / f"timeline-{name}.svg" if folder == "briefs" else None,
                              timeline_png=figures_dir / f"timeline-{name}.png" if folder == "briefs" else None)
        return document, styles, outputs

    def _fingerprint(self, doc: DocumentId, document: pub.Document, styles: pub.Styles, epoch: int) -> str:
        """A digest of everything the HTML of ``doc`` is made of (its context, templates, styles, figures)."""
        digest = hashlib.sha256(str(epoch).encode())
        templates = sorted(document.templates_dir.rglob("*.j2")) + sorted(document.templates_dir.glob("strings.yaml"))
        files = [document.context, document.bibliography, *templates, *document.figures, styles.csl,
                 styles.html_template, styles.figures_filter, styles.records_filter]
        if document.timeline_template is not None:
            files.append(document.timeline_template)
        for path in files:
            digest.update(path.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
        return digest.hexdigest()

    def _publish(self, doc: DocumentId, epoch: int) -> bool:
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
