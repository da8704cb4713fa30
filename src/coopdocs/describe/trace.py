"""``coopdocs trace``: from a record or source to the outputs that use it, and back.

It reads what a build left behind: ``reports/manifest.json`` (records and sources per output),
``build/data/bundle.json`` (the records) and the Markdown of each document (``build/md/``), in
which every record's text is marked with its ID and every citation names its source, so the
section (heading) of each use can be found.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coopdocs import layout
from coopdocs.load.grammar import digits, in_words, number_word
from coopdocs.load.keys import CITATION_KEY
from coopdocs.load.strings import DEFAULT_LOCALE, Words

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*(\{#[^}]*\})?\s*$")
# A record's text ({#id .record ...}) and its mark ([id](#prov-id "title"){.record-id}, the title
# optional: Markdown of builds before marks had one).
_MARK_LINK = r"\[([A-Za-z0-9-]+)\]\(#prov-([A-Za-z0-9-]+)(?: \"[^\"]*\")?\)\{\.record-id\}"
_MARKS = re.compile(r"\{#([A-Za-z0-9-]+) \.record[^}]*\}|" + _MARK_LINK)
_CITES = re.compile(rf"(?<![\w.])@({CITATION_KEY})")


class TraceError(LookupError):
    """The question cannot be answered: no build, or an unknown record, source or output."""


@dataclass
class Build:
    """What a finished build left behind, loaded once."""

    root: Path
    manifest: dict[str, Any]
    records: dict[str, dict[str, Any]]
    sources: dict[str, dict[str, Any]]
    markdown: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, root: Path) -> Build:
        """Load the manifest, the data bundle and the documents' Markdown under ``root``."""
        manifest_path = root / layout.MANIFEST
        bundle_path = root / layout.BUNDLE
        if not manifest_path.is_file() or not bundle_path.is_file():
            raise TraceError(
                "no finished build here: run the build first (python3 bootstrap.py build)"
            )
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        bundle = json.loads(bundle_path.read_text(encoding="utf-8"))
        records: dict[str, dict[str, Any]] = {}
        for res in bundle["descriptor"]["resources"]:
            key = res["schema"]["primaryKey"]
            for r in bundle["tables"][res["name"]]:
                records[str(r[key])] = dict(r, _table=res["name"])
        sources = {s["id"]: s for s in bundle["tables"].get("sources", [])}
        markdown = {}
        for out in manifest["outputs"]:
            doc = cls.document_of(out["path"])
            if doc is not None and doc.key not in markdown and (root / doc.md).is_file():
                markdown[doc.key] = (root / doc.md).read_text(encoding="utf-8").splitlines()
        return cls(root, manifest, records, sources, markdown)

    @staticmethod
    def document_of(output_path: str) -> layout.Document | None:
        described = layout.describe(output_path)
        return described.document if described is not None else None

    def document_key(self, output_path: str) -> str | None:
        """'briefs/kazakhstan' for 'reports/briefs/kazakhstan.pdf' (documents only)."""
        doc = self.document_of(output_path)
        return doc.key if doc is not None and doc.key in self.markdown else None


def plain(line: str) -> str:
    """Markdown of one line reduced to its visible words (no escapes, marks, citations or syntax)."""
    text = re.sub(r"\[@[^\]]*\]", " ", line)
    text = re.sub(_MARK_LINK, " ", text)
    text = re.sub(r"\{#[^}]*\}", " ", text)
    text = re.sub(r"\\(.)", r"\1", text)
    text = re.sub(r"[*_|]|^#+\s|^\s*(- |\d+\. )|^:\s", " ", text)
    text = text.replace("[", " ").replace("]", " ")
    return re.sub(r"\s+", " ", text).strip()


def sections_of(lines: list[str], predicate) -> list[str]:
    """Headings (plain text) of the sections holding a line for which ``predicate`` is true."""
    heading, found = "(before the first heading)", []
    for line in lines:
        m = _HEADING.match(line)
        if m:
            heading = plain(m.group(2))
            continue
        if predicate(line) and heading not in found:
            found.append(heading)
    return found


