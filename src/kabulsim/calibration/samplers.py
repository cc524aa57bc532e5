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
from pyabc.sampler.base import Sampler
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


def _evaluate(simulate_one_pickle: bytes, job_id: int) -> tuple[Any, bool, int]:
    """One particle on a Dask worker (a module-level function, so Dask pickles it by name)."""
    import random

    import cloudpickle

    simulate_one = cloudpickle.loads(simulate_one_pickle)
    random.seed()
    np.random.seed()  # noqa: NPY002 (pyABC draws particles from numpy's global stream)
    particle = simulate_one()
    return particle, bool(particle.accepted), job_id


class DeadlineDask(Sampler):  # type: ignore[misc]
    """Particles evaluated on a Dask cluster (``client``), stopping at ``deadline``.

    pyABC's own Dask sampler, written again with the deadline check: it keeps as many
    particles in flight as the cluster has cores, collects them in the order they were
    started (no bias toward short evaluations), and stops when ``n`` are accepted or the
    time is up (then ``sample.ok = False``, as the local samplers do).
    """

    def __init__(self, client: Any, deadline: float = math.inf) -> None:
        super().__init__()
        self.client = client
        self.deadline = deadline

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("client", None)
        return state

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
        """Draw on the cluster until ``n`` particles are accepted or time is up."""
        import cloudpickle
        from dask.distributed import wait

        payload = cloudpickle.dumps(simulate_one)
        cores = max(1, sum(self.client.ncores().values()))
        running: dict[int, Any] = {}
        finished: list[tuple[Any, bool, int]] = []
        accepted_ids: list[int] = []
        next_id = 0
        while True:
            late = time.monotonic() > self.deadline
            enough = len(accepted_ids) >= n
            if enough:
                last = sorted(accepted_ids)[n - 1]
                for job_id in [j for j in running if j > last]:
                    running.pop(job_id).cancel()
            if late:
                for future in running.values():
                    future.cancel()
                running.clear()
            if (enough or late) and not running:
                break
            while not enough and not late and len(running) < cores and next_id < max_eval:
                running[next_id] = self.client.submit(_evaluate, payload, next_id, pure=False)
                next_id += 1
            if not running:
                break
            timeout = max(0.01, min(1.0, self.deadline - time.monotonic()))
            try:
                done, _ = wait(  # type: ignore[no-untyped-call]
                    list(running.values()), timeout=timeout, return_when="FIRST_COMPLETED"
                )
            except TimeoutError:  # none finished within the timeout: look at the clock again
                continue
            for job_id in [j for j, f in running.items() if f in done]:
                particle, ok, _ = running.pop(job_id).result()
                finished.append((particle, ok, job_id))
                if ok:
                    accepted_ids.append(job_id)
        finished.sort(key=lambda row: row[2])
        sample = self._create_empty_sample()
        kept = sorted(accepted_ids)[n - 1] if len(accepted_ids) >= n else math.inf
        for particle, _, job_id in finished:
            if job_id <= kept:
                sample.append(particle)
        self.nr_evaluations_ = next_id
        if sample.n_accepted < n:
            sample.ok = False
        return sample
