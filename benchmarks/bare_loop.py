"""The bare SimPy loop every benchmark measures the model against (one definition).

``processes`` generators each yield ``events / processes`` exponential timeouts; the cost of an
event is the time of ``env.run()`` over the events SimPy processed (the timeouts plus each
process's start and end). Imported by the benchmark scripts of this folder, which run as
``python benchmarks/NAME.py`` (this folder first on ``sys.path``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator
from typing import Any

import numpy as np
import simpy


def processed(env: simpy.Environment) -> int:
    """Events SimPy has processed in ``env`` (scheduled minus still queued)."""
    return int(next(env._eid) - len(env._queue))  # type: ignore[attr-defined]


def bare_loop(
    events: int, processes: int = 100, clock: Callable[[], float] = time.perf_counter
) -> tuple[int, float]:
    """Run the bare loop; return the events processed and the seconds ``clock`` measured."""
    env = simpy.Environment()
    rng = np.random.default_rng(0)
    per = max(1, events // processes)

    def proc(delays: list[float]) -> Generator[Any, Any, None]:
        for d in delays:
            yield env.timeout(d)

    for _ in range(processes):
        env.process(proc(rng.exponential(1.0, per).tolist()))
    began = clock()
    env.run()
    return processed(env), clock() - began
