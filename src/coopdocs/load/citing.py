"""The citation policy (README, "Citing honestly"), beyond what Table Schema can say.

A record with an empty ``sources`` must say in ``source_note`` where the article states it without
a number; a ``<field>_inferred`` list may only name items of ``<field>``. A source that no record
cites and that gives no ``unused_reason`` is worth a warning, not an error.
"""

from __future__ import annotations

from typing import Any

from coopdocs.load.keys import references
from coopdocs.load.problems import Problem, Record


def citation_problems(
    descriptor: dict[str, Any], checked: dict[str, list[Record]], shown_of: dict[str, str]
) -> list[Problem]:
    """A problem for each record that cites no source without saying why, and for each item of an
    ``<x>_inferred`` list that ``<x>`` lacks."""
    problems = []
    for res in descriptor["resources"]:
        name = res["name"]
        names = {f["name"] for f in res["schema"]["fields"]}
        inferred = sorted(
            n for n in names if n.endswith("_inferred") and n[: -len("_inferred")] in names
        )
        for record in checked[name]:
            where = (shown_of[name], record["_line"])
            if (
                {"sources", "source_note"} <= names
                and not record.get("sources")
                and not record.get("source_note")
            ):
                problems.append(
                    Problem(
                        *where,
                        "source_note",
                        "",
                        "the record cites no source and does not say why",
                        "where the article states it without a reference number",
                    )
                )
            for fname in inferred:
                base = record.get(fname[: -len("_inferred")]) or []
                problems += [
                    Problem(
                        *where,
                        fname,
                        item,
                        f"is not in {fname[: -len('_inferred')]!r}",
                        "a subset of it",
                    )
                    for item in record.get(fname) or []
                    if item not in base
                ]
    return problems


def unused_sources(
    descriptor: dict[str, Any], tables: dict[str, list[Record]], shown_of: dict[str, str]
) -> list[Problem]:
    """A warning for each source that no record cites and that gives no ``unused_reason``."""
    if "sources" not in tables:
        return []
    cited = {
        s
        for table, fname, target, _ in references(descriptor)
        if target == "sources"
        for r in tables[table]
        for s in (r.get(fname) or [])
    }
    return [
        Problem(
            shown_of["sources"],
            src["_line"],
            "id",
            src["id"],
            "no record cites this source",
            severity="warning",
        )
        for src in tables["sources"]
        if src["id"] not in cited and not src.get("unused_reason")
    ]
