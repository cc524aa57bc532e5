"""The calibration plumbing recovers a known posterior on a toy simulator.

Toy model: theta ~ N(0, 1) (prior), one observation x ~ N(theta, 1), observed x = 1. The
posterior is N(1/2, 1/2) (conjugate normal: mean 0.5, sd 0.707). ABC with distance |x - 1|
and a final threshold eps adds a uniform(-eps, eps) error to the observation, which widens the
posterior variance by eps^2/3 times 1/4 (negligible for eps < 0.2).

Tolerance, written down: 400 particles, weighted ESS typically > 200, so the standard error of
the posterior mean is about 0.707/sqrt(200) = 0.05 and of the sd about 0.035; we allow 0.15
on the mean and 0.12 on the sd (about 3 standard errors), so the test fails when the
plumbing (priors, weights, resuming, the history read-back) is wrong, not by chance.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kabulsim.calibration.abc import Outcome, Settings, calibrate
from kabulsim.calibration.priors import FreeParameter
from kabulsim.scenario.schema import Scenario

pyabc = pytest.importorskip("pyabc")

THETA = FreeParameter("toy.theta", -5.0, 5.0, log=False, default=0.0, units="1")


class Toy:
    """x ~ N(theta, 1), seeded by pyABC's own (seeded) global stream."""

    def __call__(self, particle: dict[str, float]) -> dict[str, float]:
        # pyABC seeds numpy's global stream (np.random.seed in calibrate); the toy uses it
        return {"x": float(np.random.normal(particle[THETA.key], 1.0))}  # noqa: NPY002


def _dist(a: dict[str, float], b: dict[str, float]) -> float:
    return abs(a["x"] - b["x"])


def _run(out: Path, generations: int, moves: int = 3) -> Outcome:

    prior = pyabc.Distribution(**{THETA.key: pyabc.RV("norm", 0.0, 1.0)})
    settings = Settings(
        population=400,
        reps=1,
        generations=generations,
        epsilon=0.05,
        minutes=1.0,
        workers=1,
        seed=3,
        moves=moves,
    )
    return calibrate(
        Scenario(),
        out,
        settings,
        params=(THETA,),
        model=Toy(),
        record={"x": 1.0},
        dist=_dist,
        prior=prior,
    )


def test_normal_mean_posterior_recovered_and_resumable(tmp_path: Path) -> None:
    first = _run(tmp_path, 2)
    assert first.generations == 2
    out = _run(tmp_path, 4)  # resumes the stored run: two more generations
    assert out.generations == 4
    theta = out.values["toy.theta"]
    w = out.weights
    assert w.sum() == pytest.approx(1.0)
    mean = float(np.sum(w * theta))
    sd = float(np.sqrt(np.sum(w * (theta - mean) ** 2)))
    assert out.epsilon < 0.3
    assert mean == pytest.approx(0.5, abs=0.15)
    assert sd == pytest.approx(np.sqrt(0.5), abs=0.12)


def test_the_moves_keep_the_posterior_and_spread_the_copies(tmp_path: Path) -> None:
    """Resample-move on the toy: the moved ensemble (equal weights) keeps the conjugate
    posterior (same tolerances as above: its members are about as informative as the weighted
    generation's ESS) and most of its 400 members are distinct (at the toy's acceptance of
    roughly a third per move, three moves leave a copy unmoved with probability ~0.3)."""
    out = _run(tmp_path, 3, moves=3)
    assert out.moved is not None and out.moved.steps == 3
    theta = out.values["toy.theta"]
    assert np.allclose(out.weights, 1 / 400)
    assert float(theta.mean()) == pytest.approx(0.5, abs=0.15)
    assert float(theta.std()) == pytest.approx(np.sqrt(0.5), abs=0.12)
    assert out.moved.distinct >= 200
    assert out.ess_smc < out.ess  # the weighted generation's ESS is reported separately
