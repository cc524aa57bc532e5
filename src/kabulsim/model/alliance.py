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
2001). Otherwise any organised Taliban force in the city meets a siege (:func:`_siege`): at
reviews the commander assaults only when his estimated odds for a fight in the city
(:func:`city_odds`: an urban multiplier on the defenders' kill rate, a higher breakpoint when
the Taliban chose to defend) reach ``shamali.required_odds``, and after a repulse regroups for
``shamali.retry_h`` before he judges again. A deliberate defence loses resolve each day of
the siege and, when its position is hopeless, seeks terms: its Afghan fighters surrender and
its foreign fighters hold out, as in the two negotiated surrenders of 2001 ("The dramatic
two-week siege of Kunduz ... was drawing to a close on Sunday with mass surrenders", Dawn,
25 Nov 2001; Kandahar's terms of 6 Dec 2001: "Taliban fighters will be allowed to disband and
return to their homes", AP). City fights run by daylight (:mod:`kabulsim.model.fighting`).
When the alliance holds the city, the breadth of the armed forces then in it is recorded
(``control_breadth``; the formula is in :mod:`kabulsim.model.vacuum`).
"""

from __future__ import annotations

import math

import numpy as np
import simpy

from kabulsim.combat import Side
from kabulsim.model.commander import _breakpoint_draw, _breakpoint_median
from kabulsim.model.fighting import Fight, fight
from kabulsim.model.vacuum import control_breadth, signal, taliban_driven_out
from kabulsim.model.withdrawal import mark_city_empty, route
from kabulsim.model.world import World, lognormal, timer_or


def _city_sides(world: World, rng: np.random.Generator) -> tuple[Side, Side]:
    """The two sides of an assault on the Taliban in Kabul now (red: Taliban)."""
    sc = world.scenario
    sh = sc.doctrine
    al = sc.alliance
    morale = world.defenders_morale()
    bp_factor = al.city_breakpoint_factor if world.kabul_resolve is not None else 1.0
    taliban = Side(
        name="taliban",
        strength=world.in_kabul,
        kill_rate=sh.taliban_kill_rate * al.urban_defence_factor * morale,
        breakpoint=min(1.0, _breakpoint_draw(world, morale, True, rng) * bp_factor),
    )
    alliance = Side(
        name="alliance",
        strength=world.alliance_strength,
        kill_rate=sh.alliance_kill_rate * world.alliance_morale,
        breakpoint=_breakpoint_draw(world, world.alliance_morale, False, rng),
    )
    return taliban, alliance


def city_odds(world: World, strength: float, morale: float) -> float:
    """The commander's odds for an assault on the city: his endurance over the defenders'.

    The front's estimate (:func:`kabulsim.model.commander.estimate_odds`) with the city's
    terms: the defenders' kill rate times ``urban_defence_factor``, their median breakpoint
    times ``city_breakpoint_factor`` when they chose to defend, no close air support.

    Args:
        world: the replication's shared state.
        strength: the (estimated) defenders.
        morale: the (estimated) defenders' morale.
    """
    sc = world.scenario
    sh = sc.doctrine
    al = sc.alliance
    alliance = world.alliance_strength
    if strength <= 0.0:
        return math.inf
    bp_factor = al.city_breakpoint_factor if world.kabul_resolve is not None else 1.0
    taliban_loss_h = sh.alliance_kill_rate * world.alliance_morale * alliance
    alliance_loss_h = sh.taliban_kill_rate * al.urban_defence_factor * morale * strength
    if taliban_loss_h <= 0.0:
        return 0.0
    if alliance_loss_h <= 0.0:
        return math.inf
    bp_t = min(1.0, _breakpoint_median(world, morale, True) * bp_factor)
    t_taliban = bp_t * strength / taliban_loss_h
    t_alliance = (
        _breakpoint_median(world, world.alliance_morale, False) * alliance / alliance_loss_h
    )
    return t_alliance / t_taliban


def _city_fight(world: World) -> Fight:
    """The alliance assaults the Taliban in Kabul (by daylight); book the fight."""
    al = world.scenario.alliance
    rng = world.rng["alliance"]
    foreign_share = world.kabul_foreign / world.in_kabul
    taliban, alliance = _city_sides(world, rng)
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
        f" alliance casualties {done.alliance_casualties}; days {done.days}",
        result.duration_h,
    )
    return done


def _surrender(world: World) -> simpy.events.ProcessGenerator:
    """The garrison seeks terms, negotiates, and its Afghan fighters surrender.

    As at Kunduz and Kandahar the Afghan fighters are disarmed and sent home or taken
    prisoner (the ledger's captured or defected). The foreign fighters, "with no place in
    this world left to go" (Time, 18 Nov 2001, of Kunduz) and the main obstacle to a deal
    there (AP, 22 Nov 2001), refuse the terms and hold out with their own resolve.
    """
    env = world.env
    sc = world.scenario
    rng = world.rng["alliance"]
    world.log("alliance", "terms_sought", "the garrison seeks terms", world.in_kabul)
    yield env.timeout(lognormal(rng, sc.alliance.negotiation_h, sc.doctrine.mass_spread))
    afghan, foreign = world.kabul_afghan, world.kabul_foreign
    if afghan + foreign <= 0.0:
        return
    world.ledger.capture(afghan)
    world.set_kabul(0.0, foreign)
    world.out.set("city_surrendered", True)
    world.snap()
    world.log("alliance", "garrison_surrenders", f"{afghan:.0f} fighters surrender", afghan)
    if foreign > 0.0:
        world.kabul_resolve = sc.withdrawal.defend_resolve
        world.log("alliance", "holdouts", f"{foreign:.0f} foreign fighters hold out", foreign)


def _siege(world: World) -> simpy.events.ProcessGenerator:
    """Take the city from the Taliban still in it: assaults when worth it, or their surrender.

    The process's value is whether the city was taken (False: still held at the horizon).

    At reviews ``shamali.review_h`` apart the commander estimates the defenders' strength
    and morale (error ``shamali.estimate_error``) and assaults when :func:`city_odds`
    reaches ``shamali.required_odds``; after a repulse he regroups for ``shamali.retry_h``.
    A deliberate defence loses ``alliance.siege_pressure_per_day`` of its resolve each day,
    and when its resolve falls to ``alliance.surrender_resolve`` of what it began with, it
    seeks terms and its Afghan fighters surrender after a negotiation
    (``alliance.negotiation_h``); foreign fighters hold out until an assault breaks them.
    """
    env = world.env
    sc = world.scenario
    sh = sc.doctrine
    al = sc.alliance
    rng = world.rng["alliance"]
    if world.kabul_resolve is not None:
        world.log("alliance", "siege", f"{world.in_kabul:.0f} defenders", world.in_kabul)
    last = env.now
    terms = False  # terms are sought once; those who refuse them hold out
    while world.in_kabul > 0.0 and env.now < world.horizon_h:
        if world.kabul_resolve is not None:
            world.kabul_resolve *= math.exp(-al.siege_pressure_per_day * (env.now - last) / 24.0)
            if (
                not terms
                and world.kabul_resolve <= al.surrender_resolve * sc.withdrawal.defend_resolve
            ):
                terms = True
                yield env.process(_surrender(world))
                last = env.now
                continue
        last = env.now
        err = sh.estimate_error
        seen_strength = world.in_kabul * math.exp(err * float(rng.standard_normal()))
        seen_morale = world.defenders_morale() * math.exp(err * float(rng.standard_normal()))
        odds = city_odds(world, seen_strength, seen_morale)
        if odds < sh.required_odds:
            if world.city_empty.triggered:
                yield env.timeout(sh.review_h)
            else:  # the Taliban may finish leaving before the next review
                yield from timer_or(env.timeout(sh.review_h), world.city_empty)
            continue
        world.log("alliance", "city_assault_decided", f"estimated odds {odds:.2f}", odds)
        done = _city_fight(world)
        world.snap()
        yield env.timeout(done.elapsed_h)
        if done.taliban_broke:
            return True
        yield env.timeout(sh.retry_h)
    return world.in_kabul <= 0.0


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
    if world.in_kabul > 0.0:
        taken = yield env.process(_siege(world))
        if not taken:
            return  # the defence still holds the city at the horizon
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
