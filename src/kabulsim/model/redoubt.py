"""The redoubt: the mountain position the withdrawal reaches, the attack on it, the escape.

    "surviving members of the Taliban and al-Qaeda, including Osama bin Laden, retreated
    toward Kandahar, the spiritual birthplace and home of the Taliban movement, and Tora
    Bora."

Mechanism (one instance per place with the ``redoubt`` role, its inputs the scenario's part
named after it; see docs/campaign.md). The withdrawal hands over the fighters who leave
down the route of the redoubt's name (:func:`hand_over`); a share of them (``reach_share``)
goes into the positions after a lognormal journey (``travel_h``), the rest disperse and stay
withdrawn along the route. When the capital falls (the Taliban leave it or the alliance
enters), the region's own fighters (``other_inflow``, from those elsewhere in the country)
join after ``other_inflow_h``, and the local militias start to mobilise (``mobilise_h``).
US controllers reach the militias ``controllers_h`` after the first fighters reach the
positions. The attack begins when both have happened and fighters hold the positions: its
date is an output.

The air campaign's pursuit sorties (those its schedule aims at the fighters who withdrew:
:mod:`kabulsim.model.air`, ``world.pursuit_sorties``) are shared out: before the attack the
road and the positions take a share in proportion to the fighters there among all who
withdrew; from the attack on, the positions take at least ``assault_share`` of them. Strikes
kill ``air.kills_per_sortie`` per sortie (Poisson), times ``command.open_exposure`` on the
road, times ``command.dispersed_exposure`` in the positions (caves and dispersed positions),
times ``air.controller_multiplier`` once the controllers are there. The militias' attack
kills ``ground_kills`` defenders a day per thousand militia fighters. Once attacked, each
defender slips across the passes with a hazard that grows linearly from 0 to
``escape_per_day`` over ``press_days`` of attack, times ``1 - blocking_effect`` (a blocking
force on the passes, none in 2001). When the defenders have lost ``truce_at`` of those
present at the attack's start, they open surrender talks: for ``truce_h`` the attack and
the strikes on the positions pause and the escape hazard is multiplied by
``truce_escape_factor`` (the talks of 11-13 Dec 2001 that fighters used to leave). The
fighting ends when fewer than ``end_share`` of those engaged are left: they are captured.

Accounting. Fighters on the road stay the ledger's *withdrawn* along the route until they
reach the positions (they come back into the theatre: *active* at the redoubt) or are killed
on the road (booked at ``road``). In the positions they are killed (cause ``air`` or
``battle``, at the redoubt), captured, or leave the theatre by the redoubt's escape route
(its ``retreat``). The sorties are the schedule's: the air campaign has already counted them
and their civilian deaths.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import simpy

from kabulsim.model.accounts import record_cutoffs
from kabulsim.model.world import World, lognormal
from kabulsim.outputs import OUTCOMES_DECLARED, per_place
from kabulsim.places import Place

STREAM = "{phase}.{place}"
"""The name of an instance's random stream (the phase's name, then the place's)."""
PHASE = "redoubt"
STEP_H = 6.0
"""Hours between two reckonings of the strikes, the fighting and the escape.

Before the attack, a reckoning at which nothing can happen (no fighters handed over, none
arriving, no pursuit sorties flown since the last, the attack not starting) changes nothing
and draws nothing: the redoubt sleeps over such reckonings to the next one that can do
something, and is woken for the next step when something it reads changes meanwhile
(:func:`hand_over`, the capital's fall, the region's fighters joining), and wakes at the first
step from the air campaign's next day on in any case (its pursuit sorties). During the attack
the steps that no other phase sees before they are all done are reckoned at once
(:func:`_ahead`). The reckonings are at the same moments, with the same draws in the same
order, as with a wake-up every step."""


