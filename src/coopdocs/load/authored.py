"""Authored texts of a data package: the author's judgements, kept apart from the generated prose.

The review article's skeleton is generated from the data and true for any package; what only an
author can say (the findings in the abstract, how to read the organisation's guiding documents,
the assessment of the union level, the conclusions) lives in an optional Markdown file of the
data package, declared in ``datapackage.json`` (``"texts": {"article": "text/article.md"}``) and
reviewed like data. Without it the article makes no claim the data does not support.

The file is data, never a template: an optional YAML front matter (``title``, ``subtitle``,
``short_title`` for the PDF's running header, ``keywords``, ``union_body``, ``authors``) and then
slots, each a level-1 heading naming the slot
followed by its Markdown::

    ---
    title: Cooperation of the ... : A Data-Driven Review
    keywords: [industrial cooperation]
    authors: [{name: A. Author, affiliation: Some University}]
    ---
    # abstract
    The review finds that the {org_short_name} ... [@shugurov2022]

Where a slot needs a value from the data it names it in braces, ``{org_short_name}``: one of
:data:`NAMES` or a claim of the registry (:func:`claim_names`, its number), filled by the
program and escaped like every other value. Nothing else in braces
is allowed (no ``{{ ... }}``, no ``{% ... %}``, no pandoc attributes): a brace that is not a known
name is an error naming the line and the text. A literal brace is written ``\\{`` or ``\\}``.
Citations are pandoc's (``[@ref045]``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from coopdocs.load.keys import CITATION_KEY

# Where the article shows each slot (templates/article.md.j2).
SLOTS = (
    "abstract",
    "introduction",
    "organisation",
    "bilateral",
    "union",
    "comparison",
    "conclusion",
)
FRONT_KEYS = ("title", "subtitle", "short_title", "keywords", "union_body", "authors")
# The values an authored text may name, and what each is (the README lists them). The program
# fills them (coopdocs.compute.article.authored_values); a name not listed here is an error.
NAMES = {
    "org_name": "the organisation's full name",
    "org_short_name": "the organisation's short name",
    "union_name": "the union's short name",
    "union_official_name": "the union's official name",
    "union_body_name": "the union's executive body (the union_body setting), full name",
    "union_body_short_name": "the union's executive body, short name",
    "n_states": "the number of member states",
    "states": "the member states, listed in words",
    "donor_states": "the member states that fund projects in other states, listed in words",
    "n_donor_states": "how many member states fund projects in other states",
    "union_programme_naming": "how many of the union's yearly programmes name the organisation",
    "union_programme_total": "how many yearly programmes of the union the data records",
}
# A claim of the registry is named by its name (coopdocs.compute.claims.CLAIMS): those that need
# no parameter, e.g. {union_documents_naming_organisation}; the text states the claim's number,
# and the claim is traced like every computed number (its records in the review's register). The
# caller passes their names (:func:`known_names`): the loader does not import the computations.


def known_names(claims: Collection[str] = ()) -> set[str]:
    """Every name an authored text may use: the plain values of :data:`NAMES` and ``claims``, the
    claims of the registry it may name (the caller's: coopdocs.compute.claims.claim_names; the
    loader does not import the computations)."""
    return set(NAMES) | set(claims)


def used_names(slots: dict[str, str]) -> set[str]:
    r"""The names the slots use.

    >>> sorted(used_names({"a": "The {org_name} and {n_states}.", "b": "\\{x\\}"}))
    ['n_states', 'org_name']
    """
    return {m.group(1) for text in slots.values() for m in _BRACE.finditer(text) if m.group(1)}


_SLOT = re.compile(r"^# +([a-z_]+) *$")
_CITE = re.compile(rf"(?<![\w.])@({CITATION_KEY})")
# A placeholder (not inside doubled braces), or any other brace not escaped with a backslash.
_BRACE = re.compile(r"(?<![\\{])\{([a-z][a-z0-9_]*)\}(?!\})|(?<!\\)[{}]")


@dataclass
class AuthoredTextError(ValueError):
    """An authored text that cannot be read: every problem, each as (line, text, message)."""

    problems: list[tuple[int, str, str]] = field(default_factory=list)

    def __str__(self) -> str:
        return "; ".join(
            f"line {line}: {text!r}: {message}" if text else f"line {line}: {message}"
            for line, text, message in self.problems
        )


def _front_matter(
    lines: list[str], problems: list[tuple[int, str, str]]
) -> tuple[dict[str, Any], int]:
    """The front matter (``---`` ... ``---`` at the top) and the index of the first body line."""
    if not lines or lines[0].rstrip() != "---":
        return {}, 0
    end = next((n for n in range(1, len(lines)) if lines[n].rstrip() == "---"), None)
    if end is None:
        problems.append((1, "---", "the front matter is not closed by a line '---'"))
        return {}, len(lines)
    import yaml

    try:
        front = yaml.safe_load("\n".join(lines[1:end])) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = 2 + mark.line if mark is not None else 1
        problems.append((line, lines[line - 1] if line <= end else "", "not YAML"))
        return {}, end + 1
    if not isinstance(front, dict):
        problems.append((2, lines[1] if end > 1 else "", "the front matter is not a mapping"))
        return {}, end + 1
    for key in sorted(set(front) - set(FRONT_KEYS), key=str):
        line = next((n + 1 for n in range(1, end) if lines[n].startswith(f"{key}:")), 1)
        problems.append(
            (line, str(key), f"unknown front matter key (expected one of {', '.join(FRONT_KEYS)})")
        )
    problems.extend(_front_types(front, lines, end))
    return front, end + 1


def _front_types(front: dict[str, Any], lines: list[str], end: int) -> list[tuple[int, str, str]]:
    """The front matter's values that have the wrong shape, each on its key's line.

    >>> _front_types({"title": 3, "authors": [{"name": "A"}, {"affil": "B"}]}, ["---",
    ...     "title: 3", "authors:", "  - name: A", "  - affil: B"], 5)
    [(3, 'authors', 'a list of {name, affiliation}'), (2, 'title', 'text')]
    """
    expected = {
        "title": (lambda v: isinstance(v, str), "text"),
        "subtitle": (lambda v: isinstance(v, str), "text"),
        "short_title": (lambda v: isinstance(v, str), "text"),
        "union_body": (lambda v: isinstance(v, str), "text"),
        "keywords": (
            lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
            "a list of words",
        ),
        "authors": (
            lambda v: (
                isinstance(v, list)
                and all(
                    isinstance(a, dict)
                    and isinstance(a.get("name"), str)
                    and set(a) <= {"name", "affiliation"}
                    and isinstance(a.get("affiliation", ""), str)
                    for a in v
                )
            ),
            "a list of {name, affiliation}",
        ),
    }
    found = []
    for key in sorted(k for k in front if k in expected):
        ok, shape = expected[key]
        if not ok(front[key]):
            line = next((n + 1 for n in range(1, end) if lines[n].startswith(f"{key}:")), 1)
            found.append((line, key, shape))
    return found


def _placeholders(line_no: int, line: str, known: set[str]) -> list[tuple[int, str, str]]:
    """The problems of one body line: the first stray brace, and each name that is not known."""
    found = []
    matches = list(_BRACE.finditer(line))
    stray = next((m for m in matches if m.group(1) is None), None)
    if stray is not None:
        shown = line[max(0, stray.start() - 20) : stray.end() + 20].strip()
        found.append((line_no, shown, "braces hold only a known name, e.g. {org_name}"))
    for match in matches:
        if match.group(1) is not None and match.group(1) not in known:
            expected = ", ".join(sorted(known))
            found.append((line_no, match.group(0), f"names no value (expected one of {expected})"))
    return found


def parse_authored(
    text: str, known: set[str] | None = None
) -> tuple[dict[str, Any], dict[str, str]]:
    """The front matter and the slots of an authored text; every problem at once otherwise.

    ``known``: the names a slot may use (default :func:`known_names` without claims).

    >>> parse_authored("---\\ntitle: T\\n---\\n# abstract\\nFinds **x**.\\n\\n# conclusion\\nSo.\\n")
    ({'title': 'T'}, {'abstract': 'Finds **x**.', 'conclusion': 'So.'})
    >>> parse_authored("# abstract\\nThe {org_name} [@a].")[1]
    {'abstract': 'The {org_name} [@a].'}
    >>> try:
    ...     parse_authored("# abstract\\nok\\n{{ 7 * 7 }} and {nope}\\n")
    ... except AuthoredTextError as exc:
    ...     [(line, message[:20]) for line, _, message in exc.problems]
    [(3, 'braces hold only a k'), (3, 'names no value (expe')]
    """
    known = known_names() if known is None else known
    problems: list[tuple[int, str, str]] = []
    lines = text.split("\n")
    front, start = _front_matter(lines, problems)
    slots: dict[str, list[str]] = {}
    current: list[str] | None = None
    for n in range(start, len(lines)):
        line = lines[n]
        heading = _SLOT.match(line)
        if heading:
            name = heading.group(1)
            if name not in SLOTS:
                problems.append((n + 1, line, f"unknown slot (expected one of {', '.join(SLOTS)})"))
            elif name in slots:
                problems.append((n + 1, line, "the slot appears twice"))
            current = slots.setdefault(name, [])
            continue
        if current is None and line.strip():
            problems.append((n + 1, line, "text before the first slot heading '# <slot>'"))
            current = []  # reported once
        problems.extend(_placeholders(n + 1, line, known))
        if current is not None:
            current.append(line)
    if problems:
        raise AuthoredTextError(problems)
    return front, {k: "\n".join(v).strip() for k, v in slots.items() if k in SLOTS}


def fill(text: str, values: dict[str, Any], escape: Callable[[str], str]) -> str:
    """A slot's Markdown with each ``{name}`` replaced by its value, escaped by ``escape``.

    The slot was checked by :func:`parse_authored`; a name without a value here is a program
    error (every name of :data:`NAMES` has one).

    >>> fill("The {org_name} \\\\{x\\\\}.", {"org_name": "A*B"}, lambda s: s.replace("*", "\\\\*"))
    'The A\\\\*B \\\\{x\\\\}.'
    """

    def value(match: re.Match) -> str:
        if match.group(1) is None:
            raise ValueError(f"an unchecked brace in an authored text: {match.group(0)!r}")
        return escape(str(values[match.group(1)]))

    return _BRACE.sub(value, text)


def text_problems(
    text: str, keys: set[str], claims: Collection[str] = ()
) -> list[tuple[int, str, str]]:
    """Every problem of an authored text as (line, text, message): what :func:`parse_authored`
    refuses (a name neither of :data:`NAMES` nor of ``claims``), and each citation of a key that
    is not in ``keys`` (the package's sources and works).

    >>> text_problems("# abstract\\nAs [@a] and [@b] say.\\n", {"a"})
    [(2, '@b', 'cites no source or work of the package')]
    """
    try:
        parse_authored(text, known_names(claims))
    except AuthoredTextError as exc:
        return exc.problems
    lines = text.split("\n")
    _, start = _front_matter(lines, [])
    return [
        (n + 1, "@" + key, "cites no source or work of the package")
        for n in range(start, len(lines))
        for key in sorted(cited_keys(lines[n]) - keys)
    ]


def cited_keys(text: str) -> set[str]:
    """The citation keys an authored text uses (``[@ref045]`` -> ``ref045``)."""
    return set(_CITE.findall(text))
