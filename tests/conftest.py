from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest

import kabulsim


@pytest.fixture(scope="session")
def baseline_run() -> kabulsim.RunResult:
    return kabulsim.run(kabulsim.Scenario(), reps=60, seed=0)


@pytest.fixture(scope="session")
def hold_back_run() -> kabulsim.RunResult:
    base = kabulsim.Scenario()
    alliance = {**base.alliance.model_dump(), "hold_back_h": 336.0, "pressure": 0.98}
    alliance["indiscipline_per_h"] = 0.02
    sc = kabulsim.Scenario.model_validate(
        {**base.model_dump(), "name": "hold_back", "alliance": alliance}
    )
    return kabulsim.run(sc, reps=60, seed=0)
