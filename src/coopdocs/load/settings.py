"""Check the settings that name records of the data: ``organisation``, ``union``, ``union_body``.

The config names the organisation the documents are about (an actor id), the union (the code of
its row in countries.csv) and, optionally, the union's executive body (an actor id). They are
checked against the data as soon as the data is loaded (the workflow's first job), so that a
wrong id stops the build with a message naming the key, the value and the ids that exist,
instead of a traceback halfway through.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from coopdocs.load.problems import Problem

# The Snakefile imports this module for template_problems on every run: the authored texts'
# parser and the whole of coopdocs.load.datapackage (every check of the tables) are imported by
# the functions that use them.
if TYPE_CHECKING:
    from coopdocs.load.datapackage import Package

UNION_KIND = "union"
WHERE = "config"


def _hint(ids: list[str]) -> str:
    """What a setting may name instead: the ids that exist (at most 20), or that there is none."""
    shown = ", ".join(ids[:20]) + (" ..." if len(ids) > 20 else "")
    return f"one of {shown}" if ids else "an id that exists (there is none)"


def resolve_settings(
    package: Package,
    organisation: str | None,
    union: str | None = None,
    union_body: str | None = None,
    claims: Collection[str] = (),
) -> tuple[dict[str, Any], list[Problem]]:
    """The settings resolved against the data, and every problem found with them.

    ``union`` None or '': the one row of kind 'union' (no union when there is none; a problem
    when there are several). ``union_body`` None or '': the ``union_body`` of the article's
    authored text (its front matter), else none. The authored texts are checked here too
    (``claims``: the names of the claims they may name).

    >>> from coopdocs.load.datapackage import Package
    >>> p = Package({}, {"actors": [{"id": "iawc"}], "countries": [{"code": "NU", "kind": "union"}]})
    >>> resolve_settings(p, "iawc")[0]
    {'organisation': 'iawc', 'union': 'NU', 'union_body': None}
    >>> str(resolve_settings(p, "other")[1][0])
    "config: field 'organisation': value 'other': names no actor in actors.csv (expected one of iawc)"
    """
    actors = sorted(a["id"] for a in package.tables.get("actors", []))
    problems = _organisation_problems(organisation, actors)
    union, union_faults = _resolve_union(package, union)
    problems += union_faults
    front, text_faults = authored_front(package, claims)
    problems += text_faults
    # The front matter's union_body is checked by authored_front, where the file is named.
    if union_body and union_body not in actors:
        problems.append(
            Problem(
                WHERE, 0, "union_body", union_body, "names no actor in actors.csv", _hint(actors)
            )
        )
    settings = {
        "organisation": organisation,
        "union": union or None,
        "union_body": union_body or front.get("union_body") or None,
    }
    return settings, problems


def _organisation_problems(organisation: str | None, actors: list[str]) -> list[Problem]:
    """The problem with the ``organisation`` setting: unset, or naming no actor of ``actors``."""
    if not organisation:
        return [
            Problem(
                WHERE,
                0,
                "organisation",
                "",
                "is not set",
                "the actor id of the organisation, " + _hint(actors),
            )
        ]
    if organisation not in actors:
        return [
            Problem(
                WHERE,
                0,
                "organisation",
                organisation,
                "names no actor in actors.csv",
                _hint(actors),
            )
        ]
    return []


def _resolve_union(package: Package, union: str | None) -> tuple[str | None, list[Problem]]:
    """The union's code: ``union`` when it names a row of kind 'union', else the one such row
    (None when there is none); a problem when it names none or several rows leave it open."""
    unions = sorted(
        c["code"] for c in package.tables.get("countries", []) if c.get("kind") == UNION_KIND
    )
    if union:
        if union in unions:
            return union, []
        return union, [
            Problem(
                WHERE,
                0,
                "union",
                union,
                "names no row of kind 'union' in countries.csv",
                _hint(unions),
            )
        ]
    if len(unions) > 1:
        return union, [
            Problem(
                WHERE,
                0,
                "union",
                "",
                "is not set and countries.csv has several rows of kind 'union'",
                _hint(unions),
            )
        ]
    return (unions[0] if unions else None), []


def authored_front(
    package: Package, claims: Collection[str] = ()
) -> tuple[dict[str, Any], list[Problem]]:
    """The article's front matter, parsed as the build parses it, and every problem of the
    authored texts: those the parser raises and a ``union_body`` naming no actor (so that
    ``coopdocs validate`` reports what the build would stop on). ``claims``: the names of the
    claims a text may name (coopdocs.compute.claims.claim_names)."""
    from coopdocs.load.authored import AuthoredTextError, known_names, parse_authored
    from coopdocs.load.texts import text_paths

    actors = {a["id"] for a in package.tables.get("actors", [])}
    front: dict[str, Any] = {}
    problems: list[Problem] = []
    for name, text in sorted(package.texts.items()):
        where = text_paths(package.descriptor).get(name, f"authored text {name!r}")
        try:
            parsed = parse_authored(text, known_names(claims))
        except AuthoredTextError as exc:
            problems.extend(
                Problem(where, line, "", shown, why) for line, shown, why in exc.problems
            )
            continue
        body = parsed[0].get("union_body") if name == "article" else None
        if body and body not in actors:
            problems.append(
                Problem(
                    where, 0, "union_body", str(body), "names no actor in actors.csv",
                    _hint(sorted(actors)),
                )
            )  # fmt: skip
        if name == "article":
            front = parsed[0]
    return front, problems


# The config keys that name a document's Jinja template, a file inside ``templates_dir``.
TEMPLATE_KEYS = ("brief_template", "tables_template", "article_template")


def template_problems(config: dict[str, Any], root: Path = Path(".")) -> list[str]:
    """One line for each document template the config names that is not a file inside
    ``templates_dir`` (the folder itself may be anywhere): an absolute name, a ``..`` or a link
    out of the folder, or a file that is not there (a folder holding no templates would
    otherwise build nothing new and exit 0)."""
    folder = root / str(config.get("templates_dir", ""))
    problems = []
    for key in TEMPLATE_KEYS:
        name = str(config.get(key, ""))
        where = f"{WHERE}: {key}: {name!r}"
        parts = PurePosixPath(name).parts
        if not name or name.startswith(("/", "\\")) or ".." in parts or "\\" in name:
            problems.append(f"{where}: not a file name inside templates_dir (e.g. brief.md.j2)")
            continue
        path = folder / name
        try:
            inside = path.resolve().is_relative_to(folder.resolve())
        except OSError:
            inside = False
        if not inside:
            problems.append(f"{where}: leaves templates_dir {str(folder)!r} (a link out of it)")
        elif not path.is_file():
            problems.append(f"{where}: no such template in templates_dir {str(folder)!r}")
    return problems


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
