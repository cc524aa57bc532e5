"""Who fills a Kabul that no organised force holds, who polices it, and what that costs.

    "US Secretary of State Colin Powell expressing that the foreign governments would prefer
    the alliance invest the city and not seize it" ... "the alliance proved unable or
    unwilling to prevent their forces from entering the city."

Powell gave the reason on 11 November 2001: "We have seen what has happened previously when
you had an uncontrolled situation and two forces arriving in Kabul at the same time not
meaning each well." The precedent is April 1992, when the communist government fell and the
factions that entered Kabul fought each other in its streets (Human Rights Watch, *Blood-Stained
Hands*, 2005). The sources and ranges of every number below are in docs/hold_back_sources.md.

Mechanisms, from the moment no organised Taliban force is left in the city:

* **Factions.** Each faction of ``vacuum.factions`` moves into the city after an exponential
  time (``entry_per_h``) while the city is *unheld*: the alliance is not in it, the Taliban
  have not come back, and international troops are below ``arbiter_coverage`` of the police the
  city needs. The Bonn Agreement multiplies the hazard by ``political.bonn_restraint``.
* **Factional fighting.** Two armed parties in the city (factions, and the alliance once it is
  in) clash at a hazard of ``clash_per_h`` per pair, times the square of the ratio of the
  weaker party's fighters to the stronger's (a dominant force deters a challenge; under
  Lanchester's square law fighting strength grows with the square of numbers), times the share
  of the city left unpoliced (``1 - coverage``, below), and not at all once international
  troops reach ``arbiter_coverage``. A clash lasts a lognormal time (``clash_h``), shorter if the
  international force reaches the arbiter level first; then the weaker party leaves the city
  (a faction fighting the alliance always leaves). Each day of fighting costs
  ``clash_civilians_per_day`` civilian lives on average (the 1992-95 rate in Kabul).
* **A Taliban return.** The fighters who withdrew south reach Kandahar ``return_road_h``
  after the city empties. From then on, while the city is unheld and Kandahar holds, a return
  attempt sets off at hazard ``return_per_h`` with ``return_fighters`` (at most those who
  withdrew towards Kandahar) and takes the road's time again (``return_road_h``): a return
  cannot reach Kabul sooner than twice the road after the city empties. If the city is still
  unheld when it arrives, it retakes the city with its own morale (``return_morale``, not the
  broken front's), the factions in it leave, and the alliance ends any hold-back and fights it
  (:mod:`kabulsim.model.alliance`); otherwise it turns back.
* **Policing, looting and order.** Policing coverage is ``min(1, P / N)`` with ``N`` the police
  the city needs (``population * police_per_1000 / 1000``) and ``P`` the alliance's police
  (``alliance_police * alliance_police_effect``, once it holds the city) plus the international
  troops present (arriving on the political track and building up linearly). Looting and
  score-settling kill civilians at ``looting_civilians_per_day`` times the arms in the city
  (the share of heavy weapons the Taliban left behind, ``weapons_abandoned``, times the local
  militias' arming ``1 - exp(-t / militia_h)``, t since the Taliban left), times the armed
  groups looting (``1 + looting_per_faction`` x the factions in the city), times the policing
  shortfall ``max(0, 1 - coverage / order_coverage)``. Order is restored from the moment
  coverage reaches ``order_coverage`` with no clash and no Taliban in the city, for good.

**Control breadth** measures representation in the authority that holds the city in order,
not the number of armed groups in it. At a moment when the city is in order (policing coverage
at least ``order_coverage``, no clash, no Taliban in it) the authority is the Interim Authority
once it has taken office under a signed Bonn Agreement (``political.interim_composition``),
and before that the alliance if it holds the city (``alliance.composition``); the breadth is
``sum_g min(a_g, p_g)`` with ``a`` the authority's composition and ``p`` the population's. A
city in disorder, or held by no authority (factions alone), has breadth 0. The armed groups
counted separately: ``armed_groups_max``, the most armed groups in the city at once (the
alliance, each faction, a returning Taliban force, the international force).

Every hazard is drawn afresh when the state it depends on changes (the exponential is
memoryless, so this is exact); looting deaths and order are computed when the run ends from
the recorded intervals, with no simulation event per hour.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Generator
from typing import Any

import numpy as np
import simpy
from numpy.typing import NDArray

from kabulsim.model.world import World, lognormal, timer_or
from kabulsim.scenario.schema import Faction, Scenario

GROUPS = ("pashtun", "tajik", "hazara", "uzbek", "other")
"""The groups of :class:`kabulsim.scenario.schema.Ethnic`, in its order."""

HOLDERS = (
    "taliban",
    "contested",
    "alliance_and_international",
    "alliance",
    "international",
    "factions",
    "none",
)
"""Who holds Kabul at a date (``holder_at_interim``), in the order they are checked."""


def armed_groups(world: World) -> int:
    """Armed groups in the city now: the alliance, each faction, the Taliban, the force."""
    city = world.city
    groups = len(city.factions)
    groups += world.alliance_in_city.triggered
    groups += city.taliban_since is not None
    groups += troops_at(world.scenario, world.force_arrives_h, world.env.now) > 0.0
    return int(groups)


def signal(world: World) -> None:
    """Wake every process whose hazard depends on the city's state."""
    city = world.city
    if world.city_empty.triggered:
        city.armed_groups_max = max(city.armed_groups_max, armed_groups(world))
    old = city.changed
    city.changed = world.env.event()
    old.succeed()


