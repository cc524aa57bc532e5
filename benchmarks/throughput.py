"""Throughput benchmark of kabulsim: prints ONE JSON object on standard output.

Usage::

    python benchmarks/throughput.py            # full: memory at 10,000 and 100,000 reps
    python benchmarks/throughput.py --quick    # CI-sized: memory at 1,000 and 3,000 reps
    python benchmarks/throughput.py --dask     # also a Dask LocalCluster (2 workers)
    python benchmarks/throughput.py --quick --no-memory --against /work/main
                                               # before/after: this tree and another checkout

Figures:

* ``replication_cost_bare_events`` (the headline): milliseconds per serial baseline
  replication (``simulate``) divided by the cost of one event of a bare SimPy loop (100
  processes each doing ``yield env.timeout(delay)``, delays from a numpy Generator batched
  with ``.tolist()``), both measured in the same process and round: what a replication costs
  in units of the cheapest thing a SimPy model can do. Target: at most 500.
* ``ms_per_rep_parts``: where a serial replication's time goes: building the world and its
  random streams, ``env.run`` (of which the attrition engine's fights), and assembling the
  results (summary, state series); ``events_per_rep``: SimPy events processed per
  replication;
* ``startup_s``: wall time of ``kabulsim --help``, ``kabulsim run --help``, ``kabulsim show
  scenarios/baseline.yaml`` and ``kabulsim params`` in fresh processes (and of ``python -c
  pass``, the interpreter alone). Targets: 0.3 s for help, 1 s for show and params;
* ``figure_share``: for a run of 3,000 replications on 2 workers written to a folder, the
  share of the wall time spent drawing its figures and animation
  (:func:`kabulsim.plots.io.write_run_figures`). Target: at most 0.25;
* ``reps_per_s_1_worker`` / ``reps_per_s_2_workers`` and ``parallel_efficiency``
  (``run_many`` in memory, no per-replication series; target 0.9), and with ``--dask`` the
  same on a ``LocalCluster`` with 2 workers; ``machine_parallel_efficiency``: the same ratio
  for a pure-Python loop in 2 processes (below 1 when other jobs hold the cores), and
  ``parallel_efficiency_vs_machine``, the model's over the machine's in the same round;
  ``parent_cpu_share_2_workers``: the CPU time of the process that runs ``run_many`` on 2
  workers over the run's wall time (it should only wait while the workers run);
* ``calibration_sims_per_s``: simulations per second of ``kabulsim calibrate`` on 2 workers
  (the shipped calibration's 10 replications per particle, a smaller population and 2
  generations, as the command itself reports them in its ensemble's sidecar); the shipped
  calibration's own figure is in ``src/kabulsim/data/baseline_ensemble.json`` (123 at 67b7de6);
* ``lesson_build_s``: wall seconds of ``kabulsim explorer --lesson hold-back`` (the
  classroom page at its defaults) in a fresh process;
* ``peak_rss_mb``: peak resident memory of a fresh process running ``run_many`` into an
  output folder with 2 workers (its own, from ``VmHWM``, and its largest worker's), per
  number of replications; measured first, Linux only (``--no-memory`` skips it).

Each timing is repeated in several rounds (5; 3 with ``--quick``) whose order rotates; ratios
are taken within a round, and ratios and rates are given as median, min and max over rounds.

Before and after in one command: ``--against PATH`` (another checkout of the project, or its
``src`` folder) runs each round twice, in two fresh processes, one importing this tree's
package and one importing PATH's (which goes first alternates from round to round); it
prints both trees' figures and, for each headline figure, the ratio this/against taken
within each round (median, min and max), so that a shared host's drift cancels out.
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
from bare_loop import bare_loop, processed  # the bare SimPy loop (this folder)
from checkouts import src_folder  # --against PATH (this folder)

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


def model_cost(reps: int) -> tuple[float, float]:
    """Seconds per serial ``simulate`` call of the baseline, and SimPy events per call."""
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
    events = sum(processed(env) for env in _ENVS)
    _ENVS.clear()
    return wall / reps, events / reps


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
            events += processed(world.env)
    finally:
        fighting.simulate = engine
    out = {k: v / reps for k, v in parts.items()}
    out["fights_in_run"] = fights[0] / reps
    out["events"] = events / reps
    return out


def bare_event_rate(events: int, processes: int = 100) -> float:
    """Events per wall-clock second of the bare SimPy loop (``bare_loop.py``)."""
    n, wall = bare_loop(events, processes)
    return n / wall


def reps_rate(reps: int, workers: int) -> dict[str, float]:
    """Replications per second of ``run_many`` in memory, and the share of the run's wall
    time this (the parent) process spent on a CPU (with 2 workers it should only wait)."""
    scenario = Scenario()
    cpu = time.process_time()
    began = time.perf_counter()
    run_many(scenario, reps, 3, workers=workers, series_reps=0)
    wall = time.perf_counter() - began
    return {"rate": reps / wall, "parent_cpu_share": (time.process_time() - cpu) / wall}


_CHILD = """
import json, math, resource, sys, tempfile, time
from pathlib import Path
from kabulsim.experiments import run_many
from kabulsim.scenario import Scenario
t = time.perf_counter()
if sys.argv[1] == "finalize":  # the final assembly alone, on an existing run folder
    from kabulsim.experiments.store import RunStore
    store = RunStore.open(Path(sys.argv[2]))
    manifest = store.read_manifest()
    n = math.ceil(manifest["reps"] / manifest["batch_size"])
    store.finalize(n, events_csv=manifest["events_csv"])
