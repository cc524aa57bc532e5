"""The pockets (issue 25): Kunduz and Kandahar fall by the model's mechanisms, not by a date.

Single values (no ensemble) and few replications: each test stays well under 30 s on one core.
The statistical claims compare paired replications (common random numbers: the same seed and
replication draw the same numbers in every phase the two scenarios share) and state their
tolerance where they make it.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import ValidationError

from kabulsim.model.simulate import simulate
from kabulsim.places import PLACES
from kabulsim.scenario.loading import load_scenario
from kabulsim.scenario.schema import Scenario
from kabulsim.scenario.theatre import theatre
from kabulsim.timebase import to_hours
from tests.helpers import scenario_with

COLUMNS = ("kunduz_falls", "kunduz_surrendered", "kunduz_airlifted", "kandahar_falls")


def _rows(sc: Scenario, reps: int, seed: int = 3) -> list[dict]:
    return [simulate(sc, seed=seed, rep=r).summary for r in range(reps)]


def _hours(sc: Scenario, year: int, month: int, day: int) -> float:
    from datetime import datetime

    from kabulsim.timebase import KABUL

    return to_hours(sc.start, datetime(year, month, day, tzinfo=KABUL))


def test_the_baseline_produces_the_pockets_falls_from_mechanisms():
    """No date of Kunduz's or Kandahar's fall is an input; every replication produces both,
    in order (Mazar-i-Sharif before Kunduz, Kabul before Kandahar), and the south collapses
    with the last of Kabul and Kandahar."""
    sc = Scenario()
    assert "kandahar_falls" not in type(sc.political).model_fields
    assert not any(name.endswith("falls") for name in type(sc.kunduz).model_fields)
    for s in _rows(sc, 8):
        assert all(s[c] is not None for c in COLUMNS), s
        assert s["mazar_falls"] < s["kunduz_falls"]
        assert s["kabul_falls"] < s["kandahar_falls"]
        assert s["south_collapses"] == max(s["kabul_falls"], s["kandahar_falls"])
        # in November-December 2001, not at the horizon
        assert _hours(sc, 2001, 11, 10) < s["kunduz_falls"] < _hours(sc, 2001, 12, 10)
        assert _hours(sc, 2001, 11, 14) < s["kandahar_falls"] < _hours(sc, 2001, 12, 31)
        assert s["kunduz_surrendered"] > 0 and s["kunduz_airlifted"] == 2000
        assert abs(s["conservation_error"]) < 1e-6


def test_a_later_fall_of_mazar_makes_kunduz_fall_later():
    """The siege of Kunduz waits for Mazar-i-Sharif's fall (its besiegers come from there):
    with Mazar's fall fixed on 25 Nov (north.fall_at, the exogenous override) Kunduz falls
    later in every paired replication, and not before 25 Nov."""
    base = scenario_with()
    late = scenario_with(**{"north.fall_at": "2001-11-25T12:00:00"})
    for a, b in zip(_rows(base, 6), _rows(late, 6), strict=True):
        assert b["kunduz_falls"] > a["kunduz_falls"]
        assert b["kunduz_falls"] > _hours(base, 2001, 11, 25)


def test_a_later_fall_of_kabul_makes_kandahar_fall_later():
    """The southern commanders rise once the Taliban have lost Kabul: without ground
    controllers on the Shamali front (air.controllers_shamali: null) Kabul falls later in most
    paired replications (in the merged model v3 not in all: one of six paths runs the other way
    through the Taliban command's draws), and in every pair where it does, so does Kandahar (not
    by the horizon counts as later)."""
    base = scenario_with()
    slow = scenario_with(**{"air.controllers_shamali": None})
    later = 0
    for a, b in zip(_rows(base, 6), _rows(slow, 6), strict=True):
        if b["kabul_falls"] is not None and b["kabul_falls"] <= a["kabul_falls"]:
            continue
        later += 1
        assert b["kandahar_falls"] is None or b["kandahar_falls"] > a["kandahar_falls"]
    assert later >= 4


def test_the_ledger_balances_with_the_pockets():
    """Every fighter is booked: the pockets' arrivals, strikes, airlift, refusals and surrenders
    (the baseline, a defended Kabul, and a Kandahar that never surrenders)."""
    for sc in (
        scenario_with(),
        scenario_with(**{"withdrawal.policy": "defend"}),
        scenario_with(**{"kandahar.besiegers_h": 100_000.0}),
    ):
        for s in _rows(sc, 5, seed=8):
            assert abs(s["conservation_error"]) < 1e-6


def test_a_kandahar_that_holds_leaves_the_south_standing():
    s = _rows(scenario_with(**{"kandahar.besiegers_h": 100_000.0}), 3)
    assert all(r["kandahar_falls"] is None and r["south_collapses"] is None for r in s)


def test_no_airlift_scenario_surrenders_more():
    """scenarios/no_kunduz_airlift.yaml: nobody is flown out, and more surrender. Paired
    replications: the mean rise is more than half the baseline's airlift (2,000; some of the
    fighters kept in the pocket are killed by strikes or refuse the terms) and beyond three
    standard errors of the paired differences."""
    base = load_scenario("scenarios/baseline.yaml")
    none = load_scenario("scenarios/no_kunduz_airlift.yaml")
    a, b = _rows(base, 10), _rows(none, 10)
    assert all(r["kunduz_airlifted"] == 0 for r in b)
    diff = np.array(
        [y["kunduz_surrendered"] - x["kunduz_surrendered"] for x, y in zip(a, b, strict=True)]
    )
    se = float(np.std(diff, ddof=1)) / math.sqrt(len(diff))
    assert diff.mean() > 1000.0 and diff.mean() > 3.0 * se, diff


def test_the_pockets_strikes_come_out_of_the_schedule():
    """The strikes on the pockets are the schedule's pursuit sorties, not more: the theatre
    without its pockets flies the same sorties and causes the same civilian deaths from the
    air in every replication (the record's accounting lines to 10 December hold)."""
    sc = Scenario()
    bare = Scenario()
    bare.__dict__["theatre"] = theatre(bare, tuple(p for p in PLACES if "pocket" not in p.roles))
    for rep in range(4):
        a = simulate(sc, seed=2, rep=rep).summary
        b = simulate(bare, seed=2, rep=rep).summary
        for col in ("sorties_flown", "sorties_flown_to_10dec", "civilians_air_to_10dec"):
            assert a[col] == b[col], col
        assert a["to_kandahar"] == b["to_kandahar"]
        assert a["kabul_falls"] == b["kabul_falls"]


def test_kandahar_falls_is_no_longer_an_input():
    with pytest.raises(ValidationError, match="kandahar_falls is no longer an input"):
        scenario_with(**{"political.kandahar_falls": "2001-12-07T12:00:00"})


def test_the_pockets_garrisons_share_the_rest():
    with pytest.raises(ValidationError, match="expected at most 1"):
        scenario_with(**{"kunduz.garrison_share": 0.7, "kandahar.garrison_share": 0.5})
