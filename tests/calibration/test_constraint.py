"""A fitted fact checked on a run of its own constrains the calibration (the stalemate).

Toy: theta ~ N(0, 1), x ~ N(theta, 1), observed x = 1 (posterior N(0.5, 0.5), as in
``test_toy.py``), and a constraint "theta > 0.5" checked by a model of its own. The
constrained posterior is that normal truncated at 0.5: mean 0.5 + 0.707 * sqrt(2 / pi) =
1.064, sd 0.707 * sqrt(1 - 2 / pi) = 0.426. Tolerance, written down: about half of 400
particles meet the constraint, so the standard error of the mean is about 0.426 / sqrt(150) =
0.035; we allow 0.15 (about 4 standard errors), so the test fails when members that fail the
constraint survive or the weights are wrong, not by chance.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pytest

from kabulsim.analysis.stalemate import StalemateModel, stalemate_constraint
from kabulsim.calibration.abc import Settings, calibrate
from kabulsim.calibration.certificate import ReferenceTable, certify
from kabulsim.calibration.constraint import Constraint
from kabulsim.calibration.facts import shipped
from kabulsim.calibration.move import move
from kabulsim.calibration.priors import FreeParameter, free_parameters
from kabulsim.scenario.schema import Scenario

THETA = FreeParameter("toy.theta", -5.0, 5.0, log=False, default=0.0, units="1")


class Toy:
    def __call__(self, particle: dict[str, float]) -> dict[str, float]:
        return {"x": float(np.random.normal(particle[THETA.key], 1.0))}  # noqa: NPY002


class Echo:
    """The constraint's own 'run': it reports the parameter."""

    def __call__(self, particle: dict[str, float]) -> Mapping[str, float]:
        return {"theta": particle[THETA.key]}


def _above_half(result: Mapping[str, float]) -> bool:
    return result["theta"] > 0.5


def _dist(a: dict[str, float], b: dict[str, float]) -> float:
    return abs(a["x"] - b["x"])


def _calibrate(out: Path, moves: int):
    pyabc = pytest.importorskip("pyabc")
    prior = pyabc.Distribution(**{THETA.key: pyabc.RV("norm", 0.0, 1.0)})
    settings = Settings(
        population=400, reps=1, generations=3, epsilon=0.05, minutes=1.0, workers=1, seed=3,
        moves=moves,
    )  # fmt: skip
    return calibrate(
        Scenario(), out, settings, params=(THETA,), model=Toy(), record={"x": 1.0},
        dist=_dist, prior=prior, constraint=Constraint("above", Echo(), _above_half, reps=2),
    )  # fmt: skip


@pytest.mark.parametrize("moves", [0, 3])
def test_every_member_meets_the_constraint_and_the_posterior_is_truncated(
    tmp_path: Path, moves: int
) -> None:
    out = _calibrate(tmp_path, moves)
    theta, w = out.values["toy.theta"], out.weights
    assert len(theta) == len(w) and w.sum() == pytest.approx(1.0)
    assert (theta > 0.5).all()
    c = out.constrained
    assert c is not None and c.key == "above" and 0 < c.kept < c.of == 400
    assert c.ess_after < out.ess_smc  # the last generation's, before the constraint
    if moves:
        assert len(theta) == 400  # resampled from the members that meet it, then moved
        assert out.moved is not None and out.moved.checked >= out.moved.inadmissible > 0
        assert c.rejected_in_moves == out.moved.inadmissible
    else:
        assert len(theta) == c.kept
    # every simulation is counted, the constraint's checks at their own replications
    stages = out.by_stage
    assert (
        stages["constraint"] == 2 * c.simulated == 2 * (400 + (out.moved.checked if moves else 0))
    )
    assert stages["moves"] == (out.moved.proposed if moves else 0)
    assert out.simulations == sum(stages.values()) > stages["abc_smc"] >= out.generations * 400
    mean = float(np.sum(w * theta))
    sd = float(np.sqrt(np.sum(w * (theta - mean) ** 2)))
    assert mean == pytest.approx(0.5 + np.sqrt(0.5) * np.sqrt(2 / np.pi), abs=0.15)
    assert sd == pytest.approx(np.sqrt(0.5) * np.sqrt(1 - 2 / np.pi), abs=0.12)


def test_moves_ask_the_constraint_only_about_proposals_inside_the_threshold() -> None:
    asked: list[float] = []

    def evaluate(particles: list[dict[str, float]]) -> list[dict[str, float]]:
        return [{"x": p[THETA.key]} for p in particles]  # deterministic: x = theta

    def admissible(particles: list[dict[str, float]]) -> np.ndarray:
        asked.extend(p[THETA.key] for p in particles)
        return np.array([p[THETA.key] > 1.0 for p in particles])

    start = np.linspace(1.05, 1.45, 50)  # all inside |x - 1| <= 0.5 and admissible
    moved = move(
        {THETA.path: start}, np.ones(50), (THETA,), evaluate, {"x": 1.0}, _dist, 0.5, 6, 0,
        admissible=admissible,
    )  # fmt: skip
    values = moved.values[THETA.path]
    assert (values > 1.0).all() and (np.abs(values - 1.0) <= 0.5).all()
    assert asked and all(abs(t - 1.0) <= 0.5 for t in asked)
    assert moved.checked == len(asked) and moved.inadmissible == sum(t <= 1.0 for t in asked)


def test_a_restricted_table_is_certified_as_such() -> None:
    rng = np.random.default_rng(0)
    theta = rng.uniform(-1, 1, size=(400, 1))
    stats = theta + rng.normal(0, 0.1, size=(400, 1))
    table = ReferenceTable((THETA,), ("x",), np.array([0.1]), theta, stats)
    keep = theta[:, 0] > -0.5
    restricted = table.restricted(keep, "above")
    assert restricted.theta.shape[0] == int(keep.sum()) and restricted.drawn == 400
    cert = certify(restricted, pseudo_records=50, seed=1)
    data = cert.to_dict()
    assert data["constraint"] == "above" and data["table_drawn"] == 400
    assert data["table_size"] == int(keep.sum())
    assert "restricted to the" in data["method"]


def test_the_shipped_facts_make_the_stalemate_a_constraint() -> None:
    params = free_parameters()
    constraint = stalemate_constraint(Scenario(), params, 3, 0, shipped())
    assert constraint is not None and constraint.key == "stalemate"
    assert isinstance(constraint.model, StalemateModel)


def test_a_line_drained_without_bombing_fails_the_stalemate() -> None:
    """At the defaults the fronts hold; with heavy desertion and ground pressure they do not.

    Measured (seed 0, 40 replications): desertion 0.03 a day breaks Kabul within the extra
    six months in all 40; 0.01 in none.
    """
    params = [p for p in free_parameters() if p.path == "command.desertion_per_day"]
    constraint = stalemate_constraint(Scenario(), params, 3, 0, shipped())
    assert constraint is not None
    defaults, drained = ({params[0].key: v} for v in (0.0, 0.03))
    results = [constraint.model(p) for p in (defaults, drained)]
    assert constraint.meets(results[0]) and results[0]["held"] == 1.0
    assert not constraint.meets(results[1])
    assert results[1]["by_extended"] - results[1]["by_horizon"] > 0.5