else:
    ensemble = None
    if sys.argv[2] == "baseline":
        from kabulsim.calibration.ensemble import shipped
        ensemble = shipped()
    with tempfile.TemporaryDirectory() as d:
        run_many(Scenario(), int(sys.argv[1]), 5, workers=2, out=d + "/run", ensemble=ensemble)
wall = time.perf_counter() - t
# VmHWM: this process's own peak (ru_maxrss would carry over the peak of the process
# that started it, across exec); the workers' peak from the kernel's accounting.
with open("/proc/self/status") as status:
    own = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(own, kids, wall)
"""


def peak_memory(reps: int, ensemble: str = "none", finalize: str | None = None) -> dict[str, float]:
    """Peak resident memory (MB) of a fresh process running ``reps`` replications into a
    folder on 2 workers (``ensemble``: "none" or "baseline", the shipped ensemble): the
    main process and the largest worker. With ``finalize`` (a run folder): the final
    assembly of that folder alone."""
    args = ["finalize", finalize] if finalize else [str(reps), ensemble]
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, *args], capture_output=True, text=True, check=True
    ).stdout.split()
    own, kids, wall = int(out[0]), int(out[1]), float(out[2])
    return {
        "main_mb": round(own / 1024, 1),
        "worker_mb": round(kids / 1024, 1),
        "wall_s": round(wall, 1),
    }


def _burn(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i
    return total


def machine_efficiency(n: int = 3_000_000) -> float:
    """Parallel efficiency of the host itself: a pure-Python loop run once alone, then twice
    at once in 2 processes. Below 1 when other jobs hold the cores: the model's parallel
    efficiency cannot exceed it, so it is reported beside it."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(2) as pool:
        list(pool.map(_burn, [1000, 1000]))  # the pool is up before timing
        began = time.perf_counter()
        _burn(n)
        one = time.perf_counter() - began
        began = time.perf_counter()
        list(pool.map(_burn, [n, n]))
        two = time.perf_counter() - began
    return one / two


STARTUP_COMMANDS: dict[str, list[str]] = {
    "python": ["-c", "pass"],
    "help": ["-m", "kabulsim", "--help"],
    "run_help": ["-m", "kabulsim", "run", "--help"],
    "show": ["-m", "kabulsim", "show", "scenarios/baseline.yaml"],
    "params": ["-m", "kabulsim", "params"],
}
"""Commands timed from a fresh interpreter (``python`` alone for reference)."""


