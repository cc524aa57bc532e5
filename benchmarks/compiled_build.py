"""Measure what compiling the model with mypyc would buy: prints ONE JSON object.

Builds two copies of ``src/`` OUTSIDE ``src/`` (default ``build/compiled/``, ignored by git;
never leave compiled modules in ``src/``: the editable install would import a stale one after
a ``.py`` edit): ``pure/`` (plain copy) and ``compiled/`` (``kabulsim/model/*.py`` and
``kabulsim/combat/*.py`` compiled with mypyc, the modules in ``--exclude`` left interpreted).
Then times ``simulate(Scenario(), 0, rep)`` for ``--reps`` serial replications in fresh
processes with ``PYTHONPATH`` on each copy, alternating the two over ``--rounds`` rounds, each
against a bare SimPy loop (as in ``benchmarks/throughput.py``) in the same process; CPU time
(``time.process_time``) for both, so other jobs on the host count less. With ``--identity``
it also runs ``benchmarks/identity_check.py`` on each copy and reports whether every hash
matches. Needs a C compiler, the Python headers and mypy (which ships mypyc)::

    python benchmarks/compiled_build.py                      # build (~3-5 min), 5 rounds
    python benchmarks/compiled_build.py --no-build --identity

``world.py`` is left interpreted by default (``--exclude world.py``): with the sources as they
are, the compiled copy fails there. Its ``Fronts`` (a ``dict`` subclass read by attribute
through ``__getattr__``) is refused as a native class ("__getattr__ not supported in class ...
because it inherits from a non-native class"); with ``--exclude`` (no file) the build marks it
an ordinary Python class in the COPY (``@mypyc_attr(native_class=False)``, from
``mypy_extensions``, which ships with mypy: a compile directive, nothing changes when
interpreted). And ``timer_or`` reads ``event.callbacks``, which SimPy annotates as a list but
sets to None once the event is processed: compiled, every replication then fails with
``TypeError: list object expected; got None``, until it is read as ``cast(Any, event).callbacks``
(as ``aftermath`` does). The timings below refuse rounds with failed replications (a failed
replication is cheap). Figures and what compiling world.py would give: docs/experiments.md,
"Issue 27: compiled build (part C)".
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_TIMER = r"""
import json, sys, time
import numpy as np, simpy
from kabulsim.model import simulate
from kabulsim.scenario import Scenario

def processed(env):
    return int(next(env._eid) - len(env._queue))

