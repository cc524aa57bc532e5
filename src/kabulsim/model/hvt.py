"""The tip, the drone and the strike on Mohammed Atef's convoy.

    "Meanwhile, as the Taliban's control over Kabul was deteriorating, a tip reached CIA
    headquarters about an al-Qaeda convoy in the city, carrying a possible 'high-value
    target.' A CIA-operated drone tracked the convoy in the upscale Kabul neighborhood of
    Wazir Akbar Khan. The target was Mohammed Atef ... An airstrike was carried out, killing
    Atef".

Mechanism. The window opens when the Shamali front breaks (control starts to deteriorate)
and closes when the convoy has left the Kabul area, a lognormal time later. Within the
window tips arrive as a Poisson process (``tip_per_h``). Each tip leads to tracking with
probability ``track_p``, after a lognormal delay; if the convoy is still in the area, a
strike follows, which kills the target with probability ``strike_p``. A failed strike or a
lost track leaves the window open for further tips. Whether Atef is killed, and when, are
outputs.
"""

from __future__ import annotations

import simpy

from kabulsim.model.world import World, lognormal


def high_value_target(world: World) -> simpy.events.ProcessGenerator:
    """Wait for the collapse, then turn tips into tracking and a strike while the convoy stays."""
    env = world.env
    h = world.scenario.hvt
    rng = world.rng["hvt"]
    if not h.present:
        return
    yield world.front_broken
    departure = env.now + lognormal(rng, h.departure_h, h.departure_spread)
    while env.now < departure and h.tip_per_h > 0.0:
        wait = float(rng.exponential(1.0 / h.tip_per_h))
        if env.now + wait >= departure:
            break
        yield env.timeout(wait)
        world.out.add("tips", 1)
        world.log("hvt", "tip", "a tip about an al-Qaeda convoy in the city")
        if rng.random() >= h.track_p:
            continue
        delay = lognormal(rng, h.track_h, h.track_spread)
        if env.now + delay >= departure:
            break
        yield env.timeout(delay)
        world.log("hvt", "convoy_tracked", "a drone tracks the convoy in Wazir Akbar Khan")
        if rng.random() < h.strike_p:
            world.out.set("atef_killed", True)
            world.out.set("atef_strike_time", env.now)
            world.log("hvt", "strike_kills_atef", "an airstrike kills Mohammed Atef")
            return
        world.log("hvt", "strike_misses")
    if env.now < departure:
        yield env.timeout(departure - env.now)
    world.log("hvt", "convoy_leaves", "the convoy leaves the Kabul area")