def startup_times() -> dict[str, float]:
    """Wall seconds of each command of :data:`STARTUP_COMMANDS` in a fresh process."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = {}
    for name, args in STARTUP_COMMANDS.items():
        began = time.perf_counter()
        subprocess.run(
            [sys.executable, *args], cwd=root, check=True, capture_output=True, text=True
        )
        out[name] = time.perf_counter() - began
    return out


def figure_share(reps: int) -> dict[str, float]:
    """Seconds to run ``reps`` replications into a folder on 2 workers and to draw its
    figures (PNG, SVG, the animation), and the figures' share of the total."""
    import tempfile
    from pathlib import Path

    import matplotlib

    matplotlib.use("Agg")
    from kabulsim.plots.io import write_run_figures

    with tempfile.TemporaryDirectory() as folder:
        began = time.perf_counter()
        result = run_many(Scenario(), reps, 11, workers=2, out=Path(folder) / "run")
        ran = time.perf_counter()
        write_run_figures(result, Path(folder) / "run" / "figures")
        drawn = time.perf_counter()
    return {
        "run_s": ran - began,
        "figures_s": drawn - ran,
        "share": (drawn - ran) / (drawn - began),
    }


def _kabulsim(*args: str) -> float:
    """Wall seconds of one ``kabulsim`` command in a fresh process (it must succeed)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    began = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "kabulsim", *args],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    )
    return time.perf_counter() - began


def calibration_rate(population: int) -> dict[str, float]:
    """Simulations per second of a small ``kabulsim calibrate`` on 2 workers, as it reports them."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "calibration"
        wall = _kabulsim(
            "calibrate",
            "--out",
            str(out),
            "--population",
            str(population),
            "--reps",
            "10",
            "--generations",
            "2",
            "--workers",
            "2",
            "--seed",
            "0",
        )
        sidecar = json.loads((out / "ensemble.json").read_text(encoding="utf-8"))
    return {"sims_per_s": float(sidecar["result"]["simulations_per_second"]), "wall_s": wall}


