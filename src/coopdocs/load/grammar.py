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

import functools
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from coopdocs.load.kept import kept
from coopdocs.load.strings import Words, fill, locale_of, period, word

_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


def _lang(words: Words | None) -> Mapping[str, Any]:
    """The ``language`` section of the strings (empty when there is none)."""
    section = (words or {}).get("language") or {}
    return section if isinstance(section, Mapping) else {}


@functools.lru_cache(maxsize=8)
def cldr_locale(tag: str):
    """The CLDR data of the language ``tag`` (BCP 47, "pt-BR"), through Babel (UnknownLocaleError
    or ValueError when CLDR has no such language)."""
    from babel import Locale

    return Locale.parse(tag, sep="-" if "-" in tag else "_")


def _whole(value: Any) -> Any:
    """``value`` without a spurious ``.0`` (2.0 counts and prints as 2)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


# Numbers the fast path of :func:`digits` is checked against, for each language, before use.
_PROBES = (1234, 12345, 1234567, -1234567.25, 0.5, 999)


@functools.lru_cache(maxsize=8)
def _cldr_facts(tag: str) -> dict[str, Any]:
    """What the prose asks CLDR about the language ``tag``: its plural rules (CLDR's rule text by
    category), its group sign and :func:`_number_signs`. Kept between jobs by Babel's version and
    the tag (coopdocs.load.kept): Babel's whole locale costs ~0.03 s of each brief's job."""
    return kept("cldr", [tag], lambda: _facts_of(tag), ["babel"], [Path(__file__)])


def _facts_of(tag: str) -> dict[str, Any]:
    """:func:`_cldr_facts` from Babel's locale data (plain values that coopdocs.load.kept can keep)."""
    from babel.numbers import (
        format_decimal,
        get_decimal_symbol,
        get_group_symbol,
        get_minus_sign_symbol,
    )

    locale = cldr_locale(tag)
    signs = (get_group_symbol(locale), get_decimal_symbol(locale), get_minus_sign_symbol(locale))
    same = all(
        _with_signs(f"{n:,}", signs) == format_decimal(n, locale=locale, decimal_quantization=False)
        for n in _PROBES
    )
    plural = dict(locale.plural_form.rules)
    return {"plural": plural, "group": signs[0], "signs": list(signs) if same else None}


def _number_signs(tag: str) -> tuple[str, str, str] | None:
    """The language's group, decimal and minus signs, when putting them into Python's "1,234.5"
    gives exactly what CLDR gives (English, Russian, French …: numbers grouped by threes); None
    otherwise (Indian "12,34,567"). Babel's own formatting costs ~0.1 ms a number."""
    signs = _cldr_facts(tag)["signs"]
    return (signs[0], signs[1], signs[2]) if signs else None


def _with_signs(text: str, signs: tuple[str, str, str]) -> str:
    """Python's "-1,234.5" with the language's group, decimal and minus signs."""
    if signs == (",", ".", "-"):
        return text
    group, decimal, minus = signs
    return text.replace(",", "\0").replace(".", decimal).replace("\0", group).replace("-", minus)


def digits(value: int | float, words: Words | None = None) -> str:
    """A number as the document's language writes it in figures (CLDR: "1,234.5" in English,
    "1 234,5" in Russian), every digit kept and without a spurious ``.0``.

    >>> digits(1500), digits(2.0), digits(2.5), digits(1500, {"locale": "ru"})
    ('1,500', '2', '2.5', '1\xa0500')
    """
    value = _whole(value)
    tag = locale_of(words)
    signs = _number_signs(tag)
    text = f"{value:,}"
    if signs is not None and "e" not in text and "n" not in text:
        return _with_signs(text, signs)
    from babel.numbers import format_decimal

    return format_decimal(value, locale=cldr_locale(tag), decimal_quantization=False)


