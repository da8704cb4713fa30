"""Load and validate the data package: CSV tables described by a Frictionless Table Schema.

The descriptor (``data/datapackage.json``) is the single description of every table: field types,
required fields, controlled vocabularies (``enum``), patterns, primary keys and foreign keys. This
module reads every table as text (``NA`` stays ``NA``), checks it against the descriptor and
reports *every* problem in one pass, each naming file, line, field and value.

Supported Table Schema subset (documented in the README):

* field types ``string``, ``integer``, ``number``, ``list`` (Table Schema v2; ``delimiter`` and
  string items);
* constraints ``required``, ``unique``, ``enum``, ``pattern``, ``minimum``, ``maximum`` (for
  ``list`` fields, ``enum`` and ``pattern`` apply to each item);
* ``primaryKey`` (one field) and ``foreignKeys`` (one field);
* the custom schema property ``listForeignKeys``: foreign keys of ``list`` fields, which Table
  Schema does not define (frictionless-py crashes on them in ``foreignKeys``), resolved item by
  item; written like ``foreignKeys``;
* the custom package property ``texts``: authored texts of the package (Markdown with named
  values, never a template: coopdocs.load.authored; e.g. ``{"article": "text/article.md"}``), read
  as UTF-8 text and checked line by line.

``frictionless validate datapackage.json`` checks the same package by the standard (a test
keeps the two in agreement on the standard constraints).

Beyond Table Schema, two rules of the project's citation policy: a record with an empty ``sources``
must say in ``source_note`` where the article states it without a number, and a ``<field>_inferred``
list may only name items of ``<field>``.

Text normalisation (documented): a leading BOM is dropped, CRLF is read as LF, text is NFC
normalised, U+2028/U+2029 and runs of whitespace inside a cell become one space and cells are
stripped. NUL and other control characters, Unicode non-characters (U+FFFE, U+FFFF, ...; not
allowed in XML), bidirectional override characters and bytes that are not UTF-8 are rejected by
line and field.

Editorial notes (the ``note`` and ``*_note`` columns, printed for readers) may not hold a bracketed
number, which a document's reader takes for its own citation, nor a field, file or record name of
the package (:func:`note_problems`, issue 17).

Beyond the descriptor (issue 19), whatever it says:

* a date field (a ``string`` whose pattern is the ISO date prefix ``YYYY[-MM[-DD]]``) must be a
  real calendar date with a year from 1900 to 2100; ``end_year`` may not come before ``start_year``;
* the article's reference numbers (``sources.ref_number``) are unique;
* a row that repeats the header (pasted mid-file) is an error, not a record;
* every primary key is an identifier (letters, digits, single hyphens; a source's id a citation
  key), and every slug, which becomes a file name, is lower-case letters, digits and hyphens, at
  most 100 characters and not a name Windows reserves;
* every character of every text must be one the bundled PDF fonts can draw (coopdocs.load.glyphs);
* a table's path must be a file inside the data folder (not absolute, no ``..``, no symbolic link);
* every money amount (a field with the custom property ``currencyField``) has its currency, an
  ISO 4217 code CLDR knows (coopdocs.load.money);
* a pattern that takes longer than :data:`PATTERN_SECONDS` on one value (catastrophic backtracking,
  such as ``(a+)+$``) is reported instead of hanging the build.

Errors that follow from another one are not reported: when a table cannot be read (missing,
not UTF-8, a wrong header, a cell over :data:`CELL_LIMIT` characters), references to its rows are
not checked, and such root causes are listed first.

Where each concern lives (this module reads the package and keeps the public names):
coopdocs.load.descriptor (the descriptor's structure, the required tables), .rows (a table's file
and rows), .cells (a cell's text and type), .patterns (patterns with a time limit), .keys
(identifiers, references, labels), .citing (the citation policy), .notes (editorial notes), .roles
(typed roles), .texts (authored texts), .glyphs (characters the PDF fonts draw) and .problems
(what is reported).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coopdocs.load.cells import normalise_text, visible
from coopdocs.load.citing import citation_problems, unused_sources
from coopdocs.load.descriptor import (
    OPTIONAL_TABLES,
    REQUIRED_TABLES,
    check_descriptor,
    load_descriptor,
    missing_tables,
    resource,
    table_names,
)
from coopdocs.load.glyphs import undrawable
from coopdocs.load.keys import empty_tables, look_alike_labels, reference_problems
from coopdocs.load.money import money_problems
from coopdocs.load.notes import is_note_field, note_problems
from coopdocs.load.patterns import PATTERNS
from coopdocs.load.problems import DataError, Problem, Record, display
from coopdocs.load.roles import ROLES, STATUSES, fill_roles, role_problems
from coopdocs.load.rows import Reading, read_table
from coopdocs.load.texts import TEXT_LIMIT, authored_problems, read_texts, text_paths

# The names the rest of the program imports from here: the loader's one front door.
__all__ = [
    "OPTIONAL_TABLES",
    "REQUIRED_TABLES",
    "ROLES",
    "STATUSES",
    "TEXT_LIMIT",
    "DataError",
    "Package",
    "Problem",
    "Record",
    "check_descriptor",
    "fill_roles",
    "is_note_field",
    "load_descriptor",
    "load_package",
    "missing_tables",
    "normalise_text",
    "text_paths",
    "visible",
]


@dataclass
class Package:
    """A validated data package: descriptor plus typed records per table, sorted by primary key."""

    descriptor: dict[str, Any]
    tables: dict[str, list[Record]]
    warnings: list[Problem] = field(default_factory=list)
    # Authored texts of the package by name (the custom property ``texts``), e.g. "article".
    texts: dict[str, str] = field(default_factory=dict)

    def declares(self, table: str) -> bool:
        """Whether the descriptor has the table (an optional one left out has no rows here, and
        the documents say nothing of it, not even that it holds none)."""
        return table in table_names(self.descriptor)

    def index(self, table: str) -> dict[str, Record]:
        """Records of ``table`` keyed by their primary key (built once per table; do not modify)."""
        cache = self.__dict__.setdefault("_indexes", {})
        if table in cache:  # before declares(): an edit's contexts look up thousands of records
            return cache[table]
        if not self.declares(table):
            return {}
        if table not in cache:
            key = self.primary_key(table)
            cache[table] = {r[key]: r for r in self.tables[table]}
        return cache[table]

    def primary_key(self, table: str) -> str:
        """Name of the primary-key field of ``table``."""
        return resource(self.descriptor, table)["schema"]["primaryKey"]


def load_package(data_dir: Path, root: Path | None = None, claims: Collection[str] = ()) -> Package:
    """Read and validate every table of the package in ``data_dir``.

    Returns a :class:`Package` whose records are typed (``int``, ``float``, ``list``, ``str`` or
    ``None`` for an empty cell) and sorted by primary key, so that row order in the files never
    changes any output. Raises :class:`DataError` listing every problem when anything is wrong.
    ``root`` only shortens the file names in messages. ``claims``: the names of the claims an
    authored text may name (coopdocs.compute.claims.claim_names; the loader does not import the
    computations, so the caller passes them).
    """
    descriptor_path = data_dir / "datapackage.json"
    descriptor = load_descriptor(descriptor_path, display(descriptor_path, root))
    with PATTERNS:
        return _load_tables(data_dir, descriptor, root, claims)


def _load_tables(
    data_dir: Path, descriptor: dict[str, Any], root: Path | None, claims: Collection[str]
) -> Package:
    """Read every table and authored text of the package; check them all, then across tables."""
    reading = Reading()
    for res in descriptor["resources"]:
        read_table(reading, data_dir, res, root)
    problems = reading.problems + _across_tables(descriptor, reading)
    fill_roles(reading.tables)
    warnings = unused_sources(descriptor, reading.tables, reading.shown_of)
    texts = read_texts(descriptor, data_dir, root, problems)
    # Every row that exists, valid or not: a citation of a row with a bad cell is no second error.
    problems += authored_problems(texts, descriptor, data_dir, root, reading.checked, claims)
    if not problems:
        problems = undrawable(descriptor, reading.tables, reading.shown_of)
    if problems:
        raise DataError(problems + warnings)
    for name, records in reading.tables.items():
        key = resource(descriptor, name)["schema"]["primaryKey"]
        records.sort(key=lambda r: str(r[key]))
    for name in OPTIONAL_TABLES:
        reading.tables.setdefault(name, [])  # left out of the descriptor: no rows
    return Package(
        descriptor=descriptor, tables=reading.tables, warnings=sorted(warnings), texts=texts
    )


def _across_tables(descriptor: dict[str, Any], reading: Reading) -> list[Problem]:
    """The problems between records and tables: empty tables referred to, look-alike labels,
    references that do not resolve, the citation policy, editorial notes, typed roles and
    amounts with their currency."""
    problems = []
    for problem in empty_tables(descriptor, reading.checked, reading.shown_of):
        if (
            problem.value not in reading.broken
        ):  # a table that could not be read is reported already
            problems.append(problem)
            reading.broken.add(problem.value)
    problems += look_alike_labels(reading.checked, reading.shown_of)
    problems += reference_problems(
        descriptor, reading.keys, reading.tables, reading.checked, reading.shown_of, reading.broken
    )
    problems += citation_problems(descriptor, reading.checked, reading.shown_of)
    problems += note_problems(descriptor, reading.checked, reading.shown_of)
    problems += role_problems(reading.checked, reading.shown_of)
    problems += money_problems(descriptor, reading.checked, reading.shown_of)
    return problems
