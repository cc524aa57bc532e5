"""Running many replications of a scenario and collecting their tables.

Replication ``i`` of a run seeded with ``s`` draws from ``SeedSequence(s).spawn(...)[i]``
(see :func:`kabulsim.model.replication_seed`), so its results do not depend on how many
workers run the batch or in which order.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from kabulsim.model.simulate import Replication, simulate
from kabulsim.scenario.schema import Scenario
from kabulsim.tables import events_frame, series_frame, summary_frame

Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)`` after each replication."""


@dataclass(frozen=True)
class RunResult:
    """The tables of a run: one summary row per replication, the event log, the series."""

    scenario: Scenario
    seed: int
    reps: int
    summary: pd.DataFrame
    events: pd.DataFrame
    series: pd.DataFrame
    runtime_s: float

    @property
    def failures(self) -> pd.DataFrame:
        """Replications that raised, with their error."""
        return self.summary[self.summary["error"] != ""]


def run(
    scenario: Scenario,
    reps: int = 100,
    seed: int = 0,
    *,
    progress: Progress | None = None,
) -> RunResult:
    """Run ``reps`` replications of ``scenario`` and return their tables.

    Args:
        scenario: the validated scenario.
        reps: number of replications (>= 1).
        seed: the run's seed (>= 0).
        progress: optional callback ``progress(done, total)``.
    """
    if reps < 1:
        raise ValueError("reps must be at least 1")
    if seed < 0:
        raise ValueError("seed must be a non-negative integer")
    began = time.perf_counter()
    results: list[Replication] = []
    for rep in range(reps):
        results.append(simulate(scenario, seed, rep))
        if progress is not None:
            progress(rep + 1, reps)
    return RunResult(
        scenario=scenario,
        seed=seed,
        reps=reps,
        summary=summary_frame(results),
        events=events_frame(results),
        series=series_frame(results),
        runtime_s=time.perf_counter() - began,
    )
