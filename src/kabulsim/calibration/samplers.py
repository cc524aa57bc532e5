"""pyABC samplers that honour a wall-clock deadline inside a generation.

pyABC checks ``max_walltime`` only between generations, so a generation whose acceptance
rate collapses (or a large ``--population``) could run for hours past ``--minutes``. These
samplers stop drawing particles at the deadline: the generation then ends short
(``sample.ok = False``), pyABC stops without storing it ("Stopping: sample not ok") and the
history keeps the generations that finished. Each is pyABC's own sampler (0.13) with a
deadline check added, and otherwise the same draws.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from ctypes import c_longlong
from typing import Any

import numpy as np
from pyabc.sampler import MulticoreEvalParallelSampler, SingleCoreSampler
from pyabc.sampler.multicore_evaluation_parallel import DONE, work
from pyabc.sampler.multicorebase import get_if_worker_healthy
from pyabc.sampler.util import get_mp_context


class DeadlineSingleCore(SingleCoreSampler):  # type: ignore[misc]
    """pyABC's single-core sampler, stopping at ``deadline`` (``time.monotonic()``)."""

    def __init__(self, deadline: float = math.inf) -> None:
        super().__init__(check_max_eval=False)
        self.deadline = deadline

    def sample_until_n_accepted(
        self,
        n: int,
        simulate_one: Callable[[], Any],
        t: int,
        *,
        max_eval: float = np.inf,
        all_accepted: bool = False,
        ana_vars: Any = None,
    ) -> Any:
        """Draw until ``n`` particles are accepted, ``max_eval`` is reached or time is up."""
        evaluations = 0
        sample = self._create_empty_sample()
        for _ in range(n):
            accepted = False
            while not accepted:
                if evaluations >= max_eval or time.monotonic() > self.deadline:
                    break
                particle = simulate_one()
                sample.append(particle)
                evaluations += 1
                accepted = bool(particle.accepted)
            if not accepted:
                break
        self.nr_evaluations_ = evaluations
        if sample.n_accepted < n:
            sample.ok = False
        return sample


class DeadlineMulticore(MulticoreEvalParallelSampler):  # type: ignore[misc]
    """pyABC's multicore evaluation-parallel sampler, stopping at ``deadline``.

    At the deadline a watchdog thread marks the generation as full in the shared counter
    the workers read before each evaluation, so they finish the particle in hand and stop.
    """

    def __init__(self, n_procs: int, deadline: float = math.inf) -> None:
        super().__init__(n_procs=n_procs)
        self.deadline = deadline

    def sample_until_n_accepted(
        self,
        n: int,
        simulate_one: Callable[[], Any],
        t: int,
        *,
        max_eval: float = np.inf,
        all_accepted: bool = False,
        ana_vars: Any = None,
    ) -> Any:
        """Draw in ``n_procs`` processes until ``n`` are accepted or time is up."""
        ctx = get_mp_context()
        n_eval = ctx.Value(c_longlong)
        n_eval.value = 0
        n_acc = ctx.Value(c_longlong)
        n_acc.value = 0
        queue = ctx.Queue()
        stop = threading.Event()
        late = threading.Event()

        def watchdog() -> None:
            if not stop.wait(max(0.0, self.deadline - time.monotonic())):
                late.set()
                with n_acc.get_lock():
                    n_acc.value = n  # the workers' loop condition ends

        args = (
            simulate_one,
            queue,
            n_eval,
            n_acc,
            n,
            self.check_max_eval,
            max_eval,
            all_accepted,
            self._create_empty_sample,
        )
        processes = [
            ctx.Process(target=work, args=args, daemon=self.daemon) for _ in range(self.n_procs)
        ]
        for proc in processes:
            proc.start()
        guard = threading.Thread(target=watchdog, daemon=True)
        guard.start()
        results = []
        done = 0
        try:
            while done < len(processes):
                value = get_if_worker_healthy(processes, queue)
                if value == DONE:
                    done += 1
                else:
                    results.append(value)
        finally:
            stop.set()
            guard.join()
        for proc in processes:
            proc.join()
        results.sort(key=lambda x: x[0])  # pyABC: no bias toward short evaluations
        results = results[: min(len(results), n)]
        self.nr_evaluations_ = n_eval.value
        sample = self._create_empty_sample()
        for _, part in results:
            sample += part
        if sample.n_accepted < n:  # stopped by the deadline (or short of particles)
            sample.ok = False
        return sample
