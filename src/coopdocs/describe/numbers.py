"""``coopdocs number``: write (or check) the numbering register from a finished build.

The register (coopdocs.load.register) fixes the number of each source and record in each
document, so that a source or record added later takes the next free number and nothing else
moves. Renumbering closes the gaps and puts the numbers back in reading order: the step an editor
runs before a publication. Reading order is the build's: a document's records in the order of its
provenance appendix without a register (by table, then identifier: the context's entries), its
sources in order of first citation (the Cite elements of the build's AST, which name their
sources whatever numbers citeproc gave them).
"""

from __future__ import annotations

import json
from pathlib import Path

from coopdocs import layout
from coopdocs.compute.contexts import reading_order
from coopdocs.load.register import GAP_PREFIX, check, load_register
from coopdocs.render.citations import cited_sources

Reading = dict[str, dict[str, list[str]]]


class NumberError(RuntimeError):
    """No finished build to read the reading order from."""


def document_order(root: Path, doc: layout.Document) -> dict[str, list[str]]:
    """One document's records and sources in reading order, from its built context and AST."""
    context, ast = root / doc.context, root / doc.ast
    if not context.is_file() or not ast.is_file():
        raise NumberError(
            f"{doc.key}: no built context or AST: build first (python3 bootstrap.py build)"
        )
    entries = json.loads(context.read_text(encoding="utf-8"))["provenance"]["records"]
    cited = cited_sources(json.loads(ast.read_text(encoding="utf-8")).get("blocks", []))
    return {
        "records": [str(e["id"]) for e in sorted(entries, key=reading_order)],
        "sources": [s for s in cited if not s.startswith(GAP_PREFIX)],
    }


def reading(root: Path, data_dir: str) -> Reading:
    """Every document's records and sources in reading order (the documents of the data in
    ``data_dir``, relative to ``root``)."""
    docs = layout.documents(layout.brief_slugs(root / data_dir))
    return {doc.key: document_order(root, doc) for doc in docs}


def register_problems(
    root: Path, data_dir: str, shown: Path | str, order: bool = True
) -> list[str]:
    """What keeps the numbering register of the data in ``data_dir`` (relative to ``root``) from
    being the compact register of the last build (empty: it is): the register's own problems,
    then one line a document and kind, each starting with ``shown`` (the register's path as the
    reader gave it); ``order`` False: numbers 1..n in any order (see
    :func:`coopdocs.load.register.check`). Raises NumberError without a finished build.

    What ``coopdocs number --check`` prints, and what a publication build (``coopdocs archive``)
    refuses: a register that is not compact prints citation numbers out of reading order or with
    gaps.
    """

    order_of = reading(root, data_dir)
    register, problems = load_register(root / data_dir, list(order_of))
    return [str(p) for p in problems] + [
        f"{shown}: {line}" for line in check(register, order_of, order)
    ]