def resolve_source(build: Build, query: str) -> str | None:
    """A source ID for 'ref045', '45', '[45]', 'ref 45', or 'WORK:45' (reference 45 of the citing
    work WORK, where several works each number their references from 1); None when the query is
    not a source. A bare number that several works use is refused, naming them."""
    if query in build.sources:
        return query
    m = re.fullmatch(rf"(?:({CITATION_KEY}):)?\[?(?:ref\s*)?0*([0-9]+)\]?", query.strip(), re.I)
    if not m:
        return None
    work, number = m.group(1), int(m.group(2))
    found = {
        sid: s.get("citing_work") or ""
        for sid, s in sorted(build.sources.items())
        if s.get("ref_number") == number and work in (None, s.get("citing_work"))
    }
    if len(found) > 1:
        works = ", ".join(sorted(set(found.values())))
        raise TraceError(
            f"reference number {number} is in several citing works ({works}): "
            f"ask for one as WORK:{number}, e.g. {min(found.values())}:{number}"
        )
    if not found:
        where = f" in {work}" if work else ""
        raise TraceError(f"no source with reference number {number}{where}")
    return next(iter(found))


def trace_item(build: Build, query: str) -> dict[str, Any]:
    """Which outputs use a record or a source, and in which sections."""
    source = resolve_source(build, query)
    if source is None and query not in build.records:
        raise TraceError(
            f"{query!r} is neither a record ID nor a source (try a record ID such as "
            f"{next(iter(sorted(k for k in build.records if k.startswith('prj-'))), 'prj-...')} "
            "or a reference number such as 45)"
        )
    if source:
        key, item = "sources", build.sources[source]
        cited_by = sorted(
            rid for rid, r in build.records.items() if source in (r.get("sources") or [])
        )
        marker = re.compile(rf"@{re.escape(source)}\b")
        about = {
            "source": source,
            "ref_number": item.get("ref_number"),
            "description": item.get("description"),
            "cited_by_records": cited_by,
        }
        target = source
    else:
        key, item = "records", build.records[query]
        marker = re.compile(
            rf"\{{#(?:[A-Za-z0-9-]+-)?{re.escape(query)} \.record"
            rf"|\(#prov-{re.escape(query)}[ )]|\{{#{re.escape(query)}\}}"
        )
        about = {
            "record": query,
            "table": item["_table"],
            "label": item.get("title") or item.get("name") or item.get("description"),
            "sources": [
                {"id": s, "ref_number": build.sources.get(s, {}).get("ref_number")}
                for s in sorted(item.get("sources") or [])
            ],
        }
        target = query
    uses = []
    for out in build.manifest["outputs"]:
        if target not in out.get(key, []):
            continue
        doc = build.document_key(out["path"])
        sections = sections_of(build.markdown[doc], marker.search) if doc else []
        uses.append(
            {
                "path": out["path"],
                "kind": out["kind"],
                "format": out["format"],
                "sections": sections,
            }
        )
    return {"query": query, **about, "outputs": uses}


