"""Machine-readable provenance of a build: ``reports/manifest.json`` and a Workflow Run RO-Crate.

The manifest lists every output file with its hash, size, kind, subject and format, the records
and sources it draws on, and every input file (data, template, style, CSL, filter, code) that
produced it, each with its hash; plus, once for the build, the tool versions, the git commit and
dirty flag, and SOURCE_DATE_EPOCH. Nothing in it depends on the clock or on absolute paths, so
the same inputs give the same manifest bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import platform
import subprocess
import time
from collections.abc import Callable, Iterator
from json.encoder import encode_basestring as _encode_string  # dumps' own, without ensure_ascii
from pathlib import Path, PurePosixPath
from typing import Any

from coopdocs import layout
from coopdocs.describe.claims_register import read_register
from coopdocs.tools.files import sha256

MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "html": "text/html",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "svg": "image/svg+xml",
    "png": "image/png",
    "json": "application/json",
}


# A file changed this long before its hash was taken can be trusted by its stat: any later
# write gives it a later ctime, even on a file system whose clock ticks coarsely (git's "racy"
# files are those changed in the same tick as the index was written).
_SETTLED_NS = 2_000_000_000


class FileHashes:
    """SHA-256 of the build's files, kept between runs for the files that have not changed.

    A one-record edit rewrites a few outputs, and the manifest used to hash every output and
    input again at the end of every run. A hash is reused when the file's path, size, mtime,
    ctime and inode are those it was hashed with: a rewrite through atomic_output makes a new
    inode, and any write changes ctime, which no one can set. A file changed less than
    ``_SETTLED_NS`` before it was hashed is not kept (its next change could share its times).
    The table is one entry of a :class:`coopdocs.tools.cache.Store`, verified before it is read;
    a missing or damaged one only means hashing everything, as without a cache.
    """

    FORMAT = "manifest-hashes/1"

    def __init__(self, root: Path) -> None:
        from coopdocs.tools.cache import Store, digest

        self.root = root
        self.store = Store(root / layout.HASHES_CACHE, ".json")
        # Not keyed by the folder: a copy of the project has new inodes and ctimes, so no stamp
        # of a copied table matches (a hard link is the same file, the same bytes).
        self.key = digest(self.FORMAT)
        content = self.store.get(self.key)
        self.known: dict[str, list] = json.loads(content) if content is not None else {}
        self.kept: dict[str, list] = {}
        self.started = time.time_ns()

    def sha256(self, rel: str) -> str:
        """The hex SHA-256 of ``root / rel``, from the table when the file is as it was hashed."""
        st = (self.root / rel).stat()
        stamp = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
        known = self.known.get(rel)
        value = known[4] if known is not None and known[:4] == stamp else sha256(self.root / rel)
        if max(st.st_mtime_ns, st.st_ctime_ns) < self.started - _SETTLED_NS:
            self.kept[rel] = [*stamp, value]
        return value

    def save(self) -> None:
        """Keep the hashes of this run (only these: a file no longer listed leaves the table)."""
        if self.kept != self.known:
            self.store.put(self.key, json.dumps(self.kept, sort_keys=True).encode("utf-8"))
        self.store.keep_only([self.key])


def tool_versions() -> dict[str, str]:
    """Versions of the tools that make the outputs."""
    from coopdocs.tools.cache import library_version
    from coopdocs.tools.pandoc import pandoc_path

    def version(dist: str) -> str:
        return library_version(dist) or "not installed"

    pandoc = subprocess.run(
        [pandoc_path(), "--version"], capture_output=True, text=True, check=False
    ).stdout.split("\n")[0]
    return {
        "python": platform.python_version(),
        "snakemake": version("snakemake"),
        "pandoc": pandoc.replace("pandoc ", "").strip(),
        "typst": version("typst"),
        "coopdocs": version("coopdocs"),
        "matplotlib": version("matplotlib"),
        "pandas": version("pandas"),
    }


def _split(cell: str) -> list[str]:
    return [x for x in (cell or "").split(";") if x]


def _table_refs(path: Path) -> tuple[list[str], list[str]]:
    records, sources = set(), set()
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            records.update(_split(row.get("records", "")))
            sources.update(_split(row.get("sources", "")))
    return sorted(records), sorted(sources)


def _figure_refs(root: Path) -> Callable[[str], tuple[list[str], list[str]]]:
    """A look-up of the records and sources behind each figure, read from the tables it draws.

    The timeline table and the country slugs are read once per manifest, not once per figure
    (one figure per state: at 200 states the per-figure reads dominated the manifest job), and
    the table's rows are grouped by state once: each state's figure scanning every row was
    quadratic (10 of the 17 s of the manifest of 1,000 states).
    """
    bundle = root / layout.BUNDLE
    code_of = (
        {
            c["slug"]: c["code"]
            for c in json.loads(bundle.read_text(encoding="utf-8"))["tables"]["countries"]
        }
        if bundle.is_file()
        else {}
    )
    with (root / layout.table_output(layout.TIMELINE_TABLE, "csv")).open(
        encoding="utf-8", newline=""
    ) as fh:
        timeline = list(csv.DictReader(fh))
    rows_of: dict[str, list[dict[str, str]]] = {}
    for row in timeline:
        rows_of.setdefault(row["country_code"], []).append(row)

    def refs(name: str) -> tuple[list[str], list[str]]:
        table = layout.FIGURE_TABLES.get(name)
        if table is not None and table != layout.TIMELINE_TABLE:
            return _table_refs(root / layout.table_output(table, "csv"))
        slug = layout.figure_subject(name)
        code = code_of.get(slug) if slug is not None else None
        rows = timeline if code is None else rows_of.get(code, [])
        return (
            sorted({x for r in rows for x in _split(r["records"])}),
            sorted({x for r in rows for x in _split(r["sources"])}),
        )

    return refs


class _InputCache:
    """The inputs' hashes and the documents' contexts, each read once per manifest.

    Every output lists the same few dozen inputs, and each document has several formats: hashing
    each input and reading each context once (not once per output) took the manifest of 200 states
    from 5.6 s to a fraction of it.
    """

    def __init__(self, root: Path, hashes: FileHashes) -> None:
        self.root = root
        self.file_hashes = hashes
        self.entries: dict[str, dict[str, Any] | None] = {}
        self.records: dict[tuple[str, str], tuple[list[str], list[str]]] = {}

    def file_entry(self, rel: str) -> dict[str, Any] | None:
        """The path and hash of one input file; None when there is no such file."""
        if rel not in self.entries:
            is_file = (self.root / rel).is_file()
            self.entries[rel] = (
                {"path": rel, "sha256": self.file_hashes.sha256(rel)} if is_file else None
            )
        return self.entries[rel]

    def input_entries(self, inputs: list[str]) -> list[dict[str, Any]]:
        """The entries of the input files of one output, sorted by path, absent files left out."""
        found = (self.file_entry(f) for f in sorted(set(inputs)))
        return [e for e in found if e is not None]

    def records_of(self, folder: str, stem: str) -> tuple[list[str], list[str]]:
        """The records and sources one document's context lists.

        Only those two lists are kept, not the context: at 1,000 states every context held at
        once was ~120 MB of the manifest job's peak, and the lists are all the manifest needs.
        """
        if (folder, stem) not in self.records:
            path = self.root / layout.context(folder, stem)
            context = json.loads(path.read_text(encoding="utf-8"))
            self.records[(folder, stem)] = context["records"], context["sources"]
        return self.records[(folder, stem)]


def _records_and_sources(
    out: layout.Output, path: Path, cache: _InputCache, figure_refs: Callable | None
) -> tuple[list[str], list[str]]:
    """The records and sources one output draws on, read from where its kind keeps them."""
    if out.document is not None:
        return cache.records_of(out.folder, out.subject)
    if out.kind == "table":  # the CSV says which records and sources each row counts
        return _table_refs(cache.root / layout.table_output(out.subject, "csv"))
    if out.kind == "figure":
        return figure_refs(out.subject) if figure_refs else ([], [])
    if path.relative_to(cache.root).as_posix() == layout.CLAIMS_REGISTER:
        # the records its claims count, and their sources
        rows = read_register(path)
        return (
            sorted({x for row in rows for x in _split(row["records"])}),
            sorted({x for row in rows for x in _split(row["sources"])}),
        )
    return [], []


def _output_entries(root: Path, settings: dict[str, Any]) -> list[dict[str, Any]]:
    """One manifest entry per output under reports/: hash, size, kind, subject, format, the
    records and sources it draws on, and the input files that made it."""
    common = layout.common_inputs(settings, root)
    templates = layout.template_files(
        settings["templates_dir"], root=root, language=settings.get("language")
    )
    hashes = FileHashes(root)
    cache = _InputCache(root, hashes)
    timeline_csv = root / layout.table_output(layout.TIMELINE_TABLE, "csv")
    figure_refs = _figure_refs(root) if timeline_csv.is_file() else None
    outputs = []
    for path in sorted(p for p in (root / layout.REPORTS).rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        out = layout.describe(rel)
        if out is None:
            continue
        records, sources = _records_and_sources(out, path, cache, figure_refs)
        inputs = layout.output_inputs(out, settings, common, templates)
        outputs.append(
            {
                "path": rel,
                "sha256": hashes.sha256(rel),
                "bytes": path.stat().st_size,
                "kind": out.kind,
                "subject": out.subject,
                "format": out.format,
                "records": records,
                "sources": sources,
                "inputs": cache.input_entries(inputs),
            }
        )
    hashes.save()
    return outputs


def build_manifest(
    root: Path, settings: dict[str, Any], epoch: int, git: dict[str, Any]
) -> dict[str, Any]:
    """The manifest of everything under ``reports/`` (except diffs and the manifest and crate themselves).

    ``settings`` is the workflow configuration (paths of templates, styles and filters).
    """
    return {
        "manifest_version": 1,
        "generator": "coopdocs",
        "source_date_epoch": epoch,
        "build_date": dt.datetime.fromtimestamp(epoch, tz=dt.UTC)
        .isoformat()
        .replace("+00:00", "Z"),
        "git": {"commit": git.get("commit", ""), "dirty": git.get("dirty")},
        "tools": tool_versions(),
        "outputs": _output_entries(root, settings),
    }


_PROFILES = "https://w3id.org/ro/wfrun/process/0.5", "https://w3id.org/ro/wfrun/workflow/0.5"
_WORKFLOW_CRATE = "https://w3id.org/workflowhub/workflow-ro-crate/1.0"
_LICENCE = "https://creativecommons.org/licenses/by/4.0/"
_SNAKEMAKE = "https://w3id.org/workflowhub/workflow-ro-crate#snakemake"


def _crate_root(when: str, input_paths: list[str], output_ids: list[str]) -> list[dict[str, Any]]:
    """The crate's metadata descriptor and its root dataset (the build, with every part)."""
    return [
        {
            "@id": PurePosixPath(layout.CRATE).name,
            "@type": "CreativeWork",
            "conformsTo": [{"@id": "https://w3id.org/ro/crate/1.1"}, {"@id": _WORKFLOW_CRATE}],
            "about": {"@id": "./"},
        },
        {
            "@id": "./",
            "@type": "Dataset",
            "name": "coopdocs build",
            "description": "Documents, tables and figures generated by the coopdocs workflow from the data package.",
            "datePublished": when,
            "license": {"@id": _LICENCE},
            "conformsTo": [{"@id": _PROFILES[0]}, {"@id": _PROFILES[1]}, {"@id": _WORKFLOW_CRATE}],
            "mainEntity": {"@id": "../Snakefile"},
            "hasPart": [{"@id": "../Snakefile"}]
            + [{"@id": f"../{p}"} for p in input_paths]
            + [{"@id": i} for i in output_ids],
            "mentions": [{"@id": "#run"}, {"@id": "#tools"}],
        },
    ]


