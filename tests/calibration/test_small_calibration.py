"""A small calibration of the kabulsim model itself (CI: well under a minute)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kabulsim.calibration.priors import free_parameters
from kabulsim.calibration.statistics import STATISTICS
from kabulsim.scenario.schema import Scenario

pytest.importorskip("pyabc")


def test_small_calibration_runs_and_writes_an_ensemble(tmp_path: Path) -> None:
    from kabulsim.calibration.abc import calibrate
    from kabulsim.calibration.settings import Settings

    settings = Settings(population=12, reps=2, generations=2, minutes=1.0, workers=1, seed=5)
    out = calibrate(Scenario(), tmp_path, settings)
    assert out.generations == 2
    assert (tmp_path / "abc.db").is_file()
    assert out.facts == tuple(s.key for s in STATISTICS)
    for p in free_parameters():
        v = out.values[p.path]
        assert len(v) == 12
        assert ((v >= p.low) & (v <= p.high)).all()
    assert out.simulations >= 2 * 12 * 2  # at least a population per generation, 2 reps each
    assert abs(out.weights.sum() - 1.0) < 1e-9


def test_leave_one_fact_out_predicts_the_held_out_fact(tmp_path: Path) -> None:
    from kabulsim.calibration.predictive import leave_one_out

    row = leave_one_out(
        "shamali_duration", tmp_path, population=10, reps=2, generations=1, members=4, seed=2
    )
    assert list(row["fact"]) == ["shamali_duration"]
    assert 0.0 <= float(row["members_within"].iloc[0]) <= 1.0
    assert (tmp_path / "without_shamali_duration" / "abc.db").is_file()
