"""A text progress bar with rate and ETA, for the command line.

The library reports progress through a ``progress(done, total)`` callback and never prints;
the CLI passes :class:`ProgressBar` (drawing on standard error when it is a terminal).
"""

from __future__ import annotations

import time
from typing import TextIO


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


class ProgressBar:
    """Callable ``bar(done, total)`` drawing ``[####    ] done/total  rate/s  ETA mm:ss``.

    The rate counts only replications done since the bar started (a resumed run starts with
    some already done). Redraws at most every ``interval_s`` seconds and always at the end.
    """

    def __init__(self, stream: TextIO, width: int = 30, interval_s: float = 0.2) -> None:
        self.stream = stream
        self.width = width
        self.interval_s = interval_s
        self._start: float | None = None
        self._first_done = 0
        self._last_draw = 0.0
        self._drawn = False

    def format(self, done: int, total: int, elapsed_s: float) -> str:
        """The bar's text for ``done`` of ``total`` after ``elapsed_s`` seconds."""
        share = done / total if total else 1.0
        filled = round(self.width * share)
        bar = "#" * filled + " " * (self.width - filled)
        new = done - self._first_done
        rate = new / elapsed_s if elapsed_s > 0 else 0.0
        eta = _duration((total - done) / rate) if rate > 0 else "--:--"
        return f"[{bar}] {done}/{total}  {rate:,.0f} reps/s  ETA {eta}"

    def __call__(self, done: int, total: int) -> None:
        """Record progress; redraw if due."""
        now = time.perf_counter()
        if self._start is None:
            self._start = now
            self._first_done = done
        if done < total and now - self._last_draw < self.interval_s:
            return
        self._last_draw = now
        self.stream.write("\r" + self.format(done, total, now - self._start))
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        """End the bar's line (if anything was drawn)."""
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False


class CaseProgress:
    """Callable ``progress(done, total)`` writing ``LABEL: c/C cases, done/total replications``.

    For a family of cases of ``reps`` replications each (the explorer's): one line on
    ``stream``, redrawn in place when a case is finished (a new line each time when the
    stream is not a terminal) and ended when every replication is done.
    """

    def __init__(self, stream: TextIO, reps: int, label: str) -> None:
        self.stream = stream
        self.reps = reps
        self.label = label
        self.last = -1

    def __call__(self, done: int, total: int) -> None:
        """Record progress; redraw when another case is finished."""
        cases = max(1, total // self.reps)
        case = min(cases, done // self.reps)
        if case == self.last:
            return
        self.last = case
        end = "\n" if not self.stream.isatty() or done >= total else ""
        self.stream.write(f"\r{self.label}: {case}/{cases} cases, {done}/{total} replications{end}")
        self.stream.flush()