def _crate_profiles() -> list[dict[str, Any]]:
    """The profiles the crate conforms to, and its licence."""
    return [
        {
            "@id": _PROFILES[0],
            "@type": "CreativeWork",
            "name": "Process Run Crate",
            "version": "0.5",
        },
        {
            "@id": _PROFILES[1],
            "@type": "CreativeWork",
            "name": "Workflow Run Crate",
            "version": "0.5",
        },
        {
            "@id": _WORKFLOW_CRATE,
            "@type": "CreativeWork",
            "name": "Workflow RO-Crate",
            "version": "1.0",
        },
        {"@id": _LICENCE, "@type": "CreativeWork", "name": "CC BY 4.0"},
    ]


def _crate_workflow(
    when: str, snakemake: str, input_paths: list[str], output_ids: list[str]
) -> list[dict[str, Any]]:
    """The workflow (the Snakefile), its language, and the run that made the outputs."""
    return [
        {
            "@id": "../Snakefile",
            "@type": ["File", "SoftwareSourceCode", "ComputationalWorkflow"],
            "name": "coopdocs workflow",
            "programmingLanguage": {"@id": _SNAKEMAKE},
            "input": [{"@id": f"#param-{p}"} for p in input_paths],
            "output": [{"@id": f"#out-{i}"} for i in output_ids],
        },
        {
            "@id": _SNAKEMAKE,
            "@type": "ComputerLanguage",
            "name": "Snakemake",
            "identifier": {"@id": "https://snakemake.readthedocs.io"},
            "url": {"@id": "https://snakemake.readthedocs.io"},
            "version": snakemake,
        },
        {
            "@id": "#run",
            "@type": "CreateAction",
            "name": "coopdocs build",
            "endTime": when,
            "instrument": {"@id": "../Snakefile"},
            "object": [{"@id": f"../{p}"} for p in input_paths],
            "result": [{"@id": i} for i in output_ids],
            "actionStatus": {"@id": "http://schema.org/CompletedActionStatus"},
        },
    ]


