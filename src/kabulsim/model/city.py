"""The state of Kabul once the Taliban have left: factions, clashes, the political track's effects.

Owned by the world (``world.city``); changed by the security-vacuum phase
(:mod:`kabulsim.model.vacuum`) and the political track's effects, each followed by
:func:`kabulsim.model.vacuum.signal`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import simpy

from kabulsim.scenario.schema import Faction


@dataclass
class City:
    """The state of Kabul once the Taliban have left.

    Shared by the alliance, political and vacuum phases; changed only by this module's
    functions and the political track's effects, each followed by :func:`signal`.
    """

    changed: simpy.Event
    """Succeeds (and is replaced) whenever something a hazard depends on changes."""
    taliban_return: simpy.Event
    """Succeeds when a Taliban force retakes the empty city."""
    factions: dict[str, Faction] = field(default_factory=dict)
    """Factions in the city now, by name."""
    entered: int = 0
    clash_since: float | None = None
    clash_parties: tuple[str, str] | None = None
    clashes: list[tuple[float, float]] = field(default_factory=list)
    taliban_since: float | None = None
    taliban_spells: list[tuple[float, float]] = field(default_factory=list)
    faction_since: dict[str, float] = field(default_factory=dict)
    """When each faction now in the city entered it (clock h)."""
    faction_spells: list[tuple[float, float]] = field(default_factory=list)
    """(entry, exit) of each faction that has left the city."""
    armed_groups_max: int = 0
    """The most armed groups in the city at once (see :func:`kabulsim.model.vacuum.signal`)."""
    bonn_signed: bool = False
    kandahar_held: bool = True
    interim_in_office: bool = False


def new_city(env: simpy.Environment) -> City:
    """The city's state at the start of a run."""
    return City(changed=env.event(), taliban_return=env.event())
