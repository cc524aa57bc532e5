"""Typed observation records and the recorder that collects them during a replication.

Processes append records; nothing is turned into a table until the replication ends
(:mod:`kabulsim.tables`). Times are simulation clock values in hours since the scenario start.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


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


@dataclass(slots=True)
class Recorder:
    """Collects the events and state snapshots of one replication."""

    events: list[Event] = field(default_factory=list)
    snapshots: list[tuple[Any, ...]] = field(default_factory=list)
    """State after each change: ``(t_h, *State fields from taliban_shamali to city_holder)``."""
    stragglers: list[tuple[float, float]] = field(default_factory=list)
    """Stragglers left in Kabul after each change: ``(t_h, count)``, in time order."""

    def event(
        self, t_h: float, phase: str, kind: str, detail: str = "", value: float = float("nan")
    ) -> None:
        """Record an event at clock time ``t_h`` (hours)."""
        self.events.append(Event(t_h, phase, kind, detail, value))
