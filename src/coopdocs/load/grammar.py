"""The grammar of the strings' language: counts, plurals, lists, year ranges, ordinals, articles.

Small grammatical pieces that prose needs and a format string cannot give ("1 installation" / "3
installations", "A, B and C", "1992–1995", "the Montreal Protocol" but "Kazakhstan", "the
Agreement between …" rather than "the agreement Agreement between …"). Every word they use comes
from the ``language`` section of the strings file (``templates/strings.yaml``,
coopdocs.load.strings), so a template set in another language brings its own words and needs no
code change. The functions take that mapping (``words``) as an argument and return plain text.

Two stages use them, so they live here, below both: the templates, as the Jinja filters of
coopdocs.render.language, and the figures' text alternatives (coopdocs.compute.overview and
coopdocs.compute.timeline), which count and list with the same rules.

Without a ``language`` section the helpers fall back to punctuation and digits only (``2``,
``1992–1995``, ``A, B, C``) and never print an English word the templates did not give.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from coopdocs.load.strings import Words, fill, period, word

_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


def _lang(words: Words | None) -> Mapping[str, Any]:
    """The ``language`` section of the strings (empty when there is none)."""
    section = (words or {}).get("language") or {}
    return section if isinstance(section, Mapping) else {}


def _digits(value: int | float) -> str:
    """A number with thousands separators and without a spurious ``.0``."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}"


def plural(count: int, one: str, many: str) -> str:
    """``one`` for a count of 1, else ``many`` (the template gives both words).

    >>> plural(1, "record", "records"), plural(3, "record", "records")
    ('record', 'records')
    """
    return one if count == 1 else many


def plural_of(one: str, words: Words | None = None) -> str:
    """The plural of the noun phrase ``one`` from the strings: an irregular form or the rule.

    ``language.plurals`` maps irregular nouns to their plural; ``language.plural_rule`` (a format
    with ``{word}``, English ``"{word}s"``) makes the others. The last word of a phrase inflects
    ("framework programme" → "framework programmes"). Without a rule the noun stays as given.

    >>> w = {"language": {"plural_rule": "{word}s", "plurals": {"country": "countries"}}}
    >>> plural_of("project", w), plural_of("partner country", w)
    ('projects', 'partner countries')
    """
    lang = _lang(words)
    irregular = lang.get("plurals") or {}
    if one in irregular:
        return str(irregular[one])
    head, sep, last = one.rpartition(" ")
    if last in irregular:
        return head + sep + str(irregular[last])
    rule = lang.get("plural_rule")
    return head + sep + str(rule).format(word=last) if rule else one


def number_word(value: int | float, words: Words | None = None) -> str:
    """A small whole number in words ("two"), any other number in digits ("12", "1,500").

    ``language.number_words`` lists the words from zero upwards; ``language.number_words_up_to``
    (default: as many as are listed) is the largest number written as a word.

    >>> w = {"language": {"number_words": ["zero", "one", "two", "three"]}}
    >>> number_word(2, w), number_word(12, w), number_word(2)
    ('two', '12', '2')
    """
    lang = _lang(words)
    names = list(lang.get("number_words") or [])
    limit = lang.get("number_words_up_to", len(names) - 1)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= limit < len(names):
        return str(names[value])
    return _digits(value)


def count(
    value: int,
    one: str,
    many: str | None = None,
    words: Words | None = None,
    spelled: bool = True,
) -> str:
    """A count and its noun that agree: "1 installation", "two projects", "12 events".

    ``many`` defaults to :func:`plural_of` ``one``. With ``spelled`` (the default) small numbers
    are written as words (:func:`number_word`); ``spelled=False`` keeps digits (for a figure
    with a unit, "1 installation"). Without a noun, the number alone.

    >>> w = {"language": {"plural_rule": "{word}s", "number_words": ["no", "one", "two"]}}
    >>> count(1, "installation", words=w, spelled=False), count(2, "project", words=w)
    ('1 installation', 'two projects')
    >>> count(3, "person", "people", words=w)
    '3 people'
    """
    noun = one if value == 1 else (many if many is not None else plural_of(one, words))
    figure = number_word(value, words) if spelled else _digits(value)
    return f"{figure} {noun}" if noun else figure


