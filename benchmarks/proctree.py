"""The memory of a process and everything it started, sampled with psutil while it runs.

One sampler for the benchmarks (benchmarks/run.py: the whole build's peak; benchmarks/memory.py:
each job's peak): a thread that, every ``period`` seconds, takes a :class:`Snapshot` of the
process tree below ``pid`` and hands it to ``observe``. Processes that end between listing and
reading are skipped (a build starts and ends many short ones).

Two measures per process: resident memory (RSS), which counts pages shared between processes
(the code of two pandoc processes running at once, ~95 MB each) once per process, and, when
asked for, the proportional set size (PSS, /proc/PID/smaps_rollup through psutil), which splits
each shared page between the processes sharing it: the memory the tree actually occupies.
Reading PSS is slow for pandoc (its runtime reserves a terabyte of address space), so it is
off unless ``pss=True``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import psutil

MB = 2**20


@dataclass(frozen=True)
class Proc:
    """One process of the tree at one sample: sizes in bytes (``pss`` 0 when not read)."""

    pid: int
    ppid: int
    name: str
    cmdline: str
    rss: int
    pss: int = 0


@dataclass(frozen=True)
class Snapshot:
    """The tree below (and including) ``root`` at one moment, by pid."""

    root: int
    procs: dict[int, Proc]

    def children(self, pid: int) -> list[int]:
        """The pids in the snapshot whose parent is ``pid``."""
        return [p.pid for p in self.procs.values() if p.ppid == pid and p.pid != pid]

    def total(self, field: str = "rss") -> int:
        """The summed ``field`` (``"rss"`` or ``"pss"``) of every process, in bytes."""
        return sum(getattr(p, field) for p in self.procs.values())


def _read(process: psutil.Process, pss: bool) -> Proc | None:
    """One process's sizes and command line; None if it ended or cannot be read."""
    try:
        with process.oneshot():
            info = process.memory_full_info() if pss else process.memory_info()
            return Proc(
                pid=process.pid,
                ppid=process.ppid(),
                name=process.name(),
                cmdline=" ".join(process.cmdline()),
                rss=info.rss,
                pss=getattr(info, "pss", 0) if pss else 0,
            )
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return None


def snapshot(pid: int, pss: bool = False) -> Snapshot:
    """The process ``pid`` and its descendants now (empty when ``pid`` has ended)."""
    try:
        root = psutil.Process(pid)
        members = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return Snapshot(pid, {})
    procs = {}
    for process in members:
        proc = _read(process, pss)
        if proc is not None:
            procs[proc.pid] = proc
    return Snapshot(pid, procs)


class TreeSampler(threading.Thread):
    """Sample the tree below ``pid`` every ``period`` s until :meth:`stop`.

    Keeps the peaks of the summed RSS and PSS (bytes); ``observe``, when given, also receives
    every snapshot (memory.py attributes processes to jobs with it).
    """

    def __init__(
        self,
        pid: int,
        period: float = 0.25,
        pss: bool = False,
        observe: Callable[[Snapshot], None] | None = None,
    ):
        super().__init__(daemon=True)
        self.pid, self.period, self.pss, self.observe = pid, period, pss, observe
        self.peak_rss, self.peak_pss = 0, 0
        self._done = threading.Event()

    def sample(self) -> None:
        """One snapshot: update the peaks and pass it on."""
        shot = snapshot(self.pid, self.pss)
        self.peak_rss = max(self.peak_rss, shot.total("rss"))
        self.peak_pss = max(self.peak_pss, shot.total("pss"))
        if self.observe is not None and shot.procs:
            self.observe(shot)

    def run(self) -> None:
        """Sample until stopped."""
        while not self._done.is_set():
            self.sample()
            self._done.wait(self.period)

    def stop(self) -> None:
        """Stop sampling and wait for the thread."""
        self._done.set()
        self.join()
