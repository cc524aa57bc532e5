"""Accounts by date: what had accumulated by each date of the record.

    "Through 10 December the total numbers of attack sorties and weapons expended in Operation
    Enduring Freedom ... approximately 4700 attack sorties" ... "it is very likely that the
    bombing campaign claimed 1000-1300 civilian lives" (C. Conetta, Project on Defense
    Alternatives, Briefing Report 13, January 2002).

The record counts at dates; the model runs to its horizon (1 May 2002 by default). Comparing a
total to the horizon with a count to 10 December compares unlike things. Mechanism: at the end
of each local day of :data:`kabulsim.outputs.RECORD_DATES` (13 November, 10 December) this
phase copies the accumulating outcomes of :data:`kabulsim.outputs.DATED` into their dated
columns (``<outcome>_to_<date>``): civilian deaths (all causes, and those of the air
campaign), strike sorties, Taliban fighters killed. What is booked only when the run ends (the
civilian deaths of looting and of factional fighting in Kabul, computed from the recorded
intervals) is split at the same dates by :func:`kabulsim.model.vacuum.close_city`. A date
after the horizon leaves its columns NaN. The phase draws no random numbers.
"""

from __future__ import annotations

import simpy

from kabulsim.model.world import World
from kabulsim.outputs import DATED, RECORD_DATES


def record_cutoffs(world: World) -> list[tuple[str, float]]:
    """``(date key, clock time h)`` of each record date within the run, in order."""
    cutoffs = []
    for date in RECORD_DATES:
        t = world.hours(date.until)
        if t is not None and 0.0 <= t <= world.horizon_h:
            cutoffs.append((date.key, t))
    return sorted(cutoffs, key=lambda c: c[1])


def accounts(world: World) -> simpy.events.ProcessGenerator:
    """Copy the accumulating outcomes into their dated columns at each record date."""
    env = world.env
    out = world.out
    for key, t in record_cutoffs(world):
        if t > env.now:
            yield env.timeout(t - env.now)
        for name in DATED:
            value = world.ledger.killed if name == "taliban_killed" else out.number(name)
            out.set(f"{name}_to_{key}", value)
