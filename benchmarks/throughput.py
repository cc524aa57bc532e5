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
* ``ms_per_rep_parts``: where a serial replication's time goes: building the world and its
  seven random streams, ``env.run`` (of which the attrition engine's fights), and
  assembling the results (summary, state series); ``model_to_bare_ratio_in_run`` is the
  ratio of the event rate inside ``env.run`` alone to the bare loop's;
* ``reps_per_s_1_worker`` / ``reps_per_s_2_workers`` and ``parallel_efficiency``
  (``run_many`` in memory, no per-replication series), and with ``--dask`` the same on a
  ``LocalCluster`` with 2 workers;
* ``peak_rss_mb``: peak resident memory of a fresh process running ``run_many`` into an
  output folder with 2 workers (its own, from ``VmHWM``, and its largest worker's), per
  number of replications; measured first, Linux only.

Each timing is repeated in several rounds (5; 3 with ``--quick``) whose order rotates; ratios
are taken within a round, and ratios and rates are given as median, min and max over rounds.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from typing import Any

import numpy as np
import simpy

from kabulsim.experiments import run_many
from kabulsim.model import fighting, simulate
from kabulsim.model.simulate import build_world, results, run_world
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
    """SimPy events per second of serial ``simulate`` calls, and the events processed."""
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


def replication_parts(reps: int) -> dict[str, float]:
    """Seconds per replication in each part of ``simulate`` (same steps, timed one by one)."""
    scenario = Scenario()
    fights = [0.0]
    engine = fighting.simulate

    def timed_engine(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return engine(*args, **kwargs)
        finally:
            fights[0] += time.perf_counter() - began

    parts = {"build": 0.0, "run": 0.0, "results": 0.0}
    events = 0
    fighting.simulate = timed_engine
    try:
        for rep in range(reps):
            t0 = time.perf_counter()
            world = build_world(scenario, 1, rep)
            t1 = time.perf_counter()
            run_world(world)
            t2 = time.perf_counter()
            results(world)
            t3 = time.perf_counter()
            parts["build"] += t1 - t0
            parts["run"] += t2 - t1
            parts["results"] += t3 - t2
            events += _processed(world.env)
    finally:
        fighting.simulate = engine
    out = {k: v / reps for k, v in parts.items()}
    out["fights_in_run"] = fights[0] / reps
    out["events"] = events / reps
    return out


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
    # VmHWM: this process's own peak (ru_maxrss would carry over the peak of the process
    # that started it, across exec); the workers' peak from the kernel's accounting.
    with open("/proc/self/status") as status:
        own = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(own, kids, wall)
"""


def peak_memory(reps: int) -> dict[str, float]:
    """Peak resident memory (MB) of a fresh process running ``reps`` replications into a
    folder on 2 workers: the main process and the largest worker."""
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(reps)], capture_output=True, text=True, check=True
    ).stdout.split()
    own, kids, wall = int(out[0]), int(out[1]), float(out[2])
    return {
        "main_mb": round(own / 1024, 1),
        "worker_mb": round(kids / 1024, 1),
        "wall_s": round(wall, 1),
    }


def _warm_up() -> None:
    from kabulsim.experiments.batches import plan_batches, run_batch

    run_batch(plan_batches(Scenario(), 5, 0, 5, 0)[0])


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
        # Warm every worker up (imports, first batch), as the pool's forked workers are.
        client.run(_warm_up)
        run_many(Scenario(), 200, 0, client=client, series_reps=0, batch_size=50)
        began = time.perf_counter()
        run_many(Scenario(), reps, 3, client=client, series_reps=0)
        return reps / (time.perf_counter() - began)


def _stats(values: list[float], digits: int) -> dict[str, float]:
    return {
        "median": round(float(np.median(values)), digits),
        "min": round(min(values), digits),
        "max": round(max(values), digits),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="CI-sized run")
    parser.add_argument("--dask", action="store_true", help="also time a Dask LocalCluster")
    parser.add_argument(
        "--rounds",
        type=int,
        default=None,
        help="interleaved measurement rounds, medians reported (default 5; 3 with --quick)",
    )
    args = parser.parse_args()
    rounds_n = args.rounds if args.rounds is not None else (3 if args.quick else 5)
    sim_reps = 200 if args.quick else 600
    # Replications per worker: 1 worker runs this many, 2 workers twice as many. The full
    # benchmark times runs of the size users make (10,000 replications on 2 workers), so that
    # a run's fixed costs (starting the pool, assembling the tables) weigh as they do there.
    rate_reps = 400 if args.quick else 5000
    mem_reps = (1000, 3000) if args.quick else (10_000, 100_000)

    # The machine's speed drifts (shared hosts; the same loop was seen 25% slower from one
    # second to the next): every figure is measured in each of several short rounds,
    # ratios are taken within a round, and the order of the timings rotates from round to
    # round so that a drift does not always favour the same one. Medians are reported.
    # Memory first: a fresh process for each size, started while this one is still small.
    memory = {str(n): peak_memory(n) for n in mem_reps}
    timings: list[tuple[str, Any]] = [
        ("r1", lambda: reps_rate(rate_reps, 1)),
        ("r2", lambda: reps_rate(2 * rate_reps, 2)),
    ]
    if args.dask:
        timings.append(("dask", lambda: dask_rate(2 * rate_reps)))
    rounds: list[dict[str, float]] = []
    events = 0
    for k in range(rounds_n):
        model_rate, events = model_event_rate(sim_reps)
        row = {"model": model_rate, "bare": bare_event_rate(events)}
        row["ratio"] = row["model"] / row["bare"]
        parts = replication_parts(sim_reps)
        row.update({f"part_{name}": value for name, value in parts.items()})
        bare_in_run = bare_event_rate(round(parts["events"] * sim_reps))
        row["ratio_in_run"] = parts["events"] / parts["run"] / bare_in_run
        for name, measure in timings[k % len(timings) :] + timings[: k % len(timings)]:
            value = measure()
            if value is not None:
                row[name] = value
        row["efficiency"] = row["r2"] / (2 * row["r1"])
        if "dask" in row:
            row["dask_vs_pool"] = row["dask"] / row["r2"]
        rounds.append(row)

    def values(key: str) -> list[float]:
        return [r[key] for r in rounds if key in r]

    def med(key: str) -> float:
        return float(np.median(values(key)))

    ms = {
        name: round(1000 * med(f"part_{name}"), 3)
        for name in ("build", "run", "fights_in_run", "results")
    }
    result: dict[str, object] = {
        "quick": args.quick,
        "rounds": rounds_n,
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "simpy": simpy.__version__,
        "events_per_rep": round(events / sim_reps, 1),
        "model_events_per_s": round(med("model")),
        "bare_events_per_s": round(med("bare")),
        "model_to_bare_ratio": _stats(values("ratio"), 3),
        "ms_per_rep_serial_simulate": round(1000 * events / med("model") / sim_reps, 2),
        "ms_per_rep_parts": ms,
        "model_to_bare_ratio_in_run": _stats(values("ratio_in_run"), 3),
        "reps_per_s_1_worker": _stats(values("r1"), 1),
        "reps_per_s_2_workers": _stats(values("r2"), 1),
        "parallel_efficiency": _stats(values("efficiency"), 3),
        "peak_rss_mb": memory,
        "load_avg_1min_at_end": round(os.getloadavg()[0], 2),
    }
    if args.dask:
        have = bool(values("dask"))
        result["dask_2_workers_reps_per_s"] = _stats(values("dask"), 1) if have else None
        result["dask_to_pool_ratio"] = _stats(values("dask_vs_pool"), 3) if have else None
    print(json.dumps(result))


if __name__ == "__main__":
    main()
