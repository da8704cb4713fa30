"""Every job of a build stays within the mem_mb its rule declares (issue 19, "Memory as declared").

A synthetic package with a 127 KB cell (benchmarks/synthetic.py) is built in a project copy while
benchmarks/memory.py samples each job's processes (shell, coopdocs, pandoc, Typst); each job's
peak, with Snakemake's own process beside it (as on a cluster node), must fit its declaration,
which Snakemake evaluated from the job's input size (coopdocs.workflow.helpers.mem_mb).
"""

from __future__ import annotations

from pathlib import Path

import memory  # benchmarks/memory.py (benchmarks/ is on the tests' path, like synthetic)
from coopdocs.workflow import helpers as cw

CASE = "event-cell-127k"


def test_each_job_within_its_declared_memory(tmp_path: Path):
    project = memory.make_project(tmp_path / CASE, CASE)
    result = memory.measure(project, period=0.05, timeout=600)
    assert result["returncode"] == 0, result["tail"]
    rules = {j["rule"] for j in result["jobs"]}
    assert rules == set(cw.JOB_MEMORY), rules  # every rule ran, and was measured
    assert all(j["peak_mb"] > 0 for j in result["jobs"]), result["jobs"]
    # The declaration Snakemake printed is the model's for the job's inputs (within one 50 MB
    # step: Snakemake counts a file named twice among the inputs twice, the benchmark once).
    for job in result["jobs"]:
        rule = cw.JOB_MEMORY[job["rule"]]
        model = rule.declare(job["input_mb"], job["text_kb"] if rule.per_text_kb else 0.0)
        assert abs(job["mem_mb"] - model) <= 50, (job, model)
    assert memory.over(result) == [], memory.table({CASE: result})