def singular_of(many: str, words: Words | None = None) -> str:
    """The singular of the plural noun phrase ``many``: the inverse of :func:`plural_of`.

    Data stores units as plural nouns ("installations", "people"); a count of one needs the
    singular. An irregular plural of ``language.plurals`` maps back to its noun; a regular one is
    matched against ``language.plural_rule`` ("{word}s" gives back "installation"). A word the
    rule does not fit, or a symbol such as "USD", stays as given.

    >>> w = {"language": {"plural_rule": "{word}s", "plurals": {"person": "people"}}}
    >>> singular_of("installations", w), singular_of("pilot installations", w), singular_of("people", w)
    ('installation', 'pilot installation', 'person')
    >>> singular_of("USD", w)
    'USD'
    """
    lang = _lang(words)
    back = {str(v): str(k) for k, v in (lang.get("plurals") or {}).items()}
    if many in back:
        return back[many]
    head, sep, last = many.rpartition(" ")
    if last in back:
        return head + sep + back[last]
    rule = lang.get("plural_rule")
    if rule and "{word}" in str(rule):
        before, _, after = str(rule).partition("{word}")
        pattern = re.escape(before) + r"(?P<word>[^\W\d_][\w'-]*?)" + re.escape(after)
        matched = re.fullmatch(pattern, last)
        if matched and last != last.upper():
            return head + sep + matched.group("word")
    return many


def measure(value: int | float, unit: str | None = None, words: Words | None = None) -> str:
    """A figure with its unit as a sentence states it, figure and unit agreeing.

    A unit that is a counted noun, stored as data stores units (plural: "installations"), agrees
    with the figure, and a small whole number is spelled ("one installation", "four
    laboratories"); a unit written in capitals is a symbol or code ("USD") and follows the digits
    unchanged ("1,000,000 USD"). Without a unit, the number alone.

    >>> w = {"language": {"plural_rule": "{word}s", "number_words": ["zero", "one", "two"]}}
    >>> measure(1, "installations", w), measure(1000000, "USD", w), measure(30, "enterprises", w)
    ('one installation', '1,000,000 USD', '30 enterprises')
    """
    text = str(unit or "").strip()
    if not text:
        return number_word(value, words)
    if text == text.upper():
        return f"{_digits(value)} {text}"
    one = singular_of(text, words)
    return count(value, one, text, words)


def states_number(
    text: Any, value: int | float | None, unit: str | None = None, words: Words | None = None
) -> bool:
    """Whether ``text`` already states the figure ``value`` with its ``unit``, so that a sentence
    need not repeat them: the figure in digits ("1,000,000", "500") or as a number word ("Four"),
    as a word of its own (not the "4" of "a4"), and the unit as given or in the singular
    (:func:`singular_of`). A unit the text does not name is not stated, so that every figure's
    unit reaches the reader one way or the other.

    >>> w = {"language": {"plural_rule": "{word}s", "number_words": ["zero", "one", "two", "three", "four"]}}
    >>> states_number("Four laboratories were equipped.", 4, "laboratories", w)
    True
    >>> states_number("More than 1,000,000 USD.", 1e6, "USD", w), states_number("500 specialists.", 500, "people", w)
    (True, False)
    >>> states_number("An installation was transferred.", 1, "installations", w), states_number("In 2019.", 19, None, w)
    (False, False)
    """
    if value is None or isinstance(value, bool):
        return False
    body = str(text or "")

    def said(word: str, flags: int = 0) -> bool:
        return bool(re.search(r"(?<![\w.,])" + re.escape(word) + r"(?![\w]|[.,]\d)", body, flags))

    spelled = number_word(value, words)
    figure = said(_digits(value)) or said(_digits(value).replace(",", ""))
    figure = figure or (not spelled[:1].isdigit() and said(spelled, re.IGNORECASE))
    name = str(unit or "").strip()
    return figure and (not name or said(name) or said(singular_of(name, words)))


def ordinal(value: int, words: Words | None = None) -> str:
    """An ordinal: a word for small numbers ("second"), else the number with its suffix ("21st").

    ``language.ordinal_words`` lists the words from "first"; ``language.ordinal_suffixes`` maps
    the last two digits, then the last digit, to a suffix, with ``default`` for the rest.

    >>> w = {"language": {"ordinal_words": ["first", "second"],
    ...      "ordinal_suffixes": {"default": "th", 1: "st", 2: "nd", 3: "rd", 11: "th", 12: "th", 13: "th"}}}
    >>> ordinal(2, w), ordinal(21, w), ordinal(12, w), ordinal(103, w)
    ('second', '21st', '12th', '103rd')
    """
    lang = _lang(words)
    names = list(lang.get("ordinal_words") or [])
    if 1 <= value <= len(names):
        return str(names[value - 1])
    suffixes = {str(k): str(v) for k, v in (lang.get("ordinal_suffixes") or {}).items()}
    for key in (str(value % 100), str(value % 10)):
        if key in suffixes:
            return f"{value}{suffixes[key]}"
    return f"{value}{suffixes.get('default', '')}"


def list_words(conjunction: str = "and", words: Words | None = None) -> tuple[str, str, bool]:
    """How a list is joined: its separator, its conjunction and whether the separator also comes
    before the conjunction (:func:`join_list`).

    >>> list_words("or", {"language": {"conjunctions": {"or": "ou"}}})
    (', ', 'ou', False)
    """
    lang = _lang(words)
    separator = str(lang.get("list_separator", ", "))
    conjoined = str((lang.get("conjunctions") or {}).get(conjunction, conjunction))
    return separator, conjoined, bool(lang.get("serial_comma"))


