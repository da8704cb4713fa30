"""Money in the data package: every amount with its currency (issue 34).

A number field holds money when its descriptor entry names the field of its currency, with the
custom field property ``currencyField`` (Table Schema has no money type), e.g. ``projects.budget``
with ``"currencyField": "budget_currency"``. The currency is an ISO 4217 code that CLDR knows
(Babel's list); an amount without its currency is an error, since no document may guess one, and
amounts in different currencies are never added together (coopdocs.load.grammar.money_list
writes each currency's sum apart).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from coopdocs.load.problems import Problem, Record

# The custom field property of a money amount: the name of the field holding its currency.
CURRENCY_FIELD = "currencyField"


@functools.cache
def _currencies() -> frozenset[str]:
    """The ISO 4217 codes CLDR knows (Babel's list; loaded once, kept between jobs by Babel's
    version: coopdocs.load.kept)."""
    from coopdocs.load.kept import kept

    return frozenset(kept("currencies", [], _babel_currencies, ["babel"], [Path(__file__)]))


def _babel_currencies() -> list[str]:
    """Babel's list of the ISO 4217 codes CLDR knows, sorted."""
    from babel.numbers import list_currencies

    return sorted(list_currencies())


def known_currency(code: str) -> bool:
    """Whether ``code`` is an ISO 4217 currency code (CLDR's list, current and historic).

    >>> known_currency("EUR"), known_currency("KGS"), known_currency("XYZ"), known_currency("usd")
    (True, True, False, False)
    """
    return code in _currencies()


def money_fields(schema: dict[str, Any]) -> dict[str, str]:
    """The money amounts of a table's schema: amount field name -> currency field name."""
    return {
        f["name"]: f[CURRENCY_FIELD]
        for f in schema.get("fields", [])
        if isinstance(f, dict) and isinstance(f.get(CURRENCY_FIELD), str)
    }


def money_problems(
    descriptor: dict[str, Any], tables: dict[str, list[Record]], shown_of: dict[str, str]
) -> list[Problem]:
    """Amounts without a known currency: a currency field the schema lacks, a code ISO 4217
    does not have, an amount with no currency, or a currency with no amount. Each problem names
    file, line, field and value."""
    problems = []
    for res in descriptor["resources"]:
        names = {f["name"] for f in res["schema"]["fields"]}
        shown = shown_of.get(res["name"], res.get("path", res["name"]))
        for amount, currency in money_fields(res["schema"]).items():
            if currency not in names:
                problems.append(
                    Problem(
                        "datapackage.json",
                        0,
                        f"{res['name']}.{amount}",
                        currency,
                        f"'{CURRENCY_FIELD}' names a field table {res['name']} does not have",
                        "the name of the field that holds the amount's currency",
                    )
                )
                continue
            for record in tables.get(res["name"], []):
                problems += _row_money(record, amount, currency, shown)
    return problems


def _row_money(record: Record, amount: str, currency: str, shown: str) -> list[Problem]:
    """The problems of one row's amount and currency (see :func:`money_problems`)."""
    if amount not in record or currency not in record:
        return []  # a cell that could not be read is reported already
    code, value = record[currency], record[amount]
    if code is not None and not known_currency(str(code)):
        found = (currency, str(code), "unknown currency code", "an ISO 4217 code such as EUR")
    elif value is not None and code is None:
        found = (currency, "", f"the amount in '{amount}' has no currency", "its ISO 4217 code")
    elif value is None and code is not None:
        found = (amount, "", f"a currency ('{code}') without an amount", "the amount, or none")
    else:
        return []
    return [Problem(shown, record["_line"], *found)]


def totals(amounts: Iterable[Any]) -> list[tuple[str, int | float]]:
    """The sum of ``amounts`` in each currency, by currency code: never one currency added to
    another. ``amounts``: (amount, currency) pairs or dicts with ``amount`` and ``currency``;
    a missing amount counts nothing.

    >>> totals([(2, "USD"), {"amount": 3, "currency": "EUR"}, (1.5, "USD"), (None, "KGS")])
    [('EUR', 3), ('USD', 3.5)]
    """
    sums: dict[str, int | float] = {}
    for item in amounts:
        value, code = (item["amount"], item["currency"]) if isinstance(item, dict) else item
        if value is not None:
            sums[code] = sums.get(code, 0) + value
    return sorted(sums.items())