@dataclass(slots=True)
class Holding:
    """One redoubt's state (``world.redoubts[place]``)."""

    place: Place
    woken: simpy.Event
    """Triggered when fighters are first on their way (re-armed while nothing is)."""
    fighters: float = 0.0
    """Fighters in the positions (active)."""
    departures: list[tuple[float, float]] = field(default_factory=list)
    """(clock time h, fighters) handed over by the withdrawal, not yet on the road."""
    transit: list[list[float]] = field(default_factory=list)
    """[arrival time h, fighters] of the groups on the road."""
    first_arrival_h: float | None = None
    mobilised_h: float | None = None
    controllers_h: float | None = None
    assault_h: float | None = None
    engaged: float = 0.0
    """Fighters present when the attack began, and those who arrived later."""
    lost: float = 0.0
    """Of those, killed or escaped."""
    truce_until: float | None = None
    ends_h: float | None = None
    killed: float = 0.0
    escaped: float = 0.0
    captured: float = 0.0
    process: simpy.Process | None = None
    """The redoubt's process (woken from a sleep over quiet steps by :func:`_nudge`)."""
    last: float = 0.0
    """Clock time (h) of the last reckoning (the steps are counted from it)."""
    asleep_until: float | None = None
    """The reckoning the process sleeps to, over quiet steps (None: not asleep)."""
    inflow_h: float | None = None
    """Clock time (h) the region's fighters are due to join (None: not yet known, or done)."""

    @property
    def on_road(self) -> float:
        """Fighters on their way (handed over, or on the road)."""
        return sum(n for _, n in self.departures) + sum(n for _, n in self.transit)


def hand_over(world: World, route: str, fighters: float) -> None:
    """Fighters leave Kabul down ``route``: a redoubt of that name, if any, expects them.

    Called by the withdrawal after it has booked them withdrawn along the route; draws
    nothing (the redoubt's own stream decides who arrives, and when).
    """
    holding = world.redoubts.get(route)
    if holding is None or fighters <= 0.0 or holding.ends_h is not None:
        return
    holding.departures.append((world.env.now, float(fighters)))
    if not holding.woken.triggered:
        holding.woken.succeed()
    _nudge(world, holding)


def pursue(world: World, sorties: float) -> None:
    """The air campaign's pursuit sorties of a day: the next reckoning shares them out.

    A redoubt asleep over quiet steps wakes at the first step from the campaign's next day on
    anyway (:func:`_past_quiet`), after the campaign's day if both fall at the same moment.
    """
    world.pursuit_sorties += sorties


def _next_day(world: World, t: float) -> float:
    """The air campaign's first day (clock time h) after ``t`` (its days are 24 h apart)."""
    start = world.theatre.bombing_start_h
    if t + 1e-6 < start:
        return start
    return start + 24.0 * (math.floor((t + 1e-6 - start) / 24.0) + 1)


def _step(holding: Holding, t: float) -> float:
    """The reckoning after one at clock time ``t``.

    A step on, or the attack's start or the talks' end if sooner (the same arithmetic as the
    process's timeouts).
    """
    wait = STEP_H
    for moment in (holding.assault_h, holding.truce_until):
        if moment is not None and moment > t + 1e-9:
            wait = min(wait, moment - t)
    return t + wait


def _next_after(holding: Holding, now: float) -> float:
    """The first reckoning (counted from the last one) strictly after ``now``."""
    t = _step(holding, holding.last)
    while t <= now:
        t = _step(holding, t)
    return t


def _past_quiet(world: World, holding: Holding, t: float) -> float:
    """The first reckoning from ``t`` on that can do something, as things stand.

    A reckoning is quiet (changes nothing, draws nothing) before the attack's start when no
    fighters were handed over, no pursuit sorties are pending and no group arrives by then.
    (Whether the attack can be set changes only by an arrival, which is not quiet, or by what
    wakes the redoubt: :func:`_nudge`.) Stops at the first step from the air campaign's next
    day on (its pursuit sorties, if any, are then pending; a step at the same moment as the
    day's strikes comes after them, as the wake-up every step did, whose timeout was set
    after the campaign's), and at the horizon.
    """
    if holding.departures or world.pursuit_sorties != 0.0:
        return t
    first = min((arrive for arrive, _ in holding.transit), default=math.inf)
    horizon = min(world.horizon_h, _next_day(world, holding.last) - 1e-6)
    assault = holding.assault_h
    if assault is None:
        while t + 1e-9 < first and t < horizon:
            t += STEP_H
        return t
    while t + 1e-9 < first and t < horizon and t < assault - 1e-9:
        t = _step(holding, t)
    return t


def _nudge(world: World, holding: Holding) -> None:
    """Something a reckoning reads has changed: reckon at the next step, not later."""
    until = holding.asleep_until
    if until is None or holding.process is None:
        return
    if _next_after(holding, world.env.now) < until:
        holding.asleep_until = None
        holding.process.interrupt()


