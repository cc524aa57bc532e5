"""The Taliban command as an actor, and strength that matters (issue 24, part b).

Tier 1: exact effects of one decision or one strike on a built world; tier 3: statistical
checks over a few replications with the tolerance written next to the claim.
"""

from __future__ import annotations

import numpy as np
import pytest

from kabulsim.combat import simulate as engine
from kabulsim.model import PHASES, build_world
from kabulsim.model.air import strike_front
from kabulsim.model.command import _defections, _review
from kabulsim.model.commander import sides
from kabulsim.model.simulate import simulate
from tests.helpers import scenario_with


def _kinds(world, phase):
    return [e.kind for e in world.recorder.events if e.phase == phase]


# --- Strength that matters ----------------------------------------------------------------


def test_halving_the_defenders_at_equal_morale_changes_the_fight():
    """Equal morale, half the line: the fight is shorter or its winner changes."""
    sc = scenario_with(**{"shamali.breakpoints": "cdb90_median"})
    ends = []
    for strength in (10_000.0, 5_000.0):
        world = build_world(sc)
        front = world.fronts["shamali"]
        front.set_strength(strength)
        front.morale = 0.5
        taliban, alliance = sides(world, front, np.random.default_rng(0))
        result = engine(taliban, alliance, law=sc.shamali.law, max_h=sc.shamali.max_h)
        ends.append((result.winner, result.duration_h))
    (win_full, h_full), (win_half, h_half) = ends
    # The square law: against half the defenders the attackers lose half as many an hour,
    # and the defenders lose twice the share of their line: whoever breaks first, the time
    # to it moves by about a factor of two. Tolerance: by at least a third.
    assert win_full != win_half or abs(h_half - h_full) > h_full / 3.0


def test_prepared_positions_lose_less_to_strikes_than_men_in_the_open():
    sc = scenario_with(**{"air.controllers_shamali": None})
    cmd = sc.command
    killed = {}
    for case in ("dug_in", "open", "dispersed"):
        world = build_world(sc)
        front = world.fronts["shamali"]
        if case == "open":
            front.exposed = front.strength  # every fighter just arrived
        if case == "dispersed":
            front.set_dispersed(True)
        killed[case] = strike_front(world, front, 10.0, 8.0)
        assert world.ledger.by_cause["air"] == killed[case]
    # Kills are whole fighters (rounded); 8 * 4 and 8 * 0.5 are whole.
    assert killed["dug_in"] == 8.0
    assert killed["open"] == 8.0 * cmd.open_exposure
    assert killed["dispersed"] == 8.0 * cmd.dispersed_exposure


def test_arrivals_dig_in_and_the_killed_in_the_open_leave_the_open():
    sc = scenario_with(**{"air.controllers_shamali": None})
    world = build_world(sc)
    front = world.fronts["shamali"]
    front.gain(1_000.0)
    assert front.exposed == 1_000.0
    share_open = 1_000.0 / front.strength
    exposure = (1.0 - share_open) + share_open * sc.command.open_exposure
    killed = strike_front(world, front, 10.0, 10.0)
    assert killed == round(10.0 * exposure)  # whole fighters
    from_open = killed * share_open * sc.command.open_exposure / exposure
    assert front.exposed == pytest.approx(1_000.0 - from_open)
    front.dig_in(0.5)
    assert front.exposed == pytest.approx((1_000.0 - from_open) / 2)


def test_defections_follow_the_morale_law():
    """Binomial defections: mean (d + b) * (1 - m) * strength per day; 400 draws, 5 sigma."""
    sc = scenario_with(**{"command.desertion_per_day": 0.01, "command.bought_per_day": 0.02})
    world = build_world(sc)
    front = world.fronts["shamali"]
    rng = np.random.default_rng(3)
    gone = []
    for _ in range(400):
        front.set_strength(10_000.0)
        front.morale = 0.4
        front.last_strike = 1.0  # the paid term needs a line under strikes
        before = world.out.taliban_defected
        _defections(world, front, rng)
        gone.append(world.out.taliban_defected - before)
    p = 0.03 * 0.6
    mean, sd = 10_000 * p, (10_000 * p * (1 - p) / 400) ** 0.5
    assert abs(np.mean(gone) - mean) < 5 * sd
    assert world.ledger.captured_or_defected == pytest.approx(sum(gone))


