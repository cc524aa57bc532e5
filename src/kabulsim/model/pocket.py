"""The pockets: the Taliban cut off after the lines broke, besieged until they negotiate.

    "Following the battle, the Taliban forces in Kabul evacuated the city" ... "surviving
    members of the Taliban and al-Qaeda, including Osama bin Laden, retreated toward
    Kandahar, the spiritual birthplace and home of the Taliban movement, and Tora Bora."

    "Inside Kunduz were some 6,000 Taliban and al-Qaeda troops ... They had retreated into
    Kunduz after being routed at Mazar-i-Sharif and Taloqan. Now they were surrounded by an
    estimated 10,000 Alliance men who had cut off all roads out of the city" (Time, 18 Nov
    2001).

Mechanism. One instance of this phase holds each place with the ``pocket`` role
(:data:`kabulsim.places.PLACES`), drawing from its own stream
(``pocket.<place>``). A pocket starts with a garrison of its own
(``forces.taliban_<place>``, part of the national total). Fighters who withdraw along a route
that feeds it (:attr:`kabulsim.places.Place.fed_by`: a fallen front's retreat, or a road of the
withdrawal from the capital) reach it after a lognormal trip (``arrival_h``); the
ledger books them back in the theatre (``Ledger.arrive``), and the route's summary column
still counts them. Fighters who reach it after it has fallen stay withdrawn.

* **Strikes.** Once a front whose fighters feed the pocket no longer holds a line, the
  sorties the schedule aims at that front strike the pocket (:func:`strike_pocket`, called by
  the air campaign): the same law as on a line (kills, and morale times
  ``exp(-morale_per_sortie * E * 1000 / fighters)``), with ``air.controller_multiplier`` once
  the pocket's own ground controllers are there (``<place>.controllers``). They are the
  schedule's sorties, not extra ones.
* **The besiegers.** The force that besieges the pocket is freed by an event, not a date:
  the fall of the city whose retreat feeds the pocket, or the Taliban's loss of Kabul for a
  pocket fed by the withdrawal (the southern Pashtun commanders rose once the northern cities
  and Kabul had fallen). It arrives after a lognormal march
  (``besiegers_h``) with ``besiegers`` fighters, and grows by ``growth_per_day`` up to
  ``besiegers_max``; an outside force (``reinforcement``, the Marines at Camp Rhino) joins it
  at ``reinforcement_at``.
* **The siege.** Each day from the besiegers' arrival the pocket's morale recovers
  (``morale.recovery_per_day``) and loses ``alliance.siege_pressure_per_day`` times the
  besiegers-to-garrison ratio (at most 1): the defended city's siege law, weighted by how
  closely the pocket is invested.
* **Terms.** As a defended Kabul does (:mod:`kabulsim.model.alliance`), the besieged pocket
  seeks terms when its morale has fallen to ``alliance.surrender_resolve`` of what it began
  with (``<place>.morale``), and agrees them after a lognormal negotiation
  (``alliance.negotiation_h``). While it negotiates, an airlift flies ``airlift`` fighters out
  (foreign fighters first) over ``airlift_nights`` nights (a pocket with the ``airlift``
  role: the contested airlift of 20-25 Nov 2001). At the agreement ``refuse_share`` of its
  foreign fighters refuse the terms and go on (its ``onward`` route); the others surrender in
  equal daily parts over ``handover_h`` (taken prisoner: the ledger's captured), and the pocket
  falls at the end (``<city>_falls``). A pocket emptied by the strikes falls too.

Not modelled: an assault on the pocket (the 2001 pockets were surrendered, not stormed: a
pocket that never seeks terms holds to the horizon), the prisoners' fate (the Qala-i-Jangi
uprising, 25 Nov-1 Dec 2001) and desertion from the pocket before its terms.
"""

from __future__ import annotations

import math

import numpy as np
import simpy

from kabulsim.model.world import Pocket, World, lognormal
from kabulsim.places import Place


def stream(place: Place) -> str:
    """The name of the random stream of the pocket at ``place``."""
    return f"pocket.{place.name}"


def strike_pocket(world: World, pocket: Pocket, effective: float, killed: float) -> float:
    """Apply a day's strikes to ``pocket``; return the fighters killed.

    Args:
        world: the replication's shared state.
        pocket: the pocket struck.
        effective: effective sorties (sorties times the controller multiplier).
        killed: fighters the strikes would kill (capped at the pocket's strength).
    """
    fighters = pocket.strength
    if effective <= 0.0 or fighters <= 0.0:
        return 0.0
    killed = min(fighters, killed)
    pocket.lose(killed)
    world.ledger.kill("air", killed, pocket.name)
    per_thousand = effective * 1000.0 / fighters
    pocket.scale_morale(math.exp(-world.scenario.air.morale_per_sortie * per_thousand))
    return killed


def _arrivals(world: World, pocket: Pocket, rng: np.random.Generator) -> None:
    """Fighters who leave along a route that feeds the pocket reach it after their trip."""
    env = world.env
    inputs = pocket.plan.inputs
    spread = world.scenario.doctrine.mass_spread

    for road in pocket.plan.fed_by:

        def depart(fighters: float, route: str = road) -> None:
            if not pocket.holds:
                return
            trip = lognormal(rng, inputs.arrival_h, spread)

            def arrive(_: simpy.Event) -> None:
                if not pocket.holds:
                    return  # too late: they stay withdrawn
                world.ledger.arrive(route, fighters)
                pocket.join(fighters, float(round(fighters * inputs.foreign_share)))
                world.snap()

            env.timeout(trip).callbacks.append(arrive)

        world.arrivals[road] = depart


