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

from kabulsim.model.phases import PHASES, Phase, phase_streams
from kabulsim.model.records import Event, Series, State
from kabulsim.model.world import SummaryWorld, World
from kabulsim.outputs import TIME_COLUMNS, Outcome, Value
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
    "summarise",
    "summary_row",
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
    """The state on the scenario's time grid (None when the replication failed, or was run
    with ``record=False``)."""
    runtime_s: float = 0.0
    error: str | None = None

    @property
    def states(self) -> list[State]:
        """The state samples as :class:`State` records (empty when the replication failed)."""
        return [] if self.series is None else self.series.states()


def build_world(
    scenario: Scenario,
    seed: int = 0,
    rep: int = 0,
    phases: Sequence[Phase] = PHASES,
    outcomes: tuple[Outcome, ...] = (),
    *,
    record: bool = True,
) -> World:
    """Create the world of one replication with every phase process started (not yet run).

    Args:
        scenario: the validated scenario.
        seed: the run's seed.
        rep: the replication's index.
        phases: the registered phases (:data:`kabulsim.model.phases.PHASES`); each gets its
            own random stream ``world.rng[name]``, keyed by its name.
        outcomes: the declared outcomes (empty: those of the scenario's theatre,
            :func:`kabulsim.outputs.of`), the columns
            of the summary row. Both are parameters so that a test can follow the recipes
            of ``docs/architecture.md`` without editing the package.
        record: keep the events and the state snapshots (False: a
            :class:`~kabulsim.model.world.SummaryWorld`, for a caller that reads only the
            summary row; the same draws and the same outcomes).

    """
    env = simpy.Environment()
    streams = phase_streams(replication_seed(seed, rep), phases, scenario.theatre.places)
    kind = World if record else SummaryWorld
    world = kind(env, scenario, streams, outcomes=outcomes)
    world.phases = tuple(phases)
    world.snap()
    for phase in phases:
        phase.start(world)
    return world


def run_world(world: World) -> None:
    """Run a built world to its horizon."""
    world.env.run(until=world.horizon_h + 1e-6)


def results(world: World) -> tuple[dict[str, Value], Series]:
    """The summary row (times as clock hours) and the state series of a world that has run.

    Books the prisoner-takings still due, then runs every phase's end-of-run accounting
    (:attr:`kabulsim.model.phases.Phase.close`, in the order of the phases) and the world's
    own (:meth:`World.close`: the ledger); the summary row has one entry per declared outcome
    (:data:`kabulsim.outputs.OUTCOMES`), in that order.
    """
    return summary_row(world), world.series()


def summary_row(world: World) -> dict[str, Value]:
    """The summary row of a world that has run (:func:`results` without the series).

    Books the prisoner-takings still due, then runs every phase's end-of-run accounting and
    the world's own.
    """
    world.book_prisoners()
    for phase in world.phases:
        phase.finish(world)
    world.close()
    return world.out.as_dict()


def simulate(
    scenario: Scenario, seed: int = 0, rep: int = 0, *, record: bool = True
) -> Replication:
    """Run one replication of ``scenario`` to its horizon.

    Args:
        scenario: the validated scenario.
        seed: the run's seed (a non-negative integer).
        rep: the replication's index; its random streams are derived from (seed, rep).
        record: keep the events and the state series. False gives the same summary row
            (the same draws, the same outcomes) without them, cheaper: the replication's
            ``events`` are empty and its ``series`` None. For callers that read only the
            summary (the calibration; see :func:`summarise`).

    Returns:
        The replication's summary row (times as clock hours), events and state samples;
        on an exception in the model, an empty summary and the formatted error.

    """
    began = time.perf_counter()
    try:
        # The full path calls build_world as it always has (tests wrap it).
        world = (
            build_world(scenario, seed, rep)
            if record
            else build_world(scenario, seed, rep, record=False)
        )
        run_world(world)
        if record:
            row, series = results(world)
            events = world.recorder.events
        else:
            row, series, events = summary_row(world), None, []
        return Replication(
            scenario=scenario,
            seed=seed,
            rep=rep,
            summary=row,
            events=events,
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


def summarise(scenario: Scenario, seed: int = 0, rep: int = 0) -> dict[str, Any]:
    """The summary row of one replication: ``simulate(scenario, seed, rep).summary``.

    Run without the events and the state series (``record=False``), which the row does not
    depend on; empty when the model raised, as :func:`simulate`'s.
    """
    return simulate(scenario, seed, rep, record=False).summary
