"""The political track and the vacuum: exact traces, formulas, and what moves the outcomes."""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np
import pytest

from kabulsim.model import build_world, simulate
from kabulsim.model.political import schedule
from kabulsim.model.vacuum import breadth, force_reaches, force_troops, police_needed
from kabulsim.scenario.schema import Scenario
from kabulsim.timebase import KABUL, to_hours
from tests.helpers import scenario_with

LONG = {"horizon_days": 110.0}
QUIET = {
    # No factions, no return, no international force: the city stays empty once the Taliban
    # leave and the alliance is kept out.
    "vacuum.factions": [],
    "vacuum.return_per_h": 0.0,
    "political.force_arrives": None,
    "alliance.hold_until": "interim_authority",
    "political.interim_authority": None,
    "alliance.indiscipline_per_h": 0.0,
}


def _h(sc: Scenario, *when: int) -> float:
    return to_hours(sc.start, datetime(*when, tzinfo=KABUL))


def test_political_events_are_logged_at_their_dates_and_can_be_moved_or_removed():
    sc = scenario_with(**LONG)
    world = build_world(sc)
    world.env.run(until=world.horizon_h)
    logged = {e.kind: e.t_h for e in world.recorder.events if e.phase == "political"}
    assert logged["resolution_1378"] == pytest.approx(_h(sc, 2001, 11, 14, 18))
    assert logged["bonn_agreement"] == pytest.approx(_h(sc, 2001, 12, 5, 12))
    assert logged["interim_authority"] == pytest.approx(_h(sc, 2001, 12, 22, 12))
    assert world.out.interim_authority == logged["interim_authority"]
    moved = scenario_with(**LONG, **{"political.bonn_agreement": "2001-12-01T12:00:00"})
    kinds = {kind: t for t, kind, _ in schedule(build_world(moved))}
    assert kinds["bonn_agreement"] == pytest.approx(_h(sc, 2001, 12, 1, 12))
    removed = scenario_with(**LONG, **{"political.interim_authority": None})
    assert "interim_authority" not in {kind for _, kind, _ in schedule(build_world(removed))}
    # A horizon of 60 days ends on 6 Dec 2001: later events do not happen in the run.
    short = {kind for _, kind, _ in schedule(build_world(scenario_with(horizon_days=60.0)))}
    assert "bonn_agreement" in short and "interim_authority" not in short


def test_force_build_up_and_the_time_it_reaches_a_share():
    sc = scenario_with(**LONG)
    v = sc.vacuum
    arrive = 1000.0
    t = np.array([arrive - 1.0, arrive, arrive + v.force_buildup_days * 12.0, 1e6])
    troops = force_troops(sc, arrive, t)
    mid = v.force_initial + 0.5 * (v.force_strength - v.force_initial)
    assert troops.tolist() == pytest.approx([0.0, v.force_initial, mid, v.force_strength])
    for share in (0.1, 0.3, 0.5):
        when = force_reaches(sc, arrive, share)
        assert when is not None
        assert force_troops(sc, arrive, np.array([when]))[0] == pytest.approx(
            share * police_needed(sc)
        )
    assert force_reaches(sc, None, 0.3) is None
    assert force_reaches(sc, arrive, 2.0) is None  # more than the force at full strength


def test_breadth_formula():
    pop = (0.38, 0.25, 0.19, 0.06, 0.12)
    assert breadth(pop, [(100.0, pop)]) == pytest.approx(1.0)
    assert breadth(pop, [(100.0, (0.0, 0.0, 0.0, 0.0, 1.0))]) == pytest.approx(0.12)
    tajik = (0.0, 1.0, 0.0, 0.0, 0.0)
    alone = breadth(pop, [(1000.0, tajik)])
    with_force = breadth(pop, [(1000.0, tajik), (1000.0, pop)])
    assert alone == pytest.approx(0.25)
    # Half Tajik, half mirroring: (0.19, 0.625, 0.095, 0.03, 0.06) against the population.
    assert with_force == pytest.approx(0.19 + 0.25 + 0.095 + 0.03 + 0.06)
    assert math.isnan(breadth(pop, []))


def test_looting_deaths_match_the_closed_form_in_an_empty_unpoliced_city():
    """No force ever holds the city and no faction enters it: expected deaths = rate x the
    share of heavy weapons left behind x integral of the militia ramp."""
    sc = scenario_with(**LONG, **QUIET)
    v = sc.vacuum
    deaths, expected = [], []
    for rep in range(60):
        s = simulate(sc, seed=3, rep=rep).summary
        assert s["alliance_enters_kabul"] is None and s["taliban_reentered"] is False
        span = sc.horizon_days * 24.0 - s["kabul_evacuated"]
        ramp = span - v.militia_h * (1.0 - math.exp(-span / v.militia_h))
        weapons = s["weapons_abandoned"]
        expected.append(v.looting_civilians_per_day / 24.0 * weapons * ramp)
        deaths.append(s["civilians_looting"])
        assert s["order_restored"] is None and s["holder_at_interim"] == ""
    mean, mu = float(np.mean(deaths)), float(np.mean(expected))
    # Poisson counts: the mean of 60 has a standard error of sqrt(mu / 60); 4 of them.
    assert abs(mean - mu) < 4.0 * math.sqrt(mu / 60.0)


