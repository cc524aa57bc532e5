"""The alliance's choice at the gates of Kabul: hold back, or enter; and who then holds the city.

    "US Secretary of State Colin Powell expressing that the foreign governments would prefer
    the alliance invest the city and not seize it, in order to improve the ability to form a
    broad and successful post-war government." ... "Initially, the alliance held back from the
    city, with security guards being seen holding back armour and truckloads of infantry, but
    this pause was short-lived, and the alliance proved unable or unwilling to prevent their
    forces from entering the city." ... the alliance "met no resistance inside the city".

Mechanism. After the front breaks the alliance reaches the edge of Kabul after a lognormal
advance. If a hold-back is declared (``hold_back_h`` > 0, or ``hold_until`` is
``interim_authority``) its units wait until it ends (after ``hold_back_h``, or when the Interim
Authority takes office), unless they go in despite orders first. That hazard is grounded in
the commanders' incentives, as the alliance's foreign minister put them on 13 November ("We
didn't have the intention of entering Kabul" until armed groups "created security problems";
New York Times): it is ``indiscipline_per_h * (1 - pressure)``, times ``open_city_factor``
once the Taliban have left (an empty city invites entry), times ``1 + rival_factor * n`` with
``n`` the rival factions that have moved into the city (:mod:`kabulsim.model.vacuum`), times
``political.bonn_restraint`` after the Bonn Agreement. A Taliban force retaking the empty
city ends the hold-back. If the Taliban are already leaving when the alliance would go in,
it lets the evacuation finish (``let_evacuate``: "met no resistance inside the city"; the
evacuation "was complete by dawn ... without the firing of a single bullet", Dawn, 14 Nov
2001). Otherwise, on entry, any organised Taliban force in the city resists: the fight
runs through the attrition engine with an urban multiplier on the defenders' kill rate (and a
higher breakpoint when the Taliban chose to defend); if the alliance is repulsed it tries
again after ``shamali.retry_h``. When the alliance holds the city, the breadth of the armed
forces then in it is recorded (``control_breadth``; the formula is in
:mod:`kabulsim.model.vacuum`).
"""

from __future__ import annotations

import math

import simpy

from kabulsim.combat import Side
from kabulsim.model.fighting import fight
from kabulsim.model.vacuum import control_breadth, signal, taliban_driven_out
from kabulsim.model.withdrawal import mark_city_empty, route
from kabulsim.model.world import World, lognormal


def _city_fight(world: World) -> bool:
    """The alliance meets the Taliban still in Kabul; return whether the alliance prevails."""
    sc = world.scenario
    sh = world.scenario.doctrine
    al = sc.alliance
    rng = world.rng["alliance"]
    morale = world.defenders_morale()
    defending = sc.withdrawal.policy == "defend"
    bp_factor = al.city_breakpoint_factor if defending else 1.0
    foreign_share = world.kabul_foreign / world.in_kabul
    taliban = Side(
        name="taliban",
        strength=world.in_kabul,
        kill_rate=sh.taliban_kill_rate * al.urban_defence_factor * morale,
        breakpoint=min(1.0, sh.taliban_breakpoint * bp_factor * morale),
    )
    alliance = Side(
        name="alliance",
        strength=world.alliance_strength,
        kill_rate=sh.alliance_kill_rate * world.alliance_morale,
        breakpoint=min(1.0, sh.alliance_breakpoint * world.alliance_morale),
    )
    done = fight(world, taliban, alliance, rng, "city")
    result = done.result
    world.out.set("resistance_in_city", True)
    killed = done.taliban_killed + done.alliance_killed
    world.out.add("killed_in_city", killed)
    civilians = float(rng.poisson(al.civilians_per_fighter_killed * killed))
    world.out.add("civilian_casualties", civilians)
    world.out.add("civilians_fighting_in_city", civilians)
    # Losses come off both groups in proportion.
    f_left = round(result.red_final * foreign_share)
    world.set_kabul(result.red_final - f_left, float(f_left))
    world.log(
        "alliance",
        "fighting_in_city",
        f"{result.ended_by}; Taliban casualties {done.taliban_casualties},"
        f" alliance casualties {done.alliance_casualties}",
        result.duration_h,
    )
    return done.taliban_broke


