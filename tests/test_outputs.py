"""Outputs are declared once (kabulsim.outputs) and every table follows the declaration."""

from __future__ import annotations

import pytest

from kabulsim import outputs
from kabulsim.combat import Side
from kabulsim.combat import simulate as battle
from kabulsim.experiments.batches import SERIES_COLUMNS
from kabulsim.experiments.store import SERIES_SCHEMA
from kabulsim.model import simulate
from kabulsim.outputs import OutcomeRow
from tests.helpers import scenario_with


def test_the_summary_row_has_the_declared_outcomes_in_order():
    rep = simulate(scenario_with(), seed=4)
    assert rep.error is None, rep.error
    assert tuple(rep.summary) == outputs.OUTCOME_NAMES


def test_the_series_tables_follow_the_declared_state():
    names = tuple(v.name for v in outputs.STATE)
    assert SERIES_COLUMNS[3:] == names
    assert tuple(SERIES_SCHEMA.names[3:]) == names
    rep = simulate(scenario_with(), seed=4)
    assert rep.series is not None
    assert rep.series.values.shape[1] == len(outputs.STATE_NUMERIC)
    assert set(rep.series.labels) == set(outputs.STATE_CATEGORICAL)
    state = rep.states[-1]
    assert set(state.values) == set(names)
    assert state.taliban_kabul == state["taliban_kabul"]


def test_presentation_lists_are_derived_from_the_declarations():
    kinds = {o.name: o.kind for o in outputs.OUTCOMES}
    assert all(kinds[n] == "time" for n in outputs.TIME_COLUMNS)
    assert all(kinds[n] == "share" for n in outputs.SHARE_COLUMNS)
    assert set(outputs.KEY_OUTCOMES) <= set(kinds)
    assert set(outputs.HISTORICAL_DATES) <= set(outputs.TIME_COLUMNS)
    assert len(outputs.SERIES_VARIABLES) == len(set(outputs.SERIES_VARIABLES))


def test_an_undeclared_outcome_is_an_error():
    row = OutcomeRow()
    with pytest.raises(KeyError, match="not declared"):
        row.set("tipz", 1)
    with pytest.raises(AttributeError, match="not declared"):
        _ = row.tipz
    row.add("tips", 1)
    row.add("tips", 2)
    assert row.tips == 3
    assert row.as_dict()["tips"] == 3


@pytest.mark.parametrize("seed", range(6))
def test_typed_battle_endings_agree_with_ended_by(seed):
    import numpy as np

    red = Side("red", 1000, kill_rate=0.01, breakpoint=0.3)
    blue = Side("blue", 900, kill_rate=0.012, breakpoint=0.3)
    r = battle(red, blue, law="square", mode="stochastic", dt_h=0.1, max_h=20,
               rng=np.random.default_rng(seed))  # fmt: skip
    parts = set() if r.ended_by == "time_limit" else set(r.ended_by.split(","))
    assert (f"{r.red_end}:red" in parts) == r.red_ended
    assert (f"{r.blue_end}:blue" in parts) == r.blue_ended
    assert r.red_ended or r.blue_ended or r.ended_by == "time_limit"
