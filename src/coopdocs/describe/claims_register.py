"""The register of computed claims (issue 28): every counted statement a build's documents make.

One row per document (``briefs/belarus``, layout.Document.key) and claim
(coopdocs.compute.claims): the document, the claim's name and parameters, the number it states,
its value (a ranking's winner, a year), the ties, the records it counts, the records it counts
apart by reason, and the sources of the records counted. The build writes it to
``reports/claims/register.csv`` from the documents' contexts, in the job that writes the manifest
(rule ``write_manifest``), which lists it; the recount test (tests/workflow/test_claims_recount.py)
recomputes every row from the CSV files with code of its own.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

COLUMNS = [
    "document",
    "claim",
    "params",
    "number",
    "value",
    "ties",
    "records",
    "apart",
    "sources",
]


def _params(params: dict[str, Any]) -> str:
    return ";".join(f"{k}={v}" for k, v in sorted(params.items()))


def register_rows(contexts: Iterable[tuple[str, dict[str, Any]]]) -> list[dict[str, str]]:
    """The register's rows for the given (document key, context) pairs ('briefs/belarus'; those
    without claims add none), sorted by document, claim and parameters."""
    rows = []
    for document, context in contexts:
        for c in context.get("claims") or []:
            rows.append(
                {
                    "document": document,
                    "claim": c["name"],
                    "params": _params(c["params"]),
                    "number": str(c["number"]),
                    "value": "" if c.get("value") is None else str(c["value"]),
                    "ties": ";".join(c.get("ties") or []),
                    "records": ";".join(c["records"]),
                    "apart": " ".join(
                        f"{reason}:{';'.join(ids)}" for reason, ids in sorted(c["apart"].items())
                    ),
                    "sources": ";".join(c.get("sources") or []),
                }
            )
    return sorted(rows, key=lambda r: (r["document"], r["claim"], r["params"]))


def register_text(context_paths: list[Path]) -> str:
    """The register as CSV text (LF line ends), from the contexts' JSON files
    (``build/context/<folder>/<name>.json``: the document is ``<folder>/<name>``)."""
    # One context in memory at a time: at 1,000 states the contexts are 28 MB of JSON, ~230 MB
    # once parsed, and all of them at once made this the largest step of the manifest's job.
    contexts = (
        (f"{Path(p).parent.name}/{Path(p).stem}", json.loads(Path(p).read_text(encoding="utf-8")))
        for p in context_paths
    )
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(register_rows(contexts))
    return buf.getvalue()


def read_register(path: Path) -> list[dict[str, str]]:
    """The rows of a written register."""
    with Path(path).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def write_register(root: Path, data_dir: str | Path) -> Path:
    """Write ``reports/claims/register.csv`` under ``root`` from the contexts of the documents of
    the package in ``data_dir`` (the briefs of its countries, the tables document, the review)."""
    from coopdocs import layout
    from coopdocs.tools.files import atomic_output

    data = Path(data_dir) if Path(data_dir).is_absolute() else root / data_dir
    docs = layout.documents(layout.brief_slugs(data))
    paths = [root / d.context for d in docs if (root / d.context).is_file()]
    target = root / layout.CLAIMS_REGISTER
    with atomic_output(target) as tmp:
        tmp.write_text(register_text(paths), encoding="utf-8")
    return target