def joined(values: list[str], separator: str, conjunction: str, serial_comma: bool = False) -> str:
    """``values`` joined with the words :func:`list_words` gives: "A", "A and B", "A, B and C".

    >>> joined(["A", "B", "C"], ", ", "and"), joined(["A", "B"], ", ", "or"), joined([], ", ", "and")
    ('A, B and C', 'A or B', '')
    """
    if len(values) <= 1:
        return "".join(values)
    if len(values) == 2:
        return f"{values[0]} {conjunction} {values[1]}"
    last = separator.rstrip() if serial_comma else ""
    return separator.join(values[:-1]) + f"{last} {conjunction} " + values[-1]


def join_list(items: Iterable[Any], conjunction: str = "and", words: Words | None = None) -> str:
    """Items joined as a reader lists them: "A", "A and B", "A, B and C".

    ``conjunction`` names an entry of ``language.conjunctions`` (English: "and", "or"); the word
    itself is used when there is no such entry. ``language.list_separator`` (default ", ") joins
    the others and ``language.serial_comma`` (default false) puts it before the conjunction too.
    Plain text; the templates' filter of the same name (coopdocs.render.language) keeps markup.

    >>> w = {"language": {"conjunctions": {"and": "and", "or": "or"}}}
    >>> join_list(["A", "B", "C"], words=w), join_list(["A", "B"], "or", w), join_list(["A"], words=w)
    ('A, B and C', 'A or B', 'A')
    """
    return joined([str(item) for item in items], *list_words(conjunction, words))


def year_range(start: Any, end: Any = None, words: Words | None = None) -> str:
    """A period of years with an en dash: "1992–1995", "2016", or an open range ("from 2016").

    ``start`` may also be a pair or a mapping with ``start``/``end`` (or ``start_year``/
    ``end_year``), so that a list of terms maps through this filter. The wording of open ranges
    is the strings file's ``period`` section (coopdocs.load.strings.period).

    >>> year_range(1992, 1995), year_range((2000, 2003)), year_range({"start": 2016, "end": None})
    ('1992–1995', '2000–2003', '2016–')
    """
    if isinstance(start, Mapping):
        start, end = (
            start.get("start", start.get("start_year")),
            start.get("end", start.get("end_year")),
        )
    elif isinstance(start, (tuple, list)):
        start, end = start
    return period(start, end, words)


_ISO_DATE = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?")


def long_date(value: Any, words: Words | None = None) -> str:
    """A date as the document's language writes it: "27 April 2018", "April 2018"; else unchanged.

    The month names and the order are the strings file's ``language.months`` and
    ``language.date``/``language.month`` ({day}, {month}, {year}); a year or a period passes as it is.

    >>> w = {"language": {"months": ["January", "February", "March", "April"],
    ...      "date": "{day} {month} {year}", "month": "{month} {year}"}}
    >>> long_date("2018-04-27", w), long_date("2018-04", w), long_date("2013–2017", w)
    ('27 April 2018', 'April 2018', '2013–2017')
    """
    text = "" if value is None else str(value)
    m = _ISO_DATE.fullmatch(text)
    months = _lang(words).get("months") or []
    if not m or not 1 <= int(m.group(2)) <= len(months):
        return text
    month, form = months[int(m.group(2)) - 1], "date" if m.group(3) else "month"
    default = "{day} {month} {year}" if m.group(3) else "{month} {year}"
    return fill(
        _lang(words).get(form, default), day=int(m.group(3) or 0), month=month, year=m.group(1)
    )


def unsaid(value: Any, text: Any, separator: str = ", ") -> str:
    """The parts of ``value`` (split at ``separator``) that ``text`` does not already state.

    So that a title which holds its date, period or place is not followed by it again: "Strategy
    until 2060 (until 2060)", "visit to Vienna, Vienna, Austria" are template seams.

    >>> unsaid("until 2060", "Strategy until 2060"), unsaid("Vienna, Austria", "Visit to Vienna")
    ('', 'Austria')
    >>> unsaid("2019", "UNIDO General Conference"), unsaid(None, "x")
    ('2019', '')
    """
    said = str(text or "").casefold()
    parts = [p for p in str(value or "").split(separator) if p.strip()]
    return separator.join(p for p in parts if p.strip().casefold() not in said)


def _significant(text: str, words: Words | None) -> list[str]:
    """The words of ``text``, lower-cased, without the strings' ``language.minor_words``."""
    minor = {str(w).lower() for w in _lang(words).get("minor_words") or []}
    return [w for w in (m.group(0).lower() for m in _WORD.finditer(text)) if w not in minor]


