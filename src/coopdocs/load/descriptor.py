"""The package's descriptor (``datapackage.json``): read, and checked for its structure.

A malformed descriptor is a list of problems, each naming the JSON path (as its field) and the
value, never a traceback (``KeyError: 'schema'``, ``re.error``).
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path, PurePosixPath
from typing import Any

from coopdocs.load.problems import DataError, Problem, short

SUPPORTED_TYPES = {"string", "integer", "number", "list"}

# The tables the program knows (README, "The data"). The required ones it cannot work without:
# the states (one brief each), the actors (the organisation is one), the sources every record
# cites and the works that cite them. Any other may be left out of the descriptor: the loader then
# gives it no rows, and the documents leave out what it would show (an empty table, header only,
# is fine where no other record refers to it).
TABLES = tuple(
    "publications sources themes countries actors roles offices instruments projects outcomes "
    "contributions events proposals facts".split()
)
REQUIRED_TABLES = ("publications", "sources", "countries", "actors")
OPTIONAL_TABLES = tuple(t for t in TABLES if t not in REQUIRED_TABLES)


def resource(descriptor: dict[str, Any], name: str) -> dict[str, Any]:
    """The resource called ``name`` in ``descriptor``; KeyError when there is none."""
    for res in descriptor["resources"]:
        if res["name"] == name:
            return res
    raise KeyError(name)


def load_descriptor(path: Path, shown: str | None = None) -> dict[str, Any]:
    """Read ``datapackage.json`` and check its structure (:func:`check_descriptor`).

    Raises :class:`DataError` naming the file, the JSON path and the value of every problem:
    a malformed descriptor is a message, never a traceback (``KeyError: 'schema'``, ``re.error``).
    """
    shown = shown or path.as_posix()

    def fail(line: int, message: str, expected: str) -> DataError:
        return DataError([Problem(shown, line, "", "", message, expected, root=True)])

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise fail(
            0, "the data package's descriptor is missing", "datapackage.json in the data folder"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(0, f"cannot be read: {exc}", "a UTF-8 JSON file") from None
    try:
        descriptor = json.loads(text)
    except (ValueError, RecursionError) as exc:
        line = getattr(exc, "lineno", 0)
        raise fail(
            line,
            f"not valid JSON: {getattr(exc, 'msg', exc)}",
            "a JSON object as Frictionless Data Package describes",
        ) from None
    missing = missing_tables(descriptor, shown) if isinstance(descriptor, dict) else []
    # A reference into a required table that is left out is that one problem, not one per table.
    problems = missing + check_descriptor(descriptor, shown, {p.value for p in missing})
    if problems:
        raise DataError(problems)
    return descriptor


def table_names(descriptor: dict[str, Any]) -> set[str]:
    """The names of the tables the descriptor declares (an optional table left out is absent)."""
    resources = descriptor.get("resources")
    if not isinstance(resources, list):
        return set()
    return {res.get("name") for res in resources if isinstance(res, dict)}


def missing_tables(descriptor: dict[str, Any], shown: str) -> list[Problem]:
    """One problem for each required table (:data:`REQUIRED_TABLES`) the descriptor leaves out.

    Without a usable ``resources`` list there is nothing to look in: :func:`check_descriptor`
    reports that one problem, not one more per required table."""
    resources = descriptor.get("resources")
    if not isinstance(resources, list) or not resources:
        return []
    names = table_names(descriptor)
    return [
        Problem(
            shown,
            0,
            "resources",
            table,
            "the data package has no such resource; the documents cannot be made without it",
            f"a resource named {table!r} (its table may hold only the header)",
            root=True,
        )
        for table in REQUIRED_TABLES
        if table not in names
    ]


def check_descriptor(
    descriptor: Any, shown: str = "datapackage.json", absent: set[str] = frozenset()
) -> list[Problem]:
    """Every structural problem of a descriptor: each names the JSON path (as its field) and the
    value. References into the tables ``absent`` (reported once, as missing) are not checked."""
    check = _DescriptorCheck(shown)
    check.unusable |= set(absent)
    if not isinstance(descriptor, dict):
        check.bad("", descriptor, "is not a JSON object", "an object with a 'resources' list")
        return check.problems
    resources = descriptor.get("resources")
    if not isinstance(resources, list) or not resources:
        check.bad(
            "resources",
            resources,
            "is missing or not a non-empty list",
            "a list of table resources",
        )
        return check.problems
    for i, res in enumerate(resources):
        check.resource(f"resources[{i}]", res)
    for i, res in enumerate(resources):
        if isinstance(res, dict) and isinstance(res.get("schema"), dict):
            check.foreign_keys(f"resources[{i}]", res)
    return check.problems


class _DescriptorCheck:
    """The problems of one descriptor, found resource by resource (:func:`check_descriptor`)."""

    def __init__(self, shown: str):
        self.shown = shown
        self.problems: list[Problem] = []
        self.fields_of: dict[str, set[str]] = {}
        # Resources without a usable schema: references to them are not checked.
        self.unusable: set[Any] = set()

    def bad(self, where: str, value: Any, message: str, expected: str) -> None:
        """Report the value at JSON path ``where``."""
        shown_value = "" if value is None else short(value)
        self.problems.append(
            Problem(self.shown, 0, where, shown_value, message, expected, root=True)
        )

    def resource(self, where: str, res: Any) -> None:
        """Check one resource: its name, path, schema and fields."""
        if not isinstance(res, dict):
            self.bad(where, res, "is not an object", "an object with name, path and schema")
            return
        name, schema = res.get("name"), res.get("schema")
        if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", name):
            self.bad(
                f"{where}.name",
                name,
                "is missing or not a resource name",
                "lower-case letters, digits, '-' and '_'",
            )
        elif name in self.fields_of:
            self.bad(f"{where}.name", name, "names a second resource", "each resource name once")
        self.path(f"{where}.path", res.get("path"))
        if not isinstance(schema, dict):
            self.bad(
                f"{where}.schema",
                schema,
                "is missing or not an object",
                "a Table Schema with fields and primaryKey",
            )
            self.unusable.add(name)
            return
        fields = schema.get("fields")
        if not isinstance(fields, list) or not fields:
            self.bad(
                f"{where}.schema.fields",
                fields,
                "is missing or not a non-empty list",
                "the table's columns",
            )
            self.unusable.add(name)
            return
        names: set[str] = set()
        for j, spec in enumerate(fields):
            self.field(f"{where}.schema.fields[{j}]", spec, names)
        if isinstance(name, str) and name not in self.fields_of:
            self.fields_of[name] = names
        key = schema.get("primaryKey")
        if not isinstance(key, str) or key not in names:
            self.bad(
                f"{where}.schema.primaryKey",
                key,
                "is missing or names no column",
                "the name of one column",
            )

    def path(self, where: str, path: Any) -> None:
        """Check a table's path: a file relative to the data folder, never leaving it."""
        if not isinstance(path, str) or not path:
            self.bad(
                where,
                path,
                "is missing or not a path",
                "the table's file, relative to the data folder",
            )
            return
        pure = PurePosixPath(path)
        if (
            pure.is_absolute()
            or ".." in pure.parts
            or "\\" in path
            or ":" in path
            or path.startswith("~")
        ):
            self.bad(
                where,
                path,
                "leaves the data folder",
                "a file name inside the data folder, without '..'",
            )

    def field(self, where: str, spec: Any, names: set[str]) -> None:
        """Check one field of a schema (its name is added to ``names``)."""
        if not isinstance(spec, dict) or not isinstance(spec.get("name"), str) or not spec["name"]:
            self.bad(where, spec, "is not a field with a name", "an object with 'name' and 'type'")
            return
        if spec["name"] in names:
            self.bad(f"{where}.name", spec["name"], "names a second column", "each column once")
        names.add(spec["name"])
        kind = spec.get("type", "string")
        if kind not in SUPPORTED_TYPES:
            self.bad(
                f"{where}.type",
                kind,
                "is not a supported type",
                "one of " + ", ".join(sorted(SUPPORTED_TYPES)),
            )
        if "delimiter" in spec and (
            not isinstance(spec["delimiter"], str) or not spec["delimiter"]
        ):
            self.bad(
                f"{where}.delimiter",
                spec["delimiter"],
                "is not a delimiter",
                "a non-empty string such as ';'",
            )
        cons = spec.get("constraints", {})
        if not isinstance(cons, dict):
            self.bad(
                f"{where}.constraints",
                cons,
                "is not an object",
                "constraints such as required, pattern, enum",
            )
            return
        self.constraints(f"{where}.constraints", cons)

    def constraints(self, where: str, cons: dict[str, Any]) -> None:
        """Check a field's constraints: a pattern that compiles, a list of values, bounds, flags."""
        if "pattern" in cons:
            try:
                re.compile(cons["pattern"])
            except (re.error, TypeError, RecursionError, OverflowError) as exc:
                self.bad(
                    f"{where}.pattern",
                    cons["pattern"],
                    f"is not a regular expression ({exc})",
                    "a valid regular expression",
                )
        if "enum" in cons and not isinstance(cons["enum"], list):
            self.bad(f"{where}.enum", cons["enum"], "is not a list", "the list of allowed values")
        for key, value, message, expected in constraint_faults(cons):
            self.bad(f"{where}.{key}", value, message, expected)
        for flag in ("required", "unique"):
            if flag in cons and not isinstance(cons[flag], bool):
                self.bad(f"{where}.{flag}", cons[flag], "is not true or false", "true or false")

    def foreign_keys(self, where: str, res: dict[str, Any]) -> None:
        """Check a resource's foreign keys (and those of its list fields): each names a column of
        its own and one of a resource."""
        own = self.fields_of.get(res.get("name"), set())
        for kind in ("foreignKeys", "listForeignKeys"):
            fks = res["schema"].get(kind, [])
            if not isinstance(fks, list):
                self.bad(f"{where}.schema.{kind}", fks, "is not a list", "a list of foreign keys")
                continue
            for j, fk in enumerate(fks):
                self.foreign_key(f"{where}.schema.{kind}[{j}]", fk, own, res.get("name"))

    def foreign_key(self, where: str, fk: Any, own: set[str], name: Any) -> None:
        """Check one foreign key of the resource ``name`` (whose columns are ``own``)."""
        ref = fk.get("reference") if isinstance(fk, dict) else None
        if (
            not isinstance(fk, dict)
            or not isinstance(fk.get("fields"), str)
            or not isinstance(ref, dict)
        ):
            self.bad(where, fk, "is not a foreign key", "an object with 'fields' and 'reference'")
            return
        if fk["fields"] not in own:
            self.bad(
                f"{where}.fields",
                fk["fields"],
                "names no column of this table",
                "one column's name",
            )
        target = ref.get("resource")
        if target in self.unusable:
            return
        target_fields = self.fields_of.get(target or name) if isinstance(target, str) else None
        if target_fields is None and target in TABLES:
            self.bad(
                f"{where}.reference.resource",
                target,
                f"refers to the table {target!r}, which the data package leaves out",
                f"a resource named {target!r}, or no reference to it",
            )
        elif target_fields is None:
            self.bad(
                f"{where}.reference.resource",
                target,
                "names no resource",
                "a resource's name ('' for this one)",
            )
        elif ref.get("fields") not in target_fields:
            self.bad(
                f"{where}.reference.fields",
                ref.get("fields"),
                f"names no column of {target or name}",
                "one column's name",
            )


def constraint_faults(cons: dict[str, Any]) -> list[tuple[str, Any, str, str]]:
    """(constraint, value, message, expected) for every bound or length a field's constraints
    state that no value could be checked against: NaN or an infinity as ``minimum``/``maximum``
    (every comparison with NaN is false: the check would be silently off), a length that is
    not a whole number of at least 0."""
    faults = []
    for bound in ("minimum", "maximum"):
        value = cons.get(bound)
        if bound not in cons:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            faults.append((bound, value, "is not a number", "a number"))
        elif not math.isfinite(value):
            faults.append((bound, value, "is not a finite number", "a number such as 0 or 2100"))
    for length in ("minLength", "maxLength"):
        value = cons.get(length)
        if length in cons and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            faults.append((length, value, "is not a whole number of at least 0", "e.g. 1 or 200"))
    return faults