def test_a_taliban_return_ends_the_hold_back_and_the_city_is_taken_back():
    """The alliance answers a return at once: a siege of the retaken city (model v3), ended by
    an assault or by the returned force's surrender."""
    sc = scenario_with(
        **LONG,
        # Kandahar holds (its besiegers never come): the window for a return stays open.
        **{**QUIET, "vacuum.return_per_h": 1.0, "kandahar.besiegers_h": 100_000.0},
    )
    returned = 0
    for rep in range(10):
        world = build_world(sc, seed=5, rep=rep)
        world.env.run(until=world.horizon_h)
        kinds = [e.kind for e in world.recorder.events]
        if not world.out.taliban_reentered:
            continue
        returned += 1
        assert kinds.index("taliban_return") < kinds.index("hold_back_ends")
        assert "siege" in kinds
        assert world.out.resistance_in_city or "garrison_surrenders" in kinds
        assert "enters_kabul" in kinds
        assert abs(world.conservation_error()) < 1e-6
    assert returned >= 8


def test_no_return_once_kandahar_has_fallen():
    """Kandahar surrenders within an hour of the Taliban leaving Kabul (its besiegers at once,
    terms at once, no handover): before a return can set off (vacuum.return_road_h)."""
    sc = scenario_with(
        **LONG,
        **{
            **QUIET,
            "vacuum.return_per_h": 1.0,
            "kandahar.besiegers_h": 0.01,
            "kandahar.handover_h": 0.0,
            "alliance.surrender_resolve": 1.0,
            "alliance.negotiation_h": 0.01,
        },
    )
    rows = [simulate(sc, seed=5, rep=r).summary for r in range(10)]
    assert all(s["kandahar_falls"] < s["kabul_evacuated"] + 1.0 for s in rows)
    assert not any(s["taliban_reentered"] for s in rows)


def _share(sc: Scenario, column: str, reps: int = 80) -> float:
    return float(np.mean([bool(simulate(sc, seed=11, rep=r).summary[column]) for r in range(reps)]))


def test_factional_fighting_moves_with_the_clash_hazard_at_a_fixed_hold_back():
    """Not a function of the hold duration alone: the same hold, two clash hazards."""
    common = {
        **LONG,
        "alliance.hold_back_h": 336.0,
        "alliance.pressure": 0.98,
        "alliance.indiscipline_per_h": 0.02,
    }
    low = _share(scenario_with(**common, **{"vacuum.clash_per_h": 0.002}), "factional_fighting")
    high = _share(scenario_with(**common, **{"vacuum.clash_per_h": 0.05}), "factional_fighting")
    assert high > low + 0.2


def test_an_early_international_force_holds_the_city_at_the_interim_authority():
    common = {**LONG, "alliance.hold_until": "interim_authority", "alliance.pressure": 0.98}
    early = scenario_with(**common, **{"political.force_arrives": "2001-11-20T12:00:00"})
    none = scenario_with(**common, **{"political.force_arrives": None})
    holders_early = {simulate(early, seed=2, rep=r).summary["holder_at_interim"] for r in range(20)}
    holders_none = {simulate(none, seed=2, rep=r).summary["holder_at_interim"] for r in range(20)}
    assert holders_early <= {"alliance_and_international", "international", "taliban"}
    assert not holders_none & {"alliance_and_international", "international"}


def test_order_returns_when_the_alliance_enters_in_the_baseline():
    sc = scenario_with(**{"vacuum.factions": []})
    for rep in range(10):
        s = simulate(sc, seed=4, rep=rep).summary
        if s["resistance_in_city"]:
            continue
        assert s["order_restored"] == pytest.approx(s["alliance_enters_kabul"])


def test_at_the_interim_authority_a_taliban_held_city_has_no_breadth():
    sc = scenario_with(**LONG, **{"air.sorties": []})
    for rep in range(5):
        s = simulate(sc, seed=6, rep=rep).summary
        if s["kabul_evacuated"] is None:
            assert s["holder_at_interim"] == "taliban"
            assert math.isnan(s["control_breadth_interim"])


def test_faction_names_must_be_unique():
    faction = {"name": "a", "group": "pashtun", "fighters": 100.0, "entry_per_h": 0.01}
    with pytest.raises(ValueError, match="faction names must be unique"):
        scenario_with(**{"vacuum.factions": [faction, {**faction, "group": "hazara"}]})


def test_an_international_force_waits_for_the_taliban_to_leave():
    sc = scenario_with(**LONG, **{"political.force_arrives": "2001-10-20T12:00:00"})
    world = build_world(sc, seed=7)
    world.env.run(until=world.horizon_h)
    arrived = [e.t_h for e in world.recorder.events if e.kind == "force_arrives"]
    assert arrived == [world.out.kabul_evacuated] == [world.force_arrives_h]
    arbiter = [e.t_h for e in world.recorder.events if e.kind == "force_arbiter"]
    assert arbiter == [
        pytest.approx(force_reaches(sc, world.force_arrives_h, sc.vacuum.arbiter_coverage))
    ]