def held(world: World) -> bool:
    """Whether fighters hold a redoubt whose fighting has not ended (the pursuit goes on)."""
    return any(h.fighters > 0.0 and h.ends_h is None for h in world.redoubts.values())


def _region_falls(
    world: World, holding: Holding, part: Any, mobilise_h: float, inflow_h: float
) -> simpy.events.ProcessGenerator:
    """When the capital falls: the militias start to mobilise, the region's fighters join."""
    yield world.city_empty | world.alliance_in_city
    holding.mobilised_h = world.env.now + mobilise_h
    _nudge(world, holding)  # the attack may now be set
    holding.inflow_h = world.env.now + inflow_h
    yield world.env.timeout(inflow_h)
    holding.inflow_h = None
    _nudge(world, holding)  # the attack may now be set
    n = float(min(part.other_inflow, math.floor(world.elsewhere)))
    if n <= 0.0 or holding.ends_h is not None:
        return
    world.elsewhere -= n
    holding.fighters += n
    if holding.assault_h is not None and world.env.now >= holding.assault_h:
        holding.engaged += n
    if holding.first_arrival_h is None:
        holding.first_arrival_h = world.env.now
    if not holding.woken.triggered:
        holding.woken.succeed()
    _nudge(world, holding)


def _arrivals(world: World, holding: Holding, part: Any, rng: np.random.Generator) -> None:
    """Put the handed-over fighters on the road; bring in those who have arrived."""
    now = world.env.now
    for left, n in holding.departures:
        going = float(rng.binomial(int(n), part.reach_share))
        if going > 0.0:
            arrive = left + lognormal(rng, part.travel_h, part.travel_spread)
            holding.transit.append([arrive, going])
    holding.departures.clear()
    route = holding.place.name
    still: list[list[float]] = []
    for group in holding.transit:
        arrive, n = group
        if arrive > now + 1e-9:
            still.append(group)
            continue
        world.ledger.arrive(route, n)
        holding.fighters += n
        if holding.assault_h is not None and now >= holding.assault_h:
            holding.engaged += n
        if holding.first_arrival_h is None or arrive < holding.first_arrival_h:
            holding.first_arrival_h = arrive
    holding.transit = still


def _road_losses(world: World, holding: Holding, killed: float) -> None:
    """``killed`` fighters on the road die (the earliest groups first)."""
    left = killed
    for group in holding.transit:
        if left <= 0.0:
            break
        k = min(group[1], left)
        group[1] -= k
        left -= k
    holding.transit = [g for g in holding.transit if g[1] > 0.0]
    dead = killed - left
    route = holding.place.name
    world.ledger.arrive(route, dead)
    world.ledger.kill("air", dead, "road")


def _reckon(
    world: World,
    holding: Holding,
    part: Any,
    rng: np.random.Generator,
    hours: float,
    now: float | None = None,
) -> None:
    """The strikes, the attack and the escape over the ``hours`` up to ``now`` (None: now)."""
    sc = world.scenario
    air, cmd = sc.air, sc.command
    place = holding.place.name
    now = world.env.now if now is None else now
    sorties = world.pursuit_sorties
    world.pursuit_sorties = 0.0
    attacked = holding.assault_h is not None and now > holding.assault_h + 1e-9
    truce = holding.truce_until is not None and now <= holding.truce_until + 1e-9
    road = sum(n for _, n in holding.transit)
    here = holding.fighters + road
    withdrawn = world.ledger.withdrawn + holding.fighters if sorties > 0.0 else 0.0
    if sorties > 0.0 and here > 0.0 and withdrawn > 0.0:
        prop = min(1.0, here / withdrawn)
        road_sorties = sorties * prop * road / here
        pos_sorties = sorties * prop * holding.fighters / here
        if attacked and holding.fighters > 0.0:
            pos_sorties = max(pos_sorties, sorties * part.assault_share)
        if road_sorties > 0.0 and road > 0.0:
            k = float(rng.poisson(air.kills_per_sortie * cmd.open_exposure * road_sorties))
            _road_losses(world, holding, min(k, road))
        if pos_sorties > 0.0 and holding.fighters > 0.0 and not truce:
            controlled = holding.controllers_h is not None and now >= holding.controllers_h
            mult = air.controller_multiplier if controlled else 1.0
            mean = air.kills_per_sortie * mult * cmd.dispersed_exposure * pos_sorties
            k = min(holding.fighters, float(rng.poisson(mean)))
            _lose(world, holding, k, attacked)
            world.ledger.kill("air", k, place)
            holding.killed += k
    if not attacked or holding.fighters <= 0.0:
        return
    if not truce:
        mean = part.ground_kills * part.militia / 1000.0 * hours / 24.0
        k = min(holding.fighters, float(rng.poisson(mean)))
        _lose(world, holding, k, attacked)
        world.ledger.kill("battle", k, place)
        holding.killed += k
    assert holding.assault_h is not None
    days = max(0.0, (now - 0.5 * hours - holding.assault_h) / 24.0)
    hazard = part.escape_per_day * min(1.0, days / part.press_days)
    if truce:
        hazard *= part.truce_escape_factor
    hazard *= 1.0 - part.blocking_effect
    if hazard > 0.0 and holding.fighters > 0.0:
        p = 1.0 - math.exp(-hazard * hours / 24.0)
        n = float(rng.binomial(int(holding.fighters), p))
        _lose(world, holding, n, attacked)
        world.ledger.withdraw(holding.place.retreat, n)
        holding.escaped += n


