"""Helpers the Snakefile calls at parse time: targets derived from the data, build settings.

Only the standard library is used: the Snakefile is parsed once per run (and once per job on a
cluster), so this must stay cheap. Full validation happens in the ``prepare_data`` rule.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

from .buildinfo import BuildInfoError, source_date_epoch

# Identifiers of the comparative tables (coopdocs.tables.TABLES), here without importing pandas.
TABLE_IDS = ["institutional-profile", "legal-basis", "projects-by-theme", "projects-by-funder", "timeline", "main-directions"]


def brief_slugs(data_dir: str | Path) -> list[str]:
    """Slugs of the briefs to build: one per row of the countries table, sorted.

    Reads only the ``slug`` column; a missing or malformed file yields no slugs here and is
    reported properly by validation.
    """
    descriptor = json.loads((Path(data_dir) / "datapackage.json").read_text(encoding="utf-8"))
    path = next(Path(data_dir) / r["path"] for r in descriptor["resources"] if r["name"] == "countries")
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return sorted({row["slug"].strip() for row in csv.DictReader(fh) if (row.get("slug") or "").strip()})
    except (OSError, KeyError, UnicodeDecodeError, csv.Error):
        return []


def data_files(data_dir: str | Path) -> list[str]:
    """Every file of the data package: the descriptor and each table it names."""
    descriptor_path = Path(data_dir) / "datapackage.json"
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    return [str(descriptor_path)] + sorted(str(Path(data_dir) / r["path"]) for r in descriptor["resources"])


def build_epoch(root: str | Path, fallback: int) -> int:
    """SOURCE_DATE_EPOCH for this build; exits with a clear message when it is invalid."""
    try:
        return source_date_epoch(Path(root), fallback)
    except BuildInfoError as exc:
        sys.exit(f"coopdocs: {exc}")


def template_files(templates_dir: str | Path, template: str | None = None) -> list[str]:
    """The Jinja files a render reads: ``template`` and every partial (all templates if None).

    A change to one document kind's template then reruns only that kind's renders; a change to a
    shared partial reruns them all.
    """
    root = Path(templates_dir)
    if template is None:
        return sorted(str(p) for p in root.rglob("*.j2"))
    partials = sorted(str(p) for p in (root / "partials").rglob("*.j2")) if (root / "partials").is_dir() else []
    return [str(root / template)] + partials


def code_files(root: str | Path) -> list[str]:
    """The package's source files (relative to the project), when the project has them."""
    package = Path(root) / "src" / "coopdocs"
    return sorted(p.relative_to(root).as_posix() for p in package.glob("*.py")) if package.is_dir() else []
