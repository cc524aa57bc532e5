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
Effective sorties kill ``kills_per_sortie`` fighters each in prepared positions on average
(Poisson), ``command.open_exposure`` times as many of those in the open (fighters arrived and
not yet dug in), and ``command.dispersed_exposure`` as many on a line the Taliban command has
dispersed (Biddle: dispersed, camouflaged positions survived the bombing); they multiply
the front's morale by ``exp(-morale_per_sortie * E * 1000 / strength)`` for ``E`` effective
sorties: the same strikes weigh more on a smaller force.

After the fronts break. The campaign did not stop when the lines broke: on 15 November "U.S. air
forces flew 138 sorties over Afghanistan", in support of ground operations near Kunduz and
against caves "from Kabul to Khyber" (AFPS, 16 Nov 2001), and it went on over Kandahar and Tora
Bora into December. The sorties aimed at a front that no longer holds a line therefore keep
flying, at the period's rate, against what is left of the Taliban who left it (the retreat, the
pockets they reach), as long as fighters have left and until ``air.pursuit_until`` (the end of
the fighting at Tora Bora, 17 Dec 2001), or later while a redoubt the withdrawal reached is still
held (:func:`kabulsim.model.redoubt.held`). They count as sorties and cause civilian deaths at
``civilians_per_sortie``. Where the fighters who left the line are in a pocket that still holds
(:mod:`kabulsim.model.pocket`: a fallen front's retreat, or the withdrawal from Kabul), the
strikes fall on it (:func:`kabulsim.model.pocket.strike_pocket`, with the
pocket's own controllers' multiplier); otherwise a redoubt the withdrawal reaches takes its share
of them (``world.pursuit_sorties``) and books what they do there (:mod:`kabulsim.model.redoubt`),
and the fighters they kill elsewhere have left the modelled theatre (the ledger's *withdrawn*)
and are not counted in it. When the Taliban stay to defend Kabul the capital front's strikes
fall on the defenders of the city (:func:`strike_city`). After
``pursuit_until``, with no line left, the campaign this model follows ends: the share aimed at
other targets (fixed targets, which planners had run short of by the tenth day) flies only while
a line still holds; later operations (Operation Anaconda, March 2002) are outside the model.
Close air support during an assault is part of the same campaign
(:func:`kabulsim.model.commander.cas_per_h`) and is counted in the sorties and civilian deaths
by the front phase.

Assumptions: effects add up day by day (no diminishing returns beyond the exponential
morale law); the daily step is coarse on purpose, since nothing on a static front turns on
the hour.
"""

from __future__ import annotations

import math
from bisect import bisect_right

import numpy as np
import simpy
from numpy.typing import NDArray

from kabulsim.model.pocket import strike_pocket
from kabulsim.model.redoubt import held, pursue
from kabulsim.model.world import Front, Pocket, World
from kabulsim.scenario.theatre import Theatre


def schedule(world: World, t: NDArray[np.float64]) -> NDArray[np.float64]:
    """Strike sorties per day and each front's share at clock times ``t``.

    A period's rate applies from its start; its front shares ramp up linearly from the
    previous period's over ``air.front_targeting_ramp_days`` (the shift to front-line targets
    took days: the first verified strike on the line north of Kabul on 21 Oct 2001, 80% of
    the effort on the front lines by 29 Oct; see docs/sources.md).

    Returns:
        An array of shape ``(len(t), 1 + fronts)``: the rate, then each front's share (in
        the theatre's order).
    """
    theatre = world.theatre
    fronts = theatre.fronts
    out = np.zeros((len(t), 1 + len(fronts)), dtype=np.float64)
    starts = np.array(theatre.sortie_starts_h, dtype=np.float64)
    if not len(starts):
        return out
    # The period in force at each time (as in _share: the last that has started).
    i = np.searchsorted(starts, t + 1e-9, side="right") - 1
    before = i < 0
    k = np.maximum(i, 0)
    start = starts[k]
    rate = np.array(theatre.sortie_rates, dtype=np.float64)[k]
    ramp_h = theatre.sortie_ramp_h
    ramped = i > 0
    prev = np.maximum(k - 1, 0)
    w = np.minimum(1.0, np.maximum(0.0, (t - start) / ramp_h)) if ramp_h > 0.0 else None
    out[:, 0] = np.where(before, 0.0, rate)
    for j, front in enumerate(fronts):
        table = np.array(front.shares, dtype=np.float64)
        sh = table[k]
        if w is not None and len(starts) > 1:
            sh = np.where(ramped, table[prev] + w * (sh - table[prev]), sh)
        out[:, 1 + j] = np.where(before, table[0], sh)
    return out


def _period(theatre: Theatre, t_h: float) -> int:
    """The period in force at ``t_h``: the last that has started (-1: none yet)."""
    return bisect_right(theatre.sortie_starts_h, t_h + 1e-9) - 1  # periods in order of start


def _share(theatre: Theatre, index: int, t_h: float) -> tuple[float, float]:
    """Rate and the share of front ``index`` at clock time ``t_h`` (see :func:`schedule`)."""
    starts = theatre.sortie_starts_h
    i = _period(theatre, t_h)
    shares = theatre.fronts[index].shares
    if i < 0:
        return 0.0, shares[0] if starts else 0.0
    share = shares[i]
    ramp_h = theatre.sortie_ramp_h
    if i > 0 and ramp_h > 0.0:
        w = min(1.0, max(0.0, (t_h - starts[i]) / ramp_h))
        share = shares[i - 1] + w * (share - shares[i - 1])
    return theatre.sortie_rates[i], share


def rate_at(world: World, t_h: float) -> float:
    """Scheduled strike sorties per day at clock time ``t_h`` (before daily variation)."""
    theatre = world.theatre
    if t_h < theatre.bombing_start_h:
        return 0.0
    i = _period(theatre, t_h)
    return theatre.sortie_rates[i] if i >= 0 else 0.0


def rate_and_share_at(world: World, front: Front, t_h: float) -> tuple[float, float]:
    """:func:`rate_at` and :func:`front_share_at` at once (one look-up of the schedule)."""
    theatre = world.theatre
    rate, share = _share(theatre, front.index, t_h)
    if t_h < theatre.bombing_start_h:
        rate = 0.0
    return rate, share


def front_share_at(world: World, front: Front, t_h: float) -> float:
    """Share of strike sorties aimed at ``front`` at clock time ``t_h``."""
    return _share(world.theatre, front.index, t_h)[1]


def strike_front(world: World, front: Front, effective: float, killed: float) -> float:
    """Apply a day's strikes to ``front``; return the fighters killed.

    Args:
        world: the replication's shared state.
        front: the Taliban front struck.
        effective: effective sorties (sorties times the controller multiplier).
        killed: fighters the strikes would kill (capped at the front's strength).
    """
    if effective <= 0.0 or front.strength <= 0.0:
        front.last_strike = 0.0
        return 0.0
    cmd = world.scenario.command
    # Prepared positions survive the strikes better than fighters in the open (Biddle): the
    # kills drawn are those on dug-in fighters; the share in the open counts open_exposure
    # times, and a dispersed line offers dispersed_exposure of the targets.
    in_open = front.exposed / front.strength
    posture = cmd.dispersed_exposure if front.dispersed else 1.0
    exposure = posture * ((1.0 - in_open) + in_open * cmd.open_exposure)
    if exposure != 1.0:
        killed = float(round(killed * exposure))  # whole fighters, as every other count
    killed = min(front.strength, killed)
    from_open = killed * posture * in_open * cmd.open_exposure / exposure if exposure > 0 else 0.0
    # The same strikes weigh more on a smaller force: the effect is per thousand fighters.
    per_thousand = effective * 1000.0 / front.strength
    front.last_strike = per_thousand
    front.lose(killed, from_open)
    front.scale_morale(math.exp(-world.scenario.air.morale_per_sortie * per_thousand))
    world.ledger.kill("air", killed, front.name)
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
    world.ledger.kill("air", killed, "kabul")
    per_thousand = effective * 1000.0 / defenders
    world.kabul_resolve *= math.exp(-world.scenario.air.morale_per_sortie * per_thousand)
    return killed


def _book(world: World, sorties: float, civilians: float) -> None:
    """Count a day's sorties and the civilian deaths they caused."""
    out = world.out
    out.add("sorties_flown", sorties)
    out.add("civilian_casualties", civilians)
    out.add("civilians_air", civilians)


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
    fronts = tuple(world.fronts.values())
    shares = [row[:, 1 + j] for j in range(len(fronts))]
    flown_at = [rng.poisson(rate * share) for share in shares]
    rest = 1.0 - shares[0] if shares else np.ones(days)
    for share in shares[1:]:
        rest = rest - share
    n_other = rng.poisson(rate * np.maximum(0.0, rest))

    def multiplier(front: Front) -> NDArray[np.float64]:
        since = front.controllers_h if front.controllers_h is not None else math.inf
        return np.where(t >= since, air.controller_multiplier, 1.0)

    effective = [n * multiplier(front) for n, front in zip(flown_at, fronts, strict=True)]
    kills = [rng.poisson(air.kills_per_sortie * e) for e in effective]
    civ = [rng.poisson(air.civilians_per_sortie * n) for n in (*flown_at, n_other)]
    per_front = [
        (n.tolist(), e.tolist(), k.tolist(), c.tolist())
        for n, e, k, c in zip(flown_at, effective, kills, civ, strict=False)
    ]
    other, civ_other = n_other.tolist(), civ[-1].tolist()
    capital = world.capital
    pockets = tuple(world.pockets.values())

    def pocket_of(front: Front) -> Pocket | None:
        """The pocket the strikes aimed at a line that no longer holds fall on, if any."""
        return next(
            (p for p in pockets if p.holds and p.strength > 0 and front.name in p.plan.strikers),
            None,
        )

    defend = world.scenario.withdrawal.policy == "defend"
    pursuit_end = world.hours(air.pursuit_until)
    pursuit_end_h = -math.inf if pursuit_end is None else pursuit_end
    days_h = t.tolist()
    for day in range(days):
        # The pursuit goes on to its date, and beyond while a redoubt the withdrawal reached
        # is still held (its end is an output: kabulsim.model.redoubt).
        now_h = days_h[day]
        pursuing = now_h < pursuit_end_h or (pursuit_end is not None and held(world))
        if not (defend or any(front.holds for front in fronts)) and not pursuing:
            # No line left, no defence of Kabul to come (lines do not re-form) and the pursuit
            # over: the campaign this model follows has ended (the fixed targets ran short by
            # its tenth day; later operations are outside the model).
            world.log("air", "strikes_end", "no Taliban line or pocket left to strike")
            return
        flown, civilians = float(other[day]), float(civ_other[day])
        pursuit = pursuing and world.ledger.left > 0.0
        # Strikes go where a Taliban line still stands, or after what is left of it.
        for front, (n, e, k, c) in zip(fronts, per_front, strict=True):
            if front.holds:
                strike_front(world, front, e[day], float(k[day]))
            elif (
                front is capital
                and world.kabul_resolve is not None
                and world.city_holder == "taliban"
            ):
                # A deliberate defence of Kabul: the strikes on its front fall on the city.
                strike_city(world, e[day], float(k[day]))
            elif pursuit and (pocket := pocket_of(front)) is not None:
                # The fighters who left the line are in a pocket: the strikes fall on it, with
                # its own controllers' multiplier.
                mult = air.controller_multiplier if pocket.controlled(now_h) else 1.0
                e_pocket = n[day] * mult
                k_pocket = float(round(k[day] * e_pocket / e[day])) if e[day] > 0 else 0.0
                strike_pocket(world, pocket, e_pocket, k_pocket)
            elif not pursuit:
                continue
            else:
                # Aimed at what is left of the line's fighters: a redoubt they reached takes
                # its share (kabulsim.model.redoubt).
                pursue(world, n[day])
            flown += n[day]
            civilians += c[day]
        _book(world, flown, civilians)
        world.snap()
        yield env.timeout(24.0)