def _window_end(world: World, holding: Holding, cutoffs: list[float]) -> float:
    """The next moment after the last reckoning at which another phase may see the attack.

    The moment another phase reads or changes what the attack's reckonings do: the air
    campaign's next day (its pursuit sorties, and whether a redoubt is still held), the next
    record date (the dated counts of the killed), the region's fighters joining, the horizon.
    """
    t = holding.last
    end = min(world.horizon_h, _next_day(world, t))
    for cut in cutoffs:
        if cut > t:
            end = min(end, cut)
            break
    if holding.inflow_h is not None and holding.inflow_h > t:
        end = min(end, holding.inflow_h)
    return end


def _ahead(
    world: World, holding: Holding, part: Any, rng: np.random.Generator, cutoffs: list[float]
) -> bool:
    """Reckon at once the attack's steps that no other phase can see before they are all done.

    During the attack every step draws (the ground kills, the escape), but until the next
    moment another phase reads or changes what the steps do (:func:`_window_end`) they depend
    on the redoubt's own state alone (no pursuit sorties come in, no group arrives): they are
    reckoned one after the other, each at its own clock time, with the same draws in the same
    order as by a wake-up per step, and without an event each. Stops before a step at which a
    group arrives, and after one at which the talks begin or the fighting ends (its checks are
    made at its own time). Only once the alliance has entered the capital: from then on no
    fighters are handed over (:func:`hand_over`) while the steps are reckoned ahead. Never
    when the redoubt's escape route feeds a pocket (a theatre may say so): an escape booked
    ahead would set the escapers on the road before their step.

    Returns:
        Whether the last step reckoned needs its checks (talks, end) at its own time.
    """
    if not world.alliance_in_city.triggered:
        return False
    route = holding.place.retreat
    if any(route in pocket.plan.fed_by for pocket in world.pockets.values()):
        return False  # the escapes feed a pocket: each is booked at its own step's time
    end = _window_end(world, holding, cutoffs) - 1e-6
    while not holding.departures and world.pursuit_sorties == 0.0:
        t = _step(holding, holding.last)
        if t >= end or any(arrive <= t + 1e-9 for arrive, _ in holding.transit):
            return False
        _reckon(world, holding, part, rng, t - holding.last, t)
        holding.last = t
        if (
            holding.fighters <= 0.0
            or holding.fighters < part.end_share * holding.engaged
            or (holding.truce_until is None and holding.lost >= part.truce_at * holding.engaged)
        ):
            return True
    return False


def _lose(world: World, holding: Holding, fighters: float, attacked: bool) -> None:
    """``fighters`` leave the positions (killed or escaped; the caller books how)."""
    holding.fighters -= fighters
    if attacked:
        holding.lost += fighters


