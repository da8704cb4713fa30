"""Run pandoc: Markdown to DOCX, HTML, Typst and its JSON AST; the one builder of its command lines.

Outputs are written atomically (coopdocs.tools.files). pandoc runs with ``--sandbox`` (it may read
only the files named on its command line) in a fixed environment (epoch, locale, time zone).

This module only imports the standard library at module level: it runs once per document.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from coopdocs.tools.files import atomic_output

# Markdown as the templates write it; data can only ever add Str nodes (see markdown.escape).
# 'citations' stays on because the templates cite ('[@ref045]'); data cannot, because '@' and '['
# are escaped. Everything that could carry raw output, math, metadata or file reads is off.
# Implicit header references ('[Heading text]' as a link) are off too: templates link to a heading
# by its identifier ('[text](#id)'), and a section can then be read without the others
# (coopdocs.render.sections).
PANDOC_READER = (
    "markdown"
    "-raw_html-raw_tex-raw_attribute-tex_math_dollars-tex_math_single_backslash"
    "-yaml_metadata_block-smart-native_divs-native_spans-latex_macros-emoji-subscript-superscript"
    "-implicit_header_references"
)


class ConversionError(RuntimeError):
    """pandoc or Typst failed; the message holds the tool's own diagnostics."""


def pandoc_path() -> str:
    """Path of the pandoc binary shipped inside the pypandoc-binary wheel (no import of pypandoc)."""
    spec = importlib.util.find_spec("pypandoc")
    if spec and spec.submodule_search_locations:
        candidate = Path(list(spec.submodule_search_locations)[0]) / "files" / "pandoc"
        if candidate.is_file():
            return str(candidate)
    found = shutil.which("pandoc")
    if not found:
        raise ConversionError(
            "pandoc not found: install the project (pip install -e .) to get pypandoc-binary"
        )
    return found


def _run(cmd: list[str], env: dict[str, str], what: str, stdin: bytes | None = None) -> bytes:
    """Run pandoc; its standard output. ConversionError with pandoc's diagnostics when it fails."""
    proc = subprocess.run(cmd, env=env, input=stdin, capture_output=True, check=False)
    err = proc.stderr.decode("utf-8", "replace")
    if proc.returncode != 0:
        raise ConversionError(f"{what} failed (exit {proc.returncode}):\n{err.strip()}")
    if err.strip():
        # pandoc warnings (e.g. a citation it could not resolve) are worth seeing in the log.
        sys.stderr.write(err)
    return proc.stdout


def pandoc_command(
    to: str,
    *,
    source_format: str = PANDOC_READER,
    bibliography: Path | None = None,
    csl: Path | None = None,
    reference_doc: Path | None = None,
    template: Path | None = None,
    lua_filters: list[Path] | None = None,
    metadata: dict[str, str] | None = None,
    resource_path: Path | None = None,
    variables: dict[str, str] | None = None,
    metadata_file: Path | None = None,
) -> list[str]:
    """The pandoc command line (without input and output) for one conversion, as the build runs it.

    ``variables``: template variables, put into the template as they are (pandoc escapes no
    ``--variable``), so the caller escapes them for the output's syntax; they take precedence
    over the metadata's variables of the same name. ``metadata_file``: a YAML file of metadata
    whose strings pandoc reads as Markdown (the numbering register's ``nocite``).
    """
    cmd = [pandoc_path(), "--sandbox", "--from", source_format, "--to", to]
    if not to.startswith("json"):
        cmd.append("--standalone")
    for f in lua_filters or []:
        cmd += ["--lua-filter", str(f)]
    if bibliography is not None:
        cmd += ["--citeproc", "--bibliography", str(bibliography)]
    if csl is not None:
        cmd += ["--csl", str(csl)]
    if reference_doc is not None:
        cmd += ["--reference-doc", str(reference_doc)]
    if template is not None:
        cmd += ["--template", str(template)]
    if resource_path is not None:
        cmd += ["--resource-path", str(resource_path)]
    for key, value in sorted((metadata or {}).items()):
        cmd += ["--metadata", f"{key}={value}"]
    if metadata_file is not None:
        cmd += ["--metadata-file", str(metadata_file)]
    for key, value in sorted((variables or {}).items()):
        cmd += ["--variable", f"{key}={value}"]
    if to.startswith("html"):
        # One h1 per page, the document's title (templates/html/document.html): the sections'
        # headings start at h2, as readers' programs and the WCAG technique H42 expect.
        cmd += ["--section-divs", "--html-q-tags", "--shift-heading-level-by=1"]
    return cmd


# pandoc's runtime sizes its heap for 64 MB up front (the binary is built with -with-rtsopts=-H64m).
# A document below SMALL_DOCUMENT bytes of Markdown (every brief) is converted as fast with 16 MB
# (measured per brief: read 0.21 s either way, the three writers alike) in 126 MB instead of
# 185 MB per pandoc process: with two briefs at once that is most of the build's memory beside
# Snakemake's (docs/performance.md). A long document keeps the default: reading the review
# article took 0.91 s with 16 MB against 0.70 s.
SMALL_DOCUMENT = 64 * 1024
SMALL_HEAP = "16m"


def pandoc_heap(markdown: Path) -> str | None:
    """The heap pandoc is given for a document whose Markdown is ``markdown`` (None: pandoc's default)."""
    return SMALL_HEAP if markdown.stat().st_size < SMALL_DOCUMENT else None


def pandoc_env(epoch: int, heap: str | None = None) -> dict[str, str]:
    """The environment pandoc runs in: fixed epoch, locale and time zone, nothing else inherited.

    ``heap`` (e.g. "16m") replaces the heap size pandoc's runtime asks for (see pandoc_heap).
    """
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "SOURCE_DATE_EPOCH": str(epoch),
        "LANG": "C.UTF-8",
        "TZ": "UTC",
    }
    if heap:
        env["GHCRTS"] = f"-H{heap}"
    return env


def pandoc(
    source: Path, target: Path, to: str, *, epoch: int, heap: str | None = None, **options
) -> None:
    """Convert ``source`` (Markdown, or another format given as ``source_format``) to ``target``.

    ``options`` are those of :func:`pandoc_command` (bibliography, csl, reference_doc, template,
    lua_filters, metadata, resource_path, source_format); ``heap`` that of :func:`pandoc_env`.
    """
    cmd = pandoc_command(to, **options)
    with atomic_output(target) as tmp:
        _run(
            cmd + ["--output", str(tmp), str(source)],
            pandoc_env(epoch, heap),
            f"pandoc {source} -> {target}",
        )


def read_ast(source: Path, *, epoch: int, heap: str | None = None, **options) -> dict:
    """``source`` read by pandoc into its JSON AST (citations resolved when a bibliography is given).

    ``options`` are those of :func:`pandoc_command`.
    """
    cmd = pandoc_command("json", **options)
    return json.loads(
        _run(cmd + [str(source)], pandoc_env(epoch, heap), f"pandoc {source} -> json")
    )


def write_ast(
    ast: dict, target: Path, to: str, *, epoch: int, heap: str | None = None, **options
) -> None:
    """Write the pandoc JSON AST ``ast`` (held in memory) to ``target`` in the format ``to``.

    ``options`` are those of :func:`pandoc_command` (the source format is JSON).
    """
    cmd = pandoc_command(to, source_format="json", **options)
    with atomic_output(target) as tmp:
        _run(
            cmd + ["--output", str(tmp)],
            pandoc_env(epoch, heap),
            f"pandoc -> {target}",
            stdin=json.dumps(ast).encode("utf-8"),
        )
