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


def test_columns_are_read_by_role_from_the_places_data():
    # the 2001 columns the record's checks and the map read, without spelling them
    assert outputs.column("start", "capital") == "shamali_start"
    assert outputs.column("city_falls", "falls") == "mazar_falls"
    assert outputs.column("taliban_{place}", "falls") == "taliban_north"
    assert outputs.map_breaks() == {"Shamali line": "front_broken", "Mazar front": "mazar_falls"}


def test_a_declared_place_is_found_by_its_template():
    # a front a scenario declares: its columns are known to every reader of the tables
    falls = outputs.outcome("far_city_falls")
    assert falls is not None and falls.kind == "time" and falls.key
    assert outputs.is_time("far_line_broken") and not outputs.is_time("kabul_evacuatedx")
    assert outputs.outcome("kabul_falls") is outputs.OUTCOME_BY_NAME["kabul_falls"]
    label = outputs.series_label("morale_far")
    assert label is not None and label.units == "morale (0-1)"
    columns = [*outputs.OUTCOME_NAMES, "far_line_broken", "far_city_falls"]
    keys = outputs.key_outcomes(columns)
    assert keys[keys.index("mazar_falls") + 1] == "far_city_falls"
    assert "far_line_broken" not in keys  # not a key outcome
    assert outputs.key_outcomes(outputs.OUTCOME_NAMES) == outputs.KEY_OUTCOMES
