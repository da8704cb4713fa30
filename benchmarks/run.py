"""Benchmark the coopdocs build: clean, no-op and one-edit builds, scaling in countries, the floor.

Plain Python (standard library, plus the project's own dependencies for the floor and the plot).
Every build runs in a temporary copy of the project (what a build reads, coopdocs.tools.revision's
BUILD_FILES, with the real data/ or a synthetic package), never in the working tree, with
SOURCE_DATE_EPOCH fixed.

    .venv/bin/python benchmarks/run.py                        # sizes real,50,200; 3 runs of the real data
    .venv/bin/python benchmarks/run.py --quick                # sizes real,20; 1 run each (about 2 min)
    .venv/bin/python benchmarks/run.py --sizes real,50,200,1000 --runs 3 --synthetic-runs 1
    .venv/bin/python benchmarks/run.py --sizes real --measure edit --out /tmp/edit   # edits only
    .venv/bin/python benchmarks/run.py --sizes real,50,200,1000 --floor-max-countries 200   # floor to 200

What is measured, per size ("real" is data/; a number is a synthetic package of that many states
made by synthetic.py, once per seed of --seeds). A size whose build or stage fails is reported
with its error (results.md, results.json's "error") and the benchmark goes on with the next:

* clean build with -c2 (and -c1 up to --c1-max-countries): wall time, peak memory (max RSS of
  the largest process, from getrusage of the children, and the peak of the summed RSS of the whole
  snakemake process tree, sampled every 0.25 s with psutil, benchmarks/proctree.py), the number
  of jobs, and the time the jobs themselves ran per rule (from Snakemake's metadata: start and
  end time of every job);
* the floor: the bare tools on the same documents, one after another in one process: for each
  Markdown file the build left in build/md, pandoc to DOCX, HTML and Typst (with the very
  arguments the rules use, through coopdocs.tools.pandoc), then Typst to PDF with the typst module;
  next to it the compute stages as single commands (coopdocs prepare, coopdocs tables, and every
  Jinja render in one process);
* no-op rebuild (nothing changed): `snakemake` and `coopdocs build` (the build stamp; "stamp"),
  and, for the real data, the rebuild after editing one record
  (a Kyrgyz project's description);
* the dry run (DAG building and checkpoint evaluation without jobs) on the built tree;
* the machine's speed around each synthetic clean -c2 build and floor (``--no-probe`` leaves it
  out): the floor of the real data's documents (the same tools, ~12 s), timed right before and
  right after. This machine's speed drifts over minutes (two floors of 200 states measured 20
  minutes apart differed by 24 %, the same briefs' jobs by 40 %), so a ratio or an exponent
  between two builds made at different times mixes the code's cost with the drift. Results also
  give each such time divided by its probes (in units of the run's median probe), and the
  scaling section the exponent of cost between sizes both as measured and so divided.

Results: benchmarks/results/results.json (every run), results.md (a table) and scaling.png.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - after choosing the non-interactive backend

from proctree import TreeSampler  # noqa: E402 - benchmarks/proctree.py, beside this script
from synthetic import generate  # noqa: E402 - likewise

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
SNAKEMAKE = str(VENV_BIN / "snakemake")
COOPDOCS = str(VENV_BIN / "coopdocs")
EPOCH = "1672358400"
RESULTS = ROOT / "benchmarks" / "results"

sys.path.insert(0, str(ROOT / "src"))

from coopdocs import layout  # noqa: E402 - after src is on the path
from coopdocs.tools import revision  # noqa: E402 - likewise
from coopdocs.tools.config import load_config  # noqa: E402 - likewise
from coopdocs.workflow.commands import prepare_args  # noqa: E402 - likewise

# --------------------------------------------------------------------------- measuring processes


def run_measured(
    cmd: list[str],
    cwd: Path,
    env: dict[str, str],
    timeout: float | None = None,
    sample_memory: bool = True,
) -> dict:
    """Run ``cmd``; return wall time, exit code, output tail, max RSS of any child and tree peak.

    ``sample_memory`` False: no tree sampling (memory fields 0), for the short latency
    measurements (no-op, dry run, edit), where the sampler's own work is not negligible.
    """
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    before, cpu_before = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
    load = os.getloadavg()[0]
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    # Sampling the tree every 0.25 s costs ~3 % of a core in a long build (0.1 s: 8 %), but reading
    # smaps_rollup of pandoc (whose runtime reserves a terabyte of address space) is slow: in a
    # 3 s one-record edit the sampler added ~0.25 s (interleaved runs, 2026-11-27).
    sampler = TreeSampler(proc.pid, period=0.25, pss=True) if sample_memory else None
    if sampler is not None:
        sampler.start()
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        out += "\n[benchmark: timed out]"
    wall = time.perf_counter() - start
    if sampler is not None:
        sampler.stop()
    tree_peak = sampler.peak_rss if sampler is not None else 0
    tree_peak_pss = sampler.peak_pss if sampler is not None else 0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    after = usage.ru_maxrss
    steps = re.findall(r"(\d+) of (\d+) steps", out)
    return {
        "wall_s": round(wall, 3),
        # CPU time (user + system) of the whole process tree: less sensitive than wall time to
        # other work on the machine; load is the 1-minute load average when the run started.
        "cpu_s": round(usage.ru_utime + usage.ru_stime - cpu_before, 3),
        "load_before": round(load, 2),
        "returncode": proc.returncode,
        # ru_maxrss of the children is the largest single process seen so far (KiB): it only
        # tells us something when this run set a new maximum.
        "max_rss_single_mb": round(after / 1024, 1) if after > before else None,
        "tree_peak_rss_mb": round(tree_peak / 2**20, 1),
        "tree_peak_pss_mb": round(tree_peak_pss / 2**20, 1),
        "jobs": int(steps[-1][1]) if steps else 0,
        "tail": out[-1500:] if proc.returncode else "",
    }


def job_times(project: Path, since: float | None = None) -> dict[str, dict]:
    """Per rule: number of jobs and summed job run time, from Snakemake's metadata records.

    Snakemake keeps one record per output file; the outputs of one job share its job hash.
    ``since``: only the jobs that started at or after this time (one build's, e.g. an edit's).
    """
    jobs: dict[tuple, list[float]] = {}
    meta = project / ".snakemake" / "metadata"
    for f in meta.iterdir() if meta.is_dir() else []:
        try:
            rec = json.loads(f.read_text())
        except (OSError, ValueError):
            continue
        if rec.get("starttime") is None or rec.get("endtime") is None:
            continue
        if since is not None and rec["starttime"] < since:
            continue
        key = (rec.get("rule"), rec.get("job_hash"))
        span = jobs.setdefault(key, [rec["starttime"], rec["endtime"]])
        span[0], span[1] = min(span[0], rec["starttime"]), max(span[1], rec["endtime"])
    per_rule: dict[str, dict] = {}
    for (rule, _), (start, end) in sorted(jobs.items(), key=lambda kv: str(kv[0])):
        r = per_rule.setdefault(rule, {"jobs": 0, "busy_s": 0.0})
        r["jobs"] += 1
        r["busy_s"] = round(r["busy_s"] + end - start, 3)
    return dict(sorted(per_rule.items()))


# --------------------------------------------------------------------------- projects


def make_project(dest: Path, size: str, seed: int) -> Path:
    """A project copy in ``dest`` with the real data or a synthetic package of ``size`` states."""
    dest.mkdir(parents=True)
    # What a build reads (revision.BUILD_FILES), the data apart: the real data or a synthetic package.
    revision.copy_project(ROOT, dest, [name for name in revision.BUILD_FILES if name != "data"])
    if size == "real":
        shutil.copytree(ROOT / "data", dest / "data")
    else:
        generate(dest / "data", int(size), seed)
    # The copy's modules compiled, as `bootstrap.py setup` compiles the project's: the jobs import
    # the copy's src/ (revision.build_env), and where PYTHONDONTWRITEBYTECODE is set every job
    # would compile each module it imports again (~0.1 CPU-s of a brief's job, measured loaded).
    subprocess.run(
        [str(VENV_BIN / "python"), "-m", "compileall", "-q", str(dest / "src")], check=True
    )
    return dest


def clean(project: Path) -> None:
    for name in ("build", "reports", "logs", ".snakemake"):
        shutil.rmtree(project / name, ignore_errors=True)


def snakemake(
    project: Path, cores: int, *extra: str, timeout: float | None = None, sample_memory: bool = True
) -> dict:
    env = revision.build_env(project, int(EPOCH))
    cmd = [SNAKEMAKE, "--cores", str(cores), *extra]
    result = run_measured(cmd, project, env, timeout, sample_memory)
    if result["returncode"] != 0:
        print(f"    snakemake failed in {project}:\n{result['tail']}", file=sys.stderr)
    return result


def coopdocs_build(project: Path) -> dict:
    """``coopdocs build --cores 2`` (the front door: Snakemake, or the build stamp's no-op)."""
    env = revision.build_env(project, int(EPOCH))
    return run_measured([COOPDOCS, "build", "--cores", "2"], project, env, sample_memory=False)


def edit_one_record(project: Path, n: int) -> str:
    """Change the description of one Kyrgyz project (a new text each time); return its id."""
    path = project / "data" / "projects.csv"
    text = path.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    target = next(r for r in rows if r["countries"] == "KG")
    target["description"] = (
        re.sub(r" \(benchmark edit \d+\)$", "", target["description"]) + f" (benchmark edit {n})"
    )
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0].keys()), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return target["id"]


