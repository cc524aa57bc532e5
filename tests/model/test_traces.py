"""Tier 1: exact traces of each phase process on tiny deterministic cases.

Each case removes the randomness of the phase under test (zero spreads, probabilities of 0
or 1, zero rates) so that its event log is known exactly in advance.
"""

from __future__ import annotations

import math

import pytest

from kabulsim.combat.breakpoints import attacker_breakpoints, defender_breakpoints
from kabulsim.model import build_world
from kabulsim.model.aftermath import close_vacuum
from kabulsim.model.air import strike_front
from kabulsim.model.commander import cas_per_h, estimate_odds
from kabulsim.model.vacuum import control_breadth
from kabulsim.scenario.schema import Air
from tests.helpers import scenario_with


def trace(world, phase):
    return [(round(e.t_h, 6), e.kind) for e in world.recorder.events if e.phase == phase]


def test_air_campaign_starts_at_the_bombing_start_and_strikes_daily():
    sc = scenario_with(
        horizon_days=3.0,
        **{
            "air.sorties": [Air().sorties[0].model_dump()],
            "air.controllers_shamali": None,
            "air.controllers_north": None,
        },
    )
    world = build_world(sc, seed=1)
    world.env.run(until=72.0)
    assert trace(world, "air") == [(21.0, "bombing_starts")]
    # Three daily strike rounds (21 h, 45 h, 69 h), each flying sorties.
    assert world.out.sorties_flown > 0


def test_strike_morale_and_kills_follow_the_law_exactly():
    sc = scenario_with(**{"air.controllers_shamali": None})
    world = build_world(sc)
    before, strength = world.fronts["shamali"].morale, world.fronts["shamali"].strength
    assert strike_front(world, world.fronts["shamali"], 10.0, 7.0) == 7.0
    per_thousand = 10.0 * 1000.0 / strength
    assert world.fronts["shamali"].morale == pytest.approx(
        before * math.exp(-sc.air.morale_per_sortie * per_thousand)
    )
    assert world.fronts["shamali"].strength == strength - 7.0
    assert world.ledger.by_cause["air"] == 7.0


def test_controllers_multiply_a_sorties_effect():
    """Same seed, same sortie counts: with controllers, log-morale falls k times as far."""
    common = {
        "horizon_days": 12.0,
        "air.kills_per_sortie": 0.0,
        "morale.recovery_per_day": 0.0,
        "morale.ground_pressure_per_day": 0.0,
        "air.controllers_north": None,
        "air.sorties": [Air().sorties[0].model_dump()],
    }
    with_ = build_world(scenario_with(**common, **{"air.controllers_shamali": "2001-10-07"}))
    without = build_world(scenario_with(**common, **{"air.controllers_shamali": None}))
    for world in (with_, without):
        world.env.run(until=12 * 24.0)
    k = with_.scenario.air.controller_multiplier
    assert math.log(without.fronts["shamali"].morale) < 0.0
    assert math.log(with_.fronts["shamali"].morale) == pytest.approx(
        k * math.log(without.fronts["shamali"].morale)
    )


def test_north_falls_at_an_exogenous_date_with_exact_accounting():
    sc = scenario_with(
        **{
            "north.fall_at": "2001-10-10T12:00:00+04:30",
            "north.killed_share": 0.0,
            "north.defected_share": 0.0,
            "air.sorties": [],
            # no paid defections before the fall (the command's reviews, model v3)
            "command.bought_per_day": 0.0,
        }
    )
    world = build_world(sc)
    world.env.run(until=24 * 5)
    assert trace(world, "north") == [(84.0, "mazar_falls")]
    assert world.ledger.by_route["north"] == sc.forces.taliban_north
    assert world.fronts["north"].strength == 0.0
    assert world.alliance_morale == pytest.approx(
        sc.morale.alliance_initial + sc.north.alliance_boost
    )


def test_north_line_breaks_by_assault_and_the_city_falls_after_the_advance():
    sc = scenario_with(
        **{
            "air.sorties": [],
            "forces.taliban_north": 10,
            "shamali.mass_spread": 0.0,
            "north.advance_h": 72.0,
            # the Taliban command does not give the demoralised line up before the assault
            "command.withdraw_morale": 0.0,
            "command.surrender_morale": 0.0,
        }
    )
    world = build_world(sc)
    world.fronts["north"].morale = 0.05
    world.env.run(until=24 * 8)
    kinds = [k for _, k in trace(world, "north")]
    assert kinds == ["assault_decided", "assault", "line_broken", "mazar_falls"]
    times = dict((k, t) for t, k in trace(world, "north"))
    assert times["mazar_falls"] - times["line_broken"] == pytest.approx(72.0)
    assert world.out.north_line_broken == pytest.approx(times["line_broken"])
    assert world.milestone("mazar_falls").triggered


def test_commander_odds_match_hand_calculation():
    sc = scenario_with(**{"air.controllers_shamali": None})
    world = build_world(sc)
    sh = sc.shamali
    front = world.fronts["shamali"]
    alliance, strength, morale = 9_000.0, 8_000.0, 0.4
    loss_t = sh.alliance_kill_rate * front.facing.morale * alliance + cas_per_h(world, front)
    loss_a = sh.taliban_kill_rate * sh.fortification_factor * morale * strength
    t_taliban = defender_breakpoints().quantile_at_morale(0.5, morale) * strength / loss_t
    bp_a = attacker_breakpoints().quantile_at_morale(0.5, front.facing.morale)
    t_alliance = bp_a * alliance / loss_a
    odds = estimate_odds(world, front, alliance, strength, morale)
    assert odds == pytest.approx(t_alliance / t_taliban)
    # Lower Taliban morale, better odds for the attacker.
    assert estimate_odds(world, front, alliance, strength, 0.2) > odds


