"""Authored texts of a data package: the author's judgements, kept apart from the generated prose.

The review article's skeleton is generated from the data and true for any package; what only an
author can say (the findings in the abstract, how to read the organisation's guiding documents,
the assessment of the union level, the conclusions) lives in an optional Markdown file of the
data package, declared in ``datapackage.json`` (``"texts": {"article": "text/article.md"}``) and
reviewed like data. Without it the article makes no claim the data does not support.

The file has an optional YAML front matter (``title``, ``subtitle``, ``keywords``,
``union_body``) and then slots, each a level-1 heading naming the slot followed by its Markdown::

    ---
    title: Cooperation of the ... : A Data-Driven Review
    keywords: [industrial cooperation]
    ---
    # abstract
    The review finds that ... {{ stats.n_states }} ...

A slot's Markdown may hold Jinja expressions over the article's context (``stats``,
``highlights``, ``org``, ``union`` ...) for numbers and names; every value is escaped as in the
templates. Citations are pandoc's (``[@ref045]``).
"""

from __future__ import annotations

import re
from typing import Any

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
FRONT_KEYS = ("title", "subtitle", "keywords", "union_body")
_SLOT = re.compile(r"^# +([a-z_]+) *$", re.M)
_CITE = re.compile(r"@([a-z][a-z0-9]*)")


class AuthoredTextError(ValueError):
    """An authored text that cannot be read: bad front matter or an unknown slot."""


def parse_authored(text: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The front matter and the slots of an authored text.

    >>> parse_authored("---\\ntitle: T\\n---\\n# abstract\\nFinds **x**.\\n\\n# conclusion\\nSo.\\n")
    ({'title': 'T'}, {'abstract': 'Finds **x**.', 'conclusion': 'So.'})
    """
    front: dict[str, Any] = {}
    body = text
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end < 0:
            raise AuthoredTextError(
                "the front matter opened by '---' is not closed by a line '---'"
            )
        import yaml

        try:
            front = yaml.safe_load(text[4:end]) or {}
        except yaml.YAMLError as exc:
            raise AuthoredTextError(f"the front matter is not YAML: {exc}") from exc
        if not isinstance(front, dict):
            raise AuthoredTextError("the front matter is not a mapping")
        unknown = sorted(set(front) - set(FRONT_KEYS))
        if unknown:
            raise AuthoredTextError(
                f"unknown front matter key(s) {', '.join(unknown)} (expected {', '.join(FRONT_KEYS)})"
            )
        body = text[end + 5 :]
    parts = _SLOT.split(body)
    if parts[0].strip():
        raise AuthoredTextError(
            "text before the first slot heading (expected '# <slot>' first, one of "
            + ", ".join(SLOTS)
            + ")"
        )
    slots: dict[str, str] = {}
    for name, content in zip(parts[1::2], parts[2::2]):
        if name not in SLOTS:
            raise AuthoredTextError(f"unknown slot '# {name}' (expected one of {', '.join(SLOTS)})")
        if name in slots:
            raise AuthoredTextError(f"the slot '# {name}' appears twice")
        slots[name] = content.strip()
    return front, slots


def cited_keys(text: str) -> set[str]:
    """The citation keys an authored text uses (``[@ref045]`` -> ``ref045``)."""
    return set(_CITE.findall(text))