def echoes(name: str, label: str, words: Words | None = None) -> bool:
    """Whether ``name`` already says what the type ``label`` would: a significant word of the label
    occurs in the name ("Montreal Protocol" echoes "protocol"; "Framework Programme for …" echoes
    "framework programme"; "Kazakhstan" does not echo "state").

    >>> echoes("Montreal Protocol", "protocol"), echoes("Lima Declaration", "agreement")
    (True, False)
    """
    named = set(_significant(name, words))
    return any(w in named for w in _significant(label, words))


def _starts_with_article(name: str, words: Words | None) -> bool:
    """Whether the name itself begins with an article of the language ("The Hague")."""
    articles = {str(a).lower() for a in _lang(words).get("articles") or []}
    first = name.split(" ", 1)[0].lower()
    return first in articles


def takes_article(name: str, words: Words | None = None) -> bool:
    """Whether a name is written with the definite article: "the Montreal Protocol", "the
    Russian Federation", "the Kyrgyz Republic", but "Kazakhstan" and "Armenia".

    A name takes the article when one of its words is a common noun listed in
    ``language.article_nouns`` (protocol, agreement, republic, federation, union …), or when it is
    listed in ``language.names_with_article``; a name listed in ``language.names_without_article``
    never does, and neither does one that begins with an article already.

    >>> w = {"language": {"article_nouns": ["protocol", "republic"]}}
    >>> takes_article("Montreal Protocol", w), takes_article("Kazakhstan", w)
    (True, False)
    """
    lang = _lang(words)
    text = str(name).strip()
    if not text or _starts_with_article(text, words):
        return False
    if text in (lang.get("names_without_article") or []):
        return False
    if text in (lang.get("names_with_article") or []):
        return True
    nouns = {str(n).lower() for n in lang.get("article_nouns") or []}
    return any(m.group(0).lower() in nouns for m in _WORD.finditer(text))


def with_article(
    name: Any, words: Words | None = None, capital: bool = False, article: bool | None = None
) -> str:
    """The name with the definite article when it takes one (:func:`takes_article`).

    ``capital``: the article begins a sentence ("The Montreal Protocol"). ``article``: the data's
    own answer (True or False) overrides the rule. The article is ``language.definite_article``
    (none when the strings give none).

    >>> w = {"language": {"definite_article": "the", "article_nouns": ["protocol"]}}
    >>> with_article("Montreal Protocol", w), with_article("Kazakhstan", w, capital=True)
    ('the Montreal Protocol', 'Kazakhstan')
    """
    text = str(name).strip()
    the = str(_lang(words).get("definite_article") or "")
    use = takes_article(text, words) if article is None else bool(article)
    if not use or not the:
        return text
    return f"{the[:1].upper() + the[1:] if capital else the} {text}"


def typed_name(name: Any, label: Any, words: Words | None = None, capital: bool = False) -> str:
    """A name after its type label, without an echo: "the Montreal Protocol" (not "the protocol
    Montreal Protocol"), "the Agreement between …" (not "the agreement Agreement between …"),
    and "the agreement Cooperation in Industry" when the name does not say what it is.

    When the name echoes the label (:func:`echoes`) the label is dropped and the name takes the
    article by itself; otherwise ``language.typed_name`` (English ``"the {type} {name}"``) joins
    them. Without a label, the name with its article.

    >>> w = {"language": {"definite_article": "the", "typed_name": "the {type} {name}",
    ...      "article_nouns": ["protocol"]}}
    >>> typed_name("Montreal Protocol", "protocol", w), typed_name("Lima Declaration", "agreement", w)
    ('the Montreal Protocol', 'the agreement Lima Declaration')
    """
    text, kind = str(name).strip(), str(label or "").strip()
    if not kind or echoes(text, kind, words):
        the = str(_lang(words).get("definite_article") or "")
        phrase = f"{the} {text}" if the and not _starts_with_article(text, words) else text
    else:
        form = str(_lang(words).get("typed_name") or "{type} {name}")
        phrase = form.format(type=kind, name=text)
    return phrase[:1].upper() + phrase[1:] if capital else phrase


def counted(words: Words | None, noun: str, n: int) -> str:
    """``n`` and the figures' noun ``alt.nouns.<noun>`` of the strings, in digits: "1 event",
    "3 events" (:func:`count`, so the plural comes from the language section); ``n`` alone when
    the strings name no such noun.

    >>> w = {"alt": {"nouns": {"event": "event"}}, "language": {"plural_rule": "{word}s"}}
    >>> counted(w, "event", 1), counted(w, "event", 3), counted(None, "event", 3)
    ('1 event', '3 events', '3')
    """
    return count(n, word(words, f"alt.nouns.{noun}"), words=words, spelled=False)
