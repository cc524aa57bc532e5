"""Running many scenarios (the points of a sweep or a sensitivity design) through one engine.

Every point gets the same seed, so replication ``i`` of every point shares its random
numbers (common random numbers). All points' batches go through a single
``engine.map(run_batch, batches)`` call, so a local pool or a Dask cluster is started once.
With an output folder, each finished point's summary is written atomically to
``points/NNNNN.parquet``; a rerun with the same folder skips the points already there
(resumable), and the result is the same as an uninterrupted run.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from kabulsim.calibration.ensemble import Ensemble
from kabulsim.experiments.batches import Batch, BatchResult, plan_batches, run_batch
from kabulsim.experiments.executors import make_engine
from kabulsim.files import atomic_path
from kabulsim.scenario.schema import Scenario

Progress = Callable[[int, int], None]


def _point_file(out: Path, i: int) -> Path:
    return out / "points" / f"{i:05d}.parquet"


def run_points(
    scenarios: Sequence[Scenario],
    reps: int,
    seed: int,
    *,
    workers: int | None = None,
    client: Any = None,
    out: Path | None = None,
    batch_size: int | None = None,
    progress: Progress | None = None,
    ensemble: Ensemble | None = None,
    ensembles: Sequence[Ensemble | None] | None = None,
) -> list[pd.DataFrame]:
    """Run ``reps`` replications of every scenario; return their summary tables in order.

    Args:
        scenarios: the points.
        reps: replications per point.
        seed: the seed shared by every point (common random numbers).
        workers: local processes (default all cores); ignored with ``client``.
        client: a ``dask.distributed.Client``.
        out: folder for per-point results (resumable); None keeps everything in memory.
        batch_size: replications per task (default the engine's: 50 locally, 200 on Dask).
        progress: ``progress(done, total)`` in replications.
        ensemble: parameter uncertainty: replication ``i`` of every point takes the member
            drawn for ``(seed, i)`` (so points are paired by member too).
        ensembles: one ensemble (or None) per point, in place of ``ensemble``: the
            explorer's cells, where a menu's value pins a parameter the ensemble would draw.
    """
    if ensembles is not None and len(ensembles) != len(scenarios):
        raise ValueError(f"{len(ensembles)} ensembles for {len(scenarios)} points")
    results: dict[int, pd.DataFrame] = {}
    if out is not None:
        (out / "points").mkdir(parents=True, exist_ok=True)
        for i in range(len(scenarios)):
            path = _point_file(out, i)
            if path.exists():
                results[i] = pd.read_parquet(path)
    todo = [i for i in range(len(scenarios)) if i not in results]
    engine = make_engine(workers, client)
    size = batch_size if batch_size is not None else engine.batch_size
    batches: list[Batch] = []
    owner: dict[int, int] = {}
    for i in todo:
        members = ensemble if ensembles is None else ensembles[i]
        for b in plan_batches(scenarios[i], reps, seed, size, 0, members):
            owner[len(batches)] = i
            # Only the summaries are kept: the replications run without events and series.
            batches.append(dataclasses.replace(b, index=len(batches), summary_only=True))
    total = len(scenarios) * reps
    done = len(results) * reps
    if progress is not None:
        progress(done, total)
    parts: dict[int, list[BatchResult]] = {i: [] for i in todo}
    expected = {i: sum(1 for o in owner.values() if o == i) for i in todo}
    for result in engine.map(run_batch, batches):
        i = owner[result.index]
        parts[i].append(result)
        done += result.reps
        if progress is not None:
            progress(done, total)
        if len(parts[i]) == expected[i]:
            ordered = sorted(parts.pop(i), key=lambda r: r.index)
            frame = pd.concat([r.summary for r in ordered], ignore_index=True)
            results[i] = frame
            if out is not None:
                with atomic_path(_point_file(out, i)) as tmp:
                    frame.to_parquet(tmp, index=False)
    return [results[i] for i in range(len(scenarios))]
