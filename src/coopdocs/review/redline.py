"""Redlines: compare two pandoc ASTs and merge them into one with tracked changes.

The merged document holds the new version's text with every deletion as a ``Span`` of class
``deletion`` and every insertion as a ``Span`` of class ``insertion`` (attributes ``author`` and
``date``). pandoc's DOCX writer turns these spans into native Word revisions (``w:del`` and
``w:ins``) that Word and LibreOffice accept or reject one by one; :func:`html_ins_del` turns them
into ``<ins>``/``<del>`` for HTML.

How the two versions are aligned:

- **Blocks** (paragraphs, headings, lists, tables, ...) are aligned with
  :class:`difflib.SequenceMatcher` on their exact content. Inside a run of blocks that differ,
  old and new blocks of the same kind are paired when their text is similar enough
  (:data:`PAIR_THRESHOLD`); a paired block is diffed inside, an unpaired one is wholly deleted
  or inserted.
- **Prose** is diffed word by word: a paragraph's inlines are flattened into tokens (words,
  punctuation, spaces, each with the formatting around it) and the token sequences are aligned;
  a word that changed formatting shows as deleted and inserted.
- **Tables** are aligned row by row, and a changed row is diffed cell by cell.
- **Lists** are aligned item by item, and a changed item is diffed block by block.
- **Figures** are diffed like the rest: a changed picture shows as the old image deleted and the
  new one inserted, a changed caption word by word.
- **Numbers** are not changes: a citation is compared by the sources it cites and a reference
  entry without its number, so that one only renumbered (a source added or removed before it)
  shows the new version's number untracked; a citation of other sources is deleted and inserted
  whole. Record marks are full identifiers here; :func:`coopdocs.review.numbering.pin_marks`
  gives the redline's appendix entries the versions' numbers.

:func:`normalise` prepares one version's AST (as pandoc ``--citeproc`` writes it): its images
become self-contained, so that the redline can show the pictures of both versions.
"""

from __future__ import annotations

import base64
import copy
import difflib
import json
import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

AUTHOR = "coopdocs"
# Two blocks of the same kind in a changed stretch are diffed inside when their text is at least
# this similar; otherwise the old one is shown deleted and the new one inserted.
PAIR_THRESHOLD = 0.5
# Above this many candidate pairs in one changed stretch, blocks are paired greedily in order.
_PAIR_DP_LIMIT = 40000

_WORD = re.compile(r"\w+|[^\w]", re.UNICODE)
_CONTAINERS_SIMPLE = {
    "Emph",
    "Underline",
    "Strong",
    "Strikeout",
    "Superscript",
    "Subscript",
    "SmallCaps",
}


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


# The number heading each entry of citeproc's reference list ("12.").
_REFERENCE_NUMBER = "csl-left-margin"


def _cited(cite: dict) -> str:
    """What a citation says, whatever its number: the sources it cites, with their prefixes,
    suffixes and mode (citeproc's number and hash left out)."""
    return _dumps(
        [
            [ci["citationId"], ci["citationPrefix"], ci["citationSuffix"], ci["citationMode"]]
            for ci in cite["c"][0]
        ]
    )


def _is_number(n: dict) -> bool:
    """Whether an inline is numbering only: a reference entry's number."""
    return n["t"] == "Span" and _REFERENCE_NUMBER in n["c"][0][1]


def _align_key(node: Any) -> str:
    """What aligns a block (or row, item) with its counterpart: its content with every citation
    reduced to what it cites and every reference entry's number left out, so that a block whose
    citations or entry were only renumbered stays paired with itself (and equal to it)."""

    def element(n: dict, rewrite: Callable[[Any], Any]) -> Any:
        if n["t"] == "Cite":
            return {"t": "Cite", "c": _cited(n)}
        if _is_number(n):
            return {"t": "Span", "c": _REFERENCE_NUMBER}
        return None

    return _dumps(_rewrite(node, element))


# --------------------------------------------------------------------------------------------
# Plain text of AST nodes


