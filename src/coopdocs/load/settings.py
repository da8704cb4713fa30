"""Check the settings that name records of the data: ``organisation``, ``union``, ``union_body``.

The config names the organisation the documents are about (an actor id), the union (the code of
its row in countries.csv) and, optionally, the union's executive body (an actor id). They are
checked against the data as soon as the data is loaded (the workflow's first job), so that a
wrong id stops the build with a message naming the key, the value and the ids that exist,
instead of a traceback halfway through.
"""

from __future__ import annotations

from typing import Any

from coopdocs.load.authored import AuthoredTextError, parse_authored
from coopdocs.load.datapackage import Package, Problem

UNION_KIND = "union"
WHERE = "config"


def _hint(ids: list[str]) -> str:
    shown = ", ".join(ids[:20]) + (" ..." if len(ids) > 20 else "")
    return f"one of {shown}" if ids else "an id that exists (there is none)"


def resolve_settings(
    package: Package,
    organisation: str | None,
    union: str | None = None,
    union_body: str | None = None,
) -> tuple[dict[str, Any], list[Problem]]:
    """The settings resolved against the data, and every problem found with them.

    ``union`` None or '': the one row of kind 'union' (no union when there is none; a problem
    when there are several). ``union_body`` None or '': the ``union_body`` of the article's
    authored text (its front matter), else none. The authored texts are checked here too.

    >>> from coopdocs.load.datapackage import Package
    >>> p = Package({}, {"actors": [{"id": "iawc"}], "countries": [{"code": "NU", "kind": "union"}]})
    >>> resolve_settings(p, "iawc")[0]
    {'organisation': 'iawc', 'union': 'NU', 'union_body': None}
    >>> str(resolve_settings(p, "other")[1][0])
    "config: field 'organisation': value 'other': names no actor in actors.csv (expected one of iawc)"
    """
    actors = sorted(a["id"] for a in package.tables.get("actors", []))
    unions = sorted(
        c["code"] for c in package.tables.get("countries", []) if c.get("kind") == UNION_KIND
    )
    problems: list[Problem] = []
    if not organisation:
        problems.append(
            Problem(
                WHERE,
                0,
                "organisation",
                "",
                "is not set",
                "the actor id of the organisation, " + _hint(actors),
            )
        )
    elif organisation not in actors:
        problems.append(
            Problem(
                WHERE,
                0,
                "organisation",
                organisation,
                "names no actor in actors.csv",
                _hint(actors),
            )
        )
    if union:
        if union not in unions:
            problems.append(
                Problem(
                    WHERE,
                    0,
                    "union",
                    union,
                    "names no row of kind 'union' in countries.csv",
                    _hint(unions),
                )
            )
    elif len(unions) > 1:
        problems.append(
            Problem(
                WHERE,
                0,
                "union",
                "",
                "is not set and countries.csv has several rows of kind 'union'",
                _hint(unions),
            )
        )
    else:
        union = unions[0] if unions else None
    front: dict[str, Any] = {}
    for name, text in sorted(package.texts.items()):
        try:
            parsed = parse_authored(text)
        except AuthoredTextError as exc:
            problems.append(Problem(f"authored text {name!r}", 0, "", "", str(exc)))
            continue
        if name == "article":
            front = parsed[0]
    union_body = union_body or front.get("union_body")
    if union_body and union_body not in actors:
        problems.append(
            Problem(
                WHERE, 0, "union_body", union_body, "names no actor in actors.csv", _hint(actors)
            )
        )
    settings = {
        "organisation": organisation,
        "union": union or None,
        "union_body": union_body or None,
    }
    return settings, problems


def language_problems(language: str | None) -> list[Problem]:
    """The problem with the config's ``language`` (a BCP 47 tag): none when CLDR knows it.

    >>> language_problems("ru"), language_problems(None)
    ([], [])
    >>> str(language_problems("xx-Q")[0])
    "config: field 'language': value 'xx-Q': names no language CLDR knows (expected a BCP 47 tag such as en, ru, pt-BR)"
    """
    from babel import UnknownLocaleError

    from coopdocs.load.grammar import cldr_locale

    if not language:
        return []
    try:
        cldr_locale(language)
    except (UnknownLocaleError, ValueError):
        return [
            Problem(
                WHERE,
                0,
                "language",
                language,
                "names no language CLDR knows",
                "a BCP 47 tag such as en, ru, pt-BR",
            )
        ]
    return []
