"""Throughput benchmark of kabulsim: prints ONE JSON object on standard output.

Usage::

    python benchmarks/throughput.py            # full: memory at 10,000 and 100,000 reps
    python benchmarks/throughput.py --quick    # CI-sized: memory at 1,000 and 3,000 reps
    python benchmarks/throughput.py --dask     # also a Dask LocalCluster (2 workers)

Figures:

* ``model_events_per_s``: SimPy events processed per second of wall time in serial
  baseline replications (``simulate``), counted from the environment's event counter;
* ``bare_events_per_s``: the same for a bare SimPy loop (100 processes each doing
  ``yield env.timeout(delay)``, delays from a numpy Generator batched with ``.tolist()``);
* ``reps_per_s_1_worker`` / ``reps_per_s_2_workers`` and ``parallel_efficiency``
  (``run_many`` in memory, no per-replication series);
* ``peak_rss_mb``: peak resident memory of a child process running ``run_many`` into an
  output folder with 2 workers (parent and workers, the larger), per number of replications.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time

import numpy as np
import simpy

from kabulsim.experiments import run_many
from kabulsim.model import simulate
from kabulsim.scenario import Scenario

_ENVS: list[simpy.Environment] = []


class _CountingEnvironment(simpy.Environment):  # type: ignore[misc]
    """An Environment that registers itself, so processed events can be counted after run."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        _ENVS.append(self)


def _processed(env: simpy.Environment) -> int:
    scheduled = next(env._eid)  # events ever scheduled (counter starts at 0)
    return int(scheduled - len(env._queue))


def model_event_rate(reps: int) -> tuple[float, int]:
    scenario = Scenario()
    simulate(scenario, 0, 0)  # warm up
    original = simpy.Environment
    simpy.Environment = _CountingEnvironment
    _ENVS.clear()
    try:
        began = time.perf_counter()
        for rep in range(reps):
            simulate(scenario, 1, rep)
        wall = time.perf_counter() - began
    finally:
        simpy.Environment = original
    events = sum(_processed(env) for env in _ENVS)
    _ENVS.clear()
    return events / wall, events


def bare_event_rate(events: int, processes: int = 100) -> float:
    env = simpy.Environment()
    rng = np.random.default_rng(0)
    per = max(1, events // processes)

    def proc(delays: list[float]) -> simpy.events.ProcessGenerator:
        for d in delays:
            yield env.timeout(d)

    for _ in range(processes):
        env.process(proc(rng.exponential(1.0, per).tolist()))
    began = time.perf_counter()
    env.run()
    wall = time.perf_counter() - began
    return _processed(env) / wall


def reps_rate(reps: int, workers: int) -> float:
    scenario = Scenario()
    began = time.perf_counter()
    run_many(scenario, reps, 3, workers=workers, series_reps=0)
    return reps / (time.perf_counter() - began)


_CHILD = """
import resource, sys, tempfile, time
from kabulsim.experiments import run_many
from kabulsim.scenario import Scenario
with tempfile.TemporaryDirectory() as d:
    t = time.perf_counter()
    run_many(Scenario(), int(sys.argv[1]), 5, workers=2, out=d + "/run")
    wall = time.perf_counter() - t
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(own, kids, wall)
"""


def peak_memory(reps: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(reps)], capture_output=True, text=True, check=True
    ).stdout.split()
    own, kids, wall = int(out[0]), int(out[1]), float(out[2])
    return {
        "main_mb": round(own / 1024, 1),
        "worker_mb": round(kids / 1024, 1),
        "wall_s": round(wall, 1),
    }


def dask_rate(reps: int) -> float | None:
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        return None
    with (
        LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        run_many(Scenario(), 100, 0, client=client, series_reps=0)  # warm up workers
        began = time.perf_counter()
        run_many(Scenario(), reps, 3, client=client, series_reps=0)
        return reps / (time.perf_counter() - began)


def _median(values: list[float]) -> float:
    return float(np.median(values))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="CI-sized run")
    parser.add_argument("--dask", action="store_true", help="also time a Dask LocalCluster")
    parser.add_argument(
        "--rounds", type=int, default=3, help="interleaved measurement rounds (median reported)"
    )
    args = parser.parse_args()
    sim_reps = 200 if args.quick else 1000
    rate_reps = 600 if args.quick else 3000
    mem_reps = (1000, 3000) if args.quick else (10_000, 100_000)

    # The machine's speed drifts (shared hosts): every figure is measured in each of several
    # interleaved rounds, and ratios are taken within a round before the median is reported.
    rounds: list[dict[str, float]] = []
    events = 0
    for _ in range(args.rounds):
        model_rate, events = model_event_rate(sim_reps)
        bare_rate = bare_event_rate(events)
        r1 = reps_rate(rate_reps, 1)
        r2 = reps_rate(rate_reps, 2)
        row = {
            "model": model_rate,
            "bare": bare_rate,
            "ratio": model_rate / bare_rate,
            "r1": r1,
            "r2": r2,
            "efficiency": r2 / (2 * r1),
        }
        if args.dask:
            rate = dask_rate(rate_reps)
            if rate is not None:
                row["dask"] = rate
                row["dask_vs_pool"] = rate / r2
        rounds.append(row)

    def med(key: str) -> float:
        return _median([r[key] for r in rounds if key in r])

    result: dict[str, object] = {
        "quick": args.quick,
        "rounds": args.rounds,
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "simpy": simpy.__version__,
        "events_per_rep": round(events / sim_reps, 1),
        "model_events_per_s": round(med("model")),
        "bare_events_per_s": round(med("bare")),
        "model_to_bare_ratio": round(med("ratio"), 3),
        "ms_per_rep_serial_simulate": round(1000 * events / med("model") / sim_reps, 2),
        "reps_per_s_1_worker": round(med("r1"), 1),
        "reps_per_s_2_workers": round(med("r2"), 1),
        "parallel_efficiency": round(med("efficiency"), 3),
        "parallel_efficiency_per_round": [round(r["efficiency"], 3) for r in rounds],
        "peak_rss_mb": {str(n): peak_memory(n) for n in mem_reps},
        "load_avg_1min_at_end": round(os.getloadavg()[0], 2),
    }
    if args.dask:
        result["dask_2_workers_reps_per_s"] = round(med("dask"), 1) if "dask" in rounds[0] else None
        result["dask_to_pool_ratio"] = (
            round(med("dask_vs_pool"), 3) if "dask" in rounds[0] else None
        )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