def stringify(node: Any) -> str:
    """The plain text of an AST node or list of nodes (like ``pandoc.utils.stringify``)."""
    out: list[str] = []

    def walk(n: Any) -> None:
        if isinstance(n, list):
            for x in n:
                walk(x)
            return
        if not isinstance(n, dict) or "t" not in n:
            return
        t, c = n["t"], n.get("c")
        if t == "Str":
            out.append(c)
        elif t in ("Space", "SoftBreak", "LineBreak"):
            out.append(" ")
        elif t in ("Code", "Math", "RawInline"):
            out.append(c[1] if t != "Math" else c[1])
        elif t in ("Para", "Plain", "Header", "CodeBlock") and out and not out[-1].endswith(" "):
            out.append(" ")
            walk(c)
        else:
            walk(c)

    walk(node)
    return re.sub(r"\s+", " ", "".join(out)).strip()


# --------------------------------------------------------------------------------------------
# Normalisation of one version


def text_inlines(text: str) -> list[dict]:
    """Plain text as pandoc inlines: its words as ``Str`` nodes separated by ``Space``."""
    out: list[dict] = []
    for i, word in enumerate(text.split(" ")):
        if i:
            out.append({"t": "Space"})
        if word:
            out.append({"t": "Str", "c": word})
    return out


def _rewrite(node: Any, element: Callable[[dict, Callable[[Any], Any]], Any]) -> Any:
    """``node`` rebuilt, with ``element(el, rewrite)`` deciding each AST element ``el`` (outermost first).

    ``element`` returns the element's replacement, a :class:`_Splice` of several (replacing one
    item of the enclosing list), or None: the same element with its content rewritten. It can call
    ``rewrite`` on parts it keeps.
    """

    def rewrite(n: Any) -> Any:
        if isinstance(n, list):
            out: list = []
            for x in n:
                y = rewrite(x)
                if isinstance(y, _Splice):
                    out.extend(y.items)
                else:
                    out.append(y)
            return out
        if not isinstance(n, dict) or "t" not in n:
            return n
        replaced = element(n, rewrite)
        if replaced is not None:
            return replaced
        return {"t": n["t"], "c": rewrite(n["c"])} if isinstance(n.get("c"), list) else n

    return rewrite(node)


class _Splice:
    """Several inlines that replace one (a change span unwrapped into raw HTML tags)."""

    def __init__(self, items: list) -> None:
        self.items = items


def normalise(ast: dict, image: Callable[[str], str | None] | None = None) -> dict:
    """Prepare one version's pandoc JSON AST (written with ``--citeproc``) for the comparison.

    Citations and the reference list stay as the document shows them (a renumbered citation is a
    change of its text, which accepting or rejecting takes along). Every image's source becomes
    ``image(src)`` (None: left as it is): a self-contained data URI of the picture the version's
    DOCX shows, so that the redline shows the pictures of both versions and two images are equal
    exactly when their pictures are.
    """

    def element(node: dict, rewrite: Callable[[Any], Any]) -> Any:
        if node["t"] != "Image" or image is None:
            return None
        attr, alt, (src, title) = node["c"]
        uri = image(src)
        if uri is None:
            return None
        # The picture's description is its text alternative (as templates/filters/figures.lua
        # gives the version's own DOCX), so that the redline's picture is described alike.
        kv = dict(attr[2])
        described = text_inlines(kv["alt"]) if kv.get("alt") else rewrite(alt)
        return {"t": "Image", "c": [attr, described, [uri, title]]}

    out = dict(ast)
    out["blocks"] = _rewrite(ast["blocks"], element)
    return out


def image_data_uri(path: Path) -> str | None:
    """A picture file as a ``data:`` URI (None when it does not exist).

    pandoc runs sandboxed (it reads no file it is not given): a data URI is read from the AST.
    """
    if not path.is_file():
        return None
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


# --------------------------------------------------------------------------------------------
# Alignment


def align(
    old: list,
    new: list,
    key: Callable[[Any], str],
    text: Callable[[Any], str],
    kind: Callable[[Any], str],
) -> list[tuple[str, Any, Any]]:
    """Align two sequences: a list of ``("equal"|"pair"|"delete"|"insert", old_item, new_item)``.

    Items are first matched exactly (``key``) with SequenceMatcher; within each changed stretch,
    items of the same ``kind`` whose ``text`` is similar are paired, keeping the order.
    """
    keys_old, keys_new = [key(x) for x in old], [key(x) for x in new]
    sm = difflib.SequenceMatcher(None, keys_old, keys_new, autojunk=False)
    out: list[tuple[str, Any, Any]] = []
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            out += [("equal", old[i], new[j]) for i, j in zip(range(i1, i2), range(j1, j2))]
        elif op == "delete":
            out += [("delete", old[i], None) for i in range(i1, i2)]
        elif op == "insert":
            out += [("insert", None, new[j]) for j in range(j1, j2)]
        else:
            out += _pair(old[i1:i2], new[j1:j2], text, kind)
    return out