# --- the international force and policing (pure functions of the scenario) ---------------


def police_needed(sc: Scenario) -> float:
    """Police (or troops policing) Kabul needs for full coverage."""
    v = sc.vacuum
    return v.population * v.police_per_1000 / 1000.0


def force_troops(sc: Scenario, arrive_h: float | None, t_h: NDArray[np.float64]) -> Any:
    """International troops in Kabul at clock times ``t_h`` (linear build-up from arrival)."""
    t = np.asarray(t_h, dtype=np.float64)
    if arrive_h is None:
        return np.zeros_like(t)
    v = sc.vacuum
    frac = np.clip((t - arrive_h) / (v.force_buildup_days * 24.0), 0.0, 1.0)
    troops = v.force_initial + (v.force_strength - v.force_initial) * frac
    return np.where(t >= arrive_h, troops, 0.0)


def force_reaches(sc: Scenario, arrive_h: float | None, share: float) -> float | None:
    """First clock time (h) at which international troops reach ``share`` of the police needed."""
    if arrive_h is None:
        return None
    v = sc.vacuum
    target = share * police_needed(sc)
    if target <= v.force_initial:
        return arrive_h
    if target > v.force_strength:
        return None
    frac = (target - v.force_initial) / (v.force_strength - v.force_initial)
    return arrive_h + frac * v.force_buildup_days * 24.0


def troops_at(sc: Scenario, arrive_h: float | None, t_h: float) -> float:
    """International troops in Kabul at one clock time (as :func:`force_troops`)."""
    if arrive_h is None or t_h < arrive_h:
        return 0.0
    v = sc.vacuum
    frac = min(1.0, (t_h - arrive_h) / (v.force_buildup_days * 24.0))
    return v.force_initial + (v.force_strength - v.force_initial) * frac


def _force_share(world: World) -> float:
    sc = world.scenario
    return troops_at(sc, world.force_arrives_h, world.env.now) / police_needed(sc)


def unheld(world: World) -> bool:
    """Whether no organised force holds the city now (factions in it do not count)."""
    return (
        world.city_empty.triggered
        and not world.alliance_in_city.triggered
        and world.city.taliban_since is None
        and _force_share(world) < world.scenario.vacuum.arbiter_coverage
    )


