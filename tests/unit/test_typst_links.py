"""Links to labels in the PDF (issue 35): every citation number and record mark stays clickable.

The house Typst template writes a link to a label as its bare body until the document has been
laid out once (so that Typst's first layout pass already has the final lines, and a review with
thousands of citation links takes a fraction of the memory); these tests check what a reader gets:
each link lands on its entry's page, the text is unchanged, and a link to a label that the document
lacks still fails the build with the label's name.
"""

from __future__ import annotations

from pathlib import Path

import pypdf
import pytest

from coopdocs.tools.pandoc import ConversionError, pandoc
from coopdocs.tools.typst import typst_pdf
from locations import ROOT
from support.documents import pdf_text

TEMPLATE = ROOT / "templates" / "typst" / "document.typ"
EPOCH = 1672358400
# Citations as citeproc links them (link-citations: "#ref-<key>"), a record mark's link to its
# provenance entry, one URL; the entries on the second page.
DOCUMENT = """\
---
title: Links
---

Cited [[1](#ref-a)] and in a list [[1](#ref-a),[2](#ref-b)]; record [R1](#prov-x);
a site [example](https://example.org/).

```{=typst}
#pagebreak()
```

::: {#ref-a}
1\\. Entry A.
:::

::: {#ref-b}
2\\. Entry B.
:::

::: {#prov-x}
R1 Provenance of x.
:::
"""


def compile_pdf(folder: Path, markdown: str) -> Path:
    """The PDF of ``markdown`` written by pandoc with the house Typst template."""
    md, typ, pdf = folder / "doc.md", folder / "doc.typ", folder / "doc.pdf"
    md.write_text(markdown, encoding="utf-8")
    pandoc(md, typ, "typst", epoch=EPOCH, template=TEMPLATE, source_format="markdown")
    typst_pdf(typ, pdf, epoch=EPOCH)
    return pdf


def link_targets(pdf: Path) -> list[int | str]:
    """Each link annotation of the PDF's first page: the page number (1-based) it goes to, or its URI."""
    reader = pypdf.PdfReader(str(pdf))
    targets: list[int | str] = []
    for annot in reader.pages[0].get("/Annots", []):
        annot = annot.get_object()
        assert annot["/Subtype"] == "/Link"
        action = annot.get("/A")
        if action is not None and action["/S"] == "/URI":
            targets.append(str(action["/URI"]))
            continue
        dest = annot["/Dest"] if "/Dest" in annot else action["/D"]
        targets.append(reader.get_page_number(dest[0].get_object()) + 1)
    return targets


def test_every_citation_and_mark_links_to_its_entry_page_and_reads_as_before(tmp_path):
    pdf = compile_pdf(tmp_path, DOCUMENT)
    assert sorted(link_targets(pdf), key=str) == [2, 2, 2, 2, "https://example.org/"]
    text = pdf_text(pdf)
    assert "Cited [1] and in a list [1,2]; record R1;" in text and "Entry B." in text


def test_a_link_to_a_missing_label_still_fails_naming_it(tmp_path):
    with pytest.raises(ConversionError, match="ref-c"):
        compile_pdf(tmp_path, DOCUMENT.replace("[2](#ref-b)", "[2](#ref-c)"))
