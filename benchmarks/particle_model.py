"""CPU cost of the calibration's particle model: prints ONE JSON object on standard output.

What a calibration (and the certificate's reference table) spends its time on: pyABC's model,
:class:`kabulsim.calibration.abc.ParticleModel`, evaluating particles drawn from the priors
(``--particles``, from a fixed seed) over ``--reps`` replications each (the shipped
calibration's 10), serially, in CPU time (``time.process_time``: the host is shared). In the
same process, before and after, a bare SimPy loop (100 processes of ``yield
env.timeout(d)``, as ``benchmarks/throughput.py``) gives the cost of one bare event, so that a
simulation's cost is also given in bare-event equivalents.

Before and after in one command: ``--against PATH`` (another checkout, or its ``src``) runs
each round in two fresh processes, one per tree, alternating which goes first, and reports
both trees' figures and the ratio this/against within each round (median, min and max)::

    PYTHONPATH=$PWD/src python benchmarks/particle_model.py --rounds 4 --against /work/main
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

from bare_loop import bare_loop  # the bare SimPy loop (this folder)
from checkouts import src_folder  # --against PATH (this folder)


def bare_event_s(events: int = 60_000, processes: int = 100) -> float:
    """CPU seconds per event of the bare SimPy loop (``bare_loop.py``)."""
    n, cpu = bare_loop(events, processes, clock=time.process_time)
    return cpu / n


def measure(particles: int, reps: int) -> dict[str, float]:
    """One round in this process: CPU ms per simulation and per bare event."""
    import numpy as np

    from kabulsim.calibration.abc import ParticleModel
    from kabulsim.calibration.priors import free_parameters
    from kabulsim.scenario.schema import Scenario

    params = free_parameters()
    model = ParticleModel(Scenario(), params, reps, 0, None)
    rng = np.random.default_rng(0)
    theta = np.column_stack([p.sample(rng, particles) for p in params])
    chosen = [{p.key: float(theta[i, j]) for j, p in enumerate(params)} for i in range(particles)]
    model(chosen[0])  # warm up (imports, caches)
    bare = [bare_event_s()]
    began = time.process_time()
    for particle in chosen:
        model(particle)
    cpu = time.process_time() - began
    bare.append(bare_event_s())
    per_sim = cpu / (particles * reps)
    bare_s = statistics.mean(bare)
    return {
        "cpu_ms_per_sim": 1000.0 * per_sim,
        "bare_event_us": 1e6 * bare_s,
        "bare_event_equivalents": per_sim / bare_s,
    }


def _stats(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--particles", type=int, default=15)
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--against", metavar="PATH", help="also measure the checkout at PATH")
    args = parser.parse_args()
    if not args.against:
        rounds = [measure(args.particles, args.reps) for _ in range(args.rounds)]
        print(json.dumps({"rounds": rounds}))
        return
    trees = {
        "this": src_folder(
            os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "particle_model.py"
        ),
        "against": src_folder(args.against, "particle_model.py"),
    }
    runs: dict[str, list[dict[str, float]]] = {"this": [], "against": []}
    for k in range(args.rounds):
        for name in ("this", "against") if k % 2 == 0 else ("against", "this"):
            env = dict(os.environ, PYTHONPATH=trees[name])
            cmd = [sys.executable, os.path.abspath(__file__), "--rounds", "1"]
            cmd += ["--particles", str(args.particles), "--reps", str(args.reps)]
            out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
            runs[name].append(json.loads(out.stdout)["rounds"][0])
            print(json.dumps({"round": k, "tree": name, **runs[name][-1]}), file=sys.stderr)
    figures = {}
    for key in ("cpu_ms_per_sim", "bare_event_us", "bare_event_equivalents"):
        this = [r[key] for r in runs["this"]]
        other = [r[key] for r in runs["against"]]
        figures[key] = {
            "this": _stats(this),
            "against": _stats(other),
            "ratio_this_over_against": _stats([a / b for a, b in zip(this, other, strict=True)]),
        }
    print(json.dumps({**trees, "rounds": args.rounds, "figures": figures, "runs": runs}))


if __name__ == "__main__":
    main()
