"""The scenario's theatre: its fronts with their inputs, computed once per scenario object."""

from __future__ import annotations

from kabulsim.places import PLACES
from tests.helpers import scenario_with


def test_the_fronts_take_the_inputs_named_after_them():
    sc = scenario_with(**{"forces.taliban_north": 6_000, "air.controllers_shamali": None})
    fronts = {f.name: f for f in sc.theatre.fronts}
    assert list(fronts) == [p.name for p in PLACES if p.kind == "front"]
    assert fronts["north"].taliban == 6_000
    assert fronts["shamali"].controllers is None
    assert fronts["north"].fall is not None and fronts["shamali"].fall is None
    assert fronts["north"].fall.killed_share == sc.north.killed_share
    assert fronts["shamali"].fall_back_share == sc.shamali.fall_back_share
    assert fronts["north"].shares == tuple(p.north_share for p in sc.air.sorties)
    assert sc.theatre.trigger == "front_broken"


def test_the_withdrawal_trigger_names_the_falling_city():
    sc = scenario_with(**{"withdrawal.trigger": "north_collapse"})
    assert sc.theatre.trigger == "mazar_falls"


def test_the_theatre_is_computed_once_and_a_copy_computes_its_own():
    sc = scenario_with()
    assert sc.theatre is sc.theatre
    forces = sc.forces.model_copy(update={"taliban_north": 4_000})
    copy = sc.model_copy(update={"forces": forces})
    assert copy.theatre.front("north").taliban == 4_000
    assert sc.theatre.front("north").taliban == sc.forces.taliban_north


def test_a_scenario_with_its_theatre_pickles_without_it():
    """Workers receive pickled scenarios: the cached theatre stays behind and is recomputed."""
    import pickle

    sc = scenario_with()
    assert sc.theatre.fronts
    copy = pickle.loads(pickle.dumps(sc))
    assert copy == sc and "theatre" not in copy.__dict__
    assert copy.theatre == pickle.loads(pickle.dumps(sc.theatre)) == sc.theatre
