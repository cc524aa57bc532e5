"""The air campaign: daily strikes that wear down the Taliban fronts' strength and morale.

    "On 7 October, after the Taliban refused to hand over bin Laden because of lack of
    evidence, the United States began their bombing campaign" ... Taliban and al-Qaeda
    forces "were heavily weakened by American and British air strikes" ... "under constant
    attack by American air support".

Mechanism. From the bombing start, once a day, the campaign flies a number of strike
sorties drawn around the period's rate (a gamma-distributed daily multiplier with the
scenario's coefficient of variation, then Poisson counts per target). Periods and rates are
the record's: about 40 a day at first, 70 from 21 October when front-line targeting began,
110 from 5 November; the front shares of a new period ramp up over
``front_targeting_ramp_days``. A share of the sorties
goes to the Shamali front and a share to the Mazar-i-Sharif front; the rest strike
fixed targets elsewhere and count only for civilian casualties. On a front, each sortie
counts as one *effective* sortie, or ``controller_multiplier`` of them once ground
controllers (ODA 555 on the Shamali front, ODA 595 in the north) have arrived there.
Effective sorties kill ``kills_per_sortie`` fighters each on average (Poisson) and multiply
the front's morale by ``exp(-morale_per_sortie * E * 1000 / strength)`` for ``E`` effective
sorties: the same strikes weigh more on a smaller force.

Assumptions: effects add up day by day (no diminishing returns beyond the exponential
morale law); the daily step is coarse on purpose, since nothing on a static front turns on
the hour; strikes stop when the front they aim at no longer holds a line, except that when
the Taliban stay to defend Kabul the Shamali front's strikes fall on the defenders of the
city (:func:`strike_city`). Close air
support during an assault is part of the same campaign
(:func:`kabulsim.model.fronts.cas_per_h`).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from typing import NamedTuple

import numpy as np
import simpy
from numpy.typing import NDArray

from kabulsim.model.world import Front, World
from kabulsim.scenario.schema import Scenario
from kabulsim.timebase import to_hours


class _Table(NamedTuple):
    """A scenario's strike schedule, as looked up during a run (computed once)."""

    periods: tuple[tuple[float, float, float, float], ...]
    """(start h, rate, Shamali share, north share) of each period, in order."""
    starts: tuple[float, ...]
    ramp_h: float
    bombing_start_h: float
    """Clock time (h) of the bombing start (0 when unset)."""


_TABLES: dict[int, tuple[Scenario, _Table]] = {}


def _table(scenario: Scenario) -> _Table:
    hit = _TABLES.get(id(scenario))
    if hit is not None and hit[0] is scenario:
        return hit[1]
    if len(_TABLES) > 64:
        _TABLES.clear()
    air = scenario.air
    periods = tuple(
        (to_hours(scenario.start, p.start), p.strike_sorties_per_day, p.shamali_share,
         p.north_share)
        for p in air.sorties
    )  # fmt: skip
    start = to_hours(scenario.start, air.bombing_start) if air.bombing_start is not None else 0.0
    table = _Table(
        periods,
        tuple(p[0] for p in periods),
        air.front_targeting_ramp_days * 24.0,
        start or 0.0,
    )
    _TABLES[id(scenario)] = (scenario, table)
    return table


def _periods(scenario: Scenario) -> tuple[tuple[float, float, float, float], ...]:
    """(start h, rate, Shamali share, north share) of each period, in order (cached)."""
    return _table(scenario).periods


def _row_at(scenario: Scenario, t_h: float) -> tuple[float, float, float]:
    """Rate and front shares at clock time ``t_h`` (see :func:`schedule`)."""
    return _row(_table(scenario), t_h)


def _row(table: _Table, t_h: float) -> tuple[float, float, float]:
    periods = table.periods
    # The period in force: the last that has started (periods are in order of start).
    i = bisect_right(table.starts, t_h + 1e-9) - 1
    if i < 0:
        return 0.0, periods[0][2] if periods else 0.0, periods[0][3] if periods else 0.0
    start, rate, sh, no = periods[i]
    ramp_h = table.ramp_h
    if i > 0 and ramp_h > 0.0:
        w = min(1.0, max(0.0, (t_h - start) / ramp_h))
        prev = periods[i - 1]
        sh = prev[2] + w * (sh - prev[2])
        no = prev[3] + w * (no - prev[3])
    return rate, sh, no


