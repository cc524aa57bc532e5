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

import dataclasses
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


# The ESS rule (issue 26: the last generation's Kish ESS at least half the population), on a
# toy shaped like the kabulsim calibration: six free parameters, uniform on boxes, only two
# informed by the record (most of the kabulsim posterior is close to its prior), one of them
# log-uniform. Measured (population 400, five generations, seeds 1 and 2): pyABC's kernel
# alone leaves 180-189 of 400 (45-47%, one generation 27 of 400); mixing in the prior
# (defensive, half the proposals) 313-325 (78-81%). The rule is asserted for the mixture;
# the kernel alone is shown to fall short of the mixture on the same seed.
TOY_BOX = (
    *(FreeParameter(f"toy.u{i}", 0.0, 1.0, log=False, default=0.5, units="1") for i in range(5)),
    FreeParameter("toy.k", 0.01, 1.0, log=True, default=0.1, units="1"),
)


class BoxToy:
    """x ~ N(u0, 0.1) and y ~ N(log k, 0.5): u1..u4 are not informed by the record."""

    def __call__(self, particle: dict[str, float]) -> dict[str, float]:
        # the kabulsim priors' keys in natural units: calibrate maps its log scale back
        u0, k = particle[TOY_BOX[0].key], particle[TOY_BOX[-1].key]
        return {
            "x": float(np.random.normal(u0, 0.1)),  # noqa: NPY002
            "y": float(np.random.normal(np.log(k), 0.5)),  # noqa: NPY002
        }


def _box_dist(a: dict[str, float], b: dict[str, float]) -> float:
    return float(np.hypot(a["x"] - b["x"], a["y"] - b["y"]))


def _box_run(out: Path, percent: int) -> Outcome:
    settings = Settings(
        population=400, reps=1, generations=5, minutes=2.0, workers=1, seed=1, moves=0,
        prior_percent=percent,
    )  # fmt: skip
    return calibrate(
        Scenario(),
        out,
        settings,
        params=TOY_BOX,
        model=BoxToy(),
        record={"x": 0.5, "y": float(np.log(0.1))},
        dist=_box_dist,
    )


def test_the_last_generation_keeps_half_its_population(tmp_path: Path) -> None:
    mixed = _box_run(tmp_path / "mixed", 50)
    assert mixed.generations == 5
    assert mixed.ess_smc >= 0.5 * 400
    # the posterior is right: k's median near the record's 0.1 (log scale mapped back)
    k = mixed.values["toy.k"]
    order = np.argsort(k)
    median = float(k[order][np.searchsorted(np.cumsum(mixed.weights[order]), 0.5)])
    assert 0.07 < median < 0.14
    kernel = _box_run(tmp_path / "kernel", 0)
    assert kernel.ess_smc < mixed.ess_smc


def test_a_history_in_natural_units_is_refused_on_resuming(tmp_path: Path) -> None:
    """A history written with the log-uniform parameter in natural units (as before the
    priors' scale) is refused with a clear error rather than read as logarithms."""
    from kabulsim.calibration.abc import HistoryMismatch

    natural = pyabc.Distribution(
        **{
            p.key: pyabc.RV("loguniform", p.low, p.high)
            if p.log
            else pyabc.RV("uniform", p.low, p.high - p.low)
            for p in TOY_BOX
        }
    )
    settings = Settings(population=50, reps=1, generations=1, minutes=1.0, workers=1, moves=0)
    record = {"x": 0.5, "y": float(np.log(0.1))}
    common = {"params": TOY_BOX, "model": BoxToy(), "record": record, "dist": _box_dist}
    calibrate(Scenario(), tmp_path, settings, prior=natural, **common)
    with pytest.raises(HistoryMismatch, match="log__toy__k"):
        calibrate(Scenario(), tmp_path, dataclasses.replace(settings, generations=2), **common)
