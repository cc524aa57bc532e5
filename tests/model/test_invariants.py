"""Tier 4: property-based invariants over random scenarios (hypothesis).

* strengths are never negative;
* fighters are conserved: initial + reinforcements = active + killed + wounded + captured or
  defected + withdrawn (the ledger of :mod:`kabulsim.model.world`);
* the timeline is ordered: no evacuation decision before the front breaks (unless the scenario
  makes the northern collapse the trigger), no entry before the alliance reaches the gates,
  no strike on the convoy before control starts to collapse; the redoubt is attacked only
  after the capital falls, and its fighting ends after it began.
"""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from kabulsim.model import build_world, simulate
from kabulsim.model.aftermath import close_vacuum
from tests.helpers import scenario_with

changes = st.fixed_dictionaries(
    {
        "air.morale_per_sortie": st.floats(0.0, 0.02),
        "air.kills_per_sortie": st.floats(0.0, 3.0),
        "forces.taliban_shamali": st.integers(0, 9000),
        "forces.taliban_kabul": st.integers(0, 6000),
        "forces.alliance_shamali": st.integers(1, 15000),
        "forces.foreign_share": st.floats(0.0, 1.0),
        "north.advance_h": st.floats(1.0, 200.0),
        "shamali.required_odds": st.floats(0.5, 30.0),
        "command.refill_per_day": st.floats(0.0, 3000.0),
        "command.north_contingent": st.integers(0, 5000),
        "command.interdiction_per_sortie": st.floats(0.0, 0.01),
        "withdrawal.policy": st.sampled_from(["evacuate", "defend"]),
        "withdrawal.trigger": st.sampled_from(["front_broken", "north_collapse"]),
        "withdrawal.straggler_share_foreign": st.floats(0.0, 1.0),
        "alliance.hold_back_h": st.floats(0.0, 400.0),
        "alliance.pressure": st.floats(0.0, 1.0),
        "hvt.tip_per_h": st.floats(0.0, 1.0),
        "aftermath.find_per_h_vacuum": st.floats(0.0, 0.5),
        "alliance.hold_until": st.sampled_from(["duration", "interim_authority"]),
        "vacuum.return_per_h": st.floats(0.0, 0.1),
        "vacuum.clash_per_h": st.floats(0.0, 0.5),
        "political.force_arrives": st.sampled_from([None, "2001-11-15T00:00:00"]),
        "tora_bora.other_inflow": st.integers(0, 3000),
        "tora_bora.truce_at": st.floats(0.05, 1.0),
        "tora_bora.end_share": st.floats(0.01, 0.5),
        "tora_bora.blocking_effect": st.floats(0.0, 1.0),
        "kandahar.besiegers_h": st.floats(1.0, 5000.0),
        "kunduz.airlift": st.integers(0, 5000),
        "kunduz.handover_h": st.floats(0.0, 96.0),
    }
)


def _t(summary, key):
    value = summary[key]
    return math.inf if value is None else value


@settings(max_examples=60, deadline=None)
@given(changes=changes, seed=st.integers(0, 2**32 - 1))
def test_conservation_order_and_non_negative_strengths(changes, seed):
    sc = scenario_with(**changes)
    rep = simulate(sc, seed=seed)
    assert rep.error is None, rep.error
    s = rep.summary
    assert abs(s["conservation_error"]) < 1e-6
    for state in rep.states:
        for value in (
            state.taliban_shamali,
            state.taliban_kabul,
            state.taliban_north,
            state.alliance_shamali,
            state.stragglers,
        ):
            assert value >= 0.0
        assert 0.0 <= state.morale_shamali <= 1.0
    if sc.withdrawal.trigger == "front_broken" and s["evacuation_decided"] is not None:
        assert s["front_broken"] is not None
        assert s["evacuation_decided"] >= s["front_broken"]
    if s["front_broken"] is not None:
        if s["shamali_start"] is None:  # given up without a fight by the Taliban command
            assert s["command_withdraws"] + s["command_surrenders"] >= 1
        else:
            assert s["shamali_start"] <= s["front_broken"]
    if s["alliance_enters_kabul"] is not None:
        assert s["alliance_enters_kabul"] >= s["alliance_at_gates"] >= s["front_broken"]
    if s["atef_strike_time"] is not None:
        assert s["atef_strike_time"] >= _t(s, "front_broken")
    if s["kabul_evacuated"] is not None and s["evacuation_decided"] is not None:
        assert s["kabul_evacuated"] >= s["evacuation_decided"]
    assert s["vengeance_incidents"] <= s["stragglers"]
    causes = ("civilians_fighting_in_city", "civilians_looting", "civilians_factional")
    assert all(s[c] >= 0.0 for c in causes)
    assert sum(s[c] for c in causes) <= s["civilian_casualties"] + 1e-9
    if s["order_restored"] is not None:
        assert s["kabul_evacuated"] is not None and s["order_restored"] >= s["kabul_evacuated"]
    if s["taliban_reentered"]:
        assert s["kabul_evacuated"] is not None
    # The redoubt: attacked only after the capital falls, its fighting ends after it begins.
    if s["tora_bora_assault"] is not None:
        assert s["tora_bora_assault"] >= _t(s, "kabul_falls")
    if s["tora_bora_ends"] is not None:
        assert s["tora_bora_assault"] is not None
        assert s["tora_bora_ends"] >= s["tora_bora_assault"]
    assert s["tora_bora_escaped"] >= 0.0 and s["tora_bora_killed"] >= 0.0


@settings(max_examples=30, deadline=None)
@given(changes=changes, seed=st.integers(0, 2**32 - 1), stop=st.floats(0.0, 60 * 24.0))
def test_fighters_are_conserved_at_any_moment(changes, seed, stop):
    world = build_world(scenario_with(**changes), seed=seed)
    world.env.run(until=stop + 1e-3)
    assert abs(world.conservation_error()) < 1e-6
    close_vacuum(world)