def changed_reports(project: Path, since: float) -> int:
    return sum(
        1 for p in (project / "reports").rglob("*") if p.is_file() and p.stat().st_mtime >= since
    )


# --------------------------------------------------------------------------- the floor

FLOOR_SCRIPT = r"""
import json, sys, time
from pathlib import Path
from coopdocs.tools.pandoc import PANDOC_READER, pandoc, pandoc_heap
from coopdocs.tools.typst import typst_pdf
from coopdocs.compute.timeline import draw
from coopdocs.tools.config import load_config
from coopdocs import layout
from coopdocs.load.strings import load_strings, with_locale
from coopdocs.render import citations
from coopdocs.render.metadata import document_metadata
from coopdocs.render.publish import html_attributes

project, scratch, epoch = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
config = load_config(project)
p = lambda key: project / config[key]
figures = project / "reports/figures"
meta = {"figures-dir": str(figures)}
both = [p("figures_filter"), p("records_filter")]
times = {"pandoc_json": 0.0, "pandoc_docx": 0.0, "pandoc_html": 0.0, "pandoc_typst": 0.0, "typst_pdf": 0.0,
         "typst_figures": 0.0}
per_folder = {}
words_of = {}  # the timeline's words per language
docs = sorted((project / "build/md").rglob("*.md"))
for md in docs:
    folder, name = md.parent.name, md.stem
    bib = project / "build/context" / folder / f"{name}.bib.json"
    out = scratch / folder / name
    out.parent.mkdir(parents=True, exist_ok=True)
    t = t_doc = time.perf_counter()
    figs = [figures / f"{f}.svg" for f in ("timeline", "themes-by-state")]
    # The document's metadata (title, language, link-citations: the PDF's citation links, laid out
    # by Typst in a second pass) and the timeline's words, as coopdocs.render.publish.read passes
    # them: the same pandoc and Typst work as the build, the same Typst file and PDF.
    context = json.loads((project / "build/context" / folder / f"{name}.json").read_text())
    language = (context.get("build") or {}).get("language")
    if folder == "briefs":  # the brief's timeline figure is Typst's work too
        figs = [out.with_name(f"timeline-{name}.svg")]
        if language not in words_of:  # read once per language: the floor times the tools, not YAML
            strings = Path(layout.strings_file(config["templates_dir"], language))  # cwd: the project
            words_of[language] = with_locale(load_strings(strings), language) if strings.is_file() else None
        words = words_of[language]
        draw(context, p("timeline_template"), figs[0], out.with_name(f"timeline-{name}.png"), words=words)
        times["typst_figures"] += time.perf_counter() - t; t = time.perf_counter()
    ast = out.with_suffix(".json")
    heap = pandoc_heap(md)  # the heap the build gives pandoc for this document
    ids = citations.nocite(bib, md.read_text(encoding="utf-8"))
    with citations.nocite_file(ids) as extra:
        pandoc(md, ast, "json", epoch=epoch, heap=heap, source_format=PANDOC_READER, bibliography=bib, csl=p("csl"),
               metadata=document_metadata(context), metadata_file=extra)
    if ids:
        citations.prune(ast)
    times["pandoc_json"] += time.perf_counter() - t; t = time.perf_counter()
    pandoc(ast, out.with_suffix(".docx"), "docx", epoch=epoch, heap=heap, source_format="json",
           reference_doc=p("reference_docx"), lua_filters=both, metadata=meta)
    times["pandoc_docx"] += time.perf_counter() - t; t = time.perf_counter()
    pandoc(ast, out.with_suffix(".html"), "html", epoch=epoch, heap=heap, source_format="json",
           template=p("html_template"), lua_filters=both, metadata=meta, variables=html_attributes(ast))
    times["pandoc_html"] += time.perf_counter() - t; t = time.perf_counter()
    typ = out.with_suffix(".typ")
    # Both filters, as coopdocs.render.publish.write: the figures filter gives Typst each figure's
    # text alternative, without which the PDF/UA compile fails.
    pandoc(ast, typ, "typst-citations", epoch=epoch, heap=heap, source_format="json", template=p("typst_template"),
           lua_filters=both)
    times["pandoc_typst"] += time.perf_counter() - t; t = time.perf_counter()
    typst_pdf(typ, out.with_suffix(".pdf"), epoch=epoch, assets=figs)
    times["typst_pdf"] += time.perf_counter() - t
    per_folder[folder] = round(per_folder.get(folder, 0.0) + time.perf_counter() - t_doc, 3)
print(json.dumps({"documents": len(docs), **{k: round(v, 3) for k, v in times.items()}, "per_folder": per_folder}))
"""