def in_order(world: World, t_h: float) -> bool:
    """Whether the city is in order at ``t_h``: policed enough, no clash, no Taliban in it."""
    city = world.city
    return (
        city.clash_since is None
        and city.taliban_since is None
        and coverage(world, t_h) >= world.scenario.vacuum.order_coverage
    )


def authority(world: World) -> tuple[float, ...] | None:
    """The composition of the authority the forces holding the city answer to now, or None.

    The Interim Authority once it has taken office under a signed Bonn Agreement (it answers
    for the alliance's forces and is what the international force assists); before that the
    alliance, if it holds the city; None when no authority holds it (nobody, or factions).
    """
    sc = world.scenario
    city = world.city
    if city.interim_in_office and city.bonn_signed:
        if world.alliance_in_city.triggered or _force_share(world) > 0.0:
            return sc.political.interim_composition.as_tuple()
        return None
    if world.alliance_in_city.triggered:
        return sc.alliance.composition.as_tuple()
    return None


def control_breadth(world: World, t_h: float) -> float:
    """Representation in [0, 1] of the authority holding the city in order at ``t_h``.

    0 when the city is in disorder or no authority holds it (see the module docstring).
    """
    held_by = authority(world)
    if held_by is None or not in_order(world, t_h):
        return 0.0
    return breadth(world.scenario.alliance.population.as_tuple(), [(1.0, held_by)])


def breadth(population: tuple[float, ...], parts: list[tuple[float, tuple[float, ...]]]) -> float:
    """``sum_g min(c_g, p_g)`` for the fighter-weighted composition ``c`` of ``parts``.

    Args:
        population: the population's shares by group.
        parts: (fighters, shares by group) of each force.

    """
    total = sum(n for n, _ in parts)
    if total <= 0.0:
        return math.nan
    mix = [sum(n * c[g] for n, c in parts) / total for g in range(len(population))]
    return sum(min(c, p) for c, p in zip(mix, population, strict=True))


def holder(world: World, t_h: float) -> str:
    """Who holds the city at ``t_h`` (one of :data:`HOLDERS`)."""
    city = world.city
    if not world.city_empty.triggered or city.taliban_since is not None:
        return "taliban"
    if city.clash_since is not None:
        return "contested"
    troops = troops_at(world.scenario, world.force_arrives_h, t_h)
    international = troops / police_needed(world.scenario) >= world.scenario.vacuum.arbiter_coverage
    alliance = world.alliance_in_city.triggered
    if alliance and international:
        return "alliance_and_international"
    if alliance:
        return "alliance"
    if international:
        return "international"
    return "factions" if city.factions else "none"


def measure_interim(world: World) -> None:
    """Record who holds the city, and the breadth of its forces, at the Interim Authority."""
    now = world.env.now
    held_by = holder(world, now)
    world.out.set("holder_at_interim", held_by)
    # The indicator describes the forces that replaced the Taliban: undefined while they hold
    # the city (an international force does not deploy into a Taliban-held city).
    breadth_now = math.nan if held_by == "taliban" else control_breadth(world, now)
    world.out.set("control_breadth_interim", breadth_now)


# --- processes --------------------------------------------------------------------------


def wait_for_hazard(
    world: World, rng: np.random.Generator, rate: Callable[[], float]
) -> Generator[simpy.Event, Any, None]:
    """Return when an event with hazard ``rate()`` (re-read whenever the city changes) fires."""
    env = world.env
    while True:
        r = rate()
        if r <= 0.0:
            yield world.city.changed
            continue
        timer = env.timeout(float(rng.exponential(1.0 / r)))
        if (yield from timer_or(timer, world.city.changed)):
            return


def _restraint(world: World) -> float:
    return world.scenario.political.bonn_restraint if world.city.bonn_signed else 1.0


def _faction_entry(world: World, faction: Faction) -> simpy.events.ProcessGenerator:
    rng = world.rng["vacuum"]

    def rate() -> float:
        return faction.entry_per_h * _restraint(world) if unheld(world) else 0.0

    yield from wait_for_hazard(world, rng, rate)
    city = world.city
    city.factions[faction.name] = faction
    city.faction_since[faction.name] = world.env.now
    city.entered += 1
    world.out.set("factions_entered", city.entered)
    world.log("vacuum", "faction_enters", faction.name, faction.fighters)
    signal(world)


