"""One replication: build the world, start every phase, run to the horizon, collect results.

:func:`simulate` is the single entry point for a replication. It always returns a
:class:`Replication`, which carries the scenario, the seed, the timing and, if the model
raised, the error (with an empty summary), so that a batch never loses track of a failure.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import simpy

from kabulsim.model.aftermath import close_vacuum
from kabulsim.model.phases import PHASES, Phase, phase_streams
from kabulsim.model.records import Event, Series, State
from kabulsim.model.vacuum import close_city
from kabulsim.model.world import World
from kabulsim.outputs import OUTCOMES, TIME_COLUMNS, Outcome, Value
from kabulsim.scenario.schema import Scenario

__all__ = [
    "TIME_COLUMNS",
    "Replication",
    "build_world",
    "phase_streams",
    "replication_seed",
    "results",
    "run_world",
    "simulate",
]


def replication_seed(seed: int, rep: int) -> np.random.SeedSequence:
    """The seed sequence of replication ``rep`` of a run seeded with ``seed``.

    Equal to ``SeedSequence(seed).spawn(rep + 1)[rep]``, computed directly so that a
    replication's stream depends only on (seed, rep), not on which worker runs it.
    """
    return np.random.SeedSequence(seed, spawn_key=(rep,))


@dataclass(frozen=True, slots=True)
class Replication:
    """The result of one replication."""

    scenario: Scenario
    seed: int
    rep: int
    summary: dict[str, Any]
    events: list[Event] = field(default_factory=list)
    series: Series | None = None
    """The state on the scenario's time grid (None when the replication failed)."""
    runtime_s: float = 0.0
    error: str | None = None

    @property
    def states(self) -> list[State]:
        """The state samples as :class:`State` records (empty when the replication failed)."""
        return [] if self.series is None else self.series.states()


def _close(world: World) -> None:
    """Write the outcomes that are read off the world's final state (the ledger, the city)."""
    out = world.out
    led = world.ledger
    out.set("to_kandahar", led.to_kandahar)
    out.set("to_tora_bora", led.to_tora_bora)
    out.set("taliban_killed", led.killed)
    out.set("taliban_wounded", led.wounded)
    out.set("taliban_captured_or_defected", led.captured_or_defected)
    out.set("city_holder_end", world.city_holder)
    out.set("morale_shamali_end", world.shamali.morale)
    ends = (out.time("kabul_evacuated"), out.time("alliance_enters_kabul"))
    falls = [t for t in ends if t is not None]
    out.set("kabul_falls", min(falls) if falls else None)
    held_by = ""
    if not falls:
        if world.shamali.holds:
            held_by = "front_repulsed" if world.shamali.assaults > 0 else "front_estimate"
        else:
            held_by = "city_defence"
    out.set("kabul_held_by", held_by)
    out.set("shamali_best_odds", world.shamali.best_odds)
    out.set("conservation_error", world.conservation_error())


def build_world(
    scenario: Scenario,
    seed: int = 0,
    rep: int = 0,
    phases: Sequence[Phase] = PHASES,
    outcomes: tuple[Outcome, ...] = OUTCOMES,
) -> World:
    """Create the world of one replication with every phase process started (not yet run).

    Args:
        scenario: the validated scenario.
        seed: the run's seed.
        rep: the replication's index.
        phases: the registered phases (:data:`kabulsim.model.phases.PHASES`); each gets its
            own random stream ``world.rng[name]``, keyed by its name.
        outcomes: the declared outcomes (:data:`kabulsim.outputs.OUTCOMES`), the columns
            of the summary row. Both are parameters so that a test can follow the recipes
            of ``docs/architecture.md`` without editing the package.

    """
    env = simpy.Environment()
    world = World(
        env, scenario, phase_streams(replication_seed(seed, rep), phases), outcomes=outcomes
    )
    world.snap()
    for phase in phases:
        env.process(phase.process(world))
    return world


def run_world(world: World) -> None:
    """Run a built world to its horizon."""
    world.env.run(until=world.horizon_h + 1e-6)


def results(world: World) -> tuple[dict[str, Value], Series]:
    """The summary row (times as clock hours) and the state series of a world that has run.

    Books the prisoner-takings still due, closes the security vacuum and books the city's
    looting and factional-fighting deaths (:func:`kabulsim.model.vacuum.close_city`) first;
    the summary row has one entry per declared outcome (:data:`kabulsim.outputs.OUTCOMES`),
    in that order.
    """
    world.book_prisoners()
    close_vacuum(world)
    close_city(world)
    _close(world)
    return world.out.as_dict(), world.series()


def simulate(scenario: Scenario, seed: int = 0, rep: int = 0) -> Replication:
    """Run one replication of ``scenario`` to its horizon.

    Args:
        scenario: the validated scenario.
        seed: the run's seed (a non-negative integer).
        rep: the replication's index; its random streams are derived from (seed, rep).

    Returns:
        The replication's summary row (times as clock hours), events and state samples;
        on an exception in the model, an empty summary and the formatted error.

    """
    began = time.perf_counter()
    try:
        world = build_world(scenario, seed, rep)
        run_world(world)
        summary, series = results(world)
        return Replication(
            scenario=scenario,
            seed=seed,
            rep=rep,
            summary=summary,
            events=world.recorder.events,
            series=series,
            runtime_s=time.perf_counter() - began,
        )
    except Exception as exc:  # a failing replication must not sink a batch
        return Replication(
            scenario=scenario,
            seed=seed,
            rep=rep,
            summary={},
            runtime_s=time.perf_counter() - began,
            error="".join(traceback.format_exception_only(type(exc), exc)).strip()
            + "\n"
            + traceback.format_exc(limit=8),
        )