def _crate_inputs(input_paths: list[str], input_hash: dict[str, str]) -> list[dict[str, Any]]:
    """Each data file the run read: the workflow's parameter and the file with its hash."""
    entities = []
    for p in input_paths:
        media = MEDIA_TYPES["csv"] if p.endswith(".csv") else MEDIA_TYPES["json"]
        entities.append(
            {
                "@id": f"#param-{p}",
                "@type": "FormalParameter",
                "name": p,
                "additionalType": "File",
                "encodingFormat": media,
            }
        )
        entities.append(
            {
                "@id": f"../{p}",
                "@type": "File",
                "name": p,
                "sha256": input_hash[p],
                "exampleOfWork": {"@id": f"#param-{p}"},
            }
        )
    return entities


def _crate_outputs(manifest: dict[str, Any], output_ids: list[str]) -> list[dict[str, Any]]:
    """Each output: the workflow's parameter and the file with its size, hash and subject."""
    entities = []
    for o, oid in zip(manifest["outputs"], output_ids):
        media = MEDIA_TYPES[o["format"]]
        entities.append(
            {
                "@id": f"#out-{oid}",
                "@type": "FormalParameter",
                "name": oid,
                "additionalType": "File",
                "encodingFormat": media,
            }
        )
        entities.append(
            {
                "@id": oid,
                "@type": "File",
                "name": oid,
                "contentSize": o["bytes"],
                "sha256": o["sha256"],
                "encodingFormat": media,
                "exampleOfWork": {"@id": f"#out-{oid}"},
                "about": o["subject"],
                "keywords": o["kind"],
            }
        )
    return entities