def _similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    sm = difflib.SequenceMatcher(None, _WORD.findall(a), _WORD.findall(b), autojunk=False)
    if sm.real_quick_ratio() < PAIR_THRESHOLD or sm.quick_ratio() < PAIR_THRESHOLD:
        return 0.0
    return sm.ratio()


def _pair(old: list, new: list, text: Callable, kind: Callable) -> list[tuple[str, Any, Any]]:
    """Pair similar items of a changed stretch in order (dynamic programming on total similarity)."""
    n, m = len(old), len(new)
    if n == 1 and m == 1 and kind(old[0]) == kind(new[0]):
        return [("pair", old[0], new[0])]  # one block replaced by one of its kind: diff inside
    if n * m > _PAIR_DP_LIMIT:
        score = lambda i, j: 1.0 if kind(old[i]) == kind(new[j]) else 0.0  # noqa: E731
    else:
        t_old, t_new = [text(x) for x in old], [text(x) for x in new]

        def score(i: int, j: int) -> float:
            if kind(old[i]) != kind(new[j]):
                return 0.0
            s = _similarity(t_old[i], t_new[j])
            return s if s >= PAIR_THRESHOLD else 0.0

    if n * m > _PAIR_DP_LIMIT:
        # Greedy: pair in order while the kinds agree.
        out, i, j = [], 0, 0
        while i < n and j < m:
            if score(i, j):
                out.append(("pair", old[i], new[j]))
                i += 1
                j += 1
            else:
                out.append(("delete", old[i], None))
                i += 1
        out += [("delete", old[k], None) for k in range(i, n)] + [
            ("insert", None, new[k]) for k in range(j, m)
        ]
        return out
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    scores = [[score(i, j) for j in range(m)] for i in range(n)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            s = scores[i][j]
            best[i][j] = max(best[i + 1][j], best[i][j + 1], (s + best[i + 1][j + 1]) if s else 0.0)
    out, i, j = [], 0, 0
    while i < n and j < m:
        s = scores[i][j]
        if s and best[i][j] == s + best[i + 1][j + 1]:
            out.append(("pair", old[i], new[j]))
            i += 1
            j += 1
        elif best[i][j] == best[i + 1][j]:
            out.append(("delete", old[i], None))
            i += 1
        else:
            out.append(("insert", None, new[j]))
            j += 1
    out += [("delete", old[k], None) for k in range(i, n)] + [
        ("insert", None, new[k]) for k in range(j, m)
    ]
    # Show each stretch's deletions before its insertions, as editors expect.
    return _deletions_first(out)


def _deletions_first(ops: list[tuple[str, Any, Any]]) -> list[tuple[str, Any, Any]]:
    out: list[tuple[str, Any, Any]] = []
    pending_del: list = []
    pending_ins: list = []
    for op in ops:
        if op[0] == "pair":
            out += pending_del + pending_ins
            pending_del, pending_ins = [], []
            out.append(op)
        elif op[0] == "delete":
            pending_del.append(op)
        else:
            pending_ins.append(op)
    return out + pending_del + pending_ins


# --------------------------------------------------------------------------------------------
# Merging


@dataclass
class _Tok:
    cmp: tuple
    atom: dict
    path: tuple  # wrapper payloads (JSON strings), outermost first


class Merger:
    """Merge two normalised ASTs into one with insertion and deletion spans."""

    def __init__(self, date: str, author: str = AUTHOR) -> None:
        self.date = date
        self.author = author
        self.changes = 0

    # -- marks --------------------------------------------------------------------------------

    def _change_span(self, mark: str, inlines: list) -> dict:
        cls = "insertion" if mark == "ins" else "deletion"
        return {
            "t": "Span",
            "c": [["", [cls], [["author", self.author], ["date", self.date]]], inlines],
        }

    def mark_inlines(self, inlines: list, mark: str) -> list:
        """Wrap a whole list of inlines as inserted or deleted."""
        if not inlines:
            return inlines
        self.changes += 1
        return [self._change_span(mark, inlines)]

    def mark_block(self, block: dict, mark: str) -> dict | None:
        """A whole block shown as inserted or deleted (None: nothing to show)."""
        t, c = block.get("t"), block.get("c")
        if t in ("Para", "Plain"):
            return {"t": t, "c": self.mark_inlines(c, mark)}
        if t == "Header":
            attr = c[1] if mark == "ins" else ["", c[1][1], c[1][2]]
            return {"t": t, "c": [c[0], attr, self.mark_inlines(c[2], mark)]}
        if t == "LineBlock":
            return {"t": t, "c": [self.mark_inlines(line, mark) for line in c]}
        if t == "BulletList":
            return {"t": t, "c": [self.mark_blocks(item, mark) for item in c]}
        if t == "OrderedList":
            return {"t": t, "c": [c[0], [self.mark_blocks(item, mark) for item in c[1]]]}
        if t == "DefinitionList":
            return {
                "t": t,
                "c": [
                    [self.mark_inlines(term, mark), [self.mark_blocks(d, mark) for d in defs]]
                    for term, defs in c
                ],
            }
        if t == "BlockQuote":
            return {"t": t, "c": self.mark_blocks(c, mark)}
        if t == "Div":
            attr = c[0] if mark == "ins" else ["", c[0][1], c[0][2]]
            return {"t": t, "c": [attr, self.mark_blocks(c[1], mark)]}
        if t == "Table":
            return self._mark_table(block, mark)
        if t == "Figure":
            attr = c[0] if mark == "ins" else ["", c[0][1], c[0][2]]
            caption = [c[1][0], self.mark_blocks(c[1][1], mark)]
            return {"t": t, "c": [attr, caption, self.mark_blocks(c[2], mark)]}
        if t == "CodeBlock":
            return {"t": "Para", "c": self.mark_inlines([{"t": "Code", "c": [c[0], c[1]]}], mark)}
        if t == "HorizontalRule":
            return block if mark == "ins" else None
        return None  # RawBlock and anything unknown: nothing to show

    def mark_blocks(self, blocks: list, mark: str) -> list:
        """Every block of a list shown as inserted or deleted."""
        return [b for b in (self.mark_block(x, mark) for x in blocks) if b is not None]

    def _mark_rows(self, rows: list, mark: str) -> list:
        return [
            [
                r[0],
                [
                    [cell[0], cell[1], cell[2], cell[3], self.mark_blocks(cell[4], mark)]
                    for cell in r[1]
                ],
            ]
            for r in rows
        ]

    def _mark_table(self, block: dict, mark: str) -> dict:
        attr, caption, colspecs, head, bodies, foot = block["c"]
        return {
            "t": "Table",
            "c": [
                attr if mark == "ins" else ["", attr[1], attr[2]],
                [caption[0], self.mark_blocks(caption[1], mark)],
                colspecs,
                [head[0], self._mark_rows(head[1], mark)],
                [
                    [b[0], b[1], self._mark_rows(b[2], mark), self._mark_rows(b[3], mark)]
                    for b in bodies
                ],
                [foot[0], self._mark_rows(foot[1], mark)],
            ],
        }

    # -- inlines ------------------------------------------------------------------------------

    def _flatten(self, inlines: list, cmp_path: tuple = (), path: tuple = ()) -> list[_Tok]:
        toks: list[_Tok] = []
        for x in inlines:
            t, c = x.get("t"), x.get("c")
            wrapper = children = None
            if t == "Cite" or _is_number(x):
                # Numbering only (coopdocs.review.numbering): one token that compares by what it
                # cites (a reference entry's number: always equal), so that an unchanged
                # citation shows the new version's number untracked.
                key = _cited(x) if t == "Cite" else _REFERENCE_NUMBER
                toks.append(_Tok((cmp_path, "N", key), x, path))
                continue
            if t in _CONTAINERS_SIMPLE:
                wrapper, cmp, children = [t], (t,), c
            elif t == "Quoted":
                wrapper, cmp, children = [t, c[0]], (t, _dumps(c[0])), c[1]
            elif t == "Span":
                wrapper, cmp, children = [t, c[0]], (t, c[0][0], tuple(c[0][1])), c[1]
            elif t == "Link":
                wrapper, cmp, children = (
                    [t, c[0], c[2]],
                    (t, c[0][0], tuple(c[0][1]), c[2][0]),
                    c[1],
                )
            if wrapper is not None and children:
                toks += self._flatten(children, cmp_path + (cmp,), path + (_dumps(wrapper),))
            elif t == "Str":
                toks += [
                    _Tok((cmp_path, "S", w), {"t": "Str", "c": w}, path) for w in _WORD.findall(c)
                ]
            elif t in ("Space", "SoftBreak"):
                toks.append(_Tok((cmp_path, " "), {"t": "Space"}, path))
            else:
                toks.append(_Tok((cmp_path, "A", _dumps(x)), x, path))
        return toks

    def _rebuild(self, toks: list[tuple[_Tok, str | None]], depth: int = 0) -> list:
        out: list = []
        i = 0
        while i < len(toks):
            tok, mark = toks[i]
            full = tok.path + ((_dumps(["Change", mark]),) if mark else ())
            if len(full) == depth:
                out.append(tok.atom)
                i += 1
                continue
            head = full[depth]
            j = i
            while j < len(toks):
                t2, m2 = toks[j]
                f2 = t2.path + ((_dumps(["Change", m2]),) if m2 else ())
                if len(f2) <= depth or f2[depth] != head:
                    break
                j += 1
            children = self._rebuild(toks[i:j], depth + 1)
            out.append(self._wrap(json.loads(head), children))
            i = j
        return join_strs(out)

    def _wrap(self, wrapper: list, children: list) -> dict:
        t = wrapper[0]
        if t == "Change":
            self.changes += 1
            return self._change_span(wrapper[1], children)
        if t in _CONTAINERS_SIMPLE:
            return {"t": t, "c": children}
        if t in ("Quoted", "Span", "Cite"):
            return {"t": t, "c": [wrapper[1], children]}
        if t == "Link":
            return {"t": t, "c": [wrapper[1], children, wrapper[2]]}
        raise ValueError(f"unknown wrapper {t}")

    def merge_inlines(self, old: list, new: list) -> list:
        """Word-by-word merge of two lists of inlines."""
        if _dumps(old) == _dumps(new):
            return new
        a, b = self._flatten(old), self._flatten(new)
        sm = difflib.SequenceMatcher(None, [t.cmp for t in a], [t.cmp for t in b], autojunk=False)
        seq: list[tuple[_Tok, str | None]] = []
        for op, i1, i2, j1, j2 in sm.get_opcodes():
            if op == "equal":
                seq += [(t, None) for t in b[j1:j2]]
            else:
                seq += [(t, "del") for t in a[i1:i2]]
                seq += [(t, "ins") for t in b[j1:j2]]
        return self._rebuild(_absorb_spaces(seq))

    # -- blocks -------------------------------------------------------------------------------

    def merge_blocks(self, old: list, new: list) -> list:
        """Merge two lists of blocks: aligned, paired blocks diffed inside."""
        out: list = []
        for op, a, b in align(old, new, _align_key, stringify, _kind):
            if op == "equal" and _dumps(a) == _dumps(b):
                out.append(b)
            elif op == "equal":
                out += self.merge_block(a, b)
            elif op == "delete":
                m = self.mark_block(a, "del")
                if m is not None:
                    out.append(m)
            elif op == "insert":
                m = self.mark_block(b, "ins")
                if m is not None:
                    out.append(m)
            else:
                out += self.merge_block(a, b)
        return out

    def merge_block(self, a: dict, b: dict) -> list:
        """Merge two blocks of the same kind; a list of one block, or the old deleted and the new inserted."""
        t, ca, cb = b["t"], a.get("c"), b.get("c")
        if t in ("Para", "Plain"):
            return [{"t": t, "c": self.merge_inlines(ca, cb)}]
        if t == "Header" and ca[0] == cb[0]:
            return [{"t": t, "c": [cb[0], cb[1], self.merge_inlines(ca[2], cb[2])]}]
        if t == "BulletList":
            return [{"t": t, "c": self._merge_items(ca, cb)}]
        if t == "OrderedList":
            return [{"t": t, "c": [cb[0], self._merge_items(ca[1], cb[1])]}]
        if t == "BlockQuote":
            return [{"t": t, "c": self.merge_blocks(ca, cb)}]
        if t == "Div":
            return [{"t": t, "c": [cb[0], self.merge_blocks(ca[1], cb[1])]}]
        if t == "Figure":
            # A changed picture: the old image deleted and the new inserted; a changed caption
            # word by word.
            caption = [cb[1][0], self.merge_blocks(ca[1][1], cb[1][1])]
            return [{"t": t, "c": [cb[0], caption, self.merge_blocks(ca[2], cb[2])]}]
        if t == "Table":
            merged = self._merge_table(a, b)
            if merged is not None:
                return [merged]
        return [m for m in (self.mark_block(a, "del"), self.mark_block(b, "ins")) if m is not None]

    def _merge_items(self, old: list, new: list) -> list:
        out = []
        for op, a, b in align(old, new, _align_key, stringify, lambda _: "item"):
            if op == "equal" and _dumps(a) == _dumps(b):
                out.append(b)
            elif op == "equal":
                out.append(self.merge_blocks(a, b))
            elif op == "delete":
                out.append(self.mark_blocks(a, "del"))
            elif op == "insert":
                out.append(self.mark_blocks(b, "ins"))
            else:
                out.append(self.merge_blocks(a, b))
        return out

    def _merge_rows(self, old: list, new: list) -> list:
        out = []
        for op, a, b in align(old, new, _align_key, stringify, lambda r: f"row{len(r[1])}"):
            if op == "equal" and _dumps(a) == _dumps(b):
                out.append(b)
            elif op == "delete":
                out += self._mark_rows([a], "del")
            elif op == "insert":
                out += self._mark_rows([b], "ins")
            else:
                cells = [
                    [cb[0], cb[1], cb[2], cb[3], self.merge_blocks(ca[4], cb[4])]
                    for ca, cb in zip(a[1], b[1])
                ]
                out.append([b[0], cells])
        return out

    def _merge_table(self, a: dict, b: dict) -> dict | None:
        attr_a, cap_a, cols_a, head_a, bodies_a, foot_a = a["c"]
        attr_b, cap_b, cols_b, head_b, bodies_b, foot_b = b["c"]
        if len(cols_a) != len(cols_b) or len(bodies_a) != len(bodies_b):
            return None
        bodies = [
            [bb[0], bb[1], self._merge_rows(ba[2], bb[2]), self._merge_rows(ba[3], bb[3])]
            for ba, bb in zip(bodies_a, bodies_b)
        ]
        return {
            "t": "Table",
            "c": [
                attr_b,
                [cap_b[0], self.merge_blocks(cap_a[1], cap_b[1])],
                cols_b,
                [head_b[0], self._merge_rows(head_a[1], head_b[1])],
                bodies,
                [foot_b[0], self._merge_rows(foot_a[1], foot_b[1])],
            ],
        }

    def merge(self, old: dict, new: dict) -> dict:
        """The merged document of two normalised ASTs (metadata of the new one)."""
        out = dict(new)
        out["blocks"] = dedupe_ids(self.merge_blocks(old.get("blocks", []), new.get("blocks", [])))
        meta = dict(new.get("meta") or {})
        old_meta = old.get("meta") or {}
        # The title block is text of the document too: its changes are tracked like the body's.
        for key in _TRACKED_META:
            a, b = old_meta.get(key), meta.get(key)
            if a is None and b is None:
                continue
            merged = self.merge_inlines(_meta_inlines(a), _meta_inlines(b))
            if merged:
                meta[key] = {"t": "MetaInlines", "c": merged}
            else:
                meta.pop(key, None)
        out["meta"] = meta
        return out


_TRACKED_META = ("title", "subtitle", "date")


def _meta_inlines(value: dict | None) -> list:
    """A metadata value's inlines (a MetaInlines, a MetaString or one paragraph of MetaBlocks)."""
    if value is None:
        return []
    t, c = value.get("t"), value.get("c")
    if t == "MetaInlines":
        return c
    if t == "MetaString":
        return text_inlines(c)
    if t == "MetaBlocks" and len(c) == 1 and c[0].get("t") in ("Para", "Plain"):
        return c[0]["c"]
    return text_inlines(stringify(c))


def _kind(block: dict) -> str:
    t = block.get("t", "")
    if t == "Header":
        return f"Header{block['c'][0]}"
    if t == "Table":
        return f"Table{len(block['c'][2])}"
    return t


def _absorb_spaces(seq: list[tuple[_Tok, str | None]]) -> list[tuple[_Tok, str | None]]:
    """Regroup each run of changes so that it reads as one deleted then one inserted phrase.

    A run is a stretch of changed tokens, including single unchanged spaces between two changed
    tokens; such a space is shown both deleted and inserted (it is in both versions), so that
    ``del(A) ' ' ins(B) del(C)`` reads ``del(A C) ins(B)``-style rather than word salad.
    """
    out: list[tuple[_Tok, str | None]] = []
    i = 0
    while i < len(seq):
        # Group a run of marked tokens (with single unchanged spaces between them) so that all
        # deletions come first and insertions after, e.g. "del(2017) del(–) ins(2018) ins(–)".
        if seq[i][1] is None:
            out.append(seq[i])
            i += 1
            continue
        j = i
        while j < len(seq) and (
            seq[j][1] is not None
            or (
                seq[j][0].atom.get("t") == "Space"
                and j + 1 < len(seq)
                and seq[j + 1][1] is not None
            )
        ):
            j += 1
        run = seq[i:j]
        if any(m is None for _, m in run):
            dels = [(t, "del") if m is None else (t, m) for t, m in run if m in (None, "del")]
            ins = [(t, "ins") if m is None else (t, m) for t, m in run if m in (None, "ins")]
            out += dels + ins
        else:
            out += [x for x in run if x[1] == "del"] + [x for x in run if x[1] == "ins"]
        i = j
    return out


def join_strs(inlines: list) -> list:
    """Join adjacent Str inlines (words split for the diff) back together."""
    out: list = []
    for x in inlines:
        if x.get("t") == "Str" and out and out[-1].get("t") == "Str":
            out[-1] = {"t": "Str", "c": out[-1]["c"] + x["c"]}
        else:
            out.append(x)
    return out


def dedupe_ids(blocks: list) -> list:
    """Drop repeated identifiers (a heading both deleted and re-inserted keeps its ID once)."""
    seen: set[str] = set()

    def walk(n: Any) -> None:
        if isinstance(n, list):
            # attr triples: [id, [classes], [[k, v]...]]
            if (
                len(n) == 3
                and isinstance(n[0], str)
                and isinstance(n[1], list)
                and isinstance(n[2], list)
                and all(isinstance(c, str) for c in n[1])
            ):
                if n[0]:
                    if n[0] in seen:
                        n[0] = ""
                    else:
                        seen.add(n[0])
                return
            for x in n:
                walk(x)
        elif isinstance(n, dict):
            walk(n.get("c"))

    walk(blocks)
    return blocks


def html_ins_del(ast: dict) -> dict:
    """A copy of a merged AST whose change spans become raw ``<ins>``/``<del>`` HTML."""
    doc = copy.deepcopy(ast)

    def change(n: dict, rewrite: Callable[[Any], Any]) -> Any:
        if n["t"] == "Span" and set(n["c"][0][1]) & {"insertion", "deletion"}:
            tag = "ins" if "insertion" in n["c"][0][1] else "del"
            kv = dict(n["c"][0][2])
            opening = f'<{tag} datetime="{_attr(kv.get("date", ""))}" title="{_attr(kv.get("author", ""))}">'
            return _Splice(
                [
                    {"t": "RawInline", "c": ["html", opening]},
                    *rewrite(n["c"][1]),
                    {"t": "RawInline", "c": ["html", f"</{tag}>"]},
                ]
            )
        return None

    doc["blocks"] = _rewrite(doc["blocks"], change)
    return doc


def _attr(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def count_changes(node: Any) -> tuple[int, int]:
    """Numbers of insertion and deletion spans in an AST node."""
    ins = dels = 0

    def walk(n: Any) -> None:
        nonlocal ins, dels
        if isinstance(n, list):
            for x in n:
                walk(x)
        elif isinstance(n, dict):
            if n.get("t") == "Span":
                classes = n["c"][0][1]
                ins += "insertion" in classes
                dels += "deletion" in classes
            walk(n.get("c"))

    walk(node)
    return ins, dels