# Each compute stage as a single command, timed from outside (includes interpreter start-up).
RENDER_ALL_SCRIPT = r"""
import json, sys
from pathlib import Path
from coopdocs.render.markdown import render
from coopdocs.tools.config import load_config

project, scratch = Path(sys.argv[1]), Path(sys.argv[2])
config = load_config(project)
templates = {
    "briefs": config["brief_template"],
    "tables": config["tables_template"],
    "article": config["article_template"],
}
for ctx in sorted((project / "build/context").rglob("*.json")):
    if ctx.name.endswith(".bib.json") or ctx.parent.name not in templates:
        continue
    text = render(project / config["templates_dir"], templates[ctx.parent.name], json.loads(ctx.read_text()))
    (scratch / f"{ctx.parent.name}-{ctx.stem}.md").write_text(text)
"""


def floor(project: Path) -> dict:
    """Bare pandoc + Typst on the build's own Markdown, sequentially in one process."""
    with tempfile.TemporaryDirectory(prefix="coopdocs-floor-") as scratch:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu_before, load = usage.ru_utime + usage.ru_stime, os.getloadavg()[0]
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-c", FLOOR_SCRIPT, str(project), scratch, EPOCH],
            capture_output=True,
            text=True,
            cwd=project,
        )
        wall = time.perf_counter() - start
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = usage.ru_utime + usage.ru_stime - cpu_before
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-3000:])
    return {
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "load_before": round(load, 2),
        **json.loads(proc.stdout.strip().splitlines()[-1]),
    }


