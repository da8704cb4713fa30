"""The house styles of a templates folder, as the workflow hands them to coopdocs.render.publish."""

from __future__ import annotations

from pathlib import Path

from coopdocs.render import publish


def house_styles(templates: Path) -> publish.Styles:
    """The CSL style, reference DOCX, HTML and Typst templates and Lua filters of ``templates``."""
    return publish.Styles(
        csl=templates / "csl" / "american-medical-association-brackets.csl",
        reference_doc=templates / "docx" / "reference.docx",
        html_template=templates / "html" / "document.html",
        typst_template=templates / "typst" / "document.typ",
        figures_filter=templates / "filters" / "figures.lua",
        records_filter=templates / "filters" / "records.lua",
    )
