"""Schema patterns matched with a time limit, so that a pattern that backtracks cannot hang validation."""

from __future__ import annotations

import re
import signal
import threading
import time

PATTERN_SECONDS = 2.0


class _PatternTimeout(Exception):
    pass


class _PatternGuard:
    """``re.fullmatch`` with a time limit per value (PATTERN_SECONDS), so that a schema pattern that
    backtracks catastrophically (``(a+)+$``) cannot hang validation.

    Python's regular expressions check for signals while matching: a timer ticking every 0.1 s
    interrupts a match that has run too long. Used in the main thread only (where signals are
    delivered) and when nobody else uses SIGALRM; otherwise patterns run unbounded. A pattern that
    ran out of time once is not used again in the same validation.
    """

    def __init__(self):
        self.started: float | None = None
        self.active = False
        self.slow: set[str] = set()

    def __enter__(self):
        self.slow = set()
        self.active = (
            threading.current_thread() is threading.main_thread()
            and hasattr(signal, "setitimer")
            and signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, signal.SIG_IGN, None)
            and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
        )
        if self.active:
            self.previous = signal.signal(signal.SIGALRM, self._tick)
            signal.setitimer(signal.ITIMER_REAL, 0.1, 0.1)
        return self

    def __exit__(self, *exc):
        if self.active:
            signal.setitimer(signal.ITIMER_REAL, 0, 0)
            signal.signal(signal.SIGALRM, self.previous)
            self.active = False
        return False

    def _tick(self, signum, frame):
        if self.started is not None and time.monotonic() - self.started > PATTERN_SECONDS:
            self.started = None
            raise _PatternTimeout()

    def fullmatch(self, pattern: str, text: str) -> bool | None:
        """Whether ``text`` matches ``pattern`` whole; None when the pattern ran out of time (now or before)."""
        if pattern in self.slow:
            return True  # reported once; not checked again
        self.started = time.monotonic()
        try:
            return re.fullmatch(pattern, text) is not None
        except _PatternTimeout:
            self.slow.add(pattern)
            return None
        finally:
            self.started = None


PATTERNS = _PatternGuard()