def money(amount: int | float, currency: str | None, words: Words | None = None) -> str:
    """An amount of money as the document's language writes it (CLDR currency format through
    Babel): a whole amount without decimals, a letter symbol set off by a no-break space.

    >>> money(2000000, "USD"), money(1234.5, "EUR"), money(5, "KGS")
    ('$2,000,000', '€1,234.50', 'KGS\xa05')
    >>> money(2000000, "USD", {"locale": "ru"})
    '2\xa0000\xa0000\xa0$'
    """
    from babel.numbers import format_currency

    if not currency:  # a package whose descriptor names no currency: the number alone
        return digits(amount, words)
    value = _whole(amount)
    locale = cldr_locale(locale_of(words))
    pattern = locale.currency_formats["standard"].pattern
    if isinstance(value, int):  # the pattern's decimals only where the amount has some
        pattern = re.sub(r"\.0+", "", pattern)
    text = format_currency(value, currency, format=pattern, locale=locale, currency_digits=False)
    return re.sub(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])", "\u00a0", text)


def money_list(amounts: Iterable[Any], words: Words | None = None) -> str:
    """Amounts in one or more currencies, each summed within its own currency only and listed
    by currency code ("$2,000,000 and €500,000"); ``amounts``: (amount, currency) pairs or
    dicts with ``amount`` and ``currency``. Empty when there is none.

    >>> w = {"language": {"conjunctions": {"and": "and"}}}
    >>> money_list([(2, "USD"), {"amount": 3, "currency": "EUR"}, (1, "USD")], w)
    '€3 and $3'
    """
    from coopdocs.load.money import totals

    written = [money(value, code, words) for code, value in totals(amounts)]
    separator, conjoined, serial_comma = list_words("and", words)
    return joined(written, separator, conjoined, serial_comma)


def plural_category(value: int | float, words: Words | None = None) -> str:
    """The CLDR plural category of ``value`` in the document's language: "one" or "other" in
    English; "one" (1, 21), "few" (2–4, 22) or "many" (5–20, 25) in Russian.

    >>> plural_category(1), plural_category(5), plural_category(22, {"locale": "ru"})
    ('one', 'other', 'few')
    """
    return _category(locale_of(words), _whole(value))


@functools.lru_cache(maxsize=4096)
def _category(tag: str, value: int | float) -> str:
    """The CLDR plural category of ``value`` in the language ``tag`` (kept: counts repeat)."""
    return _plural_rule(tag)(value)


@functools.lru_cache(maxsize=8)
def _plural_rule(tag: str):
    """The CLDR plural rule of the language ``tag``: Babel's, made again from its rule text
    (:func:`_cldr_facts`; the same category for every number in every CLDR locale)."""
    from babel.plural import PluralRule

    return PluralRule(_cldr_facts(tag)["plural"])


def plural(count: int, one: str, many: str, words: Words | None = None, **forms: str) -> str:
    """The word for ``count``: ``one`` in the plural category "one", the form the template names
    for the count's other CLDR category (``few=``, ``many=``, ``two=``, ``zero=``), else ``many``.

    >>> plural(1, "record", "records"), plural(3, "record", "records")
    ('record', 'records')
    >>> plural(3, "проект", "проектов", {"locale": "ru"}, few="проекта")
    'проекта'
    """
    category = plural_category(count, words)
    return one if category == "one" else str(forms.get(category, many))


def _entry(one: str, words: Words | None) -> tuple[str, str, Any]:
    """The head, separator and strings entry of the noun phrase ``one``: ``language.plurals``
    lists the whole phrase or its last word (which inflects), else the entry is None."""
    irregular = _lang(words).get("plurals") or {}
    if one in irregular:
        return "", "", irregular[one]
    head, sep, last = one.rpartition(" ")
    return head, sep, irregular.get(last)


def inflect(one: str, category: str | None = None, words: Words | None = None) -> str | None:
    """The form of the noun phrase ``one`` for a CLDR plural ``category`` (None: the plural a
    heading uses), from the strings; None when they give none.

    An entry of ``language.plurals`` is the plural (every category but "one": English) or a
    mapping of category to form, with ``plural`` for the plural that counts nothing (Russian
    "проект": few "проекта", many "проектов", other "проекта", plural "проекты").
    ``language.plural_rule`` (a format with ``{word}``, English ``"{word}s"``) makes the others.

    >>> w = {"language": {"plural_rule": "{word}s", "plurals": {"country": "countries"}}}
    >>> inflect("partner country", "other", w), inflect("project", "one", w), inflect("x", words={})
    ('partner countries', 'project', None)
    """
    if category == "one":
        return one
    head, sep, entry = _entry(one, words)
    last = one[len(head + sep) :]
    if isinstance(entry, Mapping):
        keys = (category, "other", "plural") if category else ("plural", "other")
        entry = next((entry[k] for k in keys if k in entry), None)
    if entry is not None:
        return head + sep + str(entry)
    rule = _lang(words).get("plural_rule")
    return head + sep + str(rule).format(word=last) if rule else None