def build_rocrate(manifest: dict[str, Any], root: Path) -> dict[str, Any]:
    """A Workflow Run RO-Crate (profile 0.5) describing the run, rooted at ``reports/``.

    Outputs are data entities inside the crate; the workflow, its rule files and the input data
    are referenced by paths relative to the crate root (``../data/...``).
    """
    when = manifest["build_date"]
    output_ids = [o["path"][len(layout.REPORTS) + 1 :] for o in manifest["outputs"]]
    inputs = [i for o in manifest["outputs"] for i in o["inputs"]]
    input_paths = sorted({i["path"] for i in inputs if i["path"].startswith("data/")})
    input_hash = {i["path"]: i["sha256"] for i in inputs}
    tools = manifest["tools"]
    tool_entities = [
        {"@id": f"#tool-{name}", "@type": "SoftwareApplication", "name": name, "version": version}
        for name, version in sorted(tools.items())
    ]
    tool_list = {
        "@id": "#tools",
        "@type": "ItemList",
        "name": "tools",
        "itemListElement": [{"@id": f"#tool-{name}"} for name in sorted(tools)],
    }
    graph = [
        *_crate_root(when, input_paths, output_ids),
        *_crate_profiles(),
        *_crate_workflow(when, tools["snakemake"], input_paths, output_ids),
        *_crate_inputs(input_paths, input_hash),
        *tool_entities,
        *_crate_outputs(manifest, output_ids),
        tool_list,
    ]
    return {"@context": "https://w3id.org/ro/crate/1.1/context", "@graph": graph}


