"""The optional mypyc-compiled build gives the same tables as the pure-Python model.

The compiled build is made by ``python benchmarks/compiled_build.py`` (a few minutes, needs a C
compiler) into ``build/compiled/compiled`` (or the folder in ``KABULSIM_COMPILED``); it is
never built by the tests. When it is absent, or was built from other sources than the ones
under test, the test skips and says why.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"

# Prints one line per (scenario, replication): the repr of its summary, events and series
# (floats' repr round-trips, so equal lines mean equal values, bit for bit).
_HASHER = r"""
import hashlib, sys
import numpy as np
from kabulsim.model import simulate
from kabulsim.scenario import load_scenario

for file in sys.argv[2:]:
    scenario = load_scenario(file)
    for rep in range(int(sys.argv[1])):
        r = simulate(scenario, 0, rep)
        parts = [repr(sorted(r.summary.items())), repr(r.events), repr(r.error)]
        if r.series is not None:
            parts += [r.series.times.tobytes().hex(), r.series.values.tobytes().hex(),
                      repr(sorted(r.series.labels.items())), repr(r.series.names)]
        digest = hashlib.sha256("|".join(parts).encode()).hexdigest()
        print(file.rsplit("/", 1)[-1], rep, r.error is None, digest)
"""


def _compiled_copy() -> Path:
    folder = Path(os.environ.get("KABULSIM_COMPILED", ROOT / "build" / "compiled" / "compiled"))
    model = folder / "kabulsim" / "model"
    if not any(model.glob("*.so")):
        pytest.skip(f"no compiled build in {folder} (python benchmarks/compiled_build.py)")
    stale = [
        str(p.relative_to(SRC))
        for p in (SRC / "kabulsim").rglob("*.py")
        if not (folder / p.relative_to(SRC)).is_file()
        or (folder / p.relative_to(SRC)).read_bytes() != p.read_bytes()
    ]
    # The build marks one class of world.py as an ordinary Python class in its copy.
    stale = [s for s in stale if s != "kabulsim/model/world.py"]
    if stale:
        pytest.skip(f"the compiled build in {folder} is stale: {stale[:3]} differ from src/")
    return folder


def _hashes(pythonpath: Path, reps: int, files: list[str]) -> list[str]:
    env = dict(os.environ, PYTHONPATH=str(pythonpath))
    done = subprocess.run(
        [sys.executable, "-c", _HASHER, str(reps), *files],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.splitlines()


def test_compiled_build_gives_identical_tables() -> None:
    folder = _compiled_copy()
    files = sorted(str(p) for p in (ROOT / "scenarios").glob("*.yaml"))
    pure = _hashes(SRC, 5, files)
    compiled = _hashes(folder, 5, files)
    assert len(pure) == 5 * len(files)
    # Every replication ran to its end in both (a compiled module's type checks could
    # otherwise turn into a failed replication with an error column).
    assert all(line.split()[2] == "True" for line in pure + compiled)
    assert compiled == pure
