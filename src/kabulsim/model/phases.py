"""The phases of the offensive, registered once: the list that :func:`build_world` walks.

Each phase is a SimPy process (a generator function taking the :class:`World`) in its own
module, whose docstring quotes the source sentence it models. :data:`PHASES` lists them as
``Phase(name, process)``; :func:`kabulsim.model.simulate.build_world` gives each one its own
random stream, ``world.rng[name]``, and starts its process.

Streams are keyed by the phase's *name*, not its position: the stream of phase ``name`` in
replication ``rep`` of a run seeded ``seed`` is

    SeedSequence(seed, spawn_key=(rep, stream_key(name)))

where :func:`stream_key` is a stable hash of the name. Adding, removing or reordering a phase
therefore leaves every other phase's random numbers unchanged (common random numbers across
model versions as well as across scenarios). A phase draws only from its own stream.

To add a phase: its parameters (a part of :mod:`kabulsim.scenario.schema`), its module with
its process, and one line in :data:`PHASES`. See ``docs/architecture.md``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np
import simpy

from kabulsim.model.accounts import accounts
from kabulsim.model.aftermath import aftermath, close_vacuum
from kabulsim.model.air import air_campaign
from kabulsim.model.alliance import alliance
from kabulsim.model.command import command
from kabulsim.model.front import close_front, hold_front
from kabulsim.model.hvt import high_value_target
from kabulsim.model.pocket import close_pocket, hold_pocket
from kabulsim.model.political import political_track
from kabulsim.model.pressure import front_pressure
from kabulsim.model.redoubt import STREAM as REDOUBT_STREAM
from kabulsim.model.redoubt import close_redoubt, hold_redoubt
from kabulsim.model.vacuum import close_city, vacuum
from kabulsim.model.withdrawal import close_withdrawal, withdrawal
from kabulsim.model.world import Front, World
from kabulsim.places import PLACES, Place, Role

Process = Callable[..., simpy.events.ProcessGenerator]
"""A phase's process: a generator function taking the world (and, for a phase instantiated
per front, the front)."""
Close = Callable[..., object]
"""A phase's end-of-run accounting: a function taking the world (and the front)."""


@dataclass(frozen=True, slots=True)
class Phase:
    """A historical phase: its name, its process and its end-of-run accounting.

    Attributes:
        name: the phase's name (also its random stream's key).
        process: the SimPy process, ``process(world)``, or ``process(world, front)`` for a
            phase instantiated per front.
        close: called once the run has reached its horizon, in the order of :data:`PHASES`
            (``close(world)``, or ``close(world, front)`` / ``close(world, city)``): the
            outcomes read off the final
            state. None: nothing to close.
        per: ``"front"`` for a phase instantiated once per front of the theatre, in the
            theatre's order (its process and close hook take the :class:`Front`);
            ``"city"`` once per city (they take the city's :class:`kabulsim.places.Place`),
            ``"redoubt"`` once per redoubt (they take its place);
            None for a single instance.
        stream: for a per-place phase, the name of each instance's stream, a template with
            ``{phase}`` and ``{place}`` (the place's key).
        role: for a per-place phase, only the places that play this role (None: every place
            of its kind).

    """

    name: str
    process: Process
    close: Close | None = None
    per: Literal["front", "city", "redoubt"] | None = None
    stream: str = "{phase}.{place}"
    role: Role | None = None

    def instances(self, places: Sequence[Place]) -> tuple[tuple[str, str | None], ...]:
        """``(stream name, front key or None)`` of each instance of the phase."""
        if self.per is None:
            return ((self.name, None),)
        return tuple(
            (self.stream.format(phase=self.name, place=p.name), p.name)
            for p in places
            if p.kind == self.per and (self.role is None or self.role in p.roles)
        )

    def _subject(self, world: World, place: str) -> Front | Place:
        """What an instance acts on: the front (``per="front"``) or the city's place."""
        if self.per == "front":
            return world.fronts[place]
        return next(p for p in world.theatre.places if p.name == place)

    def start(self, world: World) -> None:
        """Start the phase's process (one per front, or per city, for a per-place phase)."""
        for _, place in self.instances(world.theatre.places):
            if place is None:
                world.env.process(self.process(world))
            else:
                world.env.process(self.process(world, self._subject(world, place)))

    def finish(self, world: World) -> None:
        """Run the phase's end-of-run accounting (once per instance)."""
        if self.close is None:
            return
        for _, place in self.instances(world.theatre.places):
            if place is None:
                self.close(world)
            else:
                self.close(world, self._subject(world, place))


PHASES: tuple[Phase, ...] = (
    Phase("air", air_campaign),
    Phase("front", hold_front, close_front, per="front", stream="{place}"),
    Phase("withdrawal", withdrawal, close_withdrawal),
    Phase("alliance", alliance),
    Phase("hvt", high_value_target),
    Phase("aftermath", aftermath, close_vacuum),
    Phase("political", political_track),
    Phase("vacuum", vacuum, close_city),
    Phase("pressure", front_pressure),
    Phase("command", command),
    Phase("accounts", accounts),
    Phase("redoubt", hold_redoubt, close_redoubt, per="redoubt", stream=REDOUBT_STREAM),
    Phase("pocket", hold_pocket, close_pocket, per="city", role="pocket"),
)
"""The phases of the model, started in this order at time 0 (a per-front phase's instances
in the theatre's order). A per-front phase's stream is named after the front (``{place}``),
as the 2001 model's two front phases were."""


@lru_cache(maxsize=256)
def stream_key(name: str) -> int:
    """A stable 64-bit key for a stream's name (the first 8 bytes of its SHA-256)."""
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "little")


def stream_names(phases: Sequence[Phase], places: Sequence[Place] = PLACES) -> list[str]:
    """The name of every phase instance's stream, in order."""
    return [name for p in phases for name, _ in p.instances(places)]


def phase_streams(
    rep_seed: np.random.SeedSequence,
    phases: Sequence[Phase] = PHASES,
    places: Sequence[Place] = PLACES,
) -> dict[str, np.random.Generator]:
    """One generator per phase instance, keyed by its stream's name (independent of order)."""
    names = stream_names(phases, places)
    if len(set(names)) != len(names):
        raise ValueError(f"phase names must be unique, got {names}")
    entropy, spawn = rep_seed.entropy, tuple(rep_seed.spawn_key)
    return {
        name: np.random.Generator(
            np.random.PCG64(np.random.SeedSequence(entropy, spawn_key=(*spawn, stream_key(name))))
        )
        for name in names
    }
