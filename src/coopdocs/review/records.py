"""The records diff: every record added, removed or changed (field by field) between two versions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from coopdocs.review.versions import Version


def value_text(v: Any) -> str:
    """A field's value as the change report shows it (lists joined with '; ', no '.0' on integers).

    >>> value_text(["a", 2.0, None, True])
    'a; 2; ; true'
    """
    if v is None:
        return ""
    if isinstance(v, list):
        return "; ".join(value_text(x) for x in v)
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def label_of(record: dict) -> str:
    """A record's human-readable label (its title, name or label)."""
    for key in ("title", "name", "label", "short_name", "description"):
        if record.get(key):
            return value_text(record[key])
    return ""


@dataclass
class RecordChange:
    """One record added, removed or changed."""

    table: str
    id: str
    kind: str  # added | removed | changed
    label: str
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # (field, old, new)
    documents: list[tuple[str, str]] = field(default_factory=list)


def record_changes(old: Version, new: Version) -> list[RecordChange]:
    """Every record added, removed or changed, table by table, in ID order."""
    out: list[RecordChange] = []
    for table in sorted(set(old.tables) | set(new.tables)):
        a, b = old.tables.get(table, {}), new.tables.get(table, {})
        for rid in sorted(set(a) | set(b)):
            ra, rb = a.get(rid), b.get(rid)
            if ra is None:
                out.append(RecordChange(table, rid, "added", label_of(rb)))
            elif rb is None:
                out.append(RecordChange(table, rid, "removed", label_of(ra)))
            else:
                fields = [
                    (f, value_text(ra.get(f)), value_text(rb.get(f)))
                    for f in sorted(set(ra) | set(rb))
                    if not f.startswith("_") and value_text(ra.get(f)) != value_text(rb.get(f))
                ]
                if fields:
                    out.append(RecordChange(table, rid, "changed", label_of(rb), fields))
    return out