def test_limited_reinforcement_lets_desertion_thin_the_line():
    """Kabul has nothing to spare: the line's losses are not replaced before the assault."""
    common = {"command.desertion_per_day": 0.02, "command.bought_per_day": 0.02}
    thin = scenario_with(
        **common,
        **{"command.kabul_refill_per_day": 0.0, "command.kabul_minimum": 3_000},
    )
    full = scenario_with(**common)
    at = {}
    for name, sc in (("thin", thin), ("full", full)):
        rows = [simulate(sc, 0, rep).summary for rep in range(10)]
        at[name] = np.median([r["shamali_taliban_at_first_assault"] for r in rows])
    assert at["full"] > 9_000  # mostly refilled from Kabul
    assert at["thin"] < 0.9 * at["full"]


def _command_only(**changes):
    """A world in which only the Taliban command acts (no strikes, no assaults)."""
    command_phase = tuple(p for p in PHASES if p.name == "command")
    return build_world(scenario_with(**changes), seed=0, rep=0, phases=command_phase)


def test_kabul_is_refilled_only_from_what_the_country_can_spare():
    """The national pool: fighters held elsewhere in the country are never moved to Kabul."""
    common = {
        "command.volunteers": 0,
        "command.interdiction_per_sortie": 0.0,
        "command.kabul_refill_per_day": 400.0,
    }
    got = {}
    for held in (9_500, 8_500):
        world = _command_only(**common, **{"command.held_elsewhere": held})
        elsewhere = world.elsewhere
        pockets = world.pocket_garrisons  # the pockets' own garrisons, held elsewhere
        # 27,500 less Shamali 10,000, Kabul 3,000, north 5,000, less the pockets' garrisons
        assert elsewhere == 9_500 - pockets
        world.leave_kabul(1_500.0, 0.0)  # say, killed
        world.ledger.kill("air", 1_500.0, "kabul")
        world.env.run(until=24 * 10)
        got[held] = world.in_kabul
        assert world.elsewhere == min(elsewhere, max(held - pockets, elsewhere - 1_500))
        assert world.conservation_error() == pytest.approx(0.0, abs=1e-6)
    assert got[9_500] == 1_500  # nothing to spare
    assert got[8_500] == 2_500  # the 1,000 spare, and no more


def test_fighters_on_the_road_to_kabul_take_its_time_and_its_strikes():
    sc_changes = {
        "command.volunteers": 0,
        "command.held_elsewhere": 0,
        "command.travel_spread": 0.0,
        "command.national_travel_h": 16.0,
        "command.interdiction_per_sortie": 0.01,
        "command.kabul_refill_per_day": 500.0,
    }
    world = _command_only(**sc_changes)
    env = world.env
    bombing = world.hours(world.scenario.air.bombing_start)
    env.run(until=bombing)
    world.leave_kabul(500.0, 0.0)  # say, killed
    world.ledger.kill("air", 500.0, "kabul")
    while world.in_transit == 0.0:  # the day's move leaves at the command's hour
        env.step()
    left = env.now
    assert world.in_transit == 500.0 and world.in_kabul == 2_500.0
    env.run(until=left + 16.0 - 0.01)
    assert world.in_transit == 500.0  # still on the road
    env.run(until=left + 16.0 + 0.01)  # arrived (the next day's move is 8 h away)
    assert world.in_transit == 0.0
    caught = world.out.as_dict()["caught_on_road"]
    # About 40 sorties a day: hazard 0.01 * 40 * 16 / 24 = 0.27, a quarter caught.
    assert 0.0 < caught < 250.0
    assert world.in_kabul == 3_000.0 - caught
    assert world.conservation_error() == pytest.approx(0.0, abs=1e-6)


