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

import numpy as np
import simpy
from numpy.typing import NDArray

from kabulsim.model.world import Front, World
from kabulsim.timebase import to_hours


def strike_front(world: World, front: Front, effective: float, killed: float) -> float:
    """Apply a day's strikes to ``front``; return the fighters killed.

    Args:
        world: the replication's shared state.
        front: the Taliban front struck.
        effective: effective sorties (sorties times the controller multiplier).
        killed: fighters the strikes would kill (capped at the front's strength).
    """
    if effective <= 0.0 or front.strength <= 0.0:
        return 0.0
    killed = min(front.strength, killed)
    front.lose(killed)
    front.scale_morale(math.exp(-world.scenario.air.morale_per_sortie * effective))
    world.ledger.kill("air", killed)
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
    # Every day's draws are made at once, in a fixed order, whatever happens later: the
    # stream's use does not depend on the course of events (common random numbers), and
    # batched draws are far cheaper than one call per number.
    days = max(0, math.ceil((world.horizon_h - start) / 24.0 - 1e-9))
    t = start + 24.0 * np.arange(days)
    starts = np.array([to_hours(world.scenario.start, p.start) for p in air.sorties])
    index = np.searchsorted(starts, t + 1e-9, side="right") - 1
    table = np.array(
        [(p.strike_sorties_per_day, p.shamali_share, p.north_share) for p in air.sorties]
        or [(0.0, 0.0, 0.0)]
    )
    row = table[np.maximum(index, 0)]
    rate = np.where(index >= 0, row[:, 0], 0.0)
    cv = air.daily_variation
    if cv > 0.0:
        shape = 1.0 / (cv * cv)
        rate = rate * rng.gamma(shape, 1.0 / shape, size=days)
    n_shamali = rng.poisson(rate * row[:, 1])
    n_north = rng.poisson(rate * row[:, 2])
    n_other = rng.poisson(rate * np.maximum(0.0, 1.0 - row[:, 1] - row[:, 2]))

    def multiplier(front: Front) -> NDArray[np.float64]:
        since = front.controllers_h if front.controllers_h is not None else math.inf
        return np.where(t >= since, air.controller_multiplier, 1.0)

    eff_shamali = n_shamali * multiplier(world.shamali)
    eff_north = n_north * multiplier(world.north)
    kill_shamali = rng.poisson(air.kills_per_sortie * eff_shamali)
    kill_north = rng.poisson(air.kills_per_sortie * eff_north)
    civ = [rng.poisson(air.civilians_per_sortie * n) for n in (n_shamali, n_north, n_other)]
    daily = zip(
        n_shamali.tolist(), n_north.tolist(), n_other.tolist(),
        eff_shamali.tolist(), eff_north.tolist(),
        kill_shamali.tolist(), kill_north.tolist(),
        civ[0].tolist(), civ[1].tolist(), civ[2].tolist(),
        strict=True,
    )  # fmt: skip
    for n_sh, n_no, n_ot, e_sh, e_no, k_sh, k_no, c_sh, c_no, c_ot in daily:
        flown, civilians = float(n_ot), float(c_ot)
        # Strikes go only where a Taliban line still stands.
        if not world.front_broken.triggered:
            strike_front(world, world.shamali, e_sh, float(k_sh))
            flown += n_sh
            civilians += c_sh
        if not world.mazar_fallen.triggered:
            strike_front(world, world.north, e_no, float(k_no))
            flown += n_no
            civilians += c_no
        world.out.add("sorties_flown", flown)
        world.out.add("civilian_casualties", civilians)
        world.snap()
        yield env.timeout(24.0)