def hold_redoubt(world: World, place: Place) -> simpy.events.ProcessGenerator:
    """Receive the fighters, wait for the attack, fight it out until the position is gone."""
    env = world.env
    part = getattr(world.scenario, place.name)
    rng = world.rng[STREAM.format(phase=PHASE, place=place.name)]
    holding = Holding(place, env.event())
    holding.process = env.active_process
    world.redoubts[place.name] = holding
    outs = _columns(world, place)
    # The delays are drawn first, in a fixed order (common random numbers).
    mobilise_h = lognormal(rng, part.mobilise_h, part.delay_spread)
    controllers_h = lognormal(rng, part.controllers_h, part.delay_spread)
    inflow_h = lognormal(rng, part.other_inflow_h, part.delay_spread)
    env.process(_region_falls(world, holding, part, mobilise_h, inflow_h))
    holding.last = env.now
    pending: dict[float, simpy.Timeout] = {}  # the sleeps' timeouts, by moment
    cutoffs = [t for _, t in record_cutoffs(world)]
    reckoned = False  # the step at the current time was reckoned ahead (_ahead)
    while True:
        if reckoned:
            reckoned = False
        else:
            if holding.fighters <= 0.0 and not holding.transit and not holding.departures:
                if holding.assault_h is not None and holding.engaged > 0.0:
                    break  # every defender is gone
                if holding.woken.triggered:
                    holding.woken = env.event()
                yield holding.woken
                holding.last = env.now
                world.pursuit_sorties = 0.0  # flown while nobody was on the way here
            # The next reckoning: a step on, or the attack's start, or the talks' end; over
            # the quiet steps before the attack, the first that can do something (STEP_H).
            step = _step(holding, holding.last)
            until = _past_quiet(world, holding, step)
            if until == step:
                yield env.timeout(step - env.now)
            else:
                holding.asleep_until = until
                while holding.asleep_until is not None:
                    # A sleep cut short by a nudge left its timeout pending: a later sleep
                    # to the same moment waits for it rather than for a new one.
                    alarm = pending.get(until)
                    if alarm is None or alarm.processed:
                        alarm = pending[until] = env.timeout(until - env.now)
                    try:
                        yield alarm
                        holding.asleep_until = None
                    except simpy.Interrupt:  # woken by _nudge: reckon at the next step
                        until = holding.asleep_until = _next_after(holding, env.now)
            last = holding.last
            _arrivals(world, holding, part, rng)
            _reckon(world, holding, part, rng, env.now - last)
            holding.last = env.now
        now = env.now
        if holding.first_arrival_h is not None and holding.controllers_h is None:
            holding.controllers_h = holding.first_arrival_h + controllers_h
        if (
            holding.assault_h is None
            and holding.mobilised_h is not None
            and holding.controllers_h is not None
            and holding.fighters > 0.0
        ):
            holding.assault_h = max(now, holding.mobilised_h, holding.controllers_h)
        if holding.assault_h is not None and abs(now - holding.assault_h) < 1e-9:
            holding.engaged = holding.fighters
            world.out.set(outs["assault"], now)
            world.log(PHASE, f"{place.name}_assault", "the militias attack the positions")
        if holding.assault_h is None or now < holding.assault_h - 1e-9:
            continue
        if holding.truce_until is None and holding.lost >= part.truce_at * holding.engaged:
            holding.truce_until = now + part.truce_h
            world.log(PHASE, f"{place.name}_truce", "the defenders ask for terms")
        if holding.fighters < part.end_share * holding.engaged:
            break
        if _ahead(world, holding, part, rng, cutoffs):
            yield env.timeout(holding.last - env.now)  # that step's checks, at its own time
            reckoned = True
    # The last defenders are taken; the fighting there is over.
    left = holding.fighters
    holding.fighters = 0.0
    world.ledger.capture(left)
    holding.captured += left
    holding.ends_h = env.now
    world.out.set(outs["ends"], env.now)
    world.log(PHASE, f"{place.name}_ends", "the fighting in the positions ends")


def _columns(world: World, place: Place) -> dict[str, str]:
    """The place's outcome columns, by template key (``assault``, ``ends``, ...)."""
    return _place_columns(world.theatre.places, place.name)


@lru_cache(maxsize=64)
def _place_columns(places: tuple[Place, ...], name: str) -> dict[str, str]:
    """:func:`_columns` for a theatre's places (the same for every replication: cached)."""
    names = per_place(OUTCOMES_DECLARED, places)
    return {key: col for (key, at), col in names.items() if at == name}


def close_redoubt(world: World, place: Place) -> None:
    """The redoubt's totals: fighters killed in the positions, and escaped."""
    holding = world.redoubts[place.name]
    outs = _columns(world, place)
    world.out.set(outs["escaped"], holding.escaped)
    world.out.set(outs["killed"], holding.killed)