def _faction_leaves(world: World, name: str) -> None:
    """A faction leaves the city (beaten in a clash, or driven out by a Taliban return)."""
    city = world.city
    if city.factions.pop(name, None) is not None:
        city.faction_spells.append((city.faction_since.pop(name), world.env.now))


def _parties(world: World) -> list[tuple[str, float]]:
    parties = [(f.name, f.fighters) for f in world.city.factions.values()]
    if world.alliance_in_city.triggered:
        parties.append(("alliance", world.alliance_strength))
    return parties


def _pairs(world: World) -> list[tuple[tuple[str, float], tuple[str, float], float]]:
    """Pairs of parties that may clash now, each with its squared weaker-to-stronger ratio."""
    if (
        world.city.taliban_since is not None
        or world.city.clash_since is not None
        or _force_share(world) >= world.scenario.vacuum.arbiter_coverage
    ):
        return []
    parties = _parties(world)
    return [
        (a, b, (min(a[1], b[1]) / max(a[1], b[1])) ** 2)
        for i, a in enumerate(parties)
        for b in parties[i + 1 :]
    ]


def coverage(world: World, t_h: float) -> float:
    """Policing coverage of the city at ``t_h`` (alliance police once it holds the city)."""
    sc = world.scenario
    v = sc.vacuum
    police = troops_at(sc, world.force_arrives_h, t_h)
    if world.alliance_in_city.triggered:
        police += v.alliance_police * v.alliance_police_effect
    return min(1.0, police / police_needed(sc))


def _clash_rate(world: World) -> float:
    """Hazard (1/h) that some pair of parties in the city starts fighting, now."""
    pairs = sum(r for _, _, r in _pairs(world))
    return world.scenario.vacuum.clash_per_h * pairs * (1.0 - coverage(world, world.env.now))


def _end_clash(world: World, start: float, detail: str) -> None:
    city = world.city
    city.clashes.append((start, world.env.now))
    city.clash_since = None
    city.clash_parties = None
    world.log("vacuum", "factional_fighting_ends", detail)


def _clash_ongoing(world: World) -> bool:
    """Whether a factional clash in the city is under way."""
    return world.city.clash_since is not None


def _clashes(world: World) -> simpy.events.ProcessGenerator:
    env = world.env
    v = world.scenario.vacuum
    rng = world.rng["vacuum"]
    city = world.city
    while True:
        yield from wait_for_hazard(world, rng, lambda: _clash_rate(world))
        pairs = _pairs(world)
        if not pairs:  # the state changed at the same instant
            continue
        weights = np.array([r for _, _, r in pairs])
        a, b, _ = pairs[int(rng.choice(len(pairs), p=weights / weights.sum()))]
        start = env.now
        city.clash_since = start
        city.clash_parties = (a[0], b[0])
        world.out.set("factional_fighting", True)
        world.log("vacuum", "factional_fighting", f"{a[0]} and {b[0]}")
        signal(world)
        end = start + lognormal(rng, v.clash_h, v.clash_spread)
        arbiter = force_reaches(world.scenario, world.force_arrives_h, v.arbiter_coverage)
        if arbiter is not None and arbiter > start:
            end = min(end, arbiter)
        ended = env.timeout(end - start)
        yield ended | city.taliban_return
        # Read through a call: mypy keeps ``clash_since`` narrowed to float across the
        # yield, and a mypyc-compiled copy would then refuse the None a return set.
        if not _clash_ongoing(world):  # a Taliban return ended it
            continue
        if "alliance" in (a[0], b[0]):
            loser = b[0] if a[0] == "alliance" else a[0]
        else:
            loser = a[0] if a[1] < b[1] else b[0]
        _faction_leaves(world, loser)
        _end_clash(world, start, f"{loser} leaves the city")
        signal(world)