def stages(project: Path) -> dict:
    """Wall time of prepare, tables and all renders, each as one command, into a scratch tree."""
    out: dict[str, float] = {}
    # The settings and the strings file the rules pass (rules/prepare.smk, rules/tables.smk).
    cfg = load_config(project)
    strings = str(layout.strings_file(cfg["templates_dir"]))
    with tempfile.TemporaryDirectory(prefix="coopdocs-stages-") as scratch:
        s = Path(scratch)
        commands = {
            "prepare": [
                COOPDOCS,
                *prepare_args(cfg, EPOCH, bundle=s / "bundle.json", contexts=s / "context"),
            ],
            "tables": [
                COOPDOCS,
                "tables",
                "--bundle",
                str(s / "bundle.json"),
                "--tables-dir",
                str(s / "tables"),
                "--figures-dir",
                str(s / "figures"),
                "--context",
                str(s / "t.json"),
                "--bib",
                str(s / "t.bib.json"),
                "--config",
                "config/config.yaml",
                "--article-context",
                str(s / "a.json"),
                "--article-bib",
                str(s / "a.bib.json"),
                "--strings",
                strings,
                "--epoch",
                EPOCH,
            ],
            "render_all": [sys.executable, "-c", RENDER_ALL_SCRIPT, str(project), scratch],
            "coopdocs_startup": [COOPDOCS, "--help"],
        }
        # The tables job of an edit that leaves the workbooks and figures alone (a description):
        # the same command twice with one cache folder; the second run is the figure.
        cached = [*commands["tables"], "--cache-dir", str(s / "cache")]
        commands = {**commands, "tables_fill": cached, "tables_cached": cached}
        for name, cmd in commands.items():
            start = time.perf_counter()
            proc = subprocess.run(cmd, cwd=project, capture_output=True, text=True)
            if name != "tables_fill":
                out[name] = round(time.perf_counter() - start, 3)
            if proc.returncode != 0:
                raise RuntimeError(f"{name}: {proc.stderr[-2000:]}")
    return out


# --------------------------------------------------------------------------- one size


def summary(values: list[float]) -> dict:
    values = [v for v in values if v is not None]
    if not values:
        return {}
    return {
        "median": round(statistics.median(values), 3),
        "min": round(min(values), 3),
        "max": round(max(values), 3),
        "n": len(values),
    }


class SizeFailed(Exception):
    """A build or a stage of one size failed: the size is reported with this error, and the
    benchmark goes on with the next size."""


def bench_size(size: str, seed: int, args, workdir: Path) -> dict:
    """Every measurement of one size (``real`` or a number of states) and seed.

    A failure (a build that exits non-zero, a stage or the floor that fails) ends this size's
    measurements: the entry keeps the runs made so far, their summary and ``error``.
    """
    project = make_project(workdir / f"project-{size}-{seed}", size, seed)
    rows = {
        p.stem: sum(1 for _ in p.open(encoding="utf-8")) - 1
        for p in (project / "data").glob("*.csv")
    }
    res: dict = {
        "size": size,
        "seed": None if size == "real" else seed,
        "countries": rows["countries"] - 1,
        "rows": rows,
        "runs": {},
    }
    try:
        measure_size(res, project, args)
    except (SizeFailed, RuntimeError, OSError, subprocess.SubprocessError) as exc:
        res["error"] = f"{type(exc).__name__}: {exc}"[-3000:]
        print(f"  {size:>5} FAILED: {res['error'][-600:]}", flush=True)
    res["summary"] = summarise(res["runs"])
    clean_runs = res["runs"].get("clean_c2") or [{}]
    res["jobs"] = clean_runs[0].get("jobs", 0)
    return res