def lesson_build() -> float:
    """Wall seconds of ``kabulsim explorer --lesson hold-back`` at its defaults."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        return _kabulsim("explorer", "--lesson", "hold-back", "--out", str(Path(folder) / "p.html"))


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


def _stats(values: list[float], digits: int) -> dict[str, float] | None:
    if not values:  # a timing left out (--skip)
        return None
    return {
        "median": round(float(np.median(values)), digits),
        "min": round(min(values), digits),
        "max": round(max(values), digits),
    }


HEADLINES: dict[str, tuple[str, ...]] = {
    "replication_cost_bare_events": ("replication_cost_bare_events", "median"),
    "ms_per_rep_serial_simulate": ("ms_per_rep_serial_simulate", "median"),
    "ms_per_rep_results": ("ms_per_rep_parts", "results"),
    "reps_per_s_1_worker": ("reps_per_s_1_worker", "median"),
    "reps_per_s_2_workers": ("reps_per_s_2_workers", "median"),
    "parallel_efficiency": ("parallel_efficiency", "median"),
    "machine_parallel_efficiency": ("machine_parallel_efficiency", "median"),
    "parallel_efficiency_vs_machine": ("parallel_efficiency_vs_machine", "median"),
    "parent_cpu_share_2_workers": ("parent_cpu_share_2_workers", "median"),
    "figure_share": ("figure_share", "share", "median"),
    "calibration_sims_per_s": ("calibration_sims_per_s", "median"),
    "lesson_build_s": ("lesson_build_s", "median"),
}
"""The figures compared with ``--against`` (each a path into the benchmark's JSON)."""


def _dig(result: dict[str, Any], path: tuple[str, ...]) -> float | None:
    value: Any = result
    for key in path:
        if not isinstance(value, dict) or value.get(key) is None:
            return None
        value = value[key]
    return float(value)


def against(args: argparse.Namespace, passed: list[str]) -> dict[str, object]:
    """Both trees' figures, round by round in fresh processes, and their ratios per round."""
    here = src_folder(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "throughput.py")
    trees = {"this": here, "against": src_folder(args.against, "throughput.py")}
    rounds_n = args.rounds if args.rounds is not None else (3 if args.quick else 5)
    runs: dict[str, list[dict[str, Any]]] = {"this": [], "against": []}
    for k in range(rounds_n):
        order = ("this", "against") if k % 2 == 0 else ("against", "this")
        for name in order:
            env = dict(os.environ, PYTHONPATH=trees[name])
            cmd = [sys.executable, os.path.abspath(__file__), *passed, "--rounds", "1"]
            cmd += ["--rotate", str(k)]
            out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
            runs[name].append(json.loads(out.stdout))
            # Each process's figures as they come (standard error), for a run cut short.
            print(json.dumps({"round": k, "tree": name, **runs[name][-1]}), file=sys.stderr)
    figures: dict[str, object] = {}
    for figure, path in HEADLINES.items():
        pairs = [
            (_dig(a, path), _dig(b, path))
            for a, b in zip(runs["this"], runs["against"], strict=True)
        ]
        ratios = [a / b for a, b in pairs if a is not None and b is not None and b != 0.0]
        this = [a for a, _ in pairs if a is not None]
        other = [b for _, b in pairs if b is not None]
        figures[figure] = {
            "this": _stats(this, 4) if this else None,
            "against": _stats(other, 4) if other else None,
            "ratio_this_over_against": _stats(ratios, 3) if ratios else None,
        }
    return {
        "this": here,
        "against": trees["against"],
        "rounds": rounds_n,
        "figures": figures,
        "runs": runs,
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
    parser.add_argument(
        "--no-memory",
        action="store_true",
        help="skip the peak-memory runs (the longest part of the full benchmark)",
    )
    parser.add_argument(
        "--memory-ensemble",
        choices=("none", "baseline"),
        default="none",
        help="measure peak memory with the shipped baseline ensemble (default none)",
    )
    parser.add_argument(
        "--memory-only",
        nargs="*",
        type=int,
        metavar="REPS",
        help="print only the peak memory of runs of these sizes and stop",
    )
    parser.add_argument(
        "--finalize",
        metavar="DIR",
        help="print only the peak memory and time of the final assembly of run folder DIR",
    )
    parser.add_argument(
        "--no-user-figures",
        action="store_true",
        help="skip the calibration's simulations per second and the lesson page's build time",
    )
    parser.add_argument(
        "--against",
        metavar="PATH",
        help="also measure the checkout at PATH in the same rounds and report the ratios"
        " (memory is not measured)",
    )
    parser.add_argument(
        "--skip",
        default="",
        metavar="NAMES",
        help="timings to leave out, comma-separated: r1, r2 (the rates and parallel"
        " efficiency), figures, calibration, lesson, machine, startup, dask",
    )
    parser.add_argument("--rotate", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.against:
        flags = ("--quick", "--dask", "--no-user-figures")
        passed = [f for f in flags if getattr(args, f[2:].replace("-", "_"))]
        passed += ["--skip", args.skip] if args.skip else []
        print(json.dumps(against(args, [*passed, "--no-memory"])))
        return
    if args.finalize or args.memory_only is not None:
        sizes = args.memory_only or []
        print(
            json.dumps(
                {"finalize": peak_memory(0, finalize=args.finalize)}
                if args.finalize
                else {str(n): peak_memory(n, args.memory_ensemble) for n in sizes}
            )
        )
        return
    rounds_n = args.rounds if args.rounds is not None else (3 if args.quick else 5)
    sim_reps = 200 if args.quick else 600
    # Replications per worker: 1 worker runs this many, 2 workers twice as many. The full
    # benchmark times runs of the size users make (10,000 replications on 2 workers), so that
    # a run's fixed costs (starting the pool, assembling the tables) weigh as they do there.
    rate_reps = 400 if args.quick else 5000
    mem_reps = (1000, 3000) if args.quick else (10_000, 100_000)
    fig_reps = 3000

    # The machine's speed drifts (shared hosts; the same loop was seen 25% slower from one
    # second to the next): every figure is measured in each of several short rounds,
    # ratios are taken within a round, and the order of the timings rotates from round to
    # round so that a drift does not always favour the same one. Medians are reported.
    # Memory first: a fresh process for each size, started while this one is still small.
    memory = (
        {} if args.no_memory else {str(n): peak_memory(n, args.memory_ensemble) for n in mem_reps}
    )
    timings: list[tuple[str, Any]] = [
        ("r1", lambda: reps_rate(rate_reps, 1)),
        ("r2", lambda: reps_rate(2 * rate_reps, 2)),
    ]
    if args.dask:
        timings.append(("dask", lambda: dask_rate(2 * rate_reps)))
    timings.append(("figures", lambda: figure_share(fig_reps)))
    if not args.no_user_figures:
        population = 100 if args.quick else 300
        timings.append(("calibration", lambda: calibration_rate(population)))
        timings.append(("lesson", lesson_build))
    timings.append(("machine", machine_efficiency))
    timings.append(("startup", startup_times))
    skip = {name.strip() for name in args.skip.split(",") if name.strip()}
    known = {name for name, _ in timings} | {"dask", "calibration", "lesson"}
    if skip - known:
        parser.error(f"--skip: unknown timings {', '.join(sorted(skip - known))}")
    timings = [(name, measure) for name, measure in timings if name not in skip]
    rounds: list[dict[str, float]] = []
    for k in range(rounds_n):
        row: dict[str, float] = {}
        # The headline: a replication's cost in bare-SimPy-event equivalents, both measured
        # here, one right after the other.
        s_per_rep, events = model_cost(sim_reps)
        bare = bare_event_rate(round(events * sim_reps))
        row["ms_per_rep"] = 1000 * s_per_rep
        row["bare_event_us"] = 1e6 / bare
        row["cost"] = s_per_rep * bare
        row["events"] = events
        parts = replication_parts(sim_reps)
        row.update({f"part_{name}": value for name, value in parts.items()})
        turn = (k + args.rotate) % len(timings)
        for name, measure in timings[turn:] + timings[:turn]:
            value = measure()
            if isinstance(value, dict):
                row.update({f"{name}_{key}": v for key, v in value.items()})
            elif value is not None:
                row[name] = value
        if "r1_rate" in row and "r2_rate" in row:
            row["efficiency"] = row["r2_rate"] / (2 * row["r1_rate"])
            if "machine" in row:
                row["efficiency_vs_machine"] = row["efficiency"] / row["machine"]
        if "dask" in row:
            row["dask_vs_pool"] = row["dask"] / row["r2_rate"]
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
        "replication_cost_bare_events": _stats(values("cost"), 0),
        "ms_per_rep_serial_simulate": _stats(values("ms_per_rep"), 3),
        "bare_event_us": _stats(values("bare_event_us"), 3),
        "events_per_rep": round(med("events"), 1),
        "ms_per_rep_parts": ms,
        "startup_s": {name: _stats(values(f"startup_{name}"), 3) for name in STARTUP_COMMANDS},
        "figure_share": {
            "reps": fig_reps,
            "share": _stats(values("figures_share"), 3),
            "run_s": _stats(values("figures_run_s"), 2),
            "figures_s": _stats(values("figures_figures_s"), 2),
        },
        "reps_per_s_1_worker": _stats(values("r1_rate"), 1),
        "reps_per_s_2_workers": _stats(values("r2_rate"), 1),
        "parent_cpu_share_2_workers": _stats(values("r2_parent_cpu_share"), 3),
        "parallel_efficiency": _stats(values("efficiency"), 3),
        "machine_parallel_efficiency": _stats(values("machine"), 3),
        "parallel_efficiency_vs_machine": _stats(values("efficiency_vs_machine"), 3),
        "calibration_sims_per_s": _stats(values("calibration_sims_per_s"), 1)
        if values("calibration_sims_per_s")
        else None,
        "lesson_build_s": _stats(values("lesson"), 1) if values("lesson") else None,
        "peak_rss_mb": memory if not args.no_memory else None,
        "load_avg_1min_at_end": round(os.getloadavg()[0], 2),
    }
    if args.dask:
        have = bool(values("dask"))
        result["dask_2_workers_reps_per_s"] = _stats(values("dask"), 1) if have else None
        result["dask_to_pool_ratio"] = _stats(values("dask_vs_pool"), 3) if have else None
    print(json.dumps(result))


if __name__ == "__main__":
    main()