def test_volunteers_join_the_national_pool_from_the_bombing_start():
    world = _command_only(**{"command.volunteers": 1_000, "command.volunteers_per_day": 180.0})
    bombing = world.hours(world.scenario.air.bombing_start)
    elsewhere = world.elsewhere
    world.env.run(until=bombing - 1.0)
    assert world.ledger.reinforcements == 0.0
    world.env.run(until=bombing + 24.0 * 2 + 1.0)  # three days' arrivals
    assert world.ledger.reinforcements == 3 * 180.0
    world.env.run(until=bombing + 24.0 * 10)
    assert world.ledger.reinforcements == 1_000.0  # the total, no more
    assert world.elsewhere == elsewhere + 1_000.0  # Kabul was full: none moved
    assert world.conservation_error() == pytest.approx(0.0, abs=1e-6)


def test_volunteers_sent_to_kabul_arrive_as_foreign_fighters():
    """The country's own men are held elsewhere: all the spare men are volunteers."""
    world = _command_only(
        **{
            "command.volunteers": 1_000,
            "command.volunteers_per_day": 500.0,
            "command.held_elsewhere": 9_500,
            "command.interdiction_per_sortie": 0.0,
            "command.kabul_refill_per_day": 400.0,
        }
    )
    afghan, foreign = world.kabul_afghan, world.kabul_foreign
    world.leave_kabul(800.0, 0.0)  # say, killed
    world.ledger.kill("air", 800.0, "kabul")
    world.env.run(until=world.hours(world.scenario.air.bombing_start) + 24.0 * 6)
    assert world.kabul_afghan == afghan - 800.0
    assert world.kabul_foreign == foreign + 800.0
    # the volunteers not needed stay in the pool (the pockets' garrisons were never in it)
    assert world.elsewhere == 9_500 - world.pocket_garrisons + 200.0
    assert world.conservation_error() == pytest.approx(0.0, abs=1e-6)


# --- The Taliban command's decisions -------------------------------------------------------


def test_a_line_below_the_withdrawal_morale_falls_back_on_kabul_without_a_fight():
    sc = scenario_with(**{"command.withdraw_morale": 1.0, "air.sorties": []})
    world = build_world(sc)
    front = world.fronts["shamali"]
    front.morale = 0.5
    strength, kabul = front.strength, world.in_kabul
    assert _review(world, front, world.rng["command"]) == "command_withdraws"
    assert not front.holds and front.strength == 0.0
    assert world.front_broken.triggered
    # The whole line falls back on the city (less the review's defections).
    defected = world.out.taliban_defected
    assert world.in_kabul == pytest.approx(kabul + strength - defected)
    assert _kinds(world, "shamali") == ["front_given_up"]
    assert world.conservation_error() == pytest.approx(0.0, abs=1e-6)


def test_a_surrender_is_negotiated_below_the_surrender_morale_and_evacuation_follows():
    sc = scenario_with(
        **{"command.surrender_morale": 1.0, "withdrawal.spread": 0.0, "air.sorties": []}
    )
    world = build_world(sc)
    world.env.run(until=24 * 6)
    assert world.out.command_surrenders >= 1
    assert world.out.time("front_broken") is not None
    # The evacuation of Kabul stays an output: it follows the front's breaking.
    assert world.out.time("evacuation_decided") is not None
    assert world.ledger.captured_or_defected >= sc.forces.taliban_shamali * 0.9
    assert world.conservation_error() == pytest.approx(0.0, abs=1e-6)


