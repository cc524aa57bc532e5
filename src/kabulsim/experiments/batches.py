"""Batches of replications: the unit of work that every engine runs.

A run of ``reps`` replications is cut into consecutive batches of ``batch_size``
replications (the last may be shorter). The cut depends only on ``reps`` and ``batch_size``,
never on the number of workers, and replication ``rep`` always draws from
``SeedSequence(seed, spawn_key=(rep,))`` (:func:`kabulsim.model.simulate.replication_seed`),
so a batch's tables are a pure function of (scenario, seed, batch index). Engines may finish
batches in any order; tables are assembled in batch order.

:func:`run_batch` runs in a worker (a local process, a Dask worker, or the calling process)
and returns a compact :class:`BatchResult`: data frames and count arrays, never the
:class:`~kabulsim.model.simulate.Replication` objects with their scenario attached.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from kabulsim.calibration.assumptions import AssumptionSet
from kabulsim.calibration.ensemble import Ensemble
from kabulsim.experiments.quantiles import count_values, empty_counts, state_matrix
from kabulsim.limits import MAX_BATCH_SIZE, MAX_REPS, MAX_SEED, MAX_SERIES_REPS
from kabulsim.model.simulate import Replication, simulate
from kabulsim.outputs import STATE
from kabulsim.outputs import of as outputs_of
from kabulsim.scenario.schema import Scenario
from kabulsim.tables import summary_frame
from kabulsim.timebase import iso_many

SERIES_COLUMNS = ("rep", "t_h", "time", *(v.name for v in STATE))
"""Columns of the per-replication series table of the 2001 theatre: the state variables in
declaration order (a scenario's own: ``outputs.of(scenario.theatre.places).state``)."""


@dataclass(frozen=True, slots=True)
class Batch:
    """One task: replications ``start`` to ``stop - 1`` of a run.

    The scenario travels as its JSON dump so that the task is small and does not depend on
    pickling the model class across machines.
    """

    index: int
    start: int
    stop: int
    seed: int
    scenario_json: str
    series_reps: int
    """Per-replication series rows are kept only for replications below this index."""
    ensemble_json: str = ""
    """The ensemble's members as JSON (:meth:`kabulsim.calibration.ensemble.Ensemble.to_json`),
    or empty: with one, replication ``i`` takes the parameters of the member drawn for
    ``(seed, i)``."""
    assumptions_json: str = ""
    """The assumption priors as JSON (:meth:`kabulsim.calibration.assumptions.AssumptionSet.
    to_json`), or empty: with them, replication ``i`` also draws its assumption values for
    ``(seed, i)``."""
    summary_only: bool = False
    """Return the summary rows alone (the events, series and counts empty): the replications
    run without their events and series (``simulate(..., record=False)``, the same rows), for
    callers that read only summaries (:func:`kabulsim.experiments.points.run_points`)."""


@dataclass(frozen=True, slots=True)
class BatchResult:
    """What a batch returns: its tables and the counts behind the series quantiles."""

    index: int
    summary: pd.DataFrame
    events: pd.DataFrame
    series: pd.DataFrame
    counts: pd.DataFrame
    """Columns ``variable``, ``t_idx``, ``value``, ``count`` (see :mod:`.quantiles`)."""
    failed: int
    runtime_s: float

    @property
    def reps(self) -> int:
        """Number of replications in the batch."""
        return len(self.summary)


def plan_batches(
    scenario: Scenario,
    reps: int,
    seed: int,
    batch_size: int,
    series_reps: int,
    ensemble: Ensemble | None = None,
    assumptions: AssumptionSet | None = None,
) -> list[Batch]:
    """Cut ``reps`` replications into batches of ``batch_size`` (the last may be shorter)."""
    if not 1 <= reps <= MAX_REPS:
        raise ValueError(f"reps must be from 1 to {MAX_REPS:,}")
    if not 0 <= seed <= MAX_SEED:
        raise ValueError("seed must be a whole number from 0 to 2**63 - 1")
    if not 1 <= batch_size <= MAX_BATCH_SIZE:
        raise ValueError(f"batch_size must be from 1 to {MAX_BATCH_SIZE:,}")
    if not 0 <= series_reps <= MAX_SERIES_REPS:
        raise ValueError(f"series_reps must be from 0 to {MAX_SERIES_REPS:,}")
    text = scenario.model_dump_json()
    members = "" if ensemble is None else ensemble.to_json()
    priors = "" if assumptions is None else assumptions.to_json()
    return [
        Batch(i, start, min(start + batch_size, reps), seed, text, series_reps, members, priors)
        for i, start in enumerate(range(0, reps, batch_size))
    ]


@lru_cache(maxsize=8)
def _scenario(text: str) -> Scenario:
    return Scenario.model_validate_json(text)


@lru_cache(maxsize=4)
def _ensemble(text: str) -> Ensemble:
    return Ensemble.from_json(text)


@lru_cache(maxsize=4096)
def _member_scenario(scenario_json: str, ensemble_json: str, member: int) -> Scenario:
    return _ensemble(ensemble_json).apply(_scenario(scenario_json), member)


@lru_cache(maxsize=4)
def _assumptions(text: str) -> AssumptionSet:
    return AssumptionSet.from_json(text)


def replication_scenario(batch: Batch, rep: int) -> Scenario:
    """The scenario replication ``rep`` runs.

    The batch's scenario, with its member's values if any and, with assumptions, its
    assumption draws.
    """
    if not batch.ensemble_json:
        scenario = _scenario(batch.scenario_json)
    else:
        member = _ensemble(batch.ensemble_json).member_for(batch.seed, rep)
        scenario = _member_scenario(batch.scenario_json, batch.ensemble_json, member)
    if not batch.assumptions_json:
        return scenario
    priors = _assumptions(batch.assumptions_json)
    return priors.apply(scenario, priors.draw(batch.seed, rep))


def _events_frame(reps: list[Replication]) -> pd.DataFrame:
    events = [(r.rep, e) for r in reps for e in r.events]
    t_h = np.fromiter((e.t_h for _, e in events), dtype=np.float64, count=len(events))
    start = reps[0].scenario.start if reps else None
    return pd.DataFrame(
        {
            "rep": np.fromiter((rep for rep, _ in events), dtype=np.int64, count=len(events)),
            "t_h": t_h,
            "time": pd.array(iso_many(start, t_h) if start else [], dtype="str"),
            "phase": pd.array([e.phase for _, e in events], dtype="str"),
            "event": pd.array([e.kind for _, e in events], dtype="str"),
            "detail": pd.array([e.detail for _, e in events], dtype="str"),
            "value": np.fromiter((e.value for _, e in events), dtype=np.float64, count=len(events)),
        }
    )


def _series_frame(reps: list[Replication], scenario: Scenario) -> pd.DataFrame:
    """Per-replication state series, one row per replication and grid time.

    The columns are the state variables of the scenario's theatre, in declaration order.
    """
    out = outputs_of(scenario.theatre.places)
    kept = [r for r in reps if r.series is not None]
    if not kept:
        frame = pd.DataFrame({c: [] for c in ("rep", "t_h", "time", *(v.name for v in out.state))})
    else:
        series = [r.series for r in kept if r.series is not None]
        times = series[0].times
        n_t = len(times)
        values = np.concatenate([s.values for s in series])
        numeric = {name: values[:, j] for j, name in enumerate(series[0].names)}
        labels = {
            name: [h for s in series for h in s.labels[name]] for name in out.state_categorical
        }
        frame = pd.DataFrame(
            {
                "rep": np.repeat([r.rep for r in kept], n_t),
                "t_h": np.tile(times, len(kept)),
                "time": np.tile(np.array(iso_many(scenario.start, times), dtype=object), len(kept)),
                **{v.name: labels[v.name] if v.categories else numeric[v.name] for v in out.state},
            }
        )
    text = dict.fromkeys(out.state_categorical, "str")
    frame = frame.astype({"rep": "int64", "time": "str", **text})
    return frame.astype(dict.fromkeys(("t_h", *out.state_numeric), "float64"))


def run_batch(batch: Batch) -> BatchResult:
    """Run the replications of one batch and reduce them to compact tables.

    A replication that raises is kept as a summary row with its ``error`` (and ``seed``);
    it contributes no events or series.
    """
    began = time.perf_counter()
    scenario = _scenario(batch.scenario_json)
    results = [
        simulate(replication_scenario(batch, rep), batch.seed, rep, record=not batch.summary_only)
        for rep in range(batch.start, batch.stop)
    ]
    ok = [r for r in results if r.error is None]
    if batch.summary_only:
        return BatchResult(
            index=batch.index,
            summary=summary_frame(results),
            events=_events_frame([]),
            series=_series_frame([], scenario),
            counts=empty_counts(),
            failed=len(results) - len(ok),
            runtime_s=time.perf_counter() - began,
        )
    summary = summary_frame(results)
    events = _events_frame(ok)
    series = _series_frame([r for r in ok if r.rep < batch.series_reps], scenario)
    counts = count_values(state_matrix([r.series for r in ok if r.series is not None]))
    return BatchResult(
        index=batch.index,
        summary=summary,
        events=events,
        series=series,
        counts=counts,
        failed=len(results) - len(ok),
        runtime_s=time.perf_counter() - began,
    )
