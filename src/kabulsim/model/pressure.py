"""Daily pressure on the fronts: ground pressure, the fear of encirclement, and recovery.

    "with the Taliban demoralized by the fall of the northern cities, under constant attack by
    American air support, and fearing encirclement, they fell back to Kabul".

Mechanism. Once a day the alliance's ground pressure (raids, artillery) multiplies each
holding line's morale by ``exp(-g * ratio)``, where ``ratio`` is the alliance-to-Taliban force
ratio and ``g`` is ``morale.ground_pressure_per_day``; a line covering Kabul loses a further
``encirclement_per_day`` of its morale for each front whose city has fallen (in 2001: after
Mazar-i-Sharif, ``north.encirclement_per_day``); morale then recovers
``morale.recovery_per_day`` of its gap to 1. Air strikes act separately
(:mod:`kabulsim.model.air`). Without air pressure, morale settles where recovery balances
ground pressure: a stalemate held by mechanism. A deliberate defence of Kabul recovers
towards its own resolve (``withdrawal.defend_resolve``).

The start: two years of stalemate. "For two years during the Afghan Civil War the frontline
had been stalemated here": in October 2001 each line had stood under this same daily law, at
the same force ratio, for about 730 days, so its morale starts at the law's fixed point
(:func:`kabulsim.model.laws.stalemate_morale`), not at 1. One day's step maps ``m`` to
``r + (1 - r) * m * exp(-g * ratio)``; its fixed point is

    m* = r / (1 - (1 - r) * exp(-g * ratio))

(close to ``r / (r + g * ratio)`` when both rates are small), and any start is within
``((1 - r) * exp(-g * ratio)) ** 730`` of it after two years (below 0.001 for ``r`` above
0.01 a day): the start state is derived from the law, not set by hand. With no air campaign
and no fall elsewhere the daily step then leaves each line's morale where it is.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import simpy

    from kabulsim.model.world import World


def front_pressure(world: World) -> simpy.events.ProcessGenerator:
    """Apply a day's ground pressure, encirclement fear and recovery to every holding line."""
    env = world.env
    sc = world.scenario
    g = sc.morale.ground_pressure_per_day
    r = sc.morale.recovery_per_day
    defend = sc.withdrawal.policy == "defend"
    fronts = tuple(world.fronts.values())
    while env.now < world.horizon_h:
        if not (any(front.holds for front in fronts) or defend):
            # No line left and no defence of Kabul to come: nothing here changes any more
            # (lines do not re-form), so the daily step ends rather than idle to the horizon.
            return
        yield env.timeout(24.0)
        for front in fronts:
            if not front.holds:
                continue
            ratio = front.facing.strength / max(front.strength, 1.0)
            front.morale *= math.exp(-g * ratio)
            for fallen, encircle in front.encircled_by:
                if fallen.triggered:
                    front.morale *= encircle
            front.morale += r * (1.0 - front.morale)
        if world.kabul_resolve is not None:
            # A deliberate defence of Kabul recovers towards its own resolve.
            resolve = sc.withdrawal.defend_resolve
            world.kabul_resolve += r * (resolve - world.kabul_resolve)
        world.snap()