def test_an_empty_front_is_taken_after_massing_in_daylight():
    sc = scenario_with(
        **{
            "forces.taliban_shamali": 0,
            "air.sorties": [],
            "shamali.mass_spread": 0.0,
            # the Taliban command's own decisions are traced elsewhere (test_taliban_command)
            "command.withdraw_morale": 0.0,
            "command.surrender_morale": 0.0,
        }
    )
    world = build_world(sc)
    world.env.run(until=24 * 4)
    rows = trace(world, "shamali")
    assert [k for _, k in rows] == ["assault_decided", "assault", "front_broken"]
    decided, assault = rows[0][0], rows[1][0]
    assert assault - decided >= sc.shamali.mass_h
    lo, hi = sc.shamali.daylight
    hour = (sc.start.hour + assault) % 24.0
    assert lo <= hour < hi
    assert world.out.shamali_winner == "alliance"


def test_withdrawal_trace_with_fixed_delays():
    sc = scenario_with(
        **{
            "withdrawal.spread": 0.0,
            "withdrawal.decision_h": 3.0,
            "withdrawal.evacuation_h": 8.0,
            "withdrawal.treasury_h": 2.0,
            "withdrawal.straggler_share_foreign": 0.0,
            "withdrawal.straggler_share_afghan": 0.0,
            "withdrawal.kandahar_share_afghan": 1.0,
            "withdrawal.tora_bora_share_foreign": 1.0,
            "alliance.hold_back_h": 1000.0,
            "alliance.pressure": 1.0,
            "air.sorties": [],
        }
    )
    world = build_world(sc)
    afghan, foreign = world.kabul_afghan, world.kabul_foreign
    world.front_broken.succeed()
    world.env.run(until=20.0)
    assert trace(world, "withdrawal") == [
        (3.0, "evacuation_decided"),
        (5.0, "treasury_emptied"),
        (11.0, "kabul_evacuated"),
    ]
    # Issue 25: those who reached the Kandahar pocket (after its ~16 h road) are booked as
    # arrived; every Afghan left by the road all the same.
    assert world.ledger.departed("kandahar") == afghan
    assert world.ledger.by_route["tora_bora"] == foreign
    assert world.out.weapons_abandoned == pytest.approx(1 - 8.0 / sc.withdrawal.heavy_weapons_h)
    assert world.city_holder == "none"


def test_alliance_waits_out_a_hold_back_when_discipline_holds():
    sc = scenario_with(
        **{
            "alliance.advance_spread": 0.0,
            "alliance.advance_h": 10.0,
            "alliance.hold_back_h": 24.0,
            "alliance.pressure": 1.0,
            "forces.taliban_kabul": 0,
            "forces.taliban_shamali": 0,
            "air.sorties": [],
        }
    )
    world = build_world(sc)
    world.env.run(until=24.0 * 5)
    # The empty front breaks after massing; the alliance is at the gates 10 h later.
    broke = world.out.front_broken
    assert trace(world, "alliance") == [
        (round(broke + 10.0, 6), "at_the_gates"),
        (round(broke + 10.0, 6), "hold_back"),
        (round(broke + 34.0, 6), "hold_back_ends"),
        (round(broke + 34.0, 6), "enters_kabul"),
    ]
    entered = world.out.time("alliance_enters_kabul")
    assert entered is not None
    assert world.out.control_breadth == pytest.approx(control_breadth(world, entered))


def test_convoy_leaves_untouched_without_tips():
    sc = scenario_with(
        **{"hvt.tip_per_h": 0.0, "hvt.departure_spread": 0.0, "hvt.departure_h": 50.0}
    )
    world = build_world(sc)
    world.front_broken.succeed()
    world.env.run(until=60.0)
    assert trace(world, "hvt") == [(50.0, "convoy_leaves")]
    assert world.out.atef_killed is False


def test_vacuum_is_measured_from_the_empty_city_to_the_entry():
    world = build_world(scenario_with())
    world.out.set("kabul_evacuated", 100.0)
    world.out.set("alliance_enters_kabul", 112.5)
    assert close_vacuum(world) == pytest.approx(12.5)
    assert world.out.vacuum_h == pytest.approx(12.5)
    world.out.set("kabul_evacuated", None)
    assert close_vacuum(world) is None


def test_control_breadth_of_the_alliance_alone_in_the_city():
    world = build_world(scenario_with(**{"political.force_arrives": None}))
    al = world.scenario.alliance
    world.alliance_in_city.succeed()
    own, pop = al.composition.as_tuple(), al.population.as_tuple()
    assert control_breadth(world, 0.0) == pytest.approx(sum(map(min, own, pop)))


def test_the_ledger_counts_kills_by_cause_and_place():
    from kabulsim.model.world import Ledger

    led = Ledger(100.0, ("north", "kandahar"))
    led.kill("air", 3.0, "shamali")
    led.kill("air", 2.0, "north")
    led.kill("fall", 4.0, "north")
    led.withdraw("north", 5.0)
    led.come_back("north", 1.0)
    assert led.killed_at == {("air", "shamali"): 3.0, ("air", "north"): 2.0, ("fall", "north"): 4.0}
    assert led.by_cause["air"] == 5.0 and led.killed == 9.0
    assert led.by_route == {"north": 4.0, "kandahar": 0.0} and led.withdrawn == 4.0