def plural_of(one: str, words: Words | None = None) -> str:
    """The plural of the noun phrase ``one`` from the strings (:func:`inflect`); the noun as given
    when they have no rule for it.

    >>> w = {"language": {"plural_rule": "{word}s", "plurals": {"country": "countries"}}}
    >>> plural_of("project", w), plural_of("partner country", w)
    ('projects', 'partner countries')
    """
    form = inflect(one, None, words)
    return one if form is None else form


def in_words(
    value: int | float, words: Words | None = None, to: str = "cardinal", **forms: Any
) -> str:
    """A number in words in the build's language, through num2words (a maintained library of
    number words in some fifty languages): "twelve", "двенадцать"; ``to="ordinal"`` gives
    "twelfth", "двенадцатый". ``forms`` pass on what the language inflects by (Russian
    ``gender="f"``: "две"; ``case="g"``). A language num2words lacks, or a number it cannot
    write, is given in digits (:func:`digits`).

    >>> in_words(12), in_words(12, {"locale": "ru"}), in_words(2, {"locale": "ru"}, gender="f")
    ('twelve', 'двенадцать', 'две')
    >>> in_words(21, to="ordinal"), in_words(3, {"locale": "ru"}, to="ordinal")
    ('twenty-first', 'третий')
    """
    from num2words import num2words

    value = _whole(value)
    tag = locale_of(words)
    for lang in dict.fromkeys((tag.replace("-", "_"), tag.split("-")[0])):
        try:
            return num2words(value, lang=lang, to=to, **forms)
        except (NotImplementedError, TypeError, ValueError, OverflowError):
            continue
    return digits(value, words)


