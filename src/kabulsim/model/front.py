"""The fronts' lines: held until the alliance breaks them, then a fall back or a city's fall.

    "On 12 November, a brief battle took place on Shamali Plain between the Taliban and the
    Northern Alliance north of Kabul. For two years during the Afghan Civil War the frontline
    had been stalemated here, but with the Taliban demoralized by the fall of the northern
    cities, under constant attack by American air support, and fearing encirclement, they fell
    back to Kabul following just three hours of fighting, opening the road to the city."

    "Coupled with the fall of Mazar-i-Sharif five days earlier, the capture of Kabul was a
    significant blow to Taliban control of Afghanistan."

Mechanism. One instance of this phase holds each front of the theatre
(:attr:`kabulsim.scenario.schema.Scenario.theatre`), drawing from the front's own stream
(named after the front). Air strikes, ground pressure, a city's fall elsewhere and the fear of
encirclement wear the line down; morale recovers and the Taliban command refills or
reinforces it from Kabul (:mod:`kabulsim.model.command`) when the pressure is off. The
alliance commander (:func:`kabulsim.model.commander.commander`) attacks when his estimated odds
reach ``shamali.required_odds`` (or on a date a scenario orders, ``forced_assault_at``, for
the front that covers Kabul), after massing part of his reserve; the attrition engine decides
the fight. A repulsed assault is retried after ``retry_h``, as at Bai Beche, where the first
assault of 5 November was driven back and the second broke the line.

When a line breaks:

* **The front that covers Kabul** (role ``capital``): ``fall_back_share`` of the survivors fall
  back to Kabul and the rest scatter or change sides, and the front-broken event fires. Its
  assaults are the summary's ``<front>_*`` columns (the decisive, or else the last, assault;
  ``first_assault`` the first), and the sorties and civilian casualties of its close air
  support are counted. If Kabul has not fallen at the horizon, ``kabul_held_by`` names the
  mechanism: ``front_estimate`` (the line held and the commander never judged an assault
  worth it), ``front_repulsed`` (assaults were made and failed) or ``city_defence`` (a
  deliberate defence held the city after the line broke).
* **A front whose city falls** (role ``falls``): the city falls after a lognormal advance
  (``advance_h``: four days from Bai Beche to Mazar-i-Sharif in 2001), or on a date a
  scenario fixes (``fall_at``, an exogenous override). Of the garrison still there a share is
  killed (``killed_share``), a share captured or changes sides (``defected_share``) and the rest
  withdraws; the fronts covering Kabul lose ``shock`` of their morale at once, and from then
  on ``encirclement_per_day`` each day (:func:`kabulsim.model.pressure.front_pressure`), while
  the alliance's morale rises by ``alliance_boost``.
"""

from __future__ import annotations

import numpy as np
import simpy

from kabulsim.model.commander import cas_sorties_per_h, commander
from kabulsim.model.fighting import Fight
from kabulsim.model.world import Front, World, lognormal


def _fought(world: World, front: Front, done: Fight) -> None:
    result = done.result
    if front.plan.plays("capital"):
        _record_assault(world, front, done)
    world.log(
        front.name,
        "assault",
        f"{result.ended_by}; Taliban casualties {done.taliban_casualties},"
        f" alliance casualties {done.alliance_casualties}; days {done.days}",
        result.duration_h,
    )


def _record_assault(world: World, front: Front, done: Fight) -> None:
    """The assault's columns, and the sorties and civilian casualties of its air support."""
    sc = world.scenario
    result = done.result
    out = world.out
    col = front.outs
    out.add(col["assaults"], 1)
    if out.time(col["first_assault"]) is None:
        out.set(col["first_assault"], world.env.now)
    out.set(col["start"], world.env.now)
    out.set(col["duration_h"], result.duration_h)
    repulsed = not done.taliban_broke and done.alliance_broke
    winner = "alliance" if done.taliban_broke else ("taliban" if repulsed else "none")
    out.set(col["winner"], winner)
    rng = world.rng[front.name]
    cas_sorties = cas_sorties_per_h(world, front) * result.duration_h
    out.add("sorties_flown", cas_sorties)
    civilians = float(rng.poisson(sc.air.civilians_per_sortie * cas_sorties))
    out.add("civilian_casualties", civilians)
    out.add("civilians_air", civilians)


def _fall_back(world: World, front: Front) -> None:
    """Send the beaten front's survivors back to Kabul; the rest scatter or change sides."""
    sc = world.scenario
    rng = world.rng[front.name]
    survivors = int(front.strength)
    back = int(rng.binomial(survivors, front.plan.fall_back_share)) if survivors > 0 else 0
    foreign = int(rng.binomial(back, sc.forces.foreign_share)) if back > 0 else 0
    world.join_kabul(back - foreign, foreign)
    world.ledger.capture(front.strength - back)
    front.set_strength(0.0)


