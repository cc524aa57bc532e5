"""``calibrate``'s time limit is honoured inside a generation (issue 22).

pyABC checks ``max_walltime`` only between generations. A toy model that takes 20 ms per
particle with 2,000 particles per generation would need over 40 s (one worker) for its first
generation; with a limit of 0.05 min (3 s) the calibration must stop within a few seconds of
the limit, on one worker and on two, and say that no generation was complete.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from kabulsim.calibration.abc import CalibrationStopped, Settings, calibrate
from kabulsim.calibration.priors import FreeParameter
from kabulsim.scenario.schema import Scenario

pyabc = pytest.importorskip("pyabc")

THETA = FreeParameter("toy.theta", -5.0, 5.0, log=False, default=0.0, units="1")
LIMIT_MIN = 0.05
SLACK_S = 15.0
"""Time allowed past the limit: the particles in hand finish, pyABC writes its history and
the worker processes end (on a loaded 2-core machine)."""


class SlowToy:
    def __call__(self, particle: dict[str, float]) -> dict[str, float]:
        time.sleep(0.02)
        return {"x": float(particle[THETA.key])}


def _dist(a: dict[str, float], b: dict[str, float]) -> float:
    return abs(a["x"] - b["x"])


@pytest.mark.parametrize("workers", [1, 2])
def test_time_limit_stops_a_generation(tmp_path: Path, workers: int) -> None:
    settings = Settings(
        population=2000, reps=1, generations=3, epsilon=1e-9, minutes=LIMIT_MIN,
        workers=workers, seed=1,
    )  # fmt: skip
    prior = pyabc.Distribution(**{THETA.key: pyabc.RV("uniform", -5.0, 10.0)})
    began = time.monotonic()
    with pytest.raises(CalibrationStopped, match="--minutes"):
        calibrate(
            Scenario(), tmp_path, settings, params=(THETA,), model=SlowToy(),
            record={"x": 1.0}, dist=_dist, prior=prior,
        )  # fmt: skip
    assert time.monotonic() - began < LIMIT_MIN * 60 + SLACK_S
