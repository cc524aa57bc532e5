"""The northern front: assaults on the Taliban line south of Mazar-i-Sharif, and the city's fall.

    "Coupled with the fall of Mazar-i-Sharif five days earlier, the capture of Kabul was a
    significant blow to Taliban control of Afghanistan." ... "with the Taliban demoralized by
    the fall of the northern cities ... and fearing encirclement, they fell back".

Mechanism. The northern line is a front like the Shamali one (:mod:`kabulsim.model.fronts`):
air strikes (ODA 595 directing them from 19 October) and ground pressure wear it down,
morale recovers when the pressure is off, the alliance commander in the north (Dostum, Atta,
Mohaqiq) attacks when his estimate is favourable, and the attrition engine decides each
assault; a repulsed assault is retried after ``shamali.retry_h``, as at Bai Beche, where the
first assault of 5 November was driven back and the second broke the line. When the line
breaks, Mazar-i-Sharif falls after a lognormal advance (``north.advance_h``: four days from
Bai Beche to the city in 2001). A scenario may instead fix the date of the fall
(``north.fall_at``, an exogenous override).

At the fall, of the garrison still in the north a share is killed (``north.killed_share``), a
share captured or changes sides (``north.defected_share``) and the rest withdraws; the
Shamali line loses ``north.shock`` of its morale at once, and from then on
``north.encirclement_per_day`` each day (:func:`kabulsim.model.fronts.front_pressure`), while
the alliance's morale at Shamali rises by ``north.alliance_boost``.
"""

from __future__ import annotations

import simpy

from kabulsim.model.fighting import Fight
from kabulsim.model.fronts import commander
from kabulsim.model.world import Front, World, lognormal


def _collapse(world: World) -> None:
    sc = world.scenario
    rng = world.rng["north"]
    world.north.holds = False
    garrison = world.north.strength
    killed = float(rng.binomial(int(garrison), sc.north.killed_share)) if garrison >= 1 else 0.0
    rest = garrison - killed
    share = (
        sc.north.defected_share / (1.0 - sc.north.killed_share)
        if sc.north.killed_share < 1
        else 0.0
    )
    defected = float(rng.binomial(int(rest), min(1.0, share))) if rest >= 1 else 0.0
    withdrawn = garrison - killed - defected
    led = world.ledger
    led.kill("north", killed)
    led.capture(defected)
    led.withdraw("north", withdrawn)
    world.north.set_strength(0.0)
    world.out.set("mazar_falls", world.env.now)
    world.shamali.scale_morale(1.0 - sc.north.shock)
    world.raise_alliance_morale(sc.north.alliance_boost)
    world.log("north", "mazar_falls", f"killed {killed:.0f}, captured or defected {defected:.0f}")
    world.mazar_fallen.succeed()


def _fought(world: World, front: Front, done: Fight) -> None:
    world.log(
        "north",
        "assault",
        f"{done.result.ended_by}; Taliban casualties {done.taliban_casualties},"
        f" alliance casualties {done.alliance_casualties}",
        done.result.duration_h,
    )


def _advance(world: World) -> simpy.events.ProcessGenerator:
    sc = world.scenario
    rng = world.rng["north"]
    yield world.env.timeout(lognormal(rng, sc.north.advance_h, sc.shamali.mass_spread))
    if not world.mazar_fallen.triggered:
        _collapse(world)


def _broken(world: World, front: Front, done: Fight) -> None:
    world.out.set("north_line_broken", world.env.now)
    world.log("north", "line_broken", "the Taliban fall back on Mazar-i-Sharif")
    world.env.process(_advance(world))


def northern_front(world: World) -> simpy.events.ProcessGenerator:
    """Hold the northern line until it breaks and the city falls (or the fixed date)."""
    env = world.env
    fall_at = world.hours(world.scenario.north.fall_at)
    if fall_at is not None:
        yield env.timeout(fall_at)
        _collapse(world)
        return
    yield env.process(commander(world, world.north, world.rng["north"], None, _fought, _broken))