def _collapse(world: World, front: Front) -> None:
    """The front's city falls: the garrison is killed, captured or withdraws; the shock."""
    fall = front.plan.fall
    assert fall is not None
    rng = world.rng[front.name]
    front.holds = False
    garrison = front.strength
    killed = float(rng.binomial(int(garrison), fall.killed_share)) if garrison >= 1 else 0.0
    rest = garrison - killed
    share = fall.defected_share / (1.0 - fall.killed_share) if fall.killed_share < 1 else 0.0
    defected = float(rng.binomial(int(rest), min(1.0, share))) if rest >= 1 else 0.0
    withdrawn = garrison - killed - defected
    led = world.ledger
    led.kill("fall", killed, front.name)
    led.capture(defected)
    led.withdraw(fall.retreat, withdrawn)
    front.set_strength(0.0)
    world.out.set(front.outs["city_falls"], world.env.now)
    for other in world.fronts.values():
        if other.plan.plays("capital"):
            other.scale_morale(1.0 - fall.shock)
    world.raise_alliance_morale(fall.alliance_boost)
    world.log(
        front.name,
        f"{fall.city}_falls",
        f"killed {killed:.0f}, captured or defected {defected:.0f}",
    )
    world.milestone(f"{fall.city}_falls").succeed()


def _advance(world: World, front: Front) -> simpy.events.ProcessGenerator:
    fall = front.plan.fall
    assert fall is not None
    rng = world.rng[front.name]
    yield world.env.timeout(lognormal(rng, fall.advance_h, world.scenario.doctrine.mass_spread))
    if not world.milestone(f"{fall.city}_falls").triggered:
        _collapse(world, front)


def _broken(world: World, front: Front, done: Fight) -> None:
    if front.plan.fall is not None:
        world.out.set(front.outs["line_broken"], world.env.now)
        world.log(
            front.name, "line_broken", f"the Taliban fall back on {front.plan.place.city_label}"
        )
        world.env.process(_advance(world, front))
        return
    _fall_back(world, front)
    world.snap()
    world.out.set(front.outs["broken"], world.env.now)
    world.log(front.name, "front_broken", "the Taliban fall back to Kabul")
    world.front_broken.succeed()


def give_up(world: World, front: Front, surrender: bool, rng: np.random.Generator) -> None:
    """The Taliban command gives up ``front``'s line without a fight.

    ``surrender``: the line negotiates its surrender and its fighters are taken prisoner (as
    at Kunduz and Kandahar); otherwise it withdraws in order: the front covering Kabul falls
    back on the city whole, a front whose city falls retreats along its route. Then as after
    a lost fight: the front-broken event, or the alliance's advance on the city.
    """
    front.holds = False
    fighters = front.strength
    if surrender:
        world.ledger.capture(fighters)
    elif front.plan.fall is not None:
        world.ledger.withdraw(front.plan.fall.retreat, fighters)
    else:
        # Whole fighters fall back (the evacuation moves whole fighters); a fraction left by
        # the strikes' expected kills is booked with the scattered.
        whole = int(fighters)
        foreign = int(rng.binomial(whole, world.scenario.forces.foreign_share)) if whole else 0
        world.join_kabul(float(whole - foreign), float(foreign))
        world.ledger.capture(fighters - whole)
    front.set_strength(0.0)
    what = "surrenders" if surrender else "withdraws"
    if front.plan.fall is not None:
        world.out.set(front.outs["line_broken"], world.env.now)
        world.log(front.name, "line_given_up", f"the line {what}", fighters)
        world.env.process(_advance(world, front))
        return
    world.out.set(front.outs["broken"], world.env.now)
    world.log(front.name, "front_given_up", f"the line {what}", fighters)
    world.front_broken.succeed()


def hold_front(world: World, front: Front) -> simpy.events.ProcessGenerator:
    """Hold ``front`` until the alliance breaks it (or its city falls on a fixed date)."""
    env = world.env
    plan = front.plan
    if plan.fall is not None:
        fall_at = world.hours(plan.fall.fall_at)
        if fall_at is not None:
            yield env.timeout(fall_at)
            _collapse(world, front)
            return
    forced = world.hours(plan.forced_assault_at)
    yield env.process(commander(world, front, world.rng[front.name], forced, _fought, _broken))


def close_front(world: World, front: Front) -> None:
    """The front's end-of-run columns (the front that covers Kabul: what held the city)."""
    if not front.plan.plays("capital"):
        return
    out = world.out
    col = front.outs
    out.set(col["morale_end"], front.morale)
    ends = (out.time("kabul_evacuated"), out.time("alliance_enters_kabul"))
    if not any(t is not None for t in ends):
        if front.holds:
            held_by = "front_repulsed" if front.assaults > 0 else "front_estimate"
        else:
            held_by = "city_defence"
        out.set("kabul_held_by", held_by)
    out.set(col["best_odds"], front.best_odds)