def schedule(world: World, t: NDArray[np.float64]) -> NDArray[np.float64]:
    """Strike sorties per day and the Shamali and north shares at clock times ``t``.

    A period's rate applies from its start; its front shares ramp up linearly from the
    previous period's over ``air.front_targeting_ramp_days`` (the shift to front-line targets
    took days: the first verified strike on the line north of Kabul on 21 Oct 2001, 80% of
    the effort on the front lines by 29 Oct; see docs/sources.md).

    Returns:
        An array of shape ``(len(t), 3)``: rate, Shamali share, north share.
    """
    periods = _periods(world.scenario)
    out = np.zeros((len(t), 3), dtype=np.float64)
    if not periods:
        return out
    table = np.array(periods, dtype=np.float64)
    # The period in force at each time (as in _row_at: the last that has started).
    i = np.searchsorted(table[:, 0], t + 1e-9, side="right") - 1
    before = i < 0
    k = np.maximum(i, 0)
    start, rate, sh, no = (table[k, j] for j in range(4))
    ramp_h = world.scenario.air.front_targeting_ramp_days * 24.0
    if ramp_h > 0.0 and len(periods) > 1:
        ramped = i > 0
        prev = np.maximum(k - 1, 0)
        w = np.minimum(1.0, np.maximum(0.0, (t - start) / ramp_h))
        sh = np.where(ramped, table[prev, 2] + w * (sh - table[prev, 2]), sh)
        no = np.where(ramped, table[prev, 3] + w * (no - table[prev, 3]), no)
    out[:, 0] = np.where(before, 0.0, rate)
    out[:, 1] = np.where(before, table[0, 2], sh)
    out[:, 2] = np.where(before, table[0, 3], no)
    return out


def rate_at(world: World, t_h: float) -> float:
    """Scheduled strike sorties per day at clock time ``t_h`` (before daily variation)."""
    table = _table(world.scenario)
    if t_h < table.bombing_start_h:
        return 0.0
    return _row(table, t_h)[0]


def rate_and_share_at(world: World, front: Front, t_h: float) -> tuple[float, float]:
    """:func:`rate_at` and :func:`front_share_at` at once (one look-up of the schedule)."""
    table = _table(world.scenario)
    rate, sh, no = _row(table, t_h)
    if t_h < table.bombing_start_h:
        rate = 0.0
    return rate, sh if front is world.shamali else no


def front_share_at(world: World, front: Front, t_h: float) -> float:
    """Share of strike sorties aimed at ``front`` at clock time ``t_h``."""
    row = _row_at(world.scenario, t_h)
    return row[1] if front is world.shamali else row[2]


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
    # The same strikes weigh more on a smaller force: the effect is per thousand fighters.
    per_thousand = effective * 1000.0 / front.strength
    front.lose(killed)
    front.scale_morale(math.exp(-world.scenario.air.morale_per_sortie * per_thousand))
    world.ledger.kill("air", killed)
    return killed


def strike_city(world: World, effective: float, killed: float) -> float:
    """Apply a day's strikes to a deliberate defence of Kabul; return the fighters killed.

    The same law as on a front: kills (capped at the defenders), and the defence's resolve
    multiplied by ``exp(-morale_per_sortie * E * 1000 / defenders)``.
    """
    defenders = world.in_kabul
    if effective <= 0.0 or defenders <= 0.0 or world.kabul_resolve is None:
        return 0.0
    killed = min(defenders, killed)
    foreign = round(killed * world.kabul_foreign / defenders)
    world.leave_kabul(killed - foreign, foreign)
    world.ledger.kill("air", killed)
    per_thousand = effective * 1000.0 / defenders
    world.kabul_resolve *= math.exp(-world.scenario.air.morale_per_sortie * per_thousand)
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
    t = start + 24.0 * np.arange(days, dtype=np.float64)
    row = schedule(world, t)
    rate = row[:, 0]
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
    defend = world.scenario.withdrawal.policy == "defend"
    for day, (n_sh, n_no, n_ot, e_sh, e_no, k_sh, k_no, c_sh, c_no, c_ot) in enumerate(daily):
        if not (world.shamali.holds or world.north.holds or defend):
            # No line left and no defence of Kabul to come (lines do not re-form): the rest
            # of the campaign strikes fixed targets only, and its days add up at once.
            world.out.add("sorties_flown", float(n_other[day:].sum()))
            world.out.add("civilian_casualties", float(civ[2][day:].sum()))
            return
        flown, civilians = float(n_ot), float(c_ot)
        # Strikes go only where a Taliban line still stands.
        if world.shamali.holds:
            strike_front(world, world.shamali, e_sh, float(k_sh))
            flown += n_sh
            civilians += c_sh
        elif world.kabul_resolve is not None and world.city_holder == "taliban":
            # A deliberate defence of Kabul: the strikes on the front now fall on the city.
            strike_city(world, e_sh, float(k_sh))
            flown += n_sh
            civilians += c_sh
        if world.north.holds:
            strike_front(world, world.north, e_no, float(k_no))
            flown += n_no
            civilians += c_no
        world.out.add("sorties_flown", flown)
        world.out.add("civilian_casualties", civilians)
        world.snap()
        yield env.timeout(24.0)
