"""``coopdocs diff A B``: what changed between two versions, for editors.

Both versions are built from scratch, each in its own temporary folder, with the project's own
Snakefile and the running Python environment, and the same ``SOURCE_DATE_EPOCH`` (so build dates
agree); then ``reports/diff/<A>..<B>/`` gets:

- ``changes.md`` / ``.html`` / ``.docx``: records added, removed and changed (field by field,
  old → new), per table; sources added to or removed from the data and from each document; for
  every change the documents it affects (a record affects a document when its ID is in the
  document's ``records`` list in either version) and the sections it appears under; documents
  whose content changed without any record change (a template edit); unchanged documents.
- ``<folder>-<name>.docx``: per changed document, a redline with native Word tracked changes
  (``w:ins``/``w:del``, author ``coopdocs``, dated from ``SOURCE_DATE_EPOCH``), and
  ``<folder>-<name>.html`` with ``<ins>``/``<del>``. See :mod:`coopdocs.review.redline` for how the two
  versions are aligned and how citations are compared.

A version is a git revision or ``WORKTREE`` (the work tree as it is, tracked and untracked files
that git does not ignore). Revisions are exported with ``git archive`` (nothing in the
repository changes); snapshots are built outside any git work tree, so neither build states a
commit and the version line never shows as a change.

Exit status: 0 no change, 1 changes, 2 error.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

WORKTREE = "WORKTREE"
_SKIP_SECTIONS = {"data-provenance", "references"}


class DiffError(RuntimeError):
    """The diff cannot be made (not a git repository, unknown revision, failed build...)."""


# --------------------------------------------------------------------------------------------
# git and versions


def _git(root: Path, *args: str, binary: bool = False) -> Any:
    try:
        proc = subprocess.run(["git", *args], cwd=root, capture_output=True, check=False)
    except FileNotFoundError as exc:
        raise DiffError("git is not installed") from exc
    if proc.returncode != 0:
        raise DiffError(f"git {' '.join(args)}: {proc.stderr.decode('utf-8', 'replace').strip()}")
    return proc.stdout if binary else proc.stdout.decode("utf-8").strip()


@dataclass
class Version:
    """One side of the comparison: a revision (``commit``) or the work tree (``commit`` None)."""

    label: str
    commit: str | None
    project: Path | None = None
    documents: dict[tuple[str, str], dict] = field(default_factory=dict)
    tables: dict[str, dict[str, dict]] = field(default_factory=dict)

    @property
    def is_worktree(self) -> bool:
        return self.commit is None


def check_repository(root: Path) -> None:
    """DiffError unless ``root`` is inside a git work tree with at least one commit."""
    try:
        inside = _git(root, "rev-parse", "--is-inside-work-tree")
    except DiffError as exc:
        raise DiffError(f"{root} is not in a git repository (coopdocs diff compares git revisions)") from exc
    if inside != "true":
        raise DiffError(f"{root} is not in a git work tree")


def default_base(root: Path) -> str:
    """The default first version: the last tag reachable from HEAD, else HEAD."""
    try:
        return _git(root, "describe", "--tags", "--abbrev=0")
    except DiffError:
        return "HEAD"


def resolve(root: Path, spec: str) -> Version:
    """A revision name (or ``WORKTREE``) as a :class:`Version`; DiffError when it does not exist."""
    if spec == WORKTREE:
        return Version(spec, None)
    try:
        commit = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{spec}^{{commit}}")
    except DiffError:
        commit = ""
    if not commit:
        raise DiffError(f"unknown revision {spec!r} (a commit, branch or tag, or {WORKTREE} for the work tree)")
    return Version(spec, commit)


def safe_name(label: str) -> str:
    """A version label usable in a folder name: ``feature/x`` → ``feature-x``.

    >>> safe_name("feature/x~1")
    'feature-x-1'
    """
    return re.sub(r"[^A-Za-z0-9._+-]+", "-", label).strip("-.") or "version"


def snapshot(root: Path, version: Version, dest: Path) -> Path:
    """Write the files of ``version`` (the project folder ``root`` of it) into ``dest``."""
    dest.mkdir(parents=True)
    if version.is_worktree:
        listing = _git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard", binary=True)
        for rel in sorted(set(p for p in listing.decode("utf-8").split("\0") if p)):
            src = root / rel
            if src.is_file() and not src.is_symlink():
                (dest / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dest / rel)
        return dest
    prefix = _git(root, "rev-parse", "--show-prefix")
    tree = f"{version.commit}:{prefix}" if prefix else version.commit
    data = _git(root, "archive", "--format=tar", tree, binary=True)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(dest, filter="data")
    return dest


def epoch_for(root: Path, b: Version) -> int:
    """The SOURCE_DATE_EPOCH both builds use: the environment's, else B's commit time (or HEAD's)."""
    from coopdocs.tools.builddate import BuildInfoError, parse_epoch

    value = os.environ.get("SOURCE_DATE_EPOCH", "")
    if value:
        try:
            return parse_epoch(value)
        except BuildInfoError as exc:
            raise DiffError(str(exc)) from exc
    try:
        return int(_git(root, "log", "-1", "--format=%ct", b.commit or "HEAD"))
    except (DiffError, ValueError):
        return 1672358400


# --------------------------------------------------------------------------------------------
# Building a version


def md_targets(project: Path) -> list[str]:
    """The Markdown files of every document of a version (what the diff needs from a build).

    The documents are those of the layout contract (coopdocs.layout) for the version's briefs.
    """
    import yaml

    from coopdocs import layout

    config = yaml.safe_load((project / layout.CONFIG).read_text(encoding="utf-8")) or {}
    return sorted(d.md for d in layout.documents(layout.brief_slugs(project / config.get("data_dir", "data"))))


def _build_env(project: Path, epoch: int) -> dict[str, str]:
    env = dict(os.environ, SOURCE_DATE_EPOCH=str(epoch),
               GIT_CEILING_DIRECTORIES=str(project.parent.resolve()), LC_ALL="C.UTF-8", TZ="UTC")
    env.pop("COOPDOCS_SOURCE_COMMIT", None)
    env.pop("GIT_DIR", None)
    env.pop("GIT_WORK_TREE", None)
    if (project / "src" / "coopdocs").is_dir():
        # Build a version with its own code, as it was (the environment's packages otherwise).
        env["PYTHONPATH"] = os.pathsep.join(p for p in [str(project / "src"), env.get("PYTHONPATH", "")] if p)
    return env


def build(version: Version, epoch: int, cores: int = 2) -> None:
    """Build the Markdown (and contexts) of every document of ``version`` in its snapshot folder.

    Only the targets the diff reads are requested (the Markdown of every document, which needs
    the contexts and the data bundle); if that fails (a version whose rules name other files),
    the whole default build is run instead.
    """
    project = version.project
    assert project is not None
    snakemake = str(Path(sys.executable).parent / "snakemake")
    env = _build_env(project, epoch)
    base = [snakemake, "--cores", str(cores), "--nolock"]
    try:
        targets = md_targets(project)
    except Exception:  # noqa: BLE001 - an unreadable config: let the full build report it
        targets = []
    proc = None
    if targets:
        proc = subprocess.run([*base, *targets], cwd=project, env=env, capture_output=True, text=True, check=False)
    if proc is None or proc.returncode != 0:
        proc = subprocess.run(base, cwd=project, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise DiffError(f"the build of {version.label} failed:\n{(proc.stdout + proc.stderr)[-4000:]}")


def load(version: Version) -> None:
    """Read a built version: every document's context and Markdown, and the data tables."""
    project = version.project
    assert project is not None
    from coopdocs import layout

    for md in sorted((project / layout.MD_DIR).glob("*/*.md")):
        folder, name = md.parent.name, md.stem
        ctx_path = project / layout.context(folder, name)
        ctx = json.loads(ctx_path.read_text(encoding="utf-8")) if ctx_path.is_file() else {}
        bib = project / layout.bibliography(folder, name)
        version.documents[(folder, name)] = {
            "md": md, "bib": bib if bib.is_file() else None, "context": ctx,
            "records": set(ctx.get("records", [])), "sources": set(ctx.get("sources", [])),
            "title": (ctx.get("document") or {}).get("title") or name,
        }
    bundle = project / layout.BUNDLE
    if not bundle.is_file():
        raise DiffError(f"the build of {version.label} wrote no data bundle ({layout.BUNDLE})")
    data = json.loads(bundle.read_text(encoding="utf-8"))
    keys = {r["name"]: r.get("schema", {}).get("primaryKey", "id") for r in data["descriptor"].get("resources", [])}
    for name, rows in data["tables"].items():
        key = keys.get(name, "id")
        key = key[0] if isinstance(key, list) else key
        version.tables[name] = {str(r.get(key)): r for r in rows}


# --------------------------------------------------------------------------------------------
# Records


def _value(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, list):
        return "; ".join(_value(x) for x in v)
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def label_of(record: dict) -> str:
    """A record's human-readable label (its title, name or label)."""
    for key in ("title", "name", "label", "short_name", "description"):
        if record.get(key):
            return _value(record[key])
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
                fields = [(f, _value(ra.get(f)), _value(rb.get(f))) for f in sorted(set(ra) | set(rb))
                          if not f.startswith("_") and _value(ra.get(f)) != _value(rb.get(f))]
                if fields:
                    out.append(RecordChange(table, rid, "changed", label_of(rb), fields))
    return out


# --------------------------------------------------------------------------------------------
# Documents


def _pandoc_json(project: Path, md: Path, bib: Path | None, csl: Path | None) -> dict:
    """A document's Markdown as pandoc JSON, citations resolved by citeproc."""
    from coopdocs.tools.pandoc import PANDOC_READER, pandoc_path

    cmd = [pandoc_path(), "--sandbox", "--from", PANDOC_READER, "--to", "json"]
    if bib is not None:
        cmd += ["--citeproc", "--bibliography", str(bib)]
        if csl is not None and csl.is_file():
            cmd += ["--csl", str(csl)]
    cmd.append(str(md))
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "TZ": "UTC"}
    proc = subprocess.run(cmd, cwd=project, env=env, capture_output=True, check=False)
    if proc.returncode != 0:
        raise DiffError(f"pandoc could not read {md}:\n{proc.stderr.decode('utf-8', 'replace')}")
    return json.loads(proc.stdout)


def _csl(project: Path) -> Path | None:
    import yaml

    try:
        config = yaml.safe_load((project / "config" / "config.yaml").read_text(encoding="utf-8")) or {}
    except OSError:
        return None
    return project / config["csl"] if config.get("csl") else None


def document_ast(version: Version, key: tuple[str, str]) -> dict | None:
    """The normalised AST of one document of a version (None if the version lacks it)."""
    from coopdocs.review.redline import normalise

    doc = version.documents.get(key)
    if doc is None:
        return None
    if "ast" not in doc:
        assert version.project is not None
        doc["ast"] = normalise(_pandoc_json(version.project, doc["md"], doc["bib"], _csl(version.project)))
    return doc["ast"]


def sections(ast: dict | None, rid: str, label: str) -> list[str]:
    """The headings under which a record appears in a document (nearest preceding heading).

    A block mentions the record when an element carries its ID, links to its provenance entry
    (``#prov-<id>``), or (failing both anywhere in the document) contains its label. The
    provenance appendix and the reference list, which name every record, are left out.
    """
    from coopdocs.review.redline import stringify

    if ast is None:
        return []

    def has_id(n: Any) -> bool:
        if isinstance(n, list):
            if len(n) == 3 and n[0] == rid and isinstance(n[1], list) and isinstance(n[2], list):
                return True
            return any(has_id(x) for x in n)
        if isinstance(n, dict):
            if n.get("t") == "Link" and n["c"][2][0] == f"#prov-{rid}":
                return True
            return has_id(n.get("c"))
        return False

    def scan(by_label: bool) -> list[str]:
        found: list[str] = []
        heading, heading_id = "", ""
        for block in ast.get("blocks", []):
            if block.get("t") == "Header":
                heading, heading_id = stringify(block["c"][2]), block["c"][1][0]
                if block["c"][1][0] == rid and heading not in found:
                    found.append(heading)
                continue
            if heading_id in _SKIP_SECTIONS:
                continue
            hit = has_id(block) if not by_label else (len(label) >= 6 and label in stringify(block))
            if hit and (heading or "(before the first heading)") not in found:
                found.append(heading or "(before the first heading)")
        return found

    return scan(False) or scan(True)


def _same_file(a: Path | None, b: Path | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.read_bytes() == b.read_bytes()


# --------------------------------------------------------------------------------------------
# Outputs


def _iso(epoch: int) -> str:
    return dt.datetime.fromtimestamp(epoch, tz=dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


_CSS = """<style>
/* coopdocs diff: tracked changes */
ins { background: #e3f6e3; color: #0b5d1e; text-decoration: underline; }
del { background: #fde7e7; color: #9b1c1c; text-decoration: line-through; }
.redline-note { border-left: 3px solid #8eaadb; padding-left: .8em; color: #555; }
</style>
"""


def _run_pandoc_json(ast: dict, target: Path, to: str, epoch: int, extra: list[str]) -> None:
    from coopdocs.tools.files import atomic_output
    from coopdocs.tools.pandoc import ConversionError, pandoc_path

    cmd = [pandoc_path(), "--sandbox", "--from", "json", "--to", to, "--standalone", *extra]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "SOURCE_DATE_EPOCH": str(epoch), "LANG": "C.UTF-8", "TZ": "UTC"}
    with atomic_output(target) as tmp:
        proc = subprocess.run([*cmd, "--output", str(tmp)], input=json.dumps(ast).encode("utf-8"),
                              env=env, capture_output=True, check=False)
        if proc.returncode != 0:
            raise ConversionError(f"pandoc -> {target.name} failed:\n{proc.stderr.decode('utf-8', 'replace')}")


def _inject_css(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    text = text.replace("</head>", _CSS + "</head>", 1) if "</head>" in text else _CSS + text
    path.write_text(text, encoding="utf-8")


def finish_docx_revisions(path: Path) -> None:
    """Give every revision a unique ``w:id`` and track the paragraph marks of whole paragraphs.

    pandoc numbers revisions per paragraph; Word expects unique IDs. A paragraph whose content is
    all inserted (deleted) also gets an inserted (deleted) paragraph mark, so that rejecting
    (accepting) it removes the paragraph, not only its text.
    """
    from lxml import etree

    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    q = lambda tag: f"{{{w}}}{tag}"  # noqa: E731
    with zipfile.ZipFile(path) as z:
        infos = z.infolist()
        parts = {i.filename: z.read(i.filename) for i in infos}
    root = etree.fromstring(parts["word/document.xml"])
    ignorable = {q("pPr"), q("bookmarkStart"), q("bookmarkEnd"), q("proofErr")}
    for p in root.iter(q("p")):
        content = [c for c in p if c.tag not in ignorable]
        kinds = {c.tag for c in content}
        if not content or len(kinds) != 1 or kinds.pop() not in (q("ins"), q("del")):
            continue
        change = content[0]
        ppr = p.find(q("pPr"))
        if ppr is None:
            ppr = etree.Element(q("pPr"))
            p.insert(0, ppr)
        rpr = ppr.find(q("rPr"))
        if rpr is None:
            rpr = etree.SubElement(ppr, q("rPr"))
        mark = etree.SubElement(rpr, change.tag)
        mark.set(q("author"), change.get(q("author"), ""))
        mark.set(q("date"), change.get(q("date"), ""))
        # rPr must come after the other paragraph properties except sectPr/pPrChange.
        ppr.remove(rpr)
        tail = [c for c in ppr if c.tag in (q("sectPr"), q("pPrChange"))]
        if tail:
            tail[0].addprevious(rpr)
        else:
            ppr.append(rpr)
    next_id = 1_000_000
    for el in root.iter(q("ins"), q("del")):
        el.set(q("id"), str(next_id))
        next_id += 1
    parts["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    tmp = path.with_name(path.name + ".part")
    with zipfile.ZipFile(tmp, "w") as z:
        for info in infos:
            z.writestr(info, parts[info.filename])
    os.replace(tmp, path)


def write_redline(merged: dict, out_dir: Path, stem: str, epoch: int, templates: dict[str, Path | None]) -> None:
    """Write the redline DOCX (native tracked changes) and HTML (``<ins>``/``<del>``)."""
    from coopdocs.review.redline import html_ins_del

    extra_docx = ["--reference-doc", str(templates["reference_docx"])] if templates.get("reference_docx") else []
    if templates.get("records_filter"):
        extra_docx += ["--lua-filter", str(templates["records_filter"])]
    docx = out_dir / f"{stem}.docx"
    _run_pandoc_json(merged, docx, "docx", epoch, extra_docx)
    finish_docx_revisions(docx)
    extra_html = ["--section-divs", "--html-q-tags"]
    if templates.get("html_template"):
        extra_html += ["--template", str(templates["html_template"])]
    html = out_dir / f"{stem}.html"
    _run_pandoc_json(html_ins_del(merged), html, "html", epoch, extra_html)
    _inject_css(html)


def _templates(root: Path) -> dict[str, Path | None]:
    import yaml

    try:
        config = yaml.safe_load((root / "config" / "config.yaml").read_text(encoding="utf-8")) or {}
    except OSError:
        config = {}
    out: dict[str, Path | None] = {}
    for key in ("reference_docx", "html_template", "records_filter"):
        p = root / config[key] if config.get(key) else None
        out[key] = p if p is not None and p.is_file() else None
    return out


# --------------------------------------------------------------------------------------------
# The change report


@dataclass
class DocumentResult:
    """What happened to one document."""

    key: tuple[str, str]
    title: str
    status: str  # changed | unchanged | added | removed
    records: list[str] = field(default_factory=list)
    sources_added: list[str] = field(default_factory=list)
    sources_removed: list[str] = field(default_factory=list)
    insertions: int = 0
    deletions: int = 0

    @property
    def stem(self) -> str:
        return f"{self.key[0]}-{self.key[1]}"


def _doc_name(key: tuple[str, str]) -> str:
    return f"{key[0]}/{key[1]}"


def change_report(a: Version, b: Version, changes: list[RecordChange], docs: list[DocumentResult],
                  record_sections: dict[tuple[str, tuple[str, str]], list[str]], epoch: int) -> str:
    """The change report as Markdown; every data value passes through ``markdown.escape``."""
    from coopdocs.render.markdown import escape as e

    def vname(v: Version) -> str:
        return e(v.label) + (f" (commit {e(v.commit[:12])})" if v.commit else " (the work tree)")

    titles = {d.key: d.title for d in docs}
    lines = [f"% Changes from {e(a.label)} to {e(b.label)}", "%", f"% {e(_iso(epoch)[:10])}", ""]
    lines.append(f"Compared: {vname(a)} → {vname(b)}, both built with SOURCE\\_DATE\\_EPOCH={epoch}.")
    lines.append("")
    lines.append(e(summary_line(changes, docs, None)) + ".")
    lines.append("")
    lines.append("# Records")
    lines.append("")
    if not changes:
        lines += ["No record was added, removed or changed.", ""]
    for table in sorted({c.table for c in changes}):
        lines += [f"## {e(table)}", ""]
        for kind, heading in (("changed", "Changed"), ("added", "Added"), ("removed", "Removed")):
            items = [c for c in changes if c.table == table and c.kind == kind]
            if not items:
                continue
            lines += [f"### {heading}", ""]
            for c in items:
                lines.append(f"- **{e(c.id)}**" + (f": {e(c.label)}" if c.label else ""))
                for f, old, new in c.fields:
                    lines.append(f"    - {e(f)}: {e(old) if old else '(empty)'} → {e(new) if new else '(empty)'}")
                if c.documents:
                    for key in c.documents:
                        secs = record_sections.get((c.id, key), [])
                        where = f" (sections: {'; '.join(e(s) for s in secs)})" if secs else ""
                        lines.append(f"    - affects {e(_doc_name(key))}, {e(titles.get(key, key[1]))}{where}")
                else:
                    lines.append("    - affects no document")
            lines.append("")
    lines += ["# Sources", ""]
    src_changes = [c for c in changes if c.table == "sources" and c.kind in ("added", "removed")]
    if src_changes:
        for c in src_changes:
            lines.append(f"- {e(c.kind)} in the data: **{e(c.id)}**" + (f": {e(c.label)}" if c.label else ""))
    cited = [d for d in docs if d.sources_added or d.sources_removed]
    for d in cited:
        parts = []
        if d.sources_added:
            parts.append("now cites " + ", ".join(e(s) for s in d.sources_added))
        if d.sources_removed:
            parts.append("no longer cites " + ", ".join(e(s) for s in d.sources_removed))
        lines.append(f"- {e(_doc_name(d.key))}: {'; '.join(parts)}")
    if not src_changes and not cited:
        lines.append("No source was added or removed, in the data or in any document.")
    lines.append("")
    lines += ["# Documents", ""]
    changed = [d for d in docs if d.status != "unchanged"]
    if changed:
        lines += ["| Document | Status | Records changed | Insertions | Deletions | Redline |",
                  "|:--|:--|:--|--:|--:|:--|"]
        for d in changed:
            recs = ", ".join(e(r) for r in d.records) or "none (wording, template or code)"
            lines.append(f"| {e(_doc_name(d.key))}: {e(d.title)} | {e(d.status)} | {recs} | {d.insertions} | {d.deletions} | "
                         f"{e(d.stem)}.docx, {e(d.stem)}.html |")
        lines += ["", ": Documents whose content changed.", ""]
        no_records = [d for d in changed if not d.records]
        if no_records:
            lines.append("Changed without any record change (templates, wording or code): "
                         + ", ".join(e(_doc_name(d.key)) for d in no_records) + ".")
            lines.append("")
    unchanged = [d for d in docs if d.status == "unchanged"]
    lines.append("Unchanged: " + (", ".join(e(_doc_name(d.key)) for d in unchanged) if unchanged else "none") + ".")
    lines.append("")
    lines += ["# How to read the redlines", "",
              "Each changed document has a redline: a Word file with tracked changes (insertions and deletions by "
              "coopdocs, which Word and LibreOffice accept or reject one by one) and an HTML page with the same "
              "changes marked. Citations are shown as the source article's reference numbers (ref 45) rather than "
              "the document's own numbering, so a citation renumbered only because another was added or removed is "
              "not a change; the reference list is sorted by those numbers. Figures are compared by their caption.", ""]
    return "\n".join(lines)


def summary_line(changes: list[RecordChange], docs: list[DocumentResult], out: str | None) -> str:
    """The one-line summary printed on stdout."""
    n = {k: sum(1 for c in changes if c.kind == k) for k in ("changed", "added", "removed")}
    changed_docs = sum(1 for d in docs if d.status != "unchanged")
    text = (f"{n['changed']} record{'s' if n['changed'] != 1 else ''} changed, {n['added']} added, {n['removed']} removed; "
            f"{changed_docs} document{'s' if changed_docs != 1 else ''} changed, "
            f"{len(docs) - changed_docs} unchanged")
    return text + (f" → {out}" if out else "")


# --------------------------------------------------------------------------------------------
# The command


def run(root: Path, spec_a: str | None = None, spec_b: str | None = None, cores: int = 2,
        out_base: Path | None = None) -> tuple[int, str]:
    """Compare two versions; write ``reports/diff/<A>..<B>/``; return (exit status, summary line)."""
    from coopdocs.review.redline import Merger, count_changes

    root = root.resolve()
    check_repository(root)
    a = resolve(root, spec_a or default_base(root))
    b = resolve(root, spec_b or WORKTREE)
    epoch = epoch_for(root, b)
    same = a.commit == b.commit or (b.is_worktree and a.commit == _git(root, "rev-parse", "HEAD")
                                    and not _git(root, "status", "--porcelain", "--untracked-files=normal"))
    out_rel = Path("reports") / "diff" / f"{safe_name(a.label)}..{safe_name(b.label)}"
    out_dir = (out_base or root) / out_rel
    with tempfile.TemporaryDirectory(prefix="coopdocs-diff-") as tmp:
        tmp_path = Path(tmp)
        a.project = snapshot(root, a, tmp_path / "a" / "project")
        if same:
            build(a, epoch, cores)
            b.project = a.project
        else:
            b.project = snapshot(root, b, tmp_path / "b" / "project")
            with concurrent.futures.ThreadPoolExecutor(2) as pool:
                for fut in [pool.submit(build, v, epoch, cores) for v in (a, b)]:
                    fut.result()
        load(a)
        if b.project is a.project:
            b.documents, b.tables = a.documents, a.tables
        else:
            load(b)

        changes = record_changes(a, b)
        changed_ids = {c.id for c in changes}
        keys = sorted(set(a.documents) | set(b.documents))

        # Which documents differ: same Markdown and bibliography means same document.
        def differs(key: tuple[str, str]) -> bool:
            da, db = a.documents.get(key), b.documents.get(key)
            if da is None or db is None:
                return True
            return not (_same_file(da["md"], db["md"]) and _same_file(da["bib"], db["bib"]))

        candidates = [k for k in keys if differs(k)]
        # Convert what is needed (two pandoc runs per candidate document), in parallel.
        with concurrent.futures.ThreadPoolExecutor(max(2, cores)) as pool:
            list(pool.map(lambda kv: document_ast(*kv), [(v, k) for k in candidates for v in (a, b)]))

        merger_date = _iso(epoch)
        templates = _templates(root)
        results: list[DocumentResult] = []
        merged_docs: dict[tuple[str, str], dict] = {}
        for key in keys:
            da, db = a.documents.get(key), b.documents.get(key)
            title = (db or da)["title"]
            res = DocumentResult(key, title, "unchanged")
            recs = (da["records"] if da else set()) | (db["records"] if db else set())
            res.records = sorted(recs & changed_ids)
            sa, sb = (da["sources"] if da else set()), (db["sources"] if db else set())
            res.sources_added, res.sources_removed = sorted(sb - sa), sorted(sa - sb)
            if key in candidates:
                old = document_ast(a, key) or {"blocks": [], "meta": {}, "pandoc-api-version": document_ast(b, key)["pandoc-api-version"]}
                new = document_ast(b, key) or dict(old, blocks=[])
                if da is None:
                    res.status = "added"
                elif db is None:
                    res.status = "removed"
                elif json.dumps(old["blocks"], sort_keys=True) != json.dumps(new["blocks"], sort_keys=True) \
                        or json.dumps(old.get("meta"), sort_keys=True) != json.dumps(new.get("meta"), sort_keys=True):
                    res.status = "changed"
                if res.status != "unchanged":
                    merged = Merger(merger_date).merge(old, new)
                    merged = _with_preamble(merged, a, b, title, merger_date)
                    res.insertions, res.deletions = count_changes(merged["blocks"])
                    merged_docs[key] = merged
            if res.status == "unchanged":
                res.records = []
            results.append(res)

        record_sections: dict[tuple[str, tuple[str, str]], list[str]] = {}
        for c in changes:
            for key in keys:
                da, db = a.documents.get(key), b.documents.get(key)
                if c.id in ((da["records"] if da else set()) | (db["records"] if db else set())):
                    c.documents.append(key)
                    secs: list[str] = []
                    for v in (b, a):
                        ast = document_ast(v, key) if v.documents.get(key) else None
                        for s in sections(ast, c.id, c.label):
                            if s not in secs:
                                secs.append(s)
                    record_sections[(c.id, key)] = secs

        # Write everything into a fresh folder, then put it in place (no stale redlines remain).
        stage = tmp_path / "out"
        stage.mkdir()
        for key, merged in merged_docs.items():
            write_redline(merged, stage, f"{key[0]}-{key[1]}", epoch, templates)
        md_text = change_report(a, b, changes, results, record_sections, epoch)
        (stage / "changes.md").write_text(md_text + "\n", encoding="utf-8")
        _write_report_formats(stage / "changes.md", epoch, templates)
        if out_dir.exists():
            shutil.rmtree(out_dir)
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(stage, out_dir)
    status = 1 if changes or any(r.status != "unchanged" for r in results) else 0
    return status, summary_line(changes, results, out_rel.as_posix() + "/")


def _write_report_formats(md: Path, epoch: int, templates: dict[str, Path | None]) -> None:
    from coopdocs.tools.pandoc import pandoc

    pandoc(md, md.with_suffix(".docx"), "docx", epoch=epoch, reference_doc=templates.get("reference_docx"))
    pandoc(md, md.with_suffix(".html"), "html", epoch=epoch, template=templates.get("html_template"))
    _inject_css(md.with_suffix(".html"))


def _with_preamble(merged: dict, a: Version, b: Version, title: str, date: str) -> dict:
    """The redline's metadata (title, date) and a first paragraph saying what it compares."""
    from coopdocs.review.redline import _text_inlines

    def vname(v: Version) -> str:
        return f"{v.label} (commit {v.commit[:12]})" if v.commit else f"{v.label} (the work tree)"

    meta = {k: v for k, v in (merged.get("meta") or {}).items() if k not in ("bibliography", "csl", "references", "nocite")}
    meta["title"] = {"t": "MetaInlines", "c": _text_inlines(f"Redline: {title}")}
    meta["date"] = {"t": "MetaInlines", "c": _text_inlines(date[:10])}
    note = (f"Tracked changes from {vname(a)} to {vname(b)}, made by coopdocs diff. Citations show the source "
            "article's reference numbers (ref 45) instead of the document's numbering; figures are shown by caption.")
    para = {"t": "Div", "c": [["", ["redline-note"], []], [{"t": "Para", "c": [{"t": "Emph", "c": _text_inlines(note)}]}]]}
    return dict(merged, meta=meta, blocks=[para, *merged["blocks"]])


def main(root: Path, spec_a: str | None, spec_b: str | None, cores: int = 2) -> int:
    """Run the diff and print the summary (stdout) or the error (stderr); return the exit status."""
    try:
        status, line = run(root, spec_a, spec_b, cores=cores)
    except DiffError as exc:
        print(f"coopdocs diff: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - any failure is exit 2 with a message, never a traceback only
        print(f"coopdocs diff: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    print(line)
    return status
