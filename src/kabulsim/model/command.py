"""The Taliban command: fighters moved from Kabul to the fronts, and the risk of the road.

    Sources (docs/sources.md): "up to 2,000 Pakistani, Arab, Chechen, and even Central Asian
    fighters have been sent from Kabul to the Bagram front line in the two days since
    American bombing began" (Christian Science Monitor, 10 Oct 2001); the Taliban "rushed
    reinforcements to the key northern city of Mazar-i-Sharif" (AFP, 9 Nov 2001);
    reinforcements sent north from Kabul were reported turned back on 12 Nov 2001.

Mechanism. Once a day, from a random moment:

* the command keeps the capital garrisoned: up to ``command.kabul_refill_per_day`` fighters
  move from elsewhere in the country into Kabul while it is below its initial garrison;
* it refills the Shamali line from Kabul: up to ``command.refill_per_day`` fighters, never
  leaving fewer than ``command.kabul_minimum`` in the city, travelling a lognormal
  ``command.shamali_travel_h``.

When the northern line is first assaulted the command sends ``command.north_contingent``
fighters from Kabul over the Salang (lognormal ``command.north_travel_h``). If the northern
line has broken before they arrive they are turned back, and return to Kabul.

On every trip a share of the fighters is caught by strikes on the road: ``1 - exp(-c * S *
d)``, with ``c`` = ``command.interdiction_per_sortie``, ``S`` the strike sorties scheduled
that day and ``d`` the trip's length in days. Fighters on the road are counted in the ledger
as active (``World.in_transit``).
"""

from __future__ import annotations

import math

import simpy

from kabulsim.model.air import rate_at
from kabulsim.model.world import Front, World, lognormal


def _take_from_kabul(world: World, n: float) -> tuple[float, float]:
    """Remove ``n`` fighters from Kabul, foreign and Afghan in proportion."""
    total = world.in_kabul
    foreign = round(n * world.kabul_foreign / total) if total > 0 else 0.0
    foreign = min(foreign, world.kabul_foreign)
    afghan = min(n - foreign, world.kabul_afghan)
    world.leave_kabul(afghan, float(foreign))
    return afghan, float(foreign)


def _depart(world: World, n: float, median_h: float) -> tuple[float, float]:
    """``n`` fighters take the road now: their travel time (h) and how many will be caught."""
    cmd = world.scenario.command
    rng = world.rng["command"]
    travel_h = lognormal(rng, median_h, cmd.travel_spread)
    hazard = cmd.interdiction_per_sortie * rate_at(world, world.env.now) * travel_h / 24.0
    caught = float(rng.binomial(int(n), 1.0 - math.exp(-hazard))) if n >= 1 else 0.0
    world.in_transit += n
    return travel_h, caught


def _arrive(world: World, n: float, caught: float) -> float:
    """The trip ends: return the survivors (fighters)."""
    world.in_transit -= n
    world.ledger.kill("air", caught, "road")
    world.out.add("caught_on_road", caught)
    return n - caught


def _road(world: World, n: float, median_h: float) -> simpy.events.ProcessGenerator:
    """Travel with ``n`` fighters; return the survivors (fighters)."""
    travel_h, caught = _depart(world, n, median_h)
    yield world.env.timeout(travel_h)
    return _arrive(world, n, caught)


def _refill(world: World, front: Front, afghan: float, foreign: float) -> None:
    """Send fighters from Kabul to ``front``'s line.

    The trip is one timeout with the arrival as its callback (no process of its own: the
    same draws, at the same moment, as a process started now, and two events fewer).
    """
    n = afghan + foreign
    travel_h, caught = _depart(world, n, front.plan.travel_h)

    def arrive(_: simpy.Event) -> None:
        arrived = _arrive(world, n, caught)
        if front.holds:
            front.gain(arrived)
        else:  # the line broke meanwhile: they go back into the city
            share = foreign / n if n > 0 else 0.0
            world.join_kabul(arrived - round(arrived * share), round(arrived * share))
        world.snap()

    world.env.timeout(travel_h).callbacks.append(arrive)


def _contingent(world: World, front: Front) -> simpy.events.ProcessGenerator:
    """Send ``front`` a contingent from Kabul when its line is first assaulted."""
    cmd = world.scenario.command
    place = front.plan.place
    yield world.milestone(f"{front.name}_assaulted")
    n = min(float(front.plan.contingent), max(0.0, world.in_kabul - cmd.kabul_minimum))
    if n < 1.0 or not front.holds:
        return
    afghan, foreign = _take_from_kabul(world, math.floor(n))
    total = afghan + foreign
    world.out.add("reinforcements_sent", total)
    world.log(
        "command",
        f"sent_{front.name}",
        f"{total:.0f} fighters leave Kabul for the {place.towards}",
        total,
    )
    arrived = yield from _road(world, total, front.plan.travel_h)
    if front.holds:
        front.gain(arrived)
        world.log("command", f"arrived_{front.name}", "", arrived)
        world.snap()
        return
    world.out.set(front.outs["contingent_turned_back"], True)
    world.log(
        "command", "turned_back", f"the {place.label} line has broken; back to Kabul", arrived
    )
    back = yield from _road(world, arrived, front.plan.travel_h)
    if world.city_holder == "taliban":
        share = foreign / total if total > 0 else 0.0
        world.join_kabul(back - round(back * share), round(back * share))
    else:
        world.elsewhere += back
    world.snap()


def command(world: World) -> simpy.events.ProcessGenerator:
    """Keep Kabul garrisoned and the lines filled, once a day."""
    env = world.env
    cmd = world.scenario.command
    rng = world.rng["command"]
    kabul_initial = float(world.scenario.forces.taliban_kabul)
    fronts = tuple(world.fronts.values())
    for front in fronts:
        if front.plan.plays("contingent"):
            env.process(_contingent(world, front))
    refilled = tuple(f for f in fronts if f.plan.plays("refilled"))
    yield env.timeout(float(rng.uniform(0.0, 24.0)))
    while env.now < world.horizon_h and world.city_holder == "taliban":
        if world.evacuation_decided.triggered:
            return
        need = max(0.0, kabul_initial - world.in_kabul)
        move = min(cmd.kabul_refill_per_day, world.elsewhere, need)
        changed = move >= 1.0
        if changed:
            world.elsewhere -= math.floor(move)
            world.join_kabul(math.floor(move), 0.0)
        for front in refilled:
            if not front.holds:
                continue
            gap = front.establishment - front.strength
            n = math.floor(min(gap, cmd.refill_per_day, world.in_kabul - cmd.kabul_minimum))
            if n >= 1:
                afghan, foreign = _take_from_kabul(world, n)
                world.out.add("reinforcements_sent", afghan + foreign)
                _refill(world, front, afghan, foreign)
                changed = True
        if changed:
            world.snap()
        yield env.timeout(24.0)
