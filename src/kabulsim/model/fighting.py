"""A fight between the Taliban and the alliance, run by the attrition engine, by daylight.

Both the assaults on the fronts (:mod:`kabulsim.model.front`) and fighting inside Kabul
(:mod:`kabulsim.model.alliance`) go through :func:`fight`: the engine runs in stochastic mode
with the scenario's law and step, and each side's casualties are split into killed
(``shamali.killed_per_casualty``) and wounded. Taliban killed go to the given ledger category,
Taliban wounded to the ledger's wounded; alliance killed to the outcome.

Darkness. The alliance's assaults of 2001 were daylight operations (the Shamali offensive was
launched "just before noon", AP, 12 Nov 2001), and the close air support that decided them
was directed by controllers who had to see the defenders. So a fight is fought in daylight
only: it starts at first light if called in darkness (``shamali.daylight``'s first hour) and
pauses at nightfall (``shamali.nightfall``). Overnight the attacker consolidates and neither
side fights (a CDB90 day's losses are inflicted in its hours of light: the kill rates while
fighting are the per-day rates over those hours, :func:`day_rate_factor`); at first light the
fight resumes with the losses so far counting against each
side's breakpoint (it breaks at the same total share of its initial strength as before) and
close air support at the new day's rate (``cas``). The attacker's judgement at nightfall: he
resumes only if the fight is going his way (the defender has lost a larger share of its
strength than he has of his); otherwise he breaks off (``ended_by`` ``"broken_off"``). A
fight still undecided at nightfall of its ``shamali.assault_days``-th day is broken off
(``"day_limit"``; a backstop: 98% of CDB90's 20th-century battles lasted at most two days of
active combat). The engine's own time limit (``shamali.max_h``) applies to each day's
fighting. No fight therefore continues through a night, at any rate of air support.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from kabulsim.combat import BattleResult, Side, simulate
from kabulsim.model.world import Front, World

CasAt = Callable[[float], float]
"""Close air support on the Taliban (fighters killed per hour) in a fight at a clock time."""


@dataclass(frozen=True, slots=True)
class Fight:
    """What a fight did: the engine's result, who broke, and the dead on each side.

    ``result.duration_h`` counts the hours of fighting (daylight only); ``elapsed_h`` the
    clock hours from the fight's start to its end, nights included; ``days`` the days on
    which it was fought.
    """

    result: BattleResult
    taliban_broke: bool
    alliance_broke: bool
    taliban_casualties: int
    alliance_casualties: int
    taliban_killed: float
    alliance_killed: float
    elapsed_h: float = 0.0
    days: int = 1


def local_hour(world: World, t_h: float) -> float:
    """Local hour of day (0-24) at clock time ``t_h``."""
    start = world.scenario.start
    return (start.hour + start.minute / 60.0 + t_h) % 24.0


def until_first_light(world: World, t_h: float) -> float:
    """Hours from clock time ``t_h`` to the next first light (0 in daylight, before nightfall)."""
    sh = world.scenario.doctrine
    first = sh.daylight[0]
    hour = local_hour(world, t_h)
    if first <= hour < sh.nightfall:
        return 0.0
    return (first - hour) % 24.0


def day_rate_factor(world: World) -> float:
    """Factor on the kill rates while fighting: a CDB90 day's losses in its hours of light.

    The kill rates are CDB90's casualties per day of battle divided by 24
    (``shamali.alliance_kill_rate``, ``taliban_kill_rate``). With ``shamali.kill_rates_by``
    ``daylight`` a day's losses are inflicted in the hours between first light and nightfall,
    so the rate while fighting is ``24 / (nightfall - first light)`` times that (about 2.3);
    with ``round_the_clock`` it is the per-hour rate itself (a fight by daylight then inflicts
    less than CDB90's daily losses each day).
    """
    sh = world.scenario.doctrine
    if sh.kill_rates_by == "round_the_clock":
        return 1.0
    return 24.0 / max(1.0, sh.nightfall - sh.daylight[0])


def _resumed(side: Side, bp: float | None, lost: float, initial: float, strength: float) -> Side:
    """``side`` at first light: its strength now and the breakpoint its losses leave it.

    Args:
        side: the side as it fought the day before.
        bp: its breakpoint at the start of the fight (share of ``initial``).
        lost: its losses since the start of the fight.
        initial: its strength at the start of the fight.
        strength: its strength now (> 0).
    """
    if bp is not None:
        # It breaks at the same total share of its initial strength as before.
        bp = min(1.0, max(1e-9, (bp * initial - lost) / strength))
    return dataclasses.replace(side, strength=strength, breakpoint=bp)


def by_daylight(
    world: World,
    taliban: Side,
    alliance: Side,
    rng: np.random.Generator,
    cas: CasAt | None = None,
) -> tuple[BattleResult, float, int]:
    """Run the engine day by day until a side breaks or the attacker breaks off.

    Returns the combined result (``duration_h``: hours of fighting), the clock hours elapsed
    from now to the end, and the number of days fought.
    """
    sh = world.scenario.doctrine
    now = world.env.now
    elapsed = until_first_light(world, now)
    fought = red_lost = blue_lost = 0.0
    days = 0
    first: BattleResult | None = None
    red_bp, blue_bp = taliban.breakpoint, alliance.breakpoint
    k = day_rate_factor(world)
    if k != 1.0:
        taliban = dataclasses.replace(taliban, kill_rate=taliban.kill_rate * k)
        alliance = dataclasses.replace(alliance, kill_rate=alliance.kill_rate * k)
    while True:
        days += 1
        if cas is not None:
            taliban = dataclasses.replace(taliban, external_losses_per_h=cas(now + elapsed))
        light = (sh.nightfall - local_hour(world, now + elapsed)) % 24.0
        res = simulate(
            taliban,
            alliance,
            law=sh.law,
            mode="stochastic",
            dt_h=sh.step_min / 60.0,
            max_h=min(sh.max_h, light),
            rng=rng,
            record=False,
        )
        if first is None:
            first = res
        fought += res.duration_h
        elapsed += res.duration_h
        red_lost += res.red_losses
        blue_lost += res.blue_losses
        decided = res.red_ended or res.blue_ended
        capped = res.duration_h >= sh.max_h - 1e-9 and sh.max_h < light
        # At nightfall the attacker resumes only if the fight is going his way: the
        # defender has lost a larger share of its strength than he has of his.
        losing = red_lost / max(first.red_initial, 1.0) < blue_lost / max(first.blue_initial, 1.0)
        if decided or capped or losing or days >= sh.assault_days:
            break
        elapsed += until_first_light(world, now + elapsed)
        assert first is not None
        taliban = _resumed(taliban, red_bp, red_lost, first.red_initial, res.red_final)
        alliance = _resumed(alliance, blue_bp, blue_lost, first.blue_initial, res.blue_final)
    assert first is not None
    if decided or capped:
        ended_by = res.ended_by
    else:
        ended_by = "broken_off" if losing else "day_limit"
    result = dataclasses.replace(
        res,
        duration_h=fought,
        ended_by=ended_by,
        red_initial=first.red_initial,
        blue_initial=first.blue_initial,
        red_losses=red_lost,
        blue_losses=blue_lost,
    )
    return result, elapsed, days


def fight(
    world: World,
    taliban: Side,
    alliance: Side,
    rng: np.random.Generator,
    where: Literal["battle", "city"],
    front: Front | None = None,
    cas: CasAt | None = None,
) -> Fight:
    """Run a fight to its end (by daylight) and book its casualties.

    Args:
        world: the replication's shared state.
        taliban: the Taliban side (red).
        alliance: the alliance side (blue).
        rng: the calling phase's random stream.
        where: the ledger category of Taliban killed (``battle`` or ``city``).
        front: the front fought over; its line and alliance strengths take the fight's final
            strengths (None: a fight in the city, where the alliance's Shamali force fights).
        cas: close air support on the Taliban at a clock time (fighters per hour), renewed
            each day the fight lasts; None: the Taliban side's own external losses.
    """
    sh = world.scenario.doctrine
    result, elapsed, days = by_daylight(world, taliban, alliance, rng, cas)
    # Both sides may end in the same step; red is the Taliban, blue the alliance.
    taliban_broke = result.red_ended
    alliance_broke = result.blue_ended
    t_cas = round(result.red_losses)
    a_cas = round(result.blue_losses)
    t_killed = float(rng.binomial(t_cas, sh.killed_per_casualty)) if t_cas > 0 else 0.0
    a_killed = float(rng.binomial(a_cas, sh.killed_per_casualty)) if a_cas > 0 else 0.0
    world.ledger.kill(where, t_killed)
    world.ledger.wound(t_cas - t_killed)
    world.out.add("alliance_killed", a_killed)
    if front is None:
        world.set_alliance_strength(result.blue_final)
    else:
        front.facing.strength = result.blue_final
        front.set_strength(result.red_final)
    return Fight(
        result, taliban_broke, alliance_broke, t_cas, a_cas, t_killed, a_killed, elapsed, days
    )
