"""The northern collapse: Mazar-i-Sharif falls, and the shock travels to the Shamali front.

    "Coupled with the fall of Mazar-i-Sharif five days earlier, the capture of Kabul was a
    significant blow to Taliban control of Afghanistan." ... "with the Taliban demoralized by
    the fall of the northern cities ... and fearing encirclement, they fell back".

Mechanism. The northern garrison's morale is worn down by the air campaign (see
:mod:`kabulsim.model.air`) and recovers a little each day (``morale.recovery_per_day``).
When it drops below ``north.collapse_morale`` the garrison gives way and Mazar-i-Sharif
falls; a scenario may instead fix the date (``north.fall_at``, an exogenous override). On the
fall, a share of the garrison is killed, a share captured or changes sides, and the rest
withdraws; the Shamali front loses ``north.shock`` of its morale at once, and from then on
``north.encirclement_per_day`` more each day (fear of encirclement), while the alliance's
morale rises by ``north.alliance_boost``.

Assumption: the north is reduced to one garrison and one threshold; the alliance's own
offensive there (Dostum, Atta, Mohaqiq) is folded into the air-driven collapse of morale.
"""

from __future__ import annotations

import simpy

from kabulsim.model.world import World


def _collapse(world: World) -> None:
    sc = world.scenario
    rng = world.rng["north"]
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


def northern_front(world: World) -> simpy.events.ProcessGenerator:
    """Hold the northern front day by day until its morale gives way (or the fixed date)."""
    env = world.env
    sc = world.scenario
    fall_at = world.hours(sc.north.fall_at)
    if fall_at is not None:
        yield env.timeout(fall_at)
        _collapse(world)
        return
    recovery = sc.morale.recovery_per_day
    # Review at the end of each day, after that day's strikes.
    yield env.timeout(23.0)
    while env.now < world.horizon_h:
        front = world.north
        if front.morale < sc.north.collapse_morale:
            _collapse(world)
            return
        front.recover(recovery)
        world.snap()
        yield env.timeout(24.0)