def trace_output(build: Build, path: str, phrase: str | None = None) -> dict[str, Any]:
    """Which records and sources feed an output; with a phrase, those behind the passage holding it."""
    rel = Path(path)
    if rel.is_absolute():
        try:
            rel = rel.resolve().relative_to(build.root.resolve())
        except (ValueError, OSError):
            raise TraceError(
                f"{path} is outside this project ({build.root}): give an output under reports/"
            ) from None
    entry = next((o for o in build.manifest["outputs"] if o["path"] == rel.as_posix()), None)
    if entry is None:
        raise TraceError(f"{path} is not an output of this build (see {layout.MANIFEST})")
    result: dict[str, Any] = {
        "path": entry["path"],
        "kind": entry["kind"],
        "format": entry["format"],
        "records": entry["records"],
        "sources": [
            {"id": s, "ref_number": build.sources.get(s, {}).get("ref_number")}
            for s in entry["sources"]
        ],
        "inputs": [i["path"] for i in entry["inputs"]],
    }
    if phrase is None:
        return result
    doc = build.document_key(entry["path"])
    if doc is None:
        raise TraceError(
            f"{path} is not a document; --phrase needs a brief, table document or article"
        )
    wanted = re.sub(r"\s+", " ", phrase).strip().casefold()
    matches, heading = [], "(before the first heading)"
    for number, line in enumerate(build.markdown[doc], start=1):
        m = _HEADING.match(line)
        if m:
            heading = plain(m.group(2))
        if wanted and wanted in plain(line).casefold():
            matches.append(_match(build, doc, phrase, line, number, heading))
    if not matches:
        raise TraceError(f"the phrase {phrase!r} does not occur in {entry['path']}")
    result["matches"] = matches
    return result


def _match(build: Build, doc: str, phrase: str, line: str, number: int, heading: str) -> dict:
    """What the line ``number`` of document ``doc`` holding ``phrase`` says and rests on: its
    records (when the phrase states a computed number, exactly the records its claim counts),
    its sources and the claims."""
    records = sorted({build_record_id(build, a or c) for a, _, c in _MARKS.findall(line)})
    claims = phrase_claims(build, doc, phrase, records)
    if claims:
        records = sorted({r for c in claims for r in c["records"]})
    sources = sorted({c for c in _CITES.findall(line) if c in build.sources})
    return {
        "section": heading,
        "line": number,
        "text": plain(line)[:300],
        "records": records,
        "claims": claims,
        "sources": [{"id": s, "ref_number": build.sources[s].get("ref_number")} for s in sources],
    }


def phrase_numbers(phrase: str, candidates: Iterable[int], words: Words | None = None) -> set[int]:
    """Which of the whole numbers ``candidates`` the phrase states, in digits or in words, as the
    build's language writes them (``words``: its strings with their locale): CLDR digits, the
    strings' number words and num2words' (coopdocs.load.grammar), so no language is assumed.

    >>> w = {"language": {"number_words": ["zero", "one", "two", "three", "four", "five", "six"]}}
    >>> sorted(phrase_numbers("six offices and 1,200 projects", [6, 12, 1200], w))
    [6, 1200]
    >>> sorted(phrase_numbers("двенадцать проектов, 1\u00a0200 человек", [12, 1200, 2], {"locale": "ru"}))
    [12, 1200]
    """
    text = phrase.casefold()
    found = set()
    for n in set(candidates):
        forms = {digits(n, words), number_word(n, words), in_words(n, words)}
        forms |= {in_words(n, words, gender=g) for g in ("f", "n")}  # languages with genders
        # A whole number, not part of a longer one ("200" in "1 200" or "1,200").
        shapes = (rf"(?<![\w,.])(?<!\d\s){re.escape(f.casefold())}(?!\w|[,.\s]\d)" for f in forms)
        if any(re.search(shape, text) for shape in shapes):
            found.add(n)
    return found


def document_words(build: Build, doc: str) -> Words:
    """The strings of the language document ``doc`` was built in (its context's
    ``build.language``), with their locale: the words its sentences use."""
    from coopdocs.load.strings import load_strings, with_locale
    from coopdocs.tools.config import load_config

    context = build.root / layout.CONTEXTS / f"{doc}.json"
    built = json.loads(context.read_text(encoding="utf-8")) if context.is_file() else {}
    language = (built.get("build") or {}).get("language") or DEFAULT_LOCALE
    configured = (build.root / "config" / "config.yaml").is_file()
    settings = load_config(build.root, validate=False) if configured else {}
    templates = settings.get("templates_dir") or "templates"
    strings = build.root / layout.strings_file(templates, language, build.root)
    return with_locale(load_strings(strings if strings.is_file() else None), language) or {}