def measure_size(res: dict, project: Path, args) -> None:
    """Clean builds, no-op, dry run, edits (real data), floor and stages of one project, into
    ``res["runs"]`` and ``res["stages"]``; :class:`SizeFailed` when a build fails."""
    size = res["size"]
    runs = args.runs if size == "real" else args.synthetic_runs

    def record(name: str, result: dict) -> None:
        res["runs"].setdefault(name, []).append(result)
        print(
            f"  {size:>5} {name:<12} {result.get('wall_s', 0):8.2f} s  "
            f"tree peak {result.get('tree_peak_rss_mb', '-')} MB RSS, "
            f"{result.get('tree_peak_pss_mb', '-')} MB PSS  jobs {result.get('jobs', '-')}",
            flush=True,
        )
        if result.get("returncode"):
            raise SizeFailed(f"{name} exited {result['returncode']}: {result.get('tail', '')}")

    measured = set(args.measure.split(","))
    probe = args.probe if size != "real" else None

    def probed(measure):
        return probe.around(measure) if probe is not None else measure()

    clean_builds(project, size, args, record, probed)
    # The tree is now a complete -c1 (or -c2) build: measure what works on it. Latencies are
    # measured without the memory sampler (see run_measured); memory is a clean build's figure.
    for _ in range(runs if "noop" in measured else 0):
        record("noop", snakemake(project, 2, sample_memory=False))
    if "stamp" in measured:
        # The no-op of `coopdocs build`: its first run after the raw Snakemake builds above asks
        # Snakemake and writes the build stamp (not recorded); the next ones use the stamp.
        if coopdocs_build(project)["returncode"]:
            raise SizeFailed("coopdocs build exited non-zero")
        for _ in range(runs):
            record("noop_stamp", coopdocs_build(project))
    for _ in range(max(1, runs if size == "real" else 1) if "dryrun" in measured else 0):
        record("dryrun", snakemake(project, 2, "-n", sample_memory=False))
    if size == "real" and "edit" in measured:
        for i in range(args.edit_runs):
            record("edit_one", measure_edit(project, i + 1))
    floor_runs = runs if size == "real" else args.floor_runs
    if "floor" in measured and floor_skipped(size, args):
        floor_runs, res["floor_skipped"] = (
            0,
            f"over --floor-max-countries {args.floor_max_countries}",
        )
    for _ in range(floor_runs if "floor" in measured else 0):
        record("floor", probed(lambda: floor(project)))
    if "stages" in measured:
        res["stages"] = stages(project)
        print(f"  {size:>5} stages {res['stages']}", flush=True)


def clean_builds(project: Path, size: str, args, record, probed) -> None:
    """The clean builds of one size: -c2 (each between two speed probes, ``probed``), and -c1
    up to --c1-max-countries; without ``clean`` in --measure one -c2 build, not recorded."""
    runs = args.runs if size == "real" else args.synthetic_runs
    timeout = args.timeout_min * 60
    cores = [2] + ([1] if (size == "real" or int(size) <= args.c1_max_countries) else [])
    measured = set(args.measure.split(","))
    if "clean" not in measured:
        cores, runs = [2], 1  # one build to measure the rest on, not recorded
    for c in cores:
        for _ in range(runs):
            clean(project)
            if c == 2:
                r = probed(lambda: snakemake(project, 2, timeout=timeout))
                r["job_times"] = job_times(project)
            else:
                r = snakemake(project, c, timeout=timeout)
            if "clean" in measured:
                record(f"clean_c{c}", r)
            elif r["returncode"]:
                raise SizeFailed(f"clean build exited {r['returncode']}: {r.get('tail', '')}")


class SpeedProbe:
    """The machine's speed now: the floor of the real data's documents in a project built once."""

    def __init__(self, workdir: Path):
        self.project = make_project(workdir / "probe", "real", 0)
        r = snakemake(self.project, 2, sample_memory=False)
        if r["returncode"]:
            raise RuntimeError(f"the speed probe's project did not build: {r['tail']}")

    def time(self) -> float:
        """Wall seconds of one probe (the floor of the real data's 8 documents)."""
        return floor(self.project)["wall_s"]

    def around(self, measure):
        """``measure()``'s result with ``probe_s``: the probe's time right before and after it."""
        before = self.time()
        result = measure()
        result["probe_s"] = [before, self.time()]
        return result


def floor_skipped(size: str, args) -> bool:
    """Whether this size's sequential floor is left out (more states than --floor-max-countries)."""
    return (
        size != "real"
        and args.floor_max_countries is not None
        and int(size) > args.floor_max_countries
    )


def measure_edit(project: Path, n: int) -> dict:
    """One one-record edit and the build after it: wall and CPU time, the report files it
    rewrote, and the jobs it ran with their run times per rule (Snakemake's metadata)."""
    edit_one_record(project, n)
    since = time.time() - 0.01
    r = snakemake(project, 2, sample_memory=False)
    r["reports_rewritten"] = changed_reports(project, since)
    r["job_times"] = job_times(project, since=since)
    return r


def summarise(runs: dict[str, list[dict]]) -> dict:
    """Median, min and max of every measurement's wall time (and CPU time, tree memory)."""
    out = {name: summary([r["wall_s"] for r in rs]) for name, rs in runs.items()}
    for name in ("clean_c2", "clean_c1", "floor", "noop", "noop_stamp", "edit_one"):
        if name in runs:
            out[f"{name}_cpu"] = summary([r.get("cpu_s") for r in runs[name]])
    for name in ("clean_c2", "floor"):
        probes = [p for r in runs.get(name, []) for p in r.get("probe_s", [])]
        if probes:
            out[f"{name}_probe"] = summary(probes)
    for key in ("tree_peak_rss_mb", "tree_peak_pss_mb"):
        out[key] = summary([r.get(key) for r in runs.get("clean_c2", [])])
    singles = [r.get("max_rss_single_mb") for rs in runs.values() for r in rs]
    out["max_rss_single_mb"] = max((v for v in singles if v), default=None)
    return out


