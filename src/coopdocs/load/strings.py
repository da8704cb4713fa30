"""The words of the documents that the program writes: ``templates/strings.yaml``.

The Markdown templates hold the prose; the strings file holds the words the program itself puts
into documents, workbooks and figures (titles, captions, reading notes, headings, figure labels,
periods). Python hands those words data (numbers, names), never writes them: a translation is a
language folder of the templates (``templates/ru/``, chosen by the config key ``language``;
coopdocs.layout.strings_file) with its own whole strings file.

Without a strings file (``words`` None) the program writes no words at all: periods are written
with punctuation only (``2016–2019``, ``2016–``, ``–2019``) and captions are empty.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from coopdocs import layout

Words = dict[str, Any]
STRINGS_FILE = layout.STRINGS  # in the templates folder
# The language of a build whose config names none (config key ``language``, a BCP 47 tag).
DEFAULT_LOCALE = "en"
# The code that reads the strings file, part of the key of the kept reading.
_CONFIG_CODE = Path(__file__).resolve().parent.parent / "tools" / "config.py"


def load_strings(path: Path | None) -> Words:
    """The words of ``path`` (a YAML mapping); an empty mapping for None.

    ``path`` may be a templates folder (its ``strings.yaml``) or the file itself.
    """
    if path is None:
        return {}
    from coopdocs.load.kept import kept

    path = Path(path)
    if path.is_dir():
        path = path / STRINGS_FILE
    text = path.read_text(encoding="utf-8")
    # Read once for every job (PyYAML's import and parse, ~0.03 s a job): coopdocs.load.kept.
    words = kept("strings", [text], lambda: _parsed(text), ["PyYAML"], [_CONFIG_CODE])
    if not isinstance(words, dict):
        raise ValueError(f"{path}: not a mapping of strings")
    return words


def _parsed(text: str) -> Any:
    """The data of the YAML ``text`` (coopdocs.tools.config.load_yaml, imported only here)."""
    from coopdocs.tools.config import load_yaml

    return load_yaml(text)


def with_locale(words: Words | None, language: str | None) -> Words | None:
    """``words`` for a build in ``language`` (the config's BCP 47 tag): the same strings with the
    tag under ``locale``, which the grammar's CLDR rules read (coopdocs.load.grammar). The loaded
    mapping is not changed; without a language, ``words`` as given.

    >>> with_locale({"period": {}}, "ru")
    {'period': {}, 'locale': 'ru'}
    """
    if not language or (words or {}).get("locale") == language:
        return words
    return {**(words or {}), "locale": str(language)}


def locale_of(words: Words | None) -> str:
    """The BCP 47 tag of the language ``words`` are written in (:func:`with_locale`); English
    when the build named none.

    >>> locale_of({"locale": "ru"}), locale_of(None)
    ('ru', 'en')
    """
    return str((words or {}).get("locale") or DEFAULT_LOCALE)


class _Keep(dict):
    """format_map names: a placeholder the caller did not give stays as written."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill(text: str, **names: Any) -> str:
    """``text`` with its ``{name}`` placeholders filled from ``names``.

    >>> fill("{country} and {org}", country="Ruritania", org="IAWC")
    'Ruritania and IAWC'
    """
    return str(text).format_map(_Keep(names))


def word(words: Words | None, path: str, default: str = "", **names: Any) -> str:
    """The string at the dotted ``path`` of ``words``, filled with ``names``; ``default`` when absent.

    >>> word({"period": {"from": "from {start}"}}, "period.from", start=2016)
    'from 2016'
    """
    node: Any = words or {}
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return fill(default, **names)
        node = node[part]
    return fill(node, **names)


def period(start: Any, end: Any, words: Words | None = None) -> str:
    """A period of years in words: '2016–2019', 'from 2016', 'until 2019', '2016', or ''.

    >>> period(2016, 2019), period(2016, 2016), period(2016, None), period(None, 2019)
    ('2016–2019', '2016', '2016–', '–2019')
    >>> period(2016, None, {"period": {"from": "from {start}"}})
    'from 2016'
    """
    if start and end:
        return (
            str(start)
            if start == end
            else word(words, "period.span", "{start}–{end}", start=start, end=end)
        )
    if start:
        return word(words, "period.from", "{start}–", start=start)
    if end:
        return word(words, "period.until", "–{end}", end=end)
    return ""


# Labels: the words for the data's coded values (templates/strings.yaml, ``labels``), keyed by
# table, field and value. The fields whose labels the documents print; the strings file may label
# more. Each must label every value its field's enum in the data package's descriptor allows.
LABELLED_FIELDS = (("instruments", "type"),)


def label(
    words: Words | None, table: str, field: str, value: Any, record: Any = None, **names: Any
) -> str:
    """The word for ``value`` of ``table``'s ``field`` (strings ``labels.<table>.<field>``),
    filled with ``names`` (``{org}``).

    An entry is a word, or a mapping whose ``by`` names another field of the same ``record``
    that decides the word: its value's word if the mapping has one, else ``default``. Without a
    label the value is returned as the data writes it (a build without a strings file).

    >>> w = {"labels": {"instruments": {"type": {"other": {"default": "document", "by": "role",
    ...      "organisation-programme": "programme"}, "decree": "decree"}}}}
    >>> label(w, "instruments", "type", "decree"), label(w, "instruments", "type", "other")
    ('decree', 'document')
    >>> label(w, "instruments", "type", "other", {"role": "organisation-programme"})
    'programme'
    >>> label(None, "instruments", "type", "medium-term-programme")
    'medium-term-programme'
    """
    entry = (((words or {}).get("labels") or {}).get(table) or {}).get(field, {}).get(str(value))
    if isinstance(entry, dict):
        decided = (record or {}).get(entry.get("by") or "")
        entry = entry.get(str(decided), entry.get("default")) if decided else entry.get("default")
    return str(value) if entry is None else fill(entry, **names)


def label_gaps(words: Words | None, descriptor: dict[str, Any]) -> list[str]:
    """What the strings file's ``labels`` lack for the data package ``descriptor``, one line per
    missing label naming table, field and value: every value a labelled field's enum allows
    (:data:`LABELLED_FIELDS` and whatever fields the strings file labels). None without a strings
    file (the program then writes no words at all).

    >>> d = {"resources": [{"name": "instruments", "schema": {"fields": [
    ...     {"name": "type", "constraints": {"enum": ["decree", "treaty"]}}]}}]}
    >>> label_gaps({"labels": {"instruments": {"type": {"decree": "decree"}}}}, d)
    ['labels.instruments.type.treaty: missing (table instruments, field type: a value its descriptor allows)']
    """
    if not words:
        return []
    labels = words.get("labels") or {}
    wanted = set(LABELLED_FIELDS) | {
        (table, field) for table, fields in labels.items() for field in fields or {}
    }
    missing = []
    for res in descriptor.get("resources", []):
        for f in (res.get("schema") or {}).get("fields", []):
            if (res.get("name"), f.get("name")) not in wanted:
                continue
            have = (labels.get(res["name"]) or {}).get(f["name"]) or {}
            for value in (f.get("constraints") or {}).get("enum") or []:
                entry = have.get(str(value))
                if entry is None or (isinstance(entry, dict) and "default" not in entry):
                    missing.append(
                        f"labels.{res['name']}.{f['name']}.{value}: missing (table"
                        f" {res['name']}, field {f['name']}: a value its descriptor allows)"
                    )
    return missing