def bare_rate(events, processes=100):
    env = simpy.Environment()
    rng = np.random.default_rng(0)
    per = max(1, events // processes)
    def proc(delays):
        for d in delays:
            yield env.timeout(d)
    for _ in range(processes):
        env.process(proc(rng.exponential(1.0, per).tolist()))
    began = time.process_time()
    env.run()
    return processed(env) / (time.process_time() - began)

reps = int(sys.argv[1])
scenario = Scenario()
simulate(scenario, 0, 0)
failed = 0
began = time.process_time()
for rep in range(reps):
    failed += simulate(scenario, 0, rep).error is not None
cpu = (time.process_time() - began) / reps
rate = bare_rate(66_000)
import kabulsim.model.commander as probe
print(json.dumps({"ms": cpu * 1e3, "bare_us": 1e6 / rate, "cost": cpu * rate,
                  "failed": failed, "commander": probe.__file__}))
"""


def build(out: Path, exclude: list[str]) -> list[str]:
    """Copy ``src/`` into ``out/pure`` and ``out/compiled``; compile the latter's model."""
    for name in ("pure", "compiled"):
        target = out / name
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(ROOT / "src", target, ignore=shutil.ignore_patterns("__pycache__"))
    compiled = out / "compiled"
    shutil.copy(ROOT / "pyproject.toml", compiled / "pyproject.toml")
    if "world.py" not in exclude:
        _fronts_not_native(compiled / "kabulsim" / "model" / "world.py")
    modules = sorted(
        str(p.relative_to(compiled))
        for folder in ("model", "combat")
        for p in (compiled / "kabulsim" / folder).glob("*.py")
        if p.name not in exclude
    )
    cmd = ["mypyc", "--config-file", "pyproject.toml", *modules]
    log = compiled / "mypyc.log"
    with log.open("w") as handle:
        subprocess.run(cmd, cwd=compiled, stdout=handle, stderr=subprocess.STDOUT, check=False)
    # mypyc's own copy step follows the project's ``src/`` layout and fails in a copy of
    # src/; take the built extensions from its build folder instead.
    built = next((compiled / "build").glob("lib.*"), None)
    if built is None:
        sys.exit(f"mypyc built nothing; see {log}")
    for so in built.rglob("*.so"):
        dest = compiled / so.relative_to(built)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(so, dest)
    missing = [m for m in modules if not any(Path(compiled, m).parent.glob(Path(m).stem + ".*.so"))]
    if missing:
        sys.exit(f"mypyc did not compile {missing}; see {log}")
    return modules


def _fronts_not_native(world: Path) -> None:
    """In the copy only: keep ``Fronts`` an ordinary Python class (mypyc's own escape)."""
    text = world.read_text()
    future = "from __future__ import annotations\n"
    cls = "\nclass Fronts(dict[str, Front]):\n"
    if text.count(future) != 1 or text.count(cls) != 1:
        sys.exit(f"{world}: Fronts not found as expected; rerun with --exclude world.py")
    text = text.replace(future, future + "\nfrom mypy_extensions import mypyc_attr\n")
    text = text.replace(cls, "\n@mypyc_attr(native_class=False)" + cls)
    world.write_text(text)


def time_copy(copy: Path, reps: int) -> dict[str, float | str]:
    env = dict(os.environ, PYTHONPATH=str(copy))
    done = subprocess.run(
        [sys.executable, "-c", _TIMER, str(reps)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, float | str] = json.loads(done.stdout)
    return result


def identity(copy: Path, reps: int) -> str:
    env = dict(os.environ, PYTHONPATH=str(copy))
    cmd = [sys.executable, str(ROOT / "benchmarks" / "identity_check.py"), "--reps", str(reps)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"identity_check failed on {copy}:\n" + "\n".join(done.stderr.splitlines()[-15:]))
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "compiled")
    parser.add_argument(
        "--exclude", nargs="*", default=["world.py"], help="file names left interpreted"
    )
    parser.add_argument("--no-build", action="store_true", help="reuse the copies in --out")
    parser.add_argument("--reps", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--identity", action="store_true")
    parser.add_argument("--identity-reps", type=int, default=20)
    args = parser.parse_args()
    out: Path = args.out.resolve()
    if out == ROOT / "src" or (ROOT / "src") in out.parents:
        sys.exit("--out must be outside src/")
    report: dict[str, object] = {"out": str(out), "excluded": args.exclude}
    if not args.no_build:
        report["compiled_modules"] = build(out, args.exclude)
    rounds: dict[str, list[dict[str, float | str]]] = {"pure": [], "compiled": []}
    for r in range(args.rounds):
        order = ("pure", "compiled") if r % 2 == 0 else ("compiled", "pure")
        for name in order:
            rounds[name].append(time_copy(out / name, args.reps))
            print(name, json.dumps(rounds[name][-1]), file=sys.stderr, flush=True)
    # A failed replication is cheap: its time says nothing (mypyc's type checks at run time
    # turn an annotation the values do not honour into a TypeError).
    failed = {name: sum(int(x["failed"]) for x in rounds[name]) for name in rounds}
    if any(failed.values()):
        sys.exit(f"failed replications: {failed}; timings not comparable")
    if not str(rounds["compiled"][0]["commander"]).endswith(".so"):
        sys.exit("the compiled copy imported an interpreted commander module")
    for key in ("ms", "cost", "bare_us"):
        for name in rounds:
            values = [float(x[key]) for x in rounds[name]]
            report[f"{key}_{name}"] = {
                "median": round(statistics.median(values), 3),
                "min": round(min(values), 3),
                "max": round(max(values), 3),
            }
    speedups = [
        float(p["cost"]) / float(c["cost"])
        for p, c in zip(rounds["pure"], rounds["compiled"], strict=True)
    ]
    report["speedup"] = {
        "median": round(statistics.median(speedups), 3),
        "min": round(min(speedups), 3),
        "max": round(max(speedups), 3),
    }
    if args.identity:
        hashes = {name: identity(out / name, args.identity_reps) for name in rounds}
        report["identical_tables"] = hashes["pure"] == hashes["compiled"]
        report["identity_lines"] = len(hashes["pure"].splitlines())
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
