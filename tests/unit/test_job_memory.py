"""Declared memory bounds measured memory (issue 19, "Memory as declared").

benchmarks/memory.py records, per job of each benchmark case, its inputs' MB and the peak of its
processes' summed RSS (benchmarks/results/memory.json). Every rule's mem_mb is
coopdocs.workflow.helpers.mem_mb: these tests fail when a rule declares a number of its own, or
when the model would declare less than a recorded job used (with Snakemake's process beside it).
"""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

import pytest

from coopdocs.workflow import helpers as cw
from locations import ROOT

MEASURED = ROOT / "benchmarks" / "results" / "memory.json"
RULE = re.compile(r"^(?:checkpoint|rule) (\w+):", re.M)


def _recorded_jobs() -> list[tuple[str, dict, float]]:
    results = json.loads(MEASURED.read_text(encoding="utf-8"))
    return [
        (f"{case}:{job['log']}", job, r["snakemake_peak_mb"])
        for case, r in results.items()
        for job in r["jobs"]
    ]


def test_every_rule_declares_its_memory_through_the_model():
    """mem_mb=cw.mem_mb("<its own name>") in every rule, and the model knows every rule."""
    rules = {}
    for smk in sorted((ROOT / "rules").glob("*.smk")):
        text = smk.read_text(encoding="utf-8")
        starts = [(m.start(), m.group(1)) for m in RULE.finditer(text)]
        for (start, name), (end, _) in zip(starts, starts[1:] + [(len(text), "")]):
            rules[name] = re.findall(r"mem_mb=(.*),", text[start:end])
    assert rules, "no rules found"
    for name, declared in rules.items():
        assert declared == [f'cw.mem_mb("{name}")'], (name, declared)
    assert set(rules) == set(cw.JOB_MEMORY)


def test_the_benchmark_covers_the_cases_of_the_issue():
    """Thousands of events and a 127 KB cell were measured, with every rule's jobs."""
    results = json.loads(MEASURED.read_text(encoding="utf-8"))
    assert {"real", "events-2k", "events-5k", "cell-127k", "event-cell-127k"} <= set(results)
    for case, r in results.items():
        assert r["returncode"] == 0, case
        assert {j["rule"] for j in r["jobs"]} == set(cw.JOB_MEMORY), case


@pytest.mark.parametrize(
    "name,job,snakemake_mb", _recorded_jobs(), ids=[j[0] for j in _recorded_jobs()]
)
def test_declared_memory_holds_every_measured_job(name: str, job: dict, snakemake_mb: float):
    model = cw.JOB_MEMORY[job["rule"]]
    declared = model.declare(job["input_mb"], job["text_kb"] if model.per_text_kb else 0.0)
    assert job["peak_mb"] + snakemake_mb <= declared, (name, job, declared)


def test_the_resource_reads_the_longest_text_of_the_context(tmp_path):
    """A brief whose context holds a 100 KB text asks for ~6 MB per KB more (pandoc's reader)."""
    short, long = tmp_path / "short.json", tmp_path / "long.json"
    short.write_text(json.dumps({"events": [{"description": "x" * 500}]}), encoding="utf-8")
    long.write_text(json.dumps({"events": [{"description": "é" * 51200}]}), encoding="utf-8")
    assert cw.longest_text_kb(long) == 100
    brief = cw.mem_mb("publish_brief")
    asks = {
        p.name: brief(wildcards=None, input=SimpleNamespace(size_mb=0.2, context=str(p)))
        for p in (short, long)
    }
    assert asks["long.json"] - asks["short.json"] >= 1.25 * 6 * 99


def test_declared_memory_grows_with_the_inputs():
    """The request follows the data: more input MB, more memory; rounded to 50 MB."""
    for rule, model in cw.JOB_MEMORY.items():
        small, large = model.declare(0.1), model.declare(100)
        assert small % 50 == 0 and large % 50 == 0
        assert small >= cw.SNAKEMAKE_MB
        assert large >= small, rule
    assert cw.JOB_MEMORY["publish_document"].declare(100) > cw.JOB_MEMORY[
        "publish_document"
    ].declare(1)


def test_inside_snakemakes_event_loop_the_size_is_left_for_later_without_a_coroutine(recwarn):
    """Snakemake evaluates resources once inside its event loop while it builds the DAG; there
    mem_mb raises NestedCoroutineError (Snakemake then evaluates it when the job is ready), and
    no coroutine is left unawaited ("RuntimeWarning: coroutine ... was never awaited")."""
    import asyncio
    import gc

    from snakemake.exceptions import NestedCoroutineError

    declared = cw.mem_mb("prepare_data")

    class Sized(list):
        @property
        def size_mb(self):  # what the DAG pass must not reach
            raise AssertionError("input.size_mb read inside the event loop")

    async def during_the_dag():
        with pytest.raises(NestedCoroutineError):
            declared(SimpleNamespace(), Sized())

    asyncio.run(during_the_dag())
    gc.collect()
    assert not [w for w in recwarn if "never awaited" in str(w.message)]
    outside = SimpleNamespace(size_mb=2.0)
    assert declared(SimpleNamespace(), outside) == cw.JOB_MEMORY["prepare_data"].declare(2.0)
