"""The air campaign: daily strikes that wear down the Taliban fronts' strength and morale.

    "On 7 October, after the Taliban refused to hand over bin Laden because of lack of
    evidence, the United States began their bombing campaign" ... Taliban and al-Qaeda
    forces "were heavily weakened by American and British air strikes" ... "under constant
    attack by American air support".

Mechanism. From the bombing start, once a day, the campaign flies a number of strike
sorties drawn around the period's rate (a gamma-distributed daily multiplier with the
scenario's coefficient of variation, then Poisson counts per target). A share of the sorties
goes to the Shamali front and a share to the Mazar-i-Sharif front; the rest strike
fixed targets elsewhere and count only for civilian casualties. On a front, each sortie
counts as one *effective* sortie, or ``controller_multiplier`` of them once ground
controllers (ODA 555 on the Shamali front, ODA 595 in the north) have arrived there.
Effective sorties kill ``kills_per_sortie`` fighters each on average (Poisson) and multiply
the front's morale by ``exp(-morale_per_sortie)`` each.

Assumptions: effects add up day by day (no diminishing returns beyond the exponential
morale law); the daily step is coarse on purpose, since nothing on a static front turns on
the hour; strikes stop when the front they aim at no longer holds a line.
"""

from __future__ import annotations

import math

import simpy

from kabulsim.model.world import Front, World
from kabulsim.timebase import to_hours


def _period(starts: list[float], t_h: float) -> int:
    """Index of the sortie period in force at clock time ``t_h`` (-1 before the first)."""
    index = -1
    for i, start in enumerate(starts):
        if t_h + 1e-9 >= start:
            index = i
    return index


def strike_front(world: World, front: Front, sorties: float, *, cause: str) -> float:
    """Apply ``sorties`` strike sorties to ``front``; return the fighters killed.

    Args:
        world: the replication's shared state.
        front: the Taliban front struck.
        sorties: strike sorties flown against it (sorties).
        cause: ledger label for the kills (only ``"air"`` is used by this module).

    """
    if sorties <= 0.0 or front.strength <= 0.0:
        return 0.0
    air = world.scenario.air
    rng = world.rng["air"]
    effective = sorties * (air.controller_multiplier if front.controlled(world.env.now) else 1.0)
    killed = float(min(front.strength, rng.poisson(air.kills_per_sortie * effective)))
    front.strength -= killed
    front.morale *= math.exp(-air.morale_per_sortie * effective)
    if cause == "air":
        world.ledger.killed_air += killed
    return killed


def air_campaign(world: World) -> simpy.events.ProcessGenerator:
    """Fly the daily strikes from the bombing start to the horizon."""
    env = world.env
    air = world.scenario.air
    rng = world.rng["air"]
    start = world.hours(air.bombing_start)
    assert start is not None
    yield env.timeout(start)
    world.log("air", "bombing_starts")
    # Gamma multiplier with mean 1 and the given coefficient of variation.
    cv = air.daily_variation
    shape = 1.0 / (cv * cv) if cv > 0 else 0.0
    starts = [to_hours(world.scenario.start, p.start) for p in air.sorties]
    while env.now < world.horizon_h:
        index = _period(starts, env.now)
        if index >= 0:
            period = air.sorties[index]
            rate = period.strike_sorties_per_day
            if shape > 0.0 and rate > 0.0:
                rate *= float(rng.gamma(shape, 1.0 / shape))
            n_shamali = float(rng.poisson(rate * period.shamali_share))
            n_north = float(rng.poisson(rate * period.north_share))
            n_other = float(rng.poisson(rate * (1.0 - period.shamali_share - period.north_share)))
            # Strikes go only where a Taliban line still stands.
            if world.front_broken.triggered:
                n_shamali = 0.0
            if world.mazar_fallen.triggered:
                n_north = 0.0
            strike_front(world, world.shamali, n_shamali, cause="air")
            strike_front(world, world.north, n_north, cause="air")
            flown = n_shamali + n_north + n_other
            world.out.sorties_flown += flown
            world.out.civilians_air += float(rng.poisson(air.civilians_per_sortie * flown))
        yield env.timeout(24.0)