def test_the_command_counter_attacks_when_its_odds_allow():
    sc = scenario_with(**{"command.counterattack_ratio": 0.5, "air.sorties": []})
    world = build_world(sc)
    front = world.fronts["shamali"]
    alliance = front.facing.strength
    assert _review(world, front, world.rng["command"]) == "command_counterattacks"
    assert front.facing.strength < alliance
    assert _kinds(world, "shamali") == ["counterattack"]
    # Not when the alliance is seen massing for an assault.
    front.threatened = True
    assert _review(world, front, world.rng["command"]) != "command_counterattacks"


def test_the_command_disperses_under_heavy_bombing_and_concentrates_when_threatened():
    sc = scenario_with(**{"command.disperse_at": 1.0})
    world = build_world(sc)
    front = world.fronts["shamali"]
    front.last_strike = 2.0
    assert _review(world, front, world.rng["command"]) == "command_disperses"
    assert front.dispersed
    front.threatened = True
    _review(world, front, world.rng["command"])
    assert not front.dispersed


def test_every_decision_is_counted_once_per_review():
    sc = scenario_with(horizon_days=30.0)
    summary = simulate(sc, 0, 0).summary
    names = (
        "command_holds", "command_reinforces", "command_disperses", "command_counterattacks",
        "command_withdraws", "command_surrenders",
    )  # fmt: skip
    reviews = sum(summary[n] for n in names)
    # Two fronts reviewed daily for 30 days, less the reviews after a line broke.
    assert 30 <= reviews <= 2 * 30


# --- Done when (issue 24, part b) ---------------------------------------------------------


@pytest.mark.xfail(
    strict=True,
    reason="measured (issue 24 part e, seed 0, 100 replications): with the national pool and"
    " the roads, doubling air.kills_per_sortie changes the Shamali line at its first assault by"
    " 0.4% (median 9,962 -> 9,923); even with no refill at all 0.8% (8,480 -> 8,411) and"
    " quadrupling it 4.8% (8,480 -> 8,075): the strikes kill about 360 of 10,000 on the line"
    " before 12 Nov (the record: a few hundred wounded, Irish Times, Nov 2001) and the"
    " commander attacks sooner (doubling every sortie row: 9,943 -> 9,944); the record has the"
    " line reinforced and its dead at tens a day country-wide (Philadelphia Inquirer 11 Oct,"
    " AP Nov 2001); see docs/campaign.md, model v3 parts e and f",
)
def test_doubling_kills_per_sortie_changes_the_line_at_its_first_assault_by_10_percent():
    """Median over 30 paired replications; tolerance: the claim's 10%."""
    at = []
    for kps in (0.4, 0.8):
        sc = scenario_with(**{"air.kills_per_sortie": kps})
        rows = [simulate(sc, 0, rep).summary for rep in range(30)]
        at.append(np.median([r["shamali_taliban_at_first_assault"] for r in rows]))
    assert abs(at[0] - at[1]) >= 0.1 * at[0]


@pytest.mark.xfail(
    strict=True,
    reason="measured (issue 24 part e, seed 0, 40 replications): the forced assault of 25 Oct"
    " is repulsed in 28 of 40 (alliance casualties median 255, 97-992) but the alliance breaks"
    " the line later in all 40 (median 14 Nov, after Mazar-i-Sharif's fall): a repulse costs"
    " the attacker a few percent (CDB90) and no Taliban counter-attack reaches its odds (S*m"
    " about 1.3 times the alliance's, 3 needed); the record's one beaten push (Mazar-i-Sharif,"
    " Oct 2001) won three weeks later under bombing; see docs/campaign.md, model v3 parts e, f",
)
def test_taliban_win_some_decisive_fights_with_15000_defenders_and_an_early_assault():
    """40 replications; the claim is 'at least some': at least one Taliban win."""
    sc = scenario_with(
        **{"forces.taliban_shamali": 15_000, "shamali.forced_assault_at": "2001-10-25T09:00"}
    )
    winners = [simulate(sc, 0, rep).summary["shamali_winner"] for rep in range(40)]
    assert winners.count("taliban") >= 1