def _taliban_return(world: World) -> simpy.events.ProcessGenerator:
    env = world.env
    v = world.scenario.vacuum
    rng = world.rng["vacuum"]
    city = world.city

    south = world.theatre.withdrawal.afghan.name  # the return comes back up the south road

    def rate() -> float:
        return v.return_per_h if unheld(world) and city.kandahar_held else 0.0

    # The fighters who withdrew south first have to get there.
    yield env.timeout(v.return_road_h)
    while True:
        yield from wait_for_hazard(world, rng, rate)
        fighters = float(min(v.return_fighters, world.returnable(south)))
        if fighters < 1.0:
            return
        world.log("vacuum", "taliban_return_sets_off", "a Taliban force sets off from the south")
        yield env.timeout(v.return_road_h)
        if unheld(world):
            break
        world.log("vacuum", "taliban_return_turns_back", "the city is held; the force turns back")
    fighters = float(min(v.return_fighters, world.returnable(south)))
    if fighters < 1.0:
        return
    world.return_to_kabul(fighters, south)
    # The returning force fights with its own morale, not the broken front's.
    world.kabul_resolve = v.return_morale
    if city.clash_since is not None:
        _end_clash(world, city.clash_since, "the Taliban retake the city")
    for name in list(city.factions):
        _faction_leaves(world, name)
    city.taliban_since = world.env.now
    world.out.set("taliban_reentered", True)
    world.log("vacuum", "taliban_return", "a Taliban force retakes the empty city", fighters)
    city.taliban_return.succeed()
    signal(world)


def vacuum(world: World) -> simpy.events.ProcessGenerator:
    """From the Taliban's exit on: factions, clashes and a possible Taliban return."""
    env = world.env
    yield world.city_empty
    for faction in world.scenario.vacuum.factions:
        env.process(_faction_entry(world, faction))
    env.process(_clashes(world))
    env.process(_taliban_return(world))


def taliban_driven_out(world: World) -> None:
    """Close a Taliban spell in the city (the alliance has retaken it)."""
    city = world.city
    if city.taliban_since is not None:
        city.taliban_spells.append((city.taliban_since, world.env.now))
        city.taliban_since = None


# --- closing the books at the end of a run ---------------------------------------------


def _mask(grid: NDArray[np.float64], spells: list[tuple[float, float]]) -> Any:
    mask = np.zeros(grid.shape, dtype=bool)
    for a, b in spells:
        mask |= (grid >= a) & (grid < b)
    return mask


def _civilians(world: World, cause: str, deaths: float) -> None:
    """Book civilian deaths in the city under their cause and in the total."""
    world.out.add(cause, deaths)
    world.out.add("civilian_casualties", deaths)


def _by_date(
    world: World, cause: str, rng: np.random.Generator, expected: list[float], keys: list[str]
) -> None:
    """Draw the deaths of each period between record dates; book them in total and by date.

    ``expected[i]`` is the expected number in the period ending at the i-th record date (the
    last period ends at the horizon); the dated totals get the deaths up to their date.
    """
    deaths = [float(rng.poisson(max(0.0, e))) for e in expected]
    _civilians(world, cause, sum(deaths))
    so_far = 0.0
    for key, d in zip(keys, deaths, strict=False):
        so_far += d
        world.out.add(f"civilian_casualties_to_{key}", so_far)


def _overlap(spells: list[tuple[float, float]], a: float, b: float) -> float:
    """Hours of ``spells`` within [a, b)."""
    return sum(max(0.0, min(y, b) - max(x, a)) for x, y in spells)


