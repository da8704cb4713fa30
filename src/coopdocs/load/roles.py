"""The typed roles of records (issue 28; README "Data model"): the program's own vocabulary of what
a record is, checked, and filled where a cell is empty or a package lacks the column.
"""

from __future__ import annotations

from coopdocs.load.problems import Problem, Record

# The program's vocabulary of what a record is (issue 28; README "Data model"): (table, column) ->
# the values and the value an empty cell or a missing column means. The *kinds* (of office,
# instrument, event) are each package's own enums in its descriptor; these roles are the ones the
# documents count by, so the program fixes them.
STATUSES = ("actual", "planned", "proposed", "discussed", "not-established")
ROLES: dict[tuple[str, str], tuple[tuple[str, ...], str]] = {
    ("instruments", "status"): (STATUSES, "actual"),
    ("instruments", "relation"): (("party", "reviewer", "explicit", "general", "none"), ""),
    (
        "instruments",
        "role",
    ): (
        (
            "organisation-agreement",
            "organisation-programme",
            "organisation-document",
            "state-document",
            "union-document",
            "multilateral",
            "other-agreement",
        ),
        "",
    ),
    ("offices", "status"): (STATUSES, "actual"),
    ("offices", "owner"): (("organisation", "national"), "organisation"),
    ("outcomes", "status"): (STATUSES, "actual"),
    ("outcomes", "scope"): (("state", "project"), "state"),
    ("projects", "status"): (STATUSES, "actual"),
    ("events", "format"): (("gathering", "process", "milestone"), "gathering"),
    ("countries", "union_membership"): (("member", "observer", "former-member"), ""),
}
# List columns that name a part of another list column of the same record (an inferred list is
# checked with the other ``*_inferred`` columns).
SUBLISTS = {("events", "actors_scheduled"): "actors"}


def role_problems(tables: dict[str, list[Record]], shown_of: dict[str, str]) -> list[Problem]:
    """Typed cells outside the program's vocabulary (:data:`ROLES`), and sub-lists naming an item
    their list does not: each with file, line, field and value, all in one pass."""
    problems = []
    for (table, column), (values, _) in ROLES.items():
        for record in tables.get(table, []):
            value = record.get(column)
            if value not in (None, "") and value not in values:
                problems.append(
                    Problem(
                        shown_of[table],
                        record["_line"],
                        column,
                        str(value),
                        "not in the program's vocabulary",
                        "one of " + ", ".join(values),
                    )
                )
    for (table, column), base in SUBLISTS.items():
        for record in tables.get(table, []):
            for item in record.get(column) or []:
                if item not in (record.get(base) or []):
                    problems.append(
                        Problem(
                            shown_of[table],
                            record["_line"],
                            column,
                            item,
                            f"is not in {base!r}",
                            "a subset of it",
                        )
                    )
    return problems


def fill_roles(tables: dict[str, list[Record]]) -> None:
    """An empty typed cell, or a package without the column, takes the value :data:`ROLES` gives
    (in force, the organisation's own office, the project's states, a gathering); a state's
    membership of the union follows its dates when not given."""
    for (table, column), (_, default) in ROLES.items():
        for record in tables.get(table, []):
            if record.get(column) in (None, ""):
                record[column] = default
    for record in tables.get("countries", []):
        if not record.get("union_membership") and record.get("kind") != "union":
            record["union_membership"] = (
                "former-member" if record.get("union_member_until") else "member"
            )
    for table, columns in (("events", ("actors_scheduled", "actors_inferred")),):
        for record in tables.get(table, []):
            for column in columns:
                record.setdefault(column, [])
            record.setdefault("occasion", None)