def _fall(world: World, pocket: Pocket, detail: str) -> None:
    """The pocket falls: the Taliban no longer hold the city."""
    pocket.holds = False
    city = pocket.plan.place.city
    world.out.set(pocket.outs["pocket_falls"], world.env.now)
    world.log(pocket.name, f"{city}_falls", detail, pocket.surrendered)
    world.milestone(f"{city}_falls").succeed()


def _airlift(world: World, pocket: Pocket) -> simpy.events.ProcessGenerator:
    """Fly ``airlift`` fighters out over ``airlift_nights`` nights, foreign fighters first."""
    inputs = pocket.plan.inputs
    route = pocket.plan.place.airlift
    nights = inputs.airlift_nights
    left = float(inputs.airlift)
    for night in range(nights):
        if not pocket.holds or left < 1.0 or pocket.strength < 1.0:
            return
        n = min(pocket.strength, math.floor(left / (nights - night)))
        afghan, foreign = pocket.lose(n, min(n, pocket.foreign))
        flown = afghan + foreign
        left -= flown
        pocket.airlifted += flown
        world.ledger.withdraw(route, flown)
        world.log(pocket.name, f"airlift_{pocket.name}", "", flown)
        yield world.env.timeout(24.0)


def _terms(world: World, pocket: Pocket, rng: np.random.Generator) -> simpy.events.ProcessGenerator:
    """Negotiate, then surrender in daily parts; those who refuse the terms go on."""
    env = world.env
    sc = world.scenario
    inputs = pocket.plan.inputs
    place = pocket.plan.place
    world.log(pocket.name, f"terms_{pocket.name}", "", pocket.strength)
    if inputs.airlift > 0 and place.airlift:
        env.process(_airlift(world, pocket))
    yield env.timeout(lognormal(rng, sc.alliance.negotiation_h, sc.doctrine.mass_spread))
    whole = int(pocket.foreign)
    refuse = float(rng.binomial(whole, inputs.refuse_share)) if whole > 0 else 0.0
    if refuse > 0.0:
        pocket.lose(refuse, refuse)
        world.ledger.withdraw(place.onward, refuse)
    parts = int(inputs.handover_h // 24.0) + 1
    gap = inputs.handover_h / (parts - 1) if parts > 1 else 0.0
    for part in range(parts):
        n = pocket.strength if part == parts - 1 else round(pocket.strength / (parts - part))
        afghan, foreign = pocket.lose(n)
        world.ledger.capture(afghan + foreign)
        pocket.surrendered += afghan + foreign
        world.log(pocket.name, f"surrender_{pocket.name}", "", afghan + foreign)
        if part < parts - 1:
            yield env.timeout(gap)
    _fall(world, pocket, f"{refuse:,.0f} foreign fighters refuse the terms")


def _reinforcement(
    world: World, pocket: Pocket, outside: list[float]
) -> simpy.events.ProcessGenerator:
    """An outside force joins the besiegers at its date."""
    inputs = pocket.plan.inputs
    at = world.hours(inputs.reinforcement_at)
    if at is None or inputs.reinforcement <= 0 or at > world.horizon_h:
        return
    yield world.env.timeout(max(0.0, at - world.env.now))
    outside[0] = float(inputs.reinforcement)
    if pocket.besiegers > 0.0:
        pocket.besiegers += outside[0]
    world.log(pocket.name, f"reinforced_{pocket.name}", "", outside[0])


def hold_pocket(world: World, place: Place) -> simpy.events.ProcessGenerator:
    """Hold the pocket at ``place`` until it surrenders (or the horizon)."""
    env = world.env
    sc = world.scenario
    al = sc.alliance
    pocket = world.pockets[place.name]
    inputs = pocket.plan.inputs
    rng = world.rng[stream(place)]
    _arrivals(world, pocket, rng)
    outside = [0.0]
    env.process(_reinforcement(world, pocket, outside))
    yield world.milestone(pocket.plan.trigger)
    yield env.timeout(lognormal(rng, inputs.besiegers_h, sc.doctrine.mass_spread))
    commanders = float(inputs.besiegers)
    pocket.besiegers = commanders + outside[0]
    world.log(pocket.name, f"besieged_{pocket.name}", "", pocket.besiegers)
    threshold = al.surrender_resolve * inputs.morale
    while pocket.holds and env.now < world.horizon_h:
        if pocket.strength < 1.0:
            _fall(world, pocket, "no fighters are left in the pocket")
            return
        pocket.recover(sc.morale.recovery_per_day)
        ratio = min(1.0, pocket.besiegers / pocket.strength)
        pocket.scale_morale(math.exp(-al.siege_pressure_per_day * ratio))
        if pocket.morale <= threshold:
            yield env.process(_terms(world, pocket, rng))
            return
        grown = min(float(inputs.besiegers_max), commanders + inputs.growth_per_day)
        commanders = max(commanders, grown)
        pocket.besiegers = commanders + outside[0]
        yield env.timeout(24.0)


def close_pocket(world: World, place: Place) -> None:
    """The pocket's counts, and when the south collapsed.

    The south has collapsed when every southern pocket and Kabul have fallen: the Taliban hold
    no city south of the Hindu Kush.
    """
    out = world.out
    pocket = world.pockets[place.name]
    if "surrendered" in pocket.outs:
        out.set(pocket.outs["surrendered"], pocket.surrendered)
    if "airlifted" in pocket.outs:
        out.set(pocket.outs["airlifted"], pocket.airlifted)
    falls: list[float | None] = [out.time("kabul_falls")]
    for other in world.pockets.values():
        if other.plan.plays("south"):
            falls.append(out.time(other.outs["pocket_falls"]))
    known = [t for t in falls if t is not None]
    out.set("south_collapses", max(known) if len(known) == len(falls) else None)