# --------------------------------------------------------------------------- reports


def fmt(s: dict) -> str:
    if not s:
        return "–"
    if s["n"] == 1:
        return f"{s['median']:.2f}"
    return f"{s['median']:.2f} ({s['min']:.2f}–{s['max']:.2f})"


def label(r: dict) -> str:
    """A size's name in the tables: ``real``, or the number of states and the seed."""
    return r["size"] if r.get("seed") is None else f"{r['size']} (seed {r['seed']})"


def one_line(error: str, width: int = 300) -> str:
    """The last line of an error that says something, at most ``width`` characters."""
    lines = [line.strip() for line in error.splitlines() if line.strip()]
    text = next(
        (line for line in reversed(lines) if "error" in line.lower()), lines[-1] if lines else ""
    )
    return text.replace("`", "'")[:width]


def size_row(r: dict) -> str:
    """One row of the main table; a failed size says so with its error."""
    s = r["summary"]
    if r.get("error"):
        why = "failed: " + one_line(r["error"], 120)
        return f"| {label(r)} | {r['countries']} | {r.get('jobs') or '–'} | {why} |" + " |" * 12
    both = s.get("clean_c2") and s.get("floor")  # --measure may leave either out
    ratio = f"{s['clean_c2']['median'] / s['floor']['median']:.2f}" if both else "–"
    return (
        f"| {label(r)} | {r['countries']} | {r.get('jobs') or '–'} | "
        f"{fmt(s.get('clean_c2'))} | {fmt(s.get('clean_c1'))} | "
        f"{fmt(s.get('floor'))} | {ratio} | {fmt(s.get('clean_c2_cpu'))} | {fmt(s.get('floor_cpu'))} | "
        f"{fmt(s.get('noop'))} | {fmt(s.get('noop_stamp'))} | {fmt(s.get('dryrun'))} | "
        f"{fmt(s.get('edit_one'))} | {fmt(s.get('tree_peak_pss_mb'))} | "
        f"{fmt(s.get('tree_peak_rss_mb'))} | {s.get('max_rss_single_mb') or '–'} |"
    )


