"""A document's metadata for its readers' programs: one source for DOCX, PDF and HTML.

The title and date come from the Markdown's title block (the templates write them); what a
title block cannot hold is given to pandoc here, when it reads the document, so that it sits in
the document's AST and every writer takes it from there:

- ``creator``: the author(s) named in the file's properties (DOCX ``dc:creator``, PDF Author, HTML
  ``<meta name="author">``). Not ``author``: pandoc's DOCX writer would print that under the title,
  where the PDF and HTML show none. The article's configured authors; otherwise "coopdocs", the
  program that writes the document from the data.
- ``keywords``, ``subject``: DOCX core properties, PDF Keywords and Subject, HTML ``<meta>``.
- ``short-title``: the PDF's running header (templates/typst/document.typ): the document's
  ``short_title`` (the article's authored front matter), else its title; never the program's name.
- ``lang``: the language of the text (DOCX, PDF ``/Lang`` and Typst's hyphenation and quotes,
  HTML ``lang``) and citeproc's locale: the config's ``language`` (a BCP 47 tag), which the
  context's ``build`` carries (coopdocs.compute.stage.build_info).
- ``link-citations``: citeproc links each citation to its entry in the reference list.

Values are plain strings (pandoc takes ``--metadata`` values as strings, never as Markdown).
"""

from __future__ import annotations

from typing import Any

from coopdocs.load.strings import DEFAULT_LOCALE

PROGRAM = "coopdocs"


def _names(items: list[Any]) -> list[str]:
    return [str(i["name"]) for i in items if isinstance(i, dict) and i.get("name")]


def keywords(context: dict[str, Any]) -> list[str]:
    """Keywords of the document: the article's configured ones, else what the document is about."""
    meta = context.get("meta") or {}
    if meta.get("keywords"):
        return [str(k) for k in meta["keywords"]]
    org = (context.get("org") or {}).get("short_name")
    kind = (context.get("document") or {}).get("kind")
    words: list[str] = []
    if kind == "brief":
        country = (context.get("country") or {}).get("name")
        words += [country] if country else []
    else:
        states = context.get("states") or []
        words += [s if isinstance(s, str) else str(s.get("name", "")) for s in states]
    words += [org] if org else []
    # What kind of document it is, in its language (strings: documents.<kind>.keyword).
    words += [str((context.get("document") or {}).get("keyword") or "")]
    data = (context.get("build") or {}).get("data_title")
    words += [data] if data else []
    return [w for w in words if w]


def document_metadata(context: dict[str, Any]) -> dict[str, str]:
    """The pandoc metadata (``--metadata key=value``) of the document whose context is ``context``."""
    document = context.get("document") or {}
    meta = context.get("meta") or {}
    authors = _names(meta.get("authors") or []) or [PROGRAM]
    subject = document.get("subtitle") or document.get("title") or ""
    result = {
        "lang": str((context.get("build") or {}).get("language") or DEFAULT_LOCALE),
        "creator": "; ".join(authors),
        "keywords": ", ".join(keywords(context)),
        "subject": str(subject),
        "short-title": str(document.get("short_title") or document.get("title") or ""),
        "link-citations": "true",
    }
    return {k: v for k, v in result.items() if v}
