"""The aftermath: the security vacuum, vengeance against stragglers, and disorder.

    "With the fall of the city, there were some incidents of vengeance against the Taliban;
    ... many Taliban fighters, particularly foreign fighters from the Arabian Peninsula and
    Pakistan, being lynched and left in ditches while others were beaten with rifles and fists
    after their capture." ... "it was feared that the seizure of the city would make it more
    difficult to form a broad and inclusive coalition".

Mechanism. The security vacuum runs from the moment no organised Taliban force is left in
Kabul until the alliance holds the city (zero if the alliance entered first). Each straggler
left behind by the evacuation is found by inhabitants at rate ``find_per_h_vacuum`` during the
vacuum and ``find_per_h_controlled`` afterwards, when the force in control also takes
stragglers prisoner at ``capture_per_h`` (competing risks). Each finding is a vengeance
incident, in which the straggler is killed with probability ``lynch_share_vacuum`` or
``lynch_share_controlled`` and otherwise beaten and captured. Disorder during the vacuum costs
``disorder_civilians_per_h`` civilian lives per hour on average. The breadth of the force that
takes control is computed in :mod:`kabulsim.model.alliance`.
"""

from __future__ import annotations

import simpy

from kabulsim.model.world import World


def _incident(world: World, controlled: bool) -> None:
    """A straggler is found by inhabitants: killed, or beaten and captured."""
    af = world.scenario.aftermath
    rng = world.rng["aftermath"]
    total = world.stragglers_afghan + world.stragglers_foreign
    foreign = rng.random() * total < world.stragglers_foreign
    if foreign:
        world.stragglers_foreign -= 1.0
    else:
        world.stragglers_afghan -= 1.0
    share = af.lynch_share_controlled if controlled else af.lynch_share_vacuum
    killed = rng.random() < share
    if killed:
        world.ledger.killed_vengeance += 1.0
    else:
        world.ledger.captured_or_defected += 1.0
    world.out.vengeance_incidents += 1
    who = "foreign fighter" if foreign else "Afghan Taliban"
    world.log("aftermath", "vengeance", f"{who} {'killed' if killed else 'beaten and captured'}")


def _capture(world: World) -> None:
    """The force in control takes a straggler prisoner."""
    rng = world.rng["aftermath"]
    total = world.stragglers_afghan + world.stragglers_foreign
    if rng.random() * total < world.stragglers_foreign:
        world.stragglers_foreign -= 1.0
    else:
        world.stragglers_afghan -= 1.0
    world.ledger.captured_or_defected += 1.0


def aftermath(world: World) -> simpy.events.ProcessGenerator:
    """Run the vacuum and the reprisals against stragglers until the horizon."""
    env = world.env
    af = world.scenario.aftermath
    rng = world.rng["aftermath"]
    yield world.city_empty
    while True:
        n = world.stragglers_afghan + world.stragglers_foreign
        controlled = world.alliance_in_city.triggered
        find = af.find_per_h_controlled if controlled else af.find_per_h_vacuum
        capture = af.capture_per_h if controlled else 0.0
        rate = n * (find + capture)
        if rate <= 0.0:
            if controlled:
                return
            yield world.alliance_in_city
            continue
        timer = env.timeout(float(rng.exponential(1.0 / rate)))
        if controlled:
            yield timer
        else:
            yield timer | world.alliance_in_city
            if not timer.processed:
                continue  # control changes the rates; a fresh draw is exact (memoryless)
        if rng.random() * (find + capture) < find:
            _incident(world, controlled)
        else:
            _capture(world)
            world.snap()


def close_vacuum(world: World) -> float | None:
    """Vacuum length (h) at the end of the run, and the disorder deaths it cost.

    Returns None when the Taliban never left the city; a vacuum still open at the horizon is
    counted up to the horizon.
    """
    empty = world.out.kabul_evacuated
    if empty is None:
        return None
    end = world.out.alliance_enters_kabul
    if end is None:
        end = world.horizon_h
    vacuum = max(0.0, end - empty)
    rng = world.rng["aftermath"]
    world.out.civilians_disorder += float(
        rng.poisson(world.scenario.aftermath.disorder_civilians_per_h * vacuum)
    )
    return vacuum