def write_markdown(results: dict, path: Path) -> None:
    lines = [
        f"# Benchmark results ({results['started']})",
        "",
        f"Machine: {results['machine']['cpus']} CPUs, {results['machine']['platform']}, Python "
        f"{results['machine']['python']}, Snakemake {results['machine']['snakemake']}. Times in seconds: median "
        "(min–max) over the runs; one number means one run. Memory in MB.",
        "",
        "| data | states | jobs | clean -c2 | clean -c1 | floor (pandoc+Typst) | -c2 / floor | CPU s clean -c2 | "
        "CPU s floor | no-op | no-op `coopdocs build` | dry run | one-record edit | tree peak PSS | "
        "tree peak RSS | largest process RSS |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results["sizes"]:
        lines.append(size_row(r))
    skipped = [r for r in results["sizes"] if r.get("floor_skipped")]
    if skipped:
        lines += [
            "",
            "Floor not measured (the sequential floor of a large size takes many minutes):",
            "",
        ]
        lines += [f"* {label(r)}: {r['floor_skipped']}" for r in skipped]
    failed = [r for r in results["sizes"] if r.get("error")]
    if failed:
        lines += ["", "Failed sizes (the measurements before the failure are in results.json):", ""]
        lines += [f"* {label(r)}: `{one_line(r['error'])}`" for r in failed]
    lines += [
        "",
        "Stages as single commands (s): prepare, tables (CSV, XLSX, both overview figures with "
        "matplotlib, the two aggregate contexts; no cache), tables cached (the same with the "
        "workbooks and figures from a warm cache, as in an edit that leaves them alone), every Jinja "
        "render in one process, and the start-up of `coopdocs --help`; busy time of the jobs per rule "
        "(sum of job run times in the first -c2 build, from Snakemake's metadata).",
        "",
        "| data | prepare | tables | tables cached | render all | coopdocs start-up "
        "| job busy time per rule (jobs: s) |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results["sizes"]:
        st = r.get("stages", {})
        jt = (r["runs"].get("clean_c2") or [{}])[0].get("job_times", {})
        busy = "; ".join(f"{k} ({v['jobs']}): {v['busy_s']:.1f}" for k, v in jt.items())
        lines.append(
            f"| {label(r)} | {st.get('prepare', '–')} | {st.get('tables', '–')} | "
            f"{st.get('tables_cached', '–')} | {st.get('render_all', '–')} | "
            f"{st.get('coopdocs_startup', '–')} | {busy} |"
        )
    lines += scaling_lines(results["scaling"])
    lines += edit_lines(results)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _per_speed(s: dict, name: str, unit: float | None) -> float | None:
    """A measurement's median divided by the median of its probes, in units of ``unit`` (the
    run's median probe): what it would have taken at the run's typical speed."""
    if not unit or not s.get(name) or not s.get(f"{name}_probe"):
        return None
    return s[name]["median"] / s[f"{name}_probe"]["median"] * unit


def scaling(results: dict) -> dict:
    """Per synthetic size (mean over its seeds): the clean -c2 build as measured and per the
    machine's speed, its ratio to the floor both ways, and the exponent of cost between each
    size and the next (log of the cost ratio over log of the states ratio)."""
    probes = [
        p
        for r in results["sizes"]
        for rs in r["runs"].values()
        for x in rs
        for p in x.get("probe_s", [])
    ]
    unit = statistics.median(probes) if probes else None
    by_size: dict[int, list[dict]] = {}
    for r in results["sizes"]:
        if r["size"] != "real" and not r.get("error") and r["summary"].get("clean_c2"):
            by_size.setdefault(r["countries"], []).append(r["summary"])
    rows = []
    for states, sums in sorted(by_size.items()):
        raw = statistics.mean(s["clean_c2"]["median"] for s in sums)
        speed = [_per_speed(s, "clean_c2", unit) for s in sums]
        ratios = [(_per_speed(s, "clean_c2", unit), _per_speed(s, "floor", unit)) for s in sums]
        ratios = [a / b for a, b in ratios if a and b]
        rows.append(
            {
                "states": states,
                "seeds": len(sums),
                "clean_c2_s": round(raw, 1),
                "clean_c2_per_speed_s": round(statistics.mean(speed), 1) if all(speed) else None,
                "ratio_to_floor_per_speed": [round(x, 3) for x in ratios],
            }
        )
    for a, b in zip(rows, rows[1:]):
        scale = math.log(b["states"] / a["states"])
        b["exponent_from"] = a["states"]
        b["exponent"] = round(math.log(b["clean_c2_s"] / a["clean_c2_s"]) / scale, 3)
        if a["clean_c2_per_speed_s"] and b["clean_c2_per_speed_s"]:
            per = b["clean_c2_per_speed_s"] / a["clean_c2_per_speed_s"]
            b["exponent_per_speed"] = round(math.log(per) / scale, 3)
    return {
        "probe_median_s": round(unit, 2) if unit else None,
        "probes": len(probes),
        "sizes": rows,
    }


def scaling_lines(sc: dict) -> list[str]:
    """The scaling section of results.md."""
    if not sc["sizes"]:
        return []
    lines = [
        "",
        f"Scaling (synthetic sizes, mean over seeds). Speed probe: the floor of the real data, "
        f"median {sc['probe_median_s']} s over {sc['probes']} probes; 'per speed' divides each "
        "time by the probes around it (times the median probe).",
        "",
        "| states | seeds | clean -c2 | clean -c2 per speed | -c2 / floor per speed | exponent "
        "| exponent per speed |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in sc["sizes"]:
        since = f" (from {r['exponent_from']})" if "exponent_from" in r else ""
        lines.append(
            f"| {r['states']} | {r['seeds']} | {r['clean_c2_s']} | "
            f"{r['clean_c2_per_speed_s'] or '–'} | "
            f"{', '.join(f'{x:.2f}' for x in r['ratio_to_floor_per_speed']) or '–'} | "
            f"{r.get('exponent', '–')}{since} | {r.get('exponent_per_speed', '–')} |"
        )
    return lines


def edit_lines(results: dict) -> list[str]:
    """The jobs of each one-record edit, per rule (jobs: run time), and its CPU time."""
    out = []
    for r in results["sizes"]:
        for i, e in enumerate(r["runs"].get("edit_one", []), 1):
            jobs = "; ".join(
                f"{k} ({v['jobs']}): {v['busy_s']:.2f}" for k, v in e.get("job_times", {}).items()
            )
            out.append(
                f"* {label(r)}, edit {i}: {e['wall_s']:.2f} s, CPU {e.get('cpu_s', 0):.2f} s, "
                f"{e.get('reports_rewritten', '–')} report files rewritten; {jobs}"
            )
    if out:
        out = [
            "",
            "One-record edits: wall and CPU time, and the jobs per rule (jobs: s):",
            "",
            *out,
        ]
    return out


def plot(results: dict, path: Path) -> None:
    pts = [
        r
        for r in results["sizes"]
        if r.get("summary", {}).get("clean_c2") and r.get("summary", {}).get("floor")
    ]
    pts.sort(key=lambda r: r["countries"])
    if not pts:
        return
    x = [r["countries"] for r in pts]
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    for key, label, style in (
        ("clean_c2", "clean build, 2 cores", "o-"),
        ("clean_c1", "clean build, 1 core", "s--"),
        ("floor", "floor: pandoc + Typst, sequential", "^-"),
    ):
        xs = [r["countries"] for r in pts if r["summary"].get(key)]
        ys = [r["summary"][key]["median"] for r in pts if r["summary"].get(key)]
        if xs:
            ax.plot(xs, ys, style, label=label)
    ax.plot(
        x,
        [0.75 * r["summary"]["floor"]["median"] for r in pts],
        ":",
        color="grey",
        label="target: 0.75 × floor",
    )
    ax.set_xlabel("member states (+ the Union)")
    ax.set_ylabel("wall time (s)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    ax.set_title("coopdocs build time vs number of countries")
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def size_seeds(args) -> list[tuple[str, int]]:
    """The (size, seed) pairs to measure: the real data once, each synthetic size per seed
    (``--seeds``, or the size's own after a colon: ``1000:0``, ``200:0+3``)."""
    seeds = [int(x) for x in args.seeds.split(",") if x.strip()]
    pairs = []
    for item in (x.strip() for x in args.sizes.split(",") if x.strip()):
        size, _, own = item.partition(":")
        mine = [int(x) for x in own.split("+") if x.strip()] if own else seeds
        pairs += [(size, 0)] if size == "real" else [(size, seed) for seed in mine]
    return pairs


# What --measure may name (default: all).
MEASUREMENTS = ("clean", "noop", "stamp", "dryrun", "edit", "floor", "stages")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The benchmark's options (``--quick`` filled in)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default="real,50,200",
        help="comma-separated: 'real' and/or numbers of states, each with its own seeds if given "
        "after a colon (1000:0 builds 1,000 states with seed 0 only)",
    )
    parser.add_argument(
        "--runs", type=int, default=3, help="runs of each measurement on the real data"
    )
    parser.add_argument(
        "--edit-runs", type=int, default=5, help="one-record edits measured on the real data"
    )
    parser.add_argument(
        "--synthetic-runs", type=int, default=1, help="clean builds per synthetic size"
    )
    parser.add_argument("--floor-runs", type=int, default=1, help="floor runs per synthetic size")
    parser.add_argument(
        "--c1-max-countries",
        type=int,
        default=50,
        help="also build with -c1 up to this many states",
    )
    parser.add_argument(
        "--floor-max-countries",
        type=int,
        default=None,
        help="measure the floor only up to this many states (default: every size)",
    )
    parser.add_argument(
        "--seeds", default="0,1", help="comma-separated seeds of every synthetic size"
    )
    parser.add_argument(
        "--timeout-min", type=float, default=40, help="give up a build after this many minutes"
    )
    parser.add_argument(
        "--quick", action="store_true", help="sizes real,20 and one run of everything"
    )
    parser.add_argument(
        "--measure",
        default=",".join(MEASUREMENTS),
        help="comma-separated, of " + ", ".join(MEASUREMENTS) + " (without clean, one clean "
        "build is made to measure the rest on, not recorded)",
    )
    parser.add_argument(
        "--no-probe",
        dest="use_probe",
        action="store_false",
        help="leave out the speed probe around each synthetic build and floor",
    )
    parser.add_argument("--out", default=str(RESULTS))
    parser.add_argument("--keep", action="store_true", help="keep the temporary projects")
    args = parser.parse_args(argv)
    unknown = set(args.measure.split(",")) - set(MEASUREMENTS)
    if unknown:
        parser.error(f"--measure: unknown {', '.join(sorted(unknown))}")
    if args.quick:
        args.sizes, args.seeds, args.runs, args.edit_runs = "real,20", "0", 1, 1
        args.synthetic_runs, args.c1_max_countries = 1, 20
    return args


def main(argv: list[str] | None = None) -> int:
    """Measure every size and seed asked for; write results.json, results.md and scaling.png."""
    args = parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    version = subprocess.run(
        [SNAKEMAKE, "--version"], capture_output=True, text=True
    ).stdout.strip()
    results = {
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "snakemake": version,
        },
        "options": {k: v for k, v in vars(args).items() if k != "probe"},
        "sizes": [],
    }
    workdir = Path(tempfile.mkdtemp(prefix="coopdocs-bench-"))
    try:
        pairs = size_seeds(args)
        synthetic = any(size != "real" for size, _ in pairs)
        args.probe = SpeedProbe(workdir) if args.use_probe and synthetic else None
        for size, seed in pairs:
            print(f"size {size}" + ("" if size == "real" else f", seed {seed}"), flush=True)
            t0 = time.perf_counter()
            results["sizes"].append(bench_size(size, seed, args, workdir))
            results["sizes"][-1]["benchmark_wall_s"] = round(time.perf_counter() - t0, 1)
            results["scaling"] = scaling(results)
            # Write after every size, so a long run leaves its results even if stopped.
            (out / "results.json").write_text(
                json.dumps(results, indent=1) + "\n", encoding="utf-8"
            )
            write_markdown(results, out / "results.md")
            plot(results, out / "scaling.png")
            if not args.keep:
                shutil.rmtree(workdir / f"project-{size}-{seed}", ignore_errors=True)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print((out / "results.md").read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