def number_word(value: int | float, words: Words | None = None) -> str:
    """A small whole number in words ("two"), any other number in digits ("12", "1,500").

    ``language.number_words`` lists the words from zero upwards; ``language.number_words_up_to``
    (default: as many as are listed) is the largest number written as a word. A limit beyond the
    list is reached through num2words (:func:`in_words`: "twelve" with a limit of 20).

    >>> w = {"language": {"number_words": ["zero", "one", "two", "three"]}}
    >>> number_word(2, w), number_word(12, w), number_word(2)
    ('two', '12', '2')
    >>> number_word(12, {"language": {"number_words_up_to": 20}})
    'twelve'
    """
    lang = _lang(words)
    names = list(lang.get("number_words") or [])
    limit = lang.get("number_words_up_to", len(names) - 1)
    value = _whole(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= limit:
        return str(names[value]) if value < len(names) else in_words(value, words)
    return digits(value, words)


def count(
    value: int,
    one: str,
    many: str | None = None,
    words: Words | None = None,
    spelled: bool = True,
) -> str:
    """A count and its noun that agree: "1 installation", "two projects", "12 events".

    The noun takes the form of the count's CLDR plural category (:func:`plural_category`): the
    strings' form (:func:`inflect`) where they list the noun by category, else ``many``, which
    defaults to :func:`plural_of` ``one``. With ``spelled`` (the default) small numbers
    are written as words (:func:`number_word`); ``spelled=False`` keeps digits (for a figure
    with a unit, "1 installation"). Without a noun, the number alone.

    >>> w = {"language": {"plural_rule": "{word}s", "number_words": ["no", "one", "two"]}}
    >>> count(1, "installation", words=w, spelled=False), count(2, "project", words=w)
    ('1 installation', 'two projects')
    >>> count(3, "person", "people", words=w)
    '3 people'
    """
    category = plural_category(value, words)
    _, _, entry = _entry(one, words)
    if category == "one" or isinstance(entry, Mapping) or many is None:
        noun = inflect(one, category, words) or (one if many is None else many)
    else:
        noun = many
    figure = number_word(value, words) if spelled else digits(value, words)
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
    back = {
        str(form): str(noun)
        for noun, entry in (lang.get("plurals") or {}).items()
        for form in (entry.values() if isinstance(entry, Mapping) else [entry])
    }
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
    laboratories"); a unit that is a currency's ISO 4217 code is money, written as the language
    writes amounts (:func:`money`: "$1,000,000"); another unit in capitals is a symbol or code
    ("MW") and follows the digits unchanged. Without a unit, the number alone.

    >>> w = {"language": {"plural_rule": "{word}s", "number_words": ["zero", "one", "two"]}}
    >>> measure(1, "installations", w), measure(1000000, "USD", w), measure(30, "enterprises", w)
    ('one installation', '$1,000,000', '30 enterprises')
    >>> measure(450, "MW", w)
    '450 MW'
    """
    from coopdocs.load.money import known_currency

    text = str(unit or "").strip()
    if not text:
        return number_word(value, words)
    if known_currency(text):
        return money(value, text, words)
    if text == text.upper():
        return f"{digits(value, words)} {text}"
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

    spelled, figures = number_word(value, words), digits(value, words)
    group = _cldr_facts(locale_of(words))["group"]
    figure = said(figures) or said(figures.replace(group, ""))
    figure = figure or (not spelled[:1].isdigit() and said(spelled, re.IGNORECASE))
    name = str(unit or "").strip()
    return figure and (not name or said(name) or said(singular_of(name, words)))


def ordinal(value: int, words: Words | None = None) -> str:
    """An ordinal: a word for small numbers ("second"), else the number with its suffix ("21st").

    ``language.ordinal_words`` lists the words from "first" (``language.ordinal_words_up_to``
    reaches further through num2words, :func:`in_words`); ``language.ordinal_suffixes`` maps
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
    if 1 <= value <= int(lang.get("ordinal_words_up_to") or 0):
        return in_words(value, words, to="ordinal")
    suffixes = {str(k): str(v) for k, v in (lang.get("ordinal_suffixes") or {}).items()}
    for key in (str(value % 100), str(value % 10)):
        if key in suffixes:
            return f"{value}{suffixes[key]}"
    return f"{value}{suffixes.get('default', '')}"


def list_words(conjunction: str = "and", words: Words | None = None) -> tuple[str, str, bool]:
    """How a list is joined: its separator, its conjunction and whether the separator also comes
    before the conjunction (:func:`join_list`). The strings' words where they give them
    (``language.conjunctions``), else those of the build's language (``locale``, set by
    coopdocs.load.strings.with_locale) from its CLDR list patterns ("and": standard, "or"),
    else the conjunction as given.

    >>> list_words("or", {"language": {"conjunctions": {"or": "ou"}}})
    (', ', 'ou', False)
    >>> list_words("and", {"locale": "ru"}), list_words("and", {"locale": "en"})
    ((', ', 'и', False), (', ', 'and', True))
    """
    lang = _lang(words)
    conjunctions = lang.get("conjunctions") or {}
    style = {"and": "standard", "or": "or"}.get(conjunction)
    if conjunction in conjunctions or style is None or "locale" not in (words or {}):
        separator = str(lang.get("list_separator", ", "))
        conjoined = str(conjunctions.get(conjunction, conjunction))
        return separator, conjoined, bool(lang.get("serial_comma"))
    patterns = cldr_locale(locale_of(words)).list_patterns[style]
    separator = patterns["middle"].replace("{0}", "").replace("{1}", "")
    end = patterns["end"].replace("{0}", "").replace("{1}", "")
    serial = end.startswith(separator.rstrip()) and end.strip() != separator.strip()
    return separator, end[len(separator.rstrip()) if serial else 0 :].strip(), serial


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
    ``language.date``/``language.month`` ({day}, {month}, {year}); without ``months``, the CLDR
    long date of the build's language (``locale``: "27 апреля 2018 г.", "апрель 2018 г."),
    else the ISO date unchanged. A year or a period passes as it is.

    >>> w = {"language": {"months": ["January", "February", "March", "April"],
    ...      "date": "{day} {month} {year}", "month": "{month} {year}"}}
    >>> long_date("2018-04-27", w), long_date("2018-04", w), long_date("2013–2017", w)
    ('27 April 2018', 'April 2018', '2013–2017')
    >>> long_date("2018-04-27", {"locale": "ru"}) == "27 апреля 2018\u202fг."  # narrow no-break space
    True
    """
    text = "" if value is None else str(value)
    m = _ISO_DATE.fullmatch(text)
    months = _lang(words).get("months") or []
    if not m or not 1 <= int(m.group(2)) <= (len(months) if months else 12):
        return text
    if not months and "locale" not in (words or {}):
        return text
    if not months:
        return _cldr_date(int(m.group(1)), int(m.group(2)), m.group(3), words)
    month, form = months[int(m.group(2)) - 1], "date" if m.group(3) else "month"
    default = "{day} {month} {year}" if m.group(3) else "{month} {year}"
    return fill(
        _lang(words).get(form, default), day=int(m.group(3) or 0), month=month, year=m.group(1)
    )


def _cldr_date(year: int, month: int, day: str | None, words: Words | None) -> str:
    """A day ("long" format) or a month (skeleton yMMMM) in the language's CLDR form."""
    import datetime

    from babel.dates import format_date, format_skeleton

    locale = cldr_locale(locale_of(words))
    try:
        date = datetime.date(year, month, int(day or 1))
    except ValueError:
        return f"{year:04d}-{month:02d}" + (f"-{day}" if day else "")
    if day:
        return format_date(date, "long", locale=locale)
    return format_skeleton("yMMMM", date, locale=locale)


def unsaid(value: Any, text: Any, separator: str = ", ", whole: bool = False) -> str:
    """The parts of ``value`` (split at ``separator``) that ``text`` does not already state.

    So that a title which holds its date, period or place is not followed by it again: "Strategy
    until 2060 (until 2060)", "visit to Vienna, Vienna, Austria" are template seams.

    ``whole``: all or nothing, for a list whose every member counts (the states of an agreement,
    the recipients of a project): nothing when ``text`` states them all, else the whole list;
    "Agreement of the Ministry of Belarus and the Skolkovo Foundation: Russia" reads as if
    Russia alone were party to it.

    >>> unsaid("until 2060", "Strategy until 2060"), unsaid("Vienna, Austria", "Visit to Vienna")
    ('', 'Austria')
    >>> unsaid("2019", "IAWC General Conference"), unsaid(None, "x")
    ('2019', '')
    >>> unsaid("2022\u20132026", "Programme for 2022-2026")
    ''
    >>> title = "Agreement of Belarus"
    >>> unsaid("Belarus, Russia", title, whole=True), unsaid("Belarus", title, whole=True)
    ('Belarus, Russia', '')
    """
    said = _dashless(text)
    parts = [p for p in str(value or "").split(separator) if p.strip()]
    kept = [p for p in parts if _dashless(p.strip()) not in said]
    if whole and kept:
        kept = parts
    return separator.join(kept)


def _dashless(text: Any) -> str:
    """``text`` case-folded with its dashes as hyphens: a title's "2022-2026" says the period
    the documents write "2022–2026"."""
    return re.sub("[\u2010-\u2015]", "-", str(text or "")).casefold()


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


def adds_nothing(text: Any, said: Any, words: Words | None = None) -> bool:
    """Whether ``text`` states no significant word that ``said`` does not already state: a data
    column that repeats its record's title and parties in other words ("An IAWC programme for
    Norland." after "IAWC country programme ... of the Republic of Norland") tells a reader nothing.

    >>> w = {"language": {"minor_words": ["an", "for", "of"]}}
    >>> adds_nothing("An IAWC programme for Norland.", "IAWC programme of Norland", w)
    True
    >>> adds_nothing("IAWC chairs its steering committee.", "IAWC programme", w), adds_nothing("", "x", w)
    (False, False)
    """
    own = _significant(str(text or ""), words)
    return bool(own) and set(own) <= set(_significant(str(said or ""), words))


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


# The values of the data's ``article`` column (countries, actors): the name takes the definite
# article, or never does; an empty cell leaves it to the language's rule (:func:`takes_article`).
ARTICLE_VALUES = {"the": True, "none": False}


def named(
    record: Mapping[str, Any],
    field: str = "name",
    words: Words | None = None,
    capital: bool = False,
) -> str:
    """A record's name (its ``field``) as running text writes it, with the definite article when
    the record's ``article`` column says so ("the Community"), never when it says ``none``, and
    by the language's rule when it is empty (:func:`with_article`).

    >>> w = {"language": {"definite_article": "the", "article_nouns": ["union"]}}
    >>> named({"name": "NWU", "article": "the"}, words=w), named({"name": "Nordic Union"}, words=w)
    ('the NWU', 'the Nordic Union')
    >>> named({"name": "Baltic Union", "article": "none"}, words=w, capital=True)
    'Baltic Union'
    """
    name = record.get(field) or record.get("name") or ""
    article = ARTICLE_VALUES.get(str(record.get("article") or ""))
    return with_article(name, words, capital=capital, article=article)


class Mentions:
    """The names of one document's records in running text: the first mention of a record gives
    its full official name, every later one its short name (``name``), each with the article the
    record takes (:func:`named`). A template makes one per document (the global ``mentions``)
    and calls it where it names its subject.

    >>> w = {"language": {"definite_article": "the", "article_nouns": ["union"]}}
    >>> say = Mentions(w)
    >>> union = {"code": "NWU", "name": "NWU", "official_name": "Northern Waters Union", "article": "the"}
    >>> say(union, capital=True), say(union), say({"code": "KZ", "name": "Kazakhstan"}, full=False)
    ('The Northern Waters Union', 'the NWU', 'Kazakhstan')
    """

    def __init__(self, words: Words | None = None):
        self.words = words
        self.said: set[str] = set()

    def __call__(self, record: Mapping[str, Any], full: bool = True, capital: bool = False) -> str:
        """The record's name at this mention (``full``: whether it has a full official name)."""
        key = str(record.get("code") or record.get("id") or record.get("name"))
        first = full and key not in self.said
        self.said.add(key)
        return named(record, "official_name" if first else "name", self.words, capital)


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


def label_in_text(label: Any, words: Words | None = None) -> str:
    """A table's label ("Capacity building") as running text writes it mid-sentence: with a
    lowercase first letter when the language's ``labels_in_text`` is ``lower`` (English, Russian;
    not German, whose nouns keep their capital), unless the label reads as a name: a first word
    with a second capital ("SMEs and entrepreneurship") or a figure in it ("Industry 4.0").

    >>> w = {"language": {"labels_in_text": "lower"}}
    >>> label_in_text("Capacity building", w), label_in_text("SMEs and entrepreneurship", w)
    ('capacity building', 'SMEs and entrepreneurship')
    >>> label_in_text("Industry 4.0", w), label_in_text("Capacity building")
    ('Industry 4.0', 'Capacity building')
    """
    text = str(label or "")
    first = text.split(" ", 1)[0]
    keeps = any(c.isupper() for c in first[1:]) or any(c.isdigit() for c in text)
    if _lang(words).get("labels_in_text") != "lower" or keeps:
        return text
    return text[:1].lower() + text[1:]


def label_count(item: Mapping[str, Any], noun: str, words: Words | None = None) -> str:
    """A label and how many records it counts, as a list in a sentence gives them:
    "capacity building (4 projects)" (:func:`label_in_text`, :func:`count` in digits).

    >>> w = {"language": {"labels_in_text": "lower", "plural_rule": "{word}s"}}
    >>> label_count({"label": "Energy", "count": 2}, "project", w)
    'energy (2 projects)'
    """
    figure = count(item["count"], noun, words=words, spelled=False)
    return f"{label_in_text(item['label'], words)} ({figure})"


def counted(words: Words | None, noun: str, n: int) -> str:
    """``n`` and the figures' noun ``alt.nouns.<noun>`` of the strings, in digits: "1 event",
    "3 events" (:func:`count`, so the plural comes from the language section); ``n`` alone when
    the strings name no such noun.

    >>> w = {"alt": {"nouns": {"event": "event"}}, "language": {"plural_rule": "{word}s"}}
    >>> counted(w, "event", 1), counted(w, "event", 3), counted(None, "event", 3)
    ('1 event', '3 events', '3')
    """
    return count(n, word(words, f"alt.nouns.{noun}"), words=words, spelled=False)
