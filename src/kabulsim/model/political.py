"""The political track: resolutions, the Bonn talks, the Interim Authority, an international force.

    "Discussions had been held between the Northern Alliance and various foreign governments
    ... about the possible seizure of Kabul, with US Secretary of State Colin Powell expressing
    that the foreign governments would prefer the alliance invest the city and not seize it,
    in order to improve the ability to form a broad and successful post-war government."

The broad arrangement Powell asked the alliance to wait for was an international and
political process with dates of its own: UN Security Council resolution 1378 (14 November
2001), the Bonn talks (27 November) and agreement (5 December), whose Annex I has the
participants "pledge to withdraw all military units from Kabul", resolution 1386
authorising an international security force (20 December), the
Interim Authority taking office and the first international troops in Kabul's streets (22
December). Sources and plausible ranges: docs/hold_back_sources.md.

Mechanism. The dates are exogenous inputs (``political.*``): a scenario moves them, or removes
one with ``null``; the model never moves them in response to what happens in Kabul. At each
date the phase logs the event and changes what depends on it. One event is the model's own,
not a date: the surrender of Kandahar (7 December 2001 in the record) is the fall of the
pocket that the withdrawal's southern route feeds (:mod:`kabulsim.model.pocket`; until
issue 25 it was the input ``political.kandahar_falls``).

* the Bonn Agreement multiplies the alliance's and the factions' hazards of entering Kabul by
  ``bonn_restraint`` (the pledge of Annex I: the commanders' incentive), and sets up the
  Interim Authority with ``interim_composition`` (who is invited to Kabul);
* the fall of the southern pocket (Kandahar) ends the chance of a Taliban return to Kabul
  (the pocket logs it; this phase waits for its milestone);
* the first international troops start the force's build-up (:mod:`kabulsim.model.vacuum`),
  not before the Taliban have left the city (a force sent to assist an Afghan authority does
  not deploy into a Taliban-held city), and the phase marks when they are numerous enough to
  keep factions apart;
* when the Interim Authority takes office it becomes the authority of a city held in order by
  forces that answer to it (if the Bonn Agreement was signed), and who holds the city and the
  breadth of that authority are recorded (``holder_at_interim``, ``control_breadth_interim``).

Inert in the model: resolution 1378, the opening of the Bonn talks and resolution 1386
(:data:`INERT`) are logged and change nothing. What they did in 2001 acts in the model through
the dated events that followed (the agreement, the force's arrival); removing one of them
leaves every outcome of every replication unchanged (``tests/model/test_political.py``).
"""

from __future__ import annotations

import simpy

from kabulsim.model.vacuum import force_reaches, measure_interim, signal
from kabulsim.model.world import World

EVENTS = {
    "resolution_1378": "UN Security Council resolution 1378 backs a transitional administration",
    "bonn_opens": "the UN talks on Afghanistan open in Bonn",
    "bonn_agreement": "the Bonn Agreement is signed; its parties pledge to withdraw military"
    " units from Kabul",
    "resolution_1386": "UN Security Council resolution 1386 authorises an international force",
    "force_arrives": "the first international troops are in Kabul",
    "interim_authority": "the Interim Authority takes office in Kabul",
}
"""The dated events of ``political.*`` and what the log says of each."""

INERT = frozenset({"resolution_1378", "bonn_opens", "resolution_1386"})
"""The events that are only logged: no outcome depends on them in the model's window."""


def schedule(world: World) -> list[tuple[float, str, str]]:
    """The dated political events within the run, as (clock time h, kind, text), in order.

    The international force's arrival is not among them: it waits for the Taliban to have
    left the city (:func:`international_force`).
    """
    pol = world.scenario.political
    events: list[tuple[float, str, str]] = []
    for kind, text in EVENTS.items():
        t = world.hours(getattr(pol, kind))
        if kind != "force_arrives" and t is not None and t <= world.horizon_h:
            events.append((max(0.0, t), kind, text))
    return sorted(events)


def international_force(world: World) -> simpy.events.ProcessGenerator:
    """The first international troops arrive (not before the Taliban have left the city)."""
    env = world.env
    sc = world.scenario
    planned = world.force_arrives_h
    if planned is None or planned > world.horizon_h:
        return
    yield env.timeout(max(0.0, planned - env.now))
    if not world.city_empty.triggered:
        # A force sent to assist an Afghan authority does not deploy into a Taliban-held city.
        yield world.city_empty
        world.force_arrives_h = env.now
    world.log("political", "force_arrives", EVENTS["force_arrives"])
    signal(world)
    arbiter = force_reaches(sc, world.force_arrives_h, sc.vacuum.arbiter_coverage)
    if arbiter is not None and arbiter <= world.horizon_h:
        yield env.timeout(max(0.0, arbiter - env.now))
        text = "international troops are numerous enough to keep factions apart"
        world.log("political", "force_arbiter", text)
        signal(world)


def south_falls(world: World) -> simpy.events.ProcessGenerator:
    """The pocket the south road feeds surrenders: no Taliban force can return to Kabul."""
    south = world.theatre.withdrawal.afghan.name
    base = next((p for p in world.theatre.pockets if south in p.fed_by), None)
    if base is None:
        return
    yield world.milestone(f"{base.place.city}_falls")
    world.city.kandahar_held = False
    signal(world)


def political_track(world: World) -> simpy.events.ProcessGenerator:
    """Log each political event at its date and apply its effect."""
    env = world.env
    city = world.city
    env.process(international_force(world))
    env.process(south_falls(world))
    for t, kind, text in schedule(world):
        if t > env.now:
            yield env.timeout(t - env.now)
        if kind == "bonn_agreement":
            city.bonn_signed = True
        elif kind == "interim_authority":
            city.interim_in_office = True
            world.out.set("interim_authority", env.now)
            measure_interim(world)
        world.log("political", kind, text)
        if kind not in INERT:
            # Only an event that changes a hazard wakes the processes that draw one (a fresh
            # draw is exact but would change the random numbers of an inert event's runs).
            signal(world)