def indented_json(value: Any) -> str:
    """``json.dumps(value, indent=1, sort_keys=True, ensure_ascii=False)``, byte for byte, faster.

    With ``indent`` the json module encodes in pure Python, node by node: 60–80 ms for the
    manifest of the real data, whose outputs list the same input entries again and again. Here
    an object met more than once is encoded once per depth, and strings with the json module's
    own C function (:func:`iter_indented_json`, which :func:`write` streams to the file).

    >>> v = {"b": [1.5, None, True, {}], "a": {"é": "x\\n"}, "c": []}
    >>> indented_json(v) == json.dumps(v, indent=1, sort_keys=True, ensure_ascii=False)
    True
    """
    return "".join(iter_indented_json(value))


# The depths written piece by piece: the manifest, and its list of outputs; each output's entry
# is then one string. Built whole, the manifest of 1,000 states (71 MB) was held several times
# over (each depth's text, and the parts it was joined from): 390 MB of its job's 694 MB peak.
STREAMED_DEPTHS = 2


class _Memo(dict):
    """Texts of shared containers by (id, depth); ``shared``: the ids of those containers."""

    def __init__(self, shared: set[int]) -> None:
        super().__init__()
        self.shared = shared


def iter_indented_json(value: Any, depth: int = 0, memo: _Memo | None = None) -> Iterator[str]:
    """The text of :func:`indented_json` in pieces, each container above
    :data:`STREAMED_DEPTHS` one piece per item."""
    memo = _Memo(_shared_containers(value)) if memo is None else memo
    if depth >= STREAMED_DEPTHS or not isinstance(value, (dict, list)) or not value:
        yield _indented(value, depth, memo)
        return
    pad = "\n" + " " * (depth + 1)
    items = sorted(value.items()) if isinstance(value, dict) else ((None, v) for v in value)
    yield "{" if isinstance(value, dict) else "["
    for i, (key, item) in enumerate(items):
        yield ("," if i else "") + pad + ("" if key is None else _encode_string(key) + ": ")
        yield from iter_indented_json(item, depth + 1, memo)
    yield "\n" + " " * depth + ("}" if isinstance(value, dict) else "]")


def _shared_containers(value: Any) -> set[int]:
    """The ids of the non-empty dicts and lists reached more than once in ``value`` (the only
    ones worth keeping the text of)."""
    seen: set[int] = set()
    shared: set[int] = set()
    todo = [value]
    while todo:
        item = todo.pop()
        if id(item) in seen:
            shared.add(id(item))
            continue
        seen.add(id(item))
        children = item.values() if isinstance(item, dict) else item
        todo.extend(c for c in children if isinstance(c, (dict, list)) and c)
    return shared


def _indented(value: Any, depth: int, memo: _Memo) -> str:
    """The text of ``value`` at ``depth``; a shared container's kept in ``memo`` (by identity:
    only within one call of :func:`iter_indented_json`, while nothing changes)."""
    if isinstance(value, str):
        return _encode_string(value)
    if not isinstance(value, (dict, list)) or not value:
        return json.dumps(value, ensure_ascii=False)
    key = (id(value), depth)
    if key in memo:
        return memo[key]
    pad = "\n" + " " * (depth + 1)
    if isinstance(value, dict):
        parts = [
            f"{_encode_string(k)}: {_indented(v, depth + 1, memo)}"
            for k, v in sorted(value.items())
        ]
        opening, closing = "{", "}"
    else:
        parts = [_indented(v, depth + 1, memo) for v in value]
        opening, closing = "[", "]"
    text = opening + pad + ("," + pad).join(parts) + "\n" + " " * depth + closing
    if id(value) in memo.shared:
        memo[key] = text
    return text


def write(root: Path, settings: dict[str, Any], epoch: int, git: dict[str, Any]) -> None:
    """Write ``reports/manifest.json`` and ``reports/ro-crate-metadata.json``."""
    from coopdocs.tools.files import atomic_output

    manifest = build_manifest(root, settings, epoch, git)
    crate = build_rocrate(manifest, root)
    for path, value in ((layout.MANIFEST, manifest), (layout.CRATE, crate)):
        with atomic_output(root / path) as tmp, tmp.open("w", encoding="utf-8") as fh:
            fh.writelines(iter_indented_json(value))
            fh.write("\n")
