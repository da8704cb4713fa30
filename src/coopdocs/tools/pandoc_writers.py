"""Write several formats from one pandoc JSON AST in one pandoc process (``pandoc lua``).

Each of pandoc's writers run as its own ``pandoc --from json`` process parses the whole AST again
(the review article's is 670 KB) and starts pandoc's runtime again: one process that reads the AST
once and then, format by format, runs the Lua filters and the writer costs a brief ~0.45 CPU-s
instead of ~0.65 s and the review ~1.4 s instead of ~2.1 s (docs/performance.md, issue 35), for
the same bytes as the command lines of :func:`coopdocs.tools.pandoc.pandoc_command`:

- the metadata (``--metadata``) is set, then the headings shifted (``--shift-heading-level-by``),
  then the filters run with ``FORMAT`` set as pandoc sets it for a filter, then the writer runs
  with the template (``--template``, with ``--standalone``), the reference document and the
  variables, in that order, as pandoc's command line does;
- the process prints each output's path once the file is written and closed, so that the caller
  can compile the Typst file into a PDF while pandoc goes on with the other formats.

``pandoc lua`` has no ``--sandbox``. In its place, before a writer runs, every image must be in
the media bag or a data URI (the figures filter puts the project's figures there, read by plain
file name from the figures folder only), else the script fails without writing: pandoc's writers
read no other file than the template and the reference document named here (the Typst writer
reads none; Typst itself compiles in its own build root, coopdocs.tools.typst). The Markdown
reader still runs with ``--sandbox``, and data cannot make an image at all (PANDOC_READER).

The Lua script is held here, not in a .lua file, so that the code version that reruns the jobs
(coopdocs.workflow.helpers.code_version, a digest of the package's Python files) covers it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from coopdocs.tools.pandoc import pandoc_env, pandoc_path

SCRIPT = r"""
local function slurp(path)
  local f = assert(io.open(path, "rb"))
  local text = f:read("a")
  f:close()
  return text
end

local spec = pandoc.json.decode(slurp(arg[1]), false)
local base = pandoc.read(slurp(spec.ast), "json")
for _, w in ipairs(spec.writers) do
  local doc = base:clone()
  for key, value in pairs(w.metadata) do doc.meta[key] = value end
  if w.shift ~= 0 then
    doc.blocks = doc.blocks:walk({
      Header = function(h) h.level = h.level + w.shift; return h end,
    })
  end
  FORMAT = w.format
  for _, filter in ipairs(w.filters) do doc = pandoc.utils.run_lua_filter(doc, filter) end
  local options = { variables = w.variables, section_divs = w.section_divs, html_q_tags = w.html_q_tags }
  if w.template then options.template = pandoc.template.compile(slurp(w.template), w.template) end
  if w.reference_doc then options.reference_doc = w.reference_doc end
  if w.format ~= "typst" then
    -- In place of --sandbox: the DOCX writer reads an image that is not in the media bag from
    -- its path; here every image must be in the media bag (the figures filter) or a data URI.
    doc:walk({ Image = function(img)
      if not img.src:match("^data:") and not pandoc.mediabag.lookup(img.src) then
        error("image '" .. img.src .. "' is not one of the project's figures: not read")
      end
    end })
  end
  local text = pandoc.write(doc, w.to, options)
  local out = assert(io.open(w.output, "wb"))
  out:write(text)
  out:close()
  io.stdout:write(w.output, "\n")
  io.stdout:flush()
end
"""


@dataclass
class Writer:
    """One format to write: pandoc's output format (``to``, extensions included) and its options."""

    to: str
    output: Path
    filters: list[Path] = field(default_factory=list)
    template: Path | None = None
    reference_doc: Path | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)
    html: bool = False  # --section-divs --html-q-tags --shift-heading-level-by=1 (pandoc_command)
    target: Path | None = None  # the file named in messages, when ``output`` is its temporary file

    def spec(self) -> dict:
        """The writer as the Lua script reads it (no nulls: JSON null is not Lua's nil)."""
        out = {
            "to": self.to,
            # What pandoc's command line gives a filter as FORMAT: the format without extensions.
            "format": self.to.split("+")[0].split("-")[0],
            "output": str(self.output),
            "filters": [str(f) for f in self.filters],
            "metadata": dict(sorted(self.metadata.items())),
            "variables": dict(sorted(self.variables.items())),
            "shift": 1 if self.html else 0,
            "section_divs": self.html,
            "html_q_tags": self.html,
        }
        if self.template is not None:
            out["template"] = str(self.template)
        if self.reference_doc is not None:
            out["reference_doc"] = str(self.reference_doc)
        return out


class PandocWriters:
    """The writers of one AST running in one background pandoc process (see the module docstring)."""

    def __init__(self, ast: Path, writers: list[Writer], epoch: int, heap: str | None = None):
        self.ast, self.writers = ast, writers
        # The document's name in the folder's, so that its process is told apart from another
        # document's (ps, the stale-output tests that stop one document's writers).
        self._scratch = tempfile.TemporaryDirectory(prefix=f"coopdocs-writers-{ast.stem}-")
        folder = Path(self._scratch.name)
        (folder / "writers.lua").write_text(SCRIPT, encoding="utf-8")
        spec = {"ast": str(ast), "writers": [w.spec() for w in writers]}
        (folder / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
        self._stderr = (folder / "stderr").open("w+b")
        self.proc = subprocess.Popen(
            [pandoc_path(), "lua", str(folder / "writers.lua"), str(folder / "spec.json")],
            env=pandoc_env(epoch, heap),
            stdout=subprocess.PIPE,
            stderr=self._stderr,  # a file, not a pipe: nothing blocks while stdout is read
        )
        self.done: list[Path] = []

    def next_output(self) -> Path | None:
        """Wait for the next format to be written; its path (None when pandoc ended)."""
        line = self.proc.stdout.readline() if self.proc.stdout else b""
        if not line:
            return None
        self.done.append(Path(line.decode("utf-8").rstrip("\n")))
        return self.done[-1]

    def wait(self) -> str | None:
        """Wait for pandoc; its error message naming the format it failed on (warnings go to stderr)."""
        while self.next_output() is not None:
            pass
        code = self.proc.wait()
        self._stderr.seek(0)
        err = self._stderr.read().decode("utf-8", "replace")
        self._stderr.close()
        self._scratch.cleanup()
        if code != 0:
            left = self.writers[len(self.done) :]
            failed = (left[0].target or left[0].output) if left else ""
            return f"pandoc {self.ast} -> {failed} failed (exit {code}):\n{err.strip()}"
        if err.strip():
            sys.stderr.write(err)
        return None
