"""One replication: build the world, start every phase, run to the horizon, collect results.

:func:`simulate` is the single entry point for a replication. It always returns a
:class:`Replication`, which carries the scenario, the seed, the timing and, if the model
raised, the error (with an empty summary), so that a batch never loses track of a failure.
"""

from __future__ import annotations

import math
import time
import traceback
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import simpy

from kabulsim.model.aftermath import aftermath, close_vacuum
from kabulsim.model.air import air_campaign
from kabulsim.model.alliance import alliance
from kabulsim.model.hvt import high_value_target
from kabulsim.model.north import northern_front
from kabulsim.model.records import Event, Series, State
from kabulsim.model.shamali import shamali_front
from kabulsim.model.withdrawal import withdrawal
from kabulsim.model.world import STREAMS, World
from kabulsim.scenario.schema import Scenario

TIME_COLUMNS = (
    "mazar_falls",
    "first_assault",
    "shamali_start",
    "front_broken",
    "evacuation_decided",
    "kabul_evacuated",
    "alliance_at_gates",
    "alliance_enters_kabul",
    "atef_strike_time",
)
"""Summary columns that are times (clock hours here; ISO 8601 local time in tables)."""


def replication_seed(seed: int, rep: int) -> np.random.SeedSequence:
    """The seed sequence of replication ``rep`` of a run seeded with ``seed``.

    Equal to ``SeedSequence(seed).spawn(rep + 1)[rep]``, computed directly so that a
    replication's stream depends only on (seed, rep), not on which worker runs it.
    """
    return np.random.SeedSequence(seed, spawn_key=(rep,))


def phase_streams(rep_seed: np.random.SeedSequence) -> dict[str, np.random.Generator]:
    """One generator per phase, spawned from the replication's seed in a fixed order."""
    return {
        name: np.random.Generator(
            np.random.PCG64(
                np.random.SeedSequence(rep_seed.entropy, spawn_key=(*rep_seed.spawn_key, i))
            )
        )
        for i, name in enumerate(STREAMS)
    }


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


def _summary(world: World, vacuum_h: float | None) -> dict[str, Any]:
    out = world.out
    led = world.ledger
    nan = math.nan
    return {
        "mazar_falls": out.mazar_falls,
        "shamali_start": out.shamali_start,
        "shamali_duration_h": out.shamali_duration_h if out.shamali_duration_h is not None else nan,
        "shamali_winner": out.shamali_winner,
        "shamali_assaults": out.shamali_assaults,
        "first_assault": out.first_assault,
        "front_broken": out.front_broken,
        "evacuation_decided": out.evacuation_decided,
        "kabul_evacuated": out.kabul_evacuated,
        "alliance_at_gates": out.alliance_at_gates,
        "alliance_enters_kabul": out.alliance_enters_kabul,
        "entry_despite_orders": out.entry_despite_orders,
        "vacuum_h": vacuum_h if vacuum_h is not None else nan,
        "resistance_in_city": out.resistance_in_city,
        "killed_in_city": out.killed_in_city,
        "atef_killed": out.atef_killed,
        "atef_strike_time": out.atef_strike_time,
        "tips": out.tips,
        "to_kandahar": led.to_kandahar,
        "to_tora_bora": led.to_tora_bora,
        "stragglers": out.stragglers,
        "vengeance_incidents": out.vengeance_incidents,
        "taliban_killed": led.killed,
        "taliban_wounded": led.wounded,
        "taliban_captured_or_defected": led.captured_or_defected,
        "alliance_killed": out.alliance_killed,
        "civilian_casualties": out.civilians_air + out.civilians_city + out.civilians_disorder,
        "treasury_emptied": out.treasury_emptied,
        "weapons_abandoned": out.weapons_abandoned,
        "control_breadth": out.control_breadth,
        "broad_force_share": out.broad_force_share,
        "city_holder_end": world.city_holder,
        "sorties_flown": out.sorties_flown,
        "morale_shamali_end": world.shamali.morale,
        "conservation_error": world.conservation_error(),
    }


def build_world(scenario: Scenario, seed: int = 0, rep: int = 0) -> World:
    """Create the world of one replication with every phase process started (not yet run)."""
    env = simpy.Environment()
    world = World(env, scenario, phase_streams(replication_seed(seed, rep)))
    world.snap()
    env.process(air_campaign(world))
    env.process(northern_front(world))
    env.process(shamali_front(world))
    env.process(withdrawal(world))
    env.process(alliance(world))
    env.process(high_value_target(world))
    env.process(aftermath(world))
    return world


def run_world(world: World) -> None:
    """Run a built world to its horizon."""
    world.env.run(until=world.horizon_h + 1e-6)


def results(world: World) -> tuple[dict[str, Any], Series]:
    """The summary row (times as clock hours) and the state series of a world that has run.

    Applies the prisoner-takings still due and closes the security vacuum (drawing its
    disorder deaths) first.
    """
    world.settle()
    summary = _summary(world, close_vacuum(world))
    return summary, world.series()


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
