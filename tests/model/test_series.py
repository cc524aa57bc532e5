"""The state series, built from snapshots taken after every change, equals direct sampling.

A monitor process samples the live state just after each grid time; the series resampled from
the phases' snapshots must agree with it exactly. This catches a phase that changes the state
without taking a snapshot.
"""

from __future__ import annotations

import pytest

from kabulsim.model import build_world
from kabulsim.model.records import State
from tests.helpers import scenario_with


def _live(world) -> State:
    world.book_prisoners()
    return State(world.env.now, world.state())


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"withdrawal.policy": "defend"},
        {"alliance.hold_back_h": 336.0, "alliance.pressure": 1.0},
    ],
)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_series_equals_direct_sampling(changes, seed):
    world = build_world(scenario_with(**changes), seed=seed)
    step = world.scenario.series_step_h
    sampled: list[State] = []

    def monitor(env):
        yield env.timeout(1e-6)
        while True:
            sampled.append(_live(world))
            yield env.timeout(step)

    world.env.process(monitor(world.env))
    world.env.run(until=world.horizon_h + 1e-3)
    world.book_prisoners()
    series = world.series().states()
    assert len(series) == len(sampled) == int(world.horizon_h / step) + 1
    for grid, live in zip(series, sampled, strict=True):
        assert grid.t_h == pytest.approx(live.t_h, abs=1e-5)
        assert grid.values == live.values
