"""The Taliban withdrawal: the decision to leave Kabul, the evacuation, and the two routes.

    "Following the battle, the Taliban forces in Kabul evacuated the city, emptying the
    national treasury but in their haste leaving behind weapons and other possessions."
    ... "surviving members of the Taliban and al-Qaeda, including Osama bin Laden, retreated
    toward Kandahar, the spiritual birthplace and home of the Taliban movement, and Tora Bora."

Mechanism. The trigger event (by default the Shamali front breaking; a scenario may make it
the northern collapse) starts the leadership's decision, which takes a lognormal delay. With
``policy: defend`` there is no evacuation: the fighters stay and the alliance's entry meets
them (:mod:`kabulsim.model.alliance`); they fight with their own resolve
(``withdrawal.defend_resolve``: fighters who chose to stay, foreign fighters with nowhere to
go among them), not the broken front's morale. With ``policy: evacuate``, at the decision a share of
the fighters in the city is left behind as stragglers (higher for foreign fighters, who had
no local ties), and the rest leave in hourly waves over a lognormal evacuation time. Each
wave splits between the Kandahar and Tora Bora routes: Afghan Taliban mostly south to
Kandahar, foreign fighters mostly east to Tora Bora. The treasury is emptied if
``treasury_h`` passes after the decision before the alliance is inside; the share of heavy
weapons left behind is ``1 - (time the evacuation took) / heavy_weapons_h`` (haste).
The evacuation stops if the alliance enters first; the fighters still in the city then meet
it (resistance). A route that ends at a redoubt hands its fighters over to it
(:func:`kabulsim.model.redoubt.hand_over`).
"""

from __future__ import annotations

import numpy as np
import simpy

from kabulsim.model.redoubt import hand_over
from kabulsim.model.world import World, lognormal


def route(world: World, afghan: float, foreign: float, rng: np.random.Generator) -> None:
    """Send withdrawing fighters down the withdrawal's two routes (the ledger).

    The routes and the shares who take each are the theatre's
    (:attr:`kabulsim.scenario.theatre.Theatre.withdrawal`): most Afghan Taliban take the
    first (south), most foreign fighters the second (east).

    Args:
        world: the replication's shared state.
        afghan: Afghan Taliban leaving (fighters).
        foreign: foreign fighters leaving (fighters).
        rng: the calling phase's own random stream.

    """
    exits = world.theatre.withdrawal
    a = int(afghan)
    f = int(foreign)
    a_first = int(rng.binomial(a, exits.afghan_share)) if a > 0 else 0
    f_second = int(rng.binomial(f, exits.foreign_share)) if f > 0 else 0
    first, second = a_first + (f - f_second), (a - a_first) + f_second
    world.ledger.withdraw(exits.afghan.name, first)
    world.ledger.withdraw(exits.foreign.name, second)
    # A redoubt at the end of a route expects its fighters (kabulsim.model.redoubt).
    hand_over(world, exits.afghan.name, first)
    hand_over(world, exits.foreign.name, second)


def _treasury(world: World) -> simpy.events.ProcessGenerator:
    """Empty the treasury if there is time before the alliance is inside."""
    yield world.env.timeout(world.scenario.withdrawal.treasury_h)
    if not world.alliance_in_city.triggered:
        world.out.set("treasury_emptied", True)
        world.log("withdrawal", "treasury_emptied")


def mark_city_empty(world: World) -> None:
    """Record that no organised Taliban force is left in Kabul."""
    if world.city_empty.triggered:
        return
    world.out.set("kabul_evacuated", world.env.now)
    if world.city_holder == "taliban":
        world.set_city_holder("none")
    decided = world.out.time("evacuation_decided")
    took = world.env.now - decided if decided is not None else 0.0
    world.out.set(
        "weapons_abandoned", 1.0 - min(1.0, took / world.scenario.withdrawal.heavy_weapons_h)
    )
    world.log("withdrawal", "kabul_evacuated", "no organised Taliban force left in the city")
    world.city_empty.succeed()


def withdrawal(world: World) -> simpy.events.ProcessGenerator:
    """Decide, then evacuate Kabul in hourly waves along the two routes."""
    env = world.env
    w = world.scenario.withdrawal
    rng = world.rng["withdrawal"]
    yield world.milestone(world.theatre.trigger)
    if w.policy == "defend":
        world.kabul_resolve = w.defend_resolve
        world.log("withdrawal", "defend", "the Taliban stay to defend Kabul")
        return
    yield env.timeout(lognormal(rng, w.decision_h, w.spread))
    if world.alliance_in_city.triggered:
        return
    world.out.set("evacuation_decided", env.now)
    world.log("withdrawal", "evacuation_decided")
    world.evacuation_decided.succeed()
    # Who is left behind.
    f_left = float(rng.binomial(int(world.kabul_foreign), w.straggler_share_foreign))
    a_left = float(rng.binomial(int(world.kabul_afghan), w.straggler_share_afghan))
    world.leave_kabul(a_left, f_left)
    world.add_stragglers(a_left, f_left)
    world.out.set("stragglers", int(f_left + a_left))
    world.snap()
    env.process(_treasury(world))
    remaining_h = lognormal(rng, w.evacuation_h, w.spread)
    while world.in_kabul > 0.0:
        step = min(1.0, remaining_h)
        yield env.timeout(step)
        if world.alliance_in_city.triggered:
            return  # those still here meet the alliance
        share = step / remaining_h if remaining_h > 0 else 1.0
        a = float(rng.binomial(int(world.kabul_afghan), min(1.0, share)))
        f = float(rng.binomial(int(world.kabul_foreign), min(1.0, share)))
        world.leave_kabul(a, f)
        route(world, a, f, rng)
        world.snap()
        remaining_h -= step
    mark_city_empty(world)


def close_withdrawal(world: World) -> None:
    """The routes' totals, and when Kabul fell (the Taliban left it, or the alliance entered)."""
    out = world.out
    for road in (world.theatre.withdrawal.afghan, world.theatre.withdrawal.foreign):
        # Fighters who left by the road, whether or not they reached a pocket it feeds.
        out.set(road.column, world.ledger.departed(road.name))
    ends = (out.time("kabul_evacuated"), out.time("alliance_enters_kabul"))
    falls = [t for t in ends if t is not None]
    out.set("kabul_falls", min(falls) if falls else None)