def _entry_rate(world: World) -> float:
    """The hazard (1/h) that units enter the city despite orders, now."""
    al = world.scenario.alliance
    rate = al.indiscipline_per_h * (1.0 - al.pressure)
    if world.city_empty.triggered:
        rate *= al.open_city_factor
    rate *= 1.0 + al.rival_factor * len(world.city.factions)
    if world.city.bonn_signed:
        rate *= world.scenario.political.bonn_restraint
    return rate


def _hold_end(world: World) -> float:
    """Clock time (h) at which the declared hold-back ends."""
    al = world.scenario.alliance
    if al.hold_until == "interim_authority":
        ia = world.hours(world.scenario.political.interim_authority)
        return math.inf if ia is None else max(world.env.now, ia)
    return world.env.now + al.hold_back_h


def _hold_back(world: World) -> simpy.events.ProcessGenerator:
    """Wait at the gates until the hold-back ends or units go in despite orders."""
    env = world.env
    rng = world.rng["alliance"]
    city = world.city
    end = _hold_end(world)
    world.log("alliance", "hold_back", f"declared until {end:g} h")
    while (remaining := end - env.now) > 1e-9:
        if city.taliban_return.triggered:
            world.log("alliance", "hold_back_ends", "a Taliban force is back in the city")
            return
        rate = _entry_rate(world)
        wait = float(rng.exponential(1.0 / rate)) if rate > 0.0 else math.inf
        breach = wait < remaining
        # The hazard changes with the city's state (the Taliban leaving, factions entering,
        # the Bonn Agreement); the exponential is memoryless, so a fresh draw is exact.
        changes = city.changed if world.city_empty.triggered else city.changed | world.city_empty
        delay = wait if breach else remaining
        if math.isinf(delay):
            yield changes
            continue
        timer = env.timeout(delay)
        yield timer | changes
        if not timer.processed:
            continue
        if breach:
            world.out.set("entry_despite_orders", True)
            world.log("alliance", "entry_despite_orders", "units enter the city against orders")
            return
    world.log("alliance", "hold_back_ends")


def alliance(world: World) -> simpy.events.ProcessGenerator:
    """Advance to the city, hold back or not, enter, and take control."""
    env = world.env
    sc = world.scenario
    al = sc.alliance
    rng = world.rng["alliance"]
    yield world.front_broken
    yield env.timeout(lognormal(rng, al.advance_h, al.advance_spread))
    world.out.set("alliance_at_gates", env.now)
    world.log("alliance", "at_the_gates")
    world.alliance_at_gates.succeed()
    if al.hold_back_h > 0.0 or al.hold_until == "interim_authority":
        yield env.process(_hold_back(world))
    if al.let_evacuate and world.evacuation_decided.triggered and not world.city_empty.triggered:
        # The Taliban are already leaving: let them go rather than fight their rear guard.
        world.log("alliance", "waits_for_evacuation", "the Taliban are leaving the city")
        yield world.city_empty
    while world.in_kabul > 0.0:
        if _city_fight(world):
            break
        yield env.timeout(world.scenario.doctrine.retry_h)
    world.set_city_holder("alliance")
    taliban_driven_out(world)
    world.out.set("alliance_enters_kabul", env.now)
    world.alliance_in_city.succeed()
    breadth = control_breadth(world, env.now)
    world.out.set("control_breadth", breadth)
    world.log("alliance", "enters_kabul", "", breadth)
    signal(world)
    if world.in_kabul > 0.0 or not world.city_empty.triggered:
        # The defenders who broke withdraw in haste along the two routes (the draws are the
        # alliance phase's: this phase decides when and how many).
        route(world, world.kabul_afghan, world.kabul_foreign, rng)
        world.set_kabul(0.0, 0.0)
        if world.city_empty.triggered:  # a returning force, driven out again
            world.log("alliance", "taliban_driven_out", "the returning force withdraws south")
        mark_city_empty(world)
