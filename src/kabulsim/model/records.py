"""Typed observation records and the recorder that collects them during a replication.

Processes append records; nothing is turned into a table until the replication ends
(:mod:`kabulsim.tables`). Times are simulation clock values in hours since the scenario start.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened: a phase's milestone, with an optional quantity."""

    t_h: float
    phase: str
    kind: str
    detail: str = ""
    value: float = float("nan")


@dataclass(frozen=True, slots=True)
class State:
    """A sample of the state variables at one time, for time-series plots."""

    t_h: float
    taliban_shamali: float
    taliban_kabul: float
    taliban_north: float
    alliance_shamali: float
    morale_shamali: float
    morale_north: float
    morale_alliance: float
    city_holder: str
    stragglers: float


STATE_NUMERIC = (
    "taliban_shamali",
    "taliban_kabul",
    "taliban_north",
    "alliance_shamali",
    "morale_shamali",
    "morale_north",
    "morale_alliance",
    "stragglers",
)
"""The numeric fields of :class:`State` (all but ``t_h`` and ``city_holder``)."""


@dataclass(frozen=True, slots=True)
class Series:
    """The state on a fixed time grid, as arrays (cheap to build and to aggregate).

    ``values[i, j]`` is variable ``STATE_NUMERIC[j]`` at time ``times[i]`` (hours since the
    scenario start); ``holders[i]`` is who holds Kabul then.
    """

    times: NDArray[np.float64]
    values: NDArray[np.float64]
    holders: tuple[str, ...]

    def states(self) -> list[State]:
        """The same samples as :class:`State` records."""
        rows: list[tuple[Any, ...]] = [
            (t, *row[:7], holder, row[7])
            for t, row, holder in zip(
                self.times.tolist(), self.values.tolist(), self.holders, strict=True
            )
        ]
        return [State(*row) for row in rows]


@dataclass(slots=True)
class Recorder:
    """Collects the events and state snapshots of one replication."""

    events: list[Event] = field(default_factory=list)
    snapshot_values: list[float] = field(default_factory=list)
    """State after each change, flat: ``t_h`` and the seven numeric :class:`State` fields
    from ``taliban_shamali`` to ``morale_alliance``, eight numbers per snapshot."""
    snapshot_holders: list[str] = field(default_factory=list)
    """Who holds Kabul at each snapshot."""
    stragglers: list[float] = field(default_factory=list)
    """Stragglers left in Kabul after each change, flat: ``t_h, count`` pairs in time order."""

    def event(
        self, t_h: float, phase: str, kind: str, detail: str = "", value: float = float("nan")
    ) -> None:
        """Record an event at clock time ``t_h`` (hours)."""
        self.events.append(Event(t_h, phase, kind, detail, value))
