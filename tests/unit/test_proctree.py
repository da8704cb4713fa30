"""The benchmarks' one process-tree sampler (benchmarks/proctree.py) and memory.py's use of it."""

from __future__ import annotations

import subprocess
import sys

import memory  # benchmarks/memory.py (benchmarks/ is on the tests' path)
import proctree  # benchmarks/proctree.py

HOLD = "import time; block = bytearray({mb} * 2**20); block[::4096] = b'x' * len(block[::4096]); time.sleep(3)"


def test_sampler_sums_a_process_and_its_grandchild():
    """A shell whose child holds 80 MB: the tree's peak RSS and PSS hold it, and each snapshot
    has the shell and the child below it."""
    shell = subprocess.Popen(
        ["/bin/sh", "-c", f'"{sys.executable}" -c "{HOLD.format(mb=80)}"; true']
    )
    shots: list[proctree.Snapshot] = []
    sampler = proctree.TreeSampler(shell.pid, period=0.1, pss=True, observe=shots.append)
    sampler.start()
    shell.wait(timeout=30)
    sampler.stop()
    assert sampler.peak_rss >= 80 * proctree.MB
    assert sampler.peak_pss >= 70 * proctree.MB
    fullest = max(shots, key=lambda s: s.total())
    [child] = fullest.children(shell.pid)
    assert "bytearray" in fullest.procs[child].cmdline
    assert fullest.procs[child].rss >= 80 * proctree.MB


def test_ended_process_gives_an_empty_snapshot():
    """Sampling a process that has ended is no error: nothing to count."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    assert proctree.snapshot(proc.pid).procs == {}


def test_job_peaks_attribute_processes_to_the_job_whose_command_names_its_log():
    """memory.JobPeaks: a job is the process naming its log and everything below it."""
    mb = proctree.MB
    procs = {
        1: proctree.Proc(1, 0, "snakemake", "snakemake --cores 2", 150 * mb),
        2: proctree.Proc(
            2, 1, "bash", "bash -c coopdocs publish 2> logs/publish/briefs/a.log", 2 * mb
        ),
        3: proctree.Proc(3, 2, "coopdocs", "coopdocs publish --context c.json", 100 * mb),
        4: proctree.Proc(4, 3, "pandoc", "pandoc -o a.docx", 90 * mb),
        5: proctree.Proc(
            5, 1, "bash", "bash -c coopdocs prepare 2> logs/prepare_data.log", 30 * mb
        ),
    }
    peaks = memory.JobPeaks()
    peaks.observe(proctree.Snapshot(1, procs))
    assert peaks.snakemake_peak == 150
    brief = peaks.jobs["logs/publish/briefs/a.log"]
    assert brief["peak"] == 192
    assert brief["largest"] == "coopdocs 100"
    assert brief["processes"] == {"bash": 2, "coopdocs": 100, "pandoc": 90}
    assert peaks.jobs["logs/prepare_data.log"]["peak"] == 30
