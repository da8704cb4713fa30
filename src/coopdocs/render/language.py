"""The language filters of the templates: counts, lists, year ranges, ordinals, articles, names.

The templates write the prose; these filters write the small grammatical pieces a template cannot
write well by itself. The grammar itself, and every word it uses, is coopdocs.load.grammar (the
``language`` section of the strings file), shared with the figures' text alternatives; this module
makes its functions Jinja filters that are given the environment's strings, and lets a list keep
the markup the program built.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import jinja2

from coopdocs.load.grammar import (
    Mentions,
    count,
    digits,
    in_words,
    joined,
    label_count,
    label_in_text,
    list_words,
    long_date,
    measure,
    money,
    money_list,
    named,
    number_word,
    ordinal,
    plural,
    plural_of,
    singular_of,
    states_number,
    typed_name,
    unsaid,
    with_article,
    year_range,
)
from coopdocs.load.strings import Words
from coopdocs.render.escaping import Trusted, escape


def join_list(items: Iterable[Any], conjunction: str = "and", words: Words | None = None) -> str:
    """Items joined as a reader lists them, "A, B and C" (coopdocs.load.grammar.join_list), and
    still markup when an item is markup the program built (a citation, a cross-reference).

    >>> w = {"language": {"conjunctions": {"and": "and", "or": "or"}}}
    >>> join_list(["A", "B", "C"], words=w), join_list(["A", "B"], "or", w), join_list(["A"], words=w)
    ('A, B and C', 'A or B', 'A')
    """
    items = list(items)
    separator, conjoined, serial_comma = list_words(conjunction, words)
    if not any(isinstance(item, Trusted) for item in items):
        return joined([str(item) for item in items], separator, conjoined, serial_comma)
    # The joined text passes as markup: the rest of the items and the words are escaped here.
    separator = escape(separator) + (" " if separator.endswith(" ") else "")
    values = [escape(item) for item in items]
    return Trusted(joined(values, separator, escape(conjoined), serial_comma))


# The filters the templates use, each given the environment's strings ("words" global).
_WITH_WORDS = {
    "number": digits,
    "money": money,
    "money_list": money_list,
    "named": named,
    "plural": plural,
    "plural_of": plural_of,
    "singular_of": singular_of,
    "measure": measure,
    "states_number": states_number,
    "number_word": number_word,
    "in_words": in_words,
    "count": count,
    "ordinal": ordinal,
    "join_list": join_list,
    "year_range": year_range,
    "long_date": long_date,
    "with_article": with_article,
    "typed_name": typed_name,
    "label_in_text": label_in_text,
    "label_count": label_count,
}


def _bind(function):
    """A Jinja filter that calls ``function`` with the environment's strings as ``words``."""

    @jinja2.pass_environment
    def bound(environment: jinja2.Environment, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("words", environment.globals.get("words", {}))
        return function(*args, **kwargs)

    bound.__doc__ = function.__doc__
    bound.__name__ = function.__name__
    return bound


def register(environment: jinja2.Environment) -> None:
    """Add the language filters to ``environment`` (its ``words`` global holds the strings).

    Filter names (stable; templates depend on them): ``number``, ``plural``, ``plural_of``, ``singular_of``,
    ``measure``, ``states_number``, ``number_word``, ``in_words``, ``count``, ``ordinal``, ``join_list``,
    ``year_range``, ``long_date``, ``with_article``, ``typed_name``, ``unsaid``, ``money``,
    ``money_list``, ``named``, ``label_in_text``, ``label_count``; the global ``mentions()``
    (coopdocs.load.grammar.Mentions).
    """
    environment.filters["unsaid"] = unsaid
    # A fresh record of which names a document has given in full (its first mention of each).
    environment.globals["mentions"] = lambda: Mentions(environment.globals.get("words", {}))
    for name, function in _WITH_WORDS.items():
        environment.filters[name] = _bind(function)
