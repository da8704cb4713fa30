"""Money with its currency (issue 34); idempotent: run it again at will.

Run:  .venv/bin/python tools/migrate_schema_34.py [DATA_DIR] [CURRENCY]
      (defaults: data, USD: the currency of the package's ``budget_usd`` values)

* projects: ``budget_usd`` becomes ``budget`` and a new column ``budget_currency`` (ISO 4217)
  follows it, holding CURRENCY where a budget is given (the seed article's budgets are in US
  dollars); the descriptor's ``budget`` names its currency field (``currencyField``).
* contributions: ``amount`` names its currency field, ``currency`` (the values stay).
* countries and actors: a new optional column ``article`` (``the``, ``none`` or empty: the
  language's rule) after the names; a union whose short name is an abbreviation gets ``the``
  ("the EAEU" in running text, after the first mention's official name).

The loader checks every amount against its currency (coopdocs.load.money).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from migrate_schema_16 import read_csv, write_csv  # noqa: E402

BUDGET = {
    "name": "budget",
    "type": "number",
    "description": "Budget where stated, in the currency of budget_currency.",
    "constraints": {"minimum": 0},
    "currencyField": "budget_currency",
}
BUDGET_CURRENCY = {
    "name": "budget_currency",
    "type": "string",
    "description": "Currency of the budget (ISO 4217 code), given with every budget.",
    "constraints": {"pattern": "^[A-Z]{3}$"},
}


ARTICLE = {
    "name": "article",
    "type": "string",
    "description": "Whether the names take the definite article in running text: 'the', 'none', "
    "or empty for the language's rule.",
    "constraints": {"enum": ["the", "none"]},
}
# Where the column goes: after this field of the table.
ARTICLE_AFTER = {"countries": "official_name", "actors": "short_name"}


def migrate_descriptor(descriptor: dict) -> None:
    """Rename the projects' budget, declare its currency; the contributions' amount names its own;
    countries and actors get their ``article``."""
    for res in descriptor["resources"]:
        fields = res["schema"]["fields"]
        names = [f["name"] for f in fields]
        after = ARTICLE_AFTER.get(res["name"])
        if after in names and "article" not in names:
            fields.insert(names.index(after) + 1, dict(ARTICLE))
        if res["name"] == "projects" and "budget_usd" in names:
            at = names.index("budget_usd")
            minimum = fields[at].get("constraints", {}).get("minimum", 0)
            fields[at] = {**BUDGET, "constraints": {"minimum": minimum}}
            fields.insert(at + 1, dict(BUDGET_CURRENCY))
        if res["name"] == "contributions" and "amount" in names and "currency" in names:
            fields[names.index("amount")]["currencyField"] = "currency"


def migrate_projects(path: Path, currency: str) -> None:
    """``budget_usd`` -> ``budget`` + ``budget_currency`` (CURRENCY where a budget is given)."""
    header, rows = read_csv(path)
    if "budget_usd" not in header:
        return
    old = list(header)
    at = header.index("budget_usd")
    header[at : at + 1] = ["budget", "budget_currency"]
    for row in rows:
        row["budget"] = row.pop("budget_usd", "")
        row["budget_currency"] = currency if row["budget"] else ""
    write_csv(path, header, rows, old)


def migrate_names(path: Path, table: str) -> None:
    """Add the ``article`` column; a union whose short name is all capitals takes ``the``."""
    header, rows = read_csv(path)
    if "article" in header:
        return
    old = list(header)
    header.insert(header.index(ARTICLE_AFTER[table]) + 1, "article")
    for row in rows:
        abbreviation = row.get("kind") == "union" and row["name"].isupper()
        row["article"] = "the" if abbreviation else ""
    write_csv(path, header, rows, old)


def main(argv: list[str]) -> int:
    """Migrate DATA_DIR (default: data): its descriptor and its projects table."""
    data_dir = Path(argv[0] if argv else "data")
    currency = argv[1] if len(argv) > 1 else "USD"
    path = data_dir / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    for res in descriptor["resources"]:
        if res["name"] == "projects":
            migrate_projects(data_dir / res["path"], currency)
        if res["name"] in ARTICLE_AFTER:
            migrate_names(data_dir / res["path"], res["name"])
    migrate_descriptor(descriptor)
    path.write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
