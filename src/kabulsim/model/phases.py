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

import numpy as np
import simpy

from kabulsim.model.aftermath import aftermath
from kabulsim.model.air import air_campaign
from kabulsim.model.alliance import alliance
from kabulsim.model.command import command
from kabulsim.model.fronts import front_pressure
from kabulsim.model.hvt import high_value_target
from kabulsim.model.north import northern_front
from kabulsim.model.political import political_track
from kabulsim.model.shamali import shamali_front
from kabulsim.model.vacuum import vacuum
from kabulsim.model.withdrawal import withdrawal
from kabulsim.model.world import World

Process = Callable[[World], simpy.events.ProcessGenerator]
"""A phase's process: a generator function taking the world."""


@dataclass(frozen=True, slots=True)
class Phase:
    """A historical phase: its name (also its random stream's key) and its process."""

    name: str
    process: Process


PHASES: tuple[Phase, ...] = (
    Phase("air", air_campaign),
    Phase("north", northern_front),
    Phase("shamali", shamali_front),
    Phase("withdrawal", withdrawal),
    Phase("alliance", alliance),
    Phase("hvt", high_value_target),
    Phase("aftermath", aftermath),
    Phase("political", political_track),
    Phase("vacuum", vacuum),
    Phase("pressure", front_pressure),
    Phase("command", command),
)
"""The phases of the model, started in this order at time 0."""


def stream_key(name: str) -> int:
    """A stable 64-bit key for a phase's name (the first 8 bytes of its SHA-256)."""
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "little")


def phase_streams(
    rep_seed: np.random.SeedSequence, phases: Sequence[Phase] = PHASES
) -> dict[str, np.random.Generator]:
    """One generator per phase, keyed by the phase's name (independent of the order)."""
    names = [p.name for p in phases]
    if len(set(names)) != len(names):
        raise ValueError(f"phase names must be unique, got {names}")
    return {
        name: np.random.Generator(
            np.random.PCG64(
                np.random.SeedSequence(
                    rep_seed.entropy, spawn_key=(*rep_seed.spawn_key, stream_key(name))
                )
            )
        )
        for name in names
    }