def close_city(world: World, step_h: float = 0.25) -> None:
    """Book the civilian deaths of looting and of factional fighting, and when order returned.

    Open clashes and Taliban spells are counted up to the horizon. The deaths are drawn per
    period between the record's dates (:func:`kabulsim.model.accounts.record_cutoffs`) and
    added to the dated totals.
    """
    from kabulsim.model.accounts import record_cutoffs

    out = world.out
    city = world.city
    out.set("armed_groups_max", city.armed_groups_max)
    empty = out.time("kabul_evacuated")
    if empty is None:
        return
    sc = world.scenario
    v = sc.vacuum
    rng = world.rng["vacuum"]
    end = world.horizon_h
    cutoffs = record_cutoffs(world)
    keys = [k for k, _ in cutoffs]
    bounds = [0.0, *(t for _, t in cutoffs), end]
    clashes = list(city.clashes)
    if city.clash_since is not None:
        clashes.append((city.clash_since, end))
    spells = list(city.taliban_spells)
    if city.taliban_since is not None:
        spells.append((city.taliban_since, end))
    hours = sum(b - a for a, b in clashes)
    out.set("factional_fighting_h", hours)
    per_h = v.clash_civilians_per_day / 24.0
    _by_date(
        world,
        "civilians_factional",
        rng,
        [per_h * _overlap(clashes, a, b) for a, b in itertools.pairwise(bounds)],
        keys,
    )
    if end <= empty:
        return
    n = max(1, math.ceil((end - empty) / step_h))
    edges = empty + (end - empty) * np.arange(n + 1) / n
    mid = 0.5 * (edges[:-1] + edges[1:])
    police = force_troops(sc, world.force_arrives_h, mid)
    entered = out.time("alliance_enters_kabul")
    if entered is not None:
        police = police + np.where(
            mid >= entered, v.alliance_police * v.alliance_police_effect, 0.0
        )
    coverage = np.minimum(1.0, police / police_needed(sc))
    taliban = _mask(mid, spells)
    fighting = _mask(mid, clashes)
    if v.order_coverage > 0.0:
        shortfall = np.clip(1.0 - coverage / v.order_coverage, 0.0, 1.0)
    else:
        shortfall = np.zeros_like(coverage)
    shortfall[taliban] = 0.0
    # Looting needs a shortfall of policing, arms and armed men: the integrand, computed only
    # where there is a shortfall (elsewhere it is exactly zero).
    weapons = out.number("weapons_abandoned")
    weapons = 1.0 if math.isnan(weapons) else weapons
    factions = [*city.faction_spells, *((t, end) for t in city.faction_since.values())]
    where = np.flatnonzero(shortfall)
    at = mid[where]
    arms = weapons * (1.0 - np.exp(-(at - empty) / v.militia_h))
    groups = np.ones_like(at)
    for a, b in factions:
        groups += v.looting_per_faction * ((at >= a) & (at < b))
    integrand = np.zeros_like(mid)
    integrand[where] = shortfall[where] * arms * groups * (edges[where + 1] - edges[where])
    per_h = v.looting_civilians_per_day / 24.0
    # mid is increasing: each period's cells are a slice (the same cells, in the same order,
    # as the mask mid >= a & mid < b selects, so the same sums)
    cuts = np.searchsorted(mid, bounds, side="left").tolist()
    expected = [per_h * float(integrand[i:j].sum()) for i, j in itertools.pairwise(cuts)]
    _by_date(world, "civilians_looting", rng, expected, keys)
    ok = (coverage >= v.order_coverage) & ~taliban & ~fighting
    if not ok[-1]:
        return
    bad = np.flatnonzero(~ok)
    if bad.size == 0:
        out.set("order_restored", empty)
        return
    first = int(bad[-1]) + 1
    # The switch lies between the two cells' midpoints; use the event time there if known.
    lo, hi = mid[first - 1], mid[first]
    arrive = world.force_arrives_h
    events = [entered, *(b for _, b in clashes), *(b for _, b in spells)]
    events.append(force_reaches(sc, arrive, v.order_coverage))
    inside = [t for t in events if t is not None and lo <= t <= hi]
    out.set("order_restored", float(max(inside)) if inside else float(edges[first]))