def phrase_claims(build: Build, doc: str, phrase: str, marked: list[str]) -> list[dict[str, Any]]:
    """The register's claims of document ``doc`` (reports/claims/register.csv) whose number the
    phrase states and whose records are all marked on the line: what "six offices" counts, or
    what a claim counts apart ("one more is planned") when no count matches."""
    from coopdocs.describe.claims_register import read_register

    path = build.root / layout.CLAIMS_REGISTER
    if not path.is_file():
        return []
    rows = [row for row in read_register(path) if row["document"] == doc]
    stated_numbers = [int(row["number"]) for row in rows]
    stated_numbers += [len(x.split(";")) for row in rows for x in row["apart"].split(" ") if x]
    numbers = phrase_numbers(phrase, stated_numbers, document_words(build, doc))
    counted, apart = [], []
    for row in rows:
        groups = [(row["claim"], row["records"])] + [
            (f"{row['claim']} ({reason})", ids)
            for reason, ids in (x.split(":", 1) for x in row["apart"].split(" ") if x)
        ]
        for n, (claim, ids) in enumerate(groups):
            records = [r for r in ids.split(";") if r]
            # The count is the register's number (occasions may be several records each).
            stated = int(row["number"]) if n == 0 else len(records)
            if records and stated in numbers and set(records) <= set(marked):
                found = {"claim": claim, "params": row["params"], "number": stated}
                found["records"] = records
                (apart if n else counted).append(found)
    # The count itself first; what a claim counts apart ("one more is planned") otherwise.
    return counted or apart


def build_record_id(build: Build, anchor: str) -> str:
    """The record ID behind an anchor: the anchor itself, or a section-prefixed form of it."""
    if anchor in build.records:
        return anchor
    for i in range(1, anchor.count("-") + 1):
        tail = anchor.split("-", i)[-1]
        if tail in build.records:
            return tail
    return anchor


def format_human(result: dict[str, Any]) -> str:
    """A readable report of a trace result."""
    lines: list[str] = []
    if "record" in result:
        refs = ", ".join(f"[{s['ref_number']}] ({s['id']})" for s in result["sources"])
        lines.append(f"record {result['record']} ({result['table']}): {result['label']}")
        lines.append(f"  sources: {refs or 'none'}")
    elif "source" in result:
        lines.append(
            f"source {result['source']}: the article's reference [{result['ref_number']}]: {result['description']}"
        )
        lines.append(
            f"  cited by {len(result['cited_by_records'])} records: {', '.join(result['cited_by_records'])}"
        )
    if "outputs" in result:
        lines.append(f"  used by {len(result['outputs'])} outputs:")
        for o in result["outputs"]:
            where = f" — sections: {'; '.join(o['sections'])}" if o["sections"] else ""
            lines.append(f"    {o['path']} ({o['kind']}){where}")
        return "\n".join(lines)
    lines.append(f"{result['path']} ({result['kind']}, {result['format']})")
    if "matches" in result:
        for m in result["matches"]:
            refs = ", ".join(f"[{s['ref_number']}] ({s['id']})" for s in m["sources"])
            lines.append(f"  in '{m['section']}': {m['text']}")
            for c in m.get("claims") or []:
                lines.append(f"    computed: {c['claim']} ({c['params']}) = {c['number']}")
            lines.append(
                f"    records: {', '.join(m['records']) or 'none marked on this line'}; "
                f"article references: {refs or 'none'}"
            )
        return "\n".join(lines)
    lines.append(f"  {len(result['records'])} records: {', '.join(result['records'])}")
    lines.append(
        f"  {len(result['sources'])} sources (article reference numbers): "
        + ", ".join(str(s["ref_number"]) for s in result["sources"])
    )
    lines.append(f"  {len(result['inputs'])} input files, e.g. {', '.join(result['inputs'][:4])}")
    return "\n".join(lines)
