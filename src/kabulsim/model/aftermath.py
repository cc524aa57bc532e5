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
stragglers prisoner at ``capture_per_h`` (competing risks: a straggler's fate is whichever
comes first). Each finding is a vengeance
incident, in which the straggler is killed with probability ``lynch_share_vacuum`` or
``lynch_share_controlled`` and otherwise beaten and captured. Who else fills the vacuum, and
what looting and factional fighting cost civilians, is :mod:`kabulsim.model.vacuum`.
"""

from __future__ import annotations

from typing import Any, cast

import simpy

from kabulsim.model.world import World


def _incident(world: World, foreign: bool, killed: bool) -> None:
    """A straggler is found by inhabitants: killed, or beaten and captured."""
    world.remove_straggler(foreign)
    if killed:
        world.ledger.kill("vengeance", 1.0)
    else:
        world.ledger.capture(1.0)
    world.out.add("vengeance_incidents", 1)
    world.log("aftermath", "vengeance", _DETAIL[foreign, killed])


_DETAIL = {
    (foreign, killed): f"{'foreign fighter' if foreign else 'Afghan Taliban'} "
    f"{'killed' if killed else 'beaten and captured'}"
    for foreign in (False, True)
    for killed in (False, True)
}
"""The detail of a vengeance incident's log record, by (foreign?, killed?)."""


def aftermath(world: World) -> simpy.events.ProcessGenerator:
    """Run the vacuum and the reprisals against stragglers until the horizon.

    After the city empties, the rest runs as callbacks of the events it waits for (no
    process to resume at each incident): :func:`_vacuum_turn`, then :func:`_control`.
    """
    yield world.city_empty
    _vacuum_turn(world)


def _vacuum_turn(world: World) -> None:
    """One turn of the vacuum: only inhabitants look for stragglers.

    Waits for the next finding or for the alliance's entry, whichever comes first; a finding
    is an incident and the next turn, the entry ends the vacuum (:func:`_control`, when the
    entry is processed, as a process woken by either event would run it).
    """
    env = world.env
    af = world.scenario.aftermath
    rng = world.rng["aftermath"]
    entry = world.alliance_in_city
    if entry.triggered:
        _control(world)
        return
    foreign_left = world.stragglers_foreign
    n = world.stragglers_afghan + foreign_left
    if n * af.find_per_h_vacuum <= 0.0:
        entry.callbacks.append(lambda _: _control(world))
        return
    timer = env.timeout(float(rng.exponential(1.0 / (n * af.find_per_h_vacuum))))

    def entered(_: simpy.Event) -> None:
        # Control changes the rates; a fresh draw is exact (memoryless). Woken as by a
        # condition on (timer, entry): an event scheduled now.
        if timer.processed:
            return
        timer.callbacks.remove(found)  # the vacuum is over: that finding will not happen
        wake = env.event()
        wake.callbacks.append(lambda _: _control(world))
        wake.succeed()

    def found(_: simpy.Event) -> None:
        # SimPy sets a processed event's callbacks to None (its annotation says a list):
        # read as Any, so that a mypyc-compiled copy does not check it.
        callbacks = cast(Any, entry).callbacks
        if callbacks and entered in callbacks:
            callbacks.remove(entered)
        is_foreign = bool(rng.random() * n < foreign_left)
        _incident(world, is_foreign, bool(rng.random() < af.lynch_share_vacuum))
        _vacuum_turn(world)

    timer.callbacks.append(found)
    entry.callbacks.append(entered)


def _control(world: World) -> None:
    """The alliance holds the city: every remaining straggler's fate.

    Each is either found by inhabitants or taken prisoner, whichever comes first (competing
    hazards). Every fate is drawn at once; prisoners are booked by the world at their times,
    incidents run as events (they are logged).
    """
    env = world.env
    af = world.scenario.aftermath
    rng = world.rng["aftermath"]
    n_foreign = int(world.stragglers_foreign)
    n_afghan = int(world.stragglers_afghan)
    rate = af.find_per_h_controlled + af.capture_per_h
    n = n_foreign + n_afghan
    if n == 0 or rate <= 0.0:
        return
    times = (env.now + rng.exponential(1.0 / rate, size=n)).tolist()
    found = (rng.random(n) * rate < af.find_per_h_controlled).tolist()
    killed = (rng.random(n) < af.lynch_share_controlled).tolist()
    foreign = [True] * n_foreign + [False] * n_afghan
    fates = list(zip(times, found, foreign, killed, strict=True))
    world.schedule_captures([(t, f) for t, hit, f, _ in fates if not hit])
    # The incidents run one after the other, each a timeout whose callback records it and
    # sets the next (the same events, created at the same moments, as a loop of timeouts in
    # a process, without resuming one each time).
    incidents = iter(sorted(fate for fate in fates if fate[1]))

    def next_incident() -> None:
        fate = next(incidents, None)
        if fate is not None:
            t, _, foreign_one, killed_one = fate

            def occur(_: simpy.Event) -> None:
                _incident(world, foreign_one, killed_one)
                next_incident()

            env.timeout(t - env.now).callbacks.append(occur)

    next_incident()


def close_vacuum(world: World) -> float | None:
    """Vacuum length (h) at the end of the run: from the Taliban's exit to the alliance's entry.

    Sets the ``vacuum_h`` outcome.
    Returns None when the Taliban never left the city; a vacuum still open at the horizon is
    counted up to the horizon.
    """
    empty = world.out.time("kabul_evacuated")
    if empty is None:
        return None
    end = world.out.time("alliance_enters_kabul")
    if end is None:
        end = world.horizon_h
    vacuum = max(0.0, end - empty)
    world.out.set("vacuum_h", vacuum)
    return vacuum
