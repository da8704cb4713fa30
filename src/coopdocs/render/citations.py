"""Citation numbers from the numbering register, as citeproc reads them (coopdocs.load.register).

The style's reference list is sorted by the number the register gives each source (the CSL
variable :data:`~coopdocs.load.register.SORT_VARIABLE`), and citeproc numbers each source by its
position in that list. The positions are the register's numbers when every number up to the
largest is taken by an entry of the list; but citeproc lists only the sources a document cites,
and the register may have gaps (a source removed, or held by a record but no longer cited), which
would move the numbers after them. So, when a document's bibliography carries register numbers
that its text does not cite one for one from 1, the read lists every numbered item (pandoc's
``nocite``, given in a metadata file: :func:`nocite_file`), placeholders for unused numbers
included, and then drops from the reference list each entry no citation names (:func:`prune`).
A bibliography without register numbers (a data set without a register) is read as before.
"""

from __future__ import annotations

import contextlib
import json
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

from coopdocs.load.register import SORT_VARIABLE
from coopdocs.tools.files import atomic_output

# How the templates cite ('[@ref045]', '@ref045'); data text cannot, its '@' is escaped.
_CITED = re.compile(r"(?<![\\\w@])@([A-Za-z0-9][A-Za-z0-9_:.#$%&+?<>~/-]*[A-Za-z0-9])")


def nocite(bibliography: Path | None, markdown: str) -> list[str]:
    """The ids to list beside the cited ones: every item of ``bibliography`` the register
    numbers, when the items ``markdown`` cites do not take the numbers 1..n one for one
    (otherwise none: citeproc's positions are the numbers already)."""
    if bibliography is None or not bibliography.is_file():
        return []
    items = json.loads(bibliography.read_text(encoding="utf-8"))
    numbered = {str(i["id"]): i[SORT_VARIABLE] for i in items if SORT_VARIABLE in i}
    cited = set(_CITED.findall(markdown))
    taken = sorted(n for ident, n in numbered.items() if ident in cited)
    if taken == list(range(1, len(taken) + 1)):
        return []
    return sorted(numbered, key=lambda ident: (numbered[ident], ident))


def cited_entries(bibliography: Path | None, markdown: str) -> list[dict]:
    """The items of ``bibliography`` that ``markdown`` cites, in the file's order."""
    if bibliography is None or not bibliography.is_file():
        return []
    cited = set(_CITED.findall(markdown))
    items = json.loads(bibliography.read_text(encoding="utf-8"))
    return [i for i in items if str(i.get("id")) in cited]


@contextlib.contextmanager
def nocite_file(ids: list[str]) -> Iterator[Path | None]:
    """A pandoc metadata file listing ``ids`` as ``nocite`` (None when there are none), removed
    afterwards."""
    if not ids:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="coopdocs-nocite-") as folder:
        path = Path(folder) / "nocite.yaml"
        # JSON is YAML: the ids quoted, whatever characters they hold.
        path.write_text(json.dumps({"nocite": ", ".join(f"@{i}" for i in ids)}), encoding="utf-8")
        yield path


def cited_sources(node: object) -> list[str]:
    """Every source a Cite element under ``node`` (a pandoc JSON AST or part of it) names, each
    once, in order of first citation (the reference list has no Cite)."""
    out: dict[str, None] = {}
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, list):
            stack.extend(reversed(n))
        elif isinstance(n, dict):
            if n.get("t") == "Cite":
                for citation in n["c"][0]:
                    out.setdefault(citation["citationId"], None)
            if isinstance(n.get("c"), list):
                stack.append(n["c"])
    return list(out)


def prune(ast_path: Path) -> int:
    """Drop from the reference list (citeproc's Div ``refs``) of the JSON AST at ``ast_path``
    every entry (``ref-<id>``) that no citation names, and the ``nocite`` that listed them (the
    DOCX writer would make it a document property). Returns how many entries were dropped."""
    ast = json.loads(ast_path.read_text(encoding="utf-8"))
    nocite = ast.get("meta", {}).pop("nocite", None)
    cited = set(cited_sources(ast["blocks"]))
    dropped = 0
    stack = [ast["blocks"]]
    while stack:
        blocks = stack.pop()
        for block in blocks:
            if block.get("t") != "Div":
                continue
            if block["c"][0][0] == "refs":
                kept = [b for b in block["c"][1] if b["c"][0][0][len("ref-") :] in cited]
                dropped += len(block["c"][1]) - len(kept)
                block["c"][1] = kept
            else:
                stack.append(block["c"][1])
    if dropped or nocite is not None:
        text = json.dumps(ast, ensure_ascii=False, separators=(",", ":"))
        with atomic_output(ast_path) as tmp:
            tmp.write_text(text, encoding="utf-8")
    return dropped
