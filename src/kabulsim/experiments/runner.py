"""Running many replications of a scenario and collecting their tables.

Seeding and common random numbers
---------------------------------
Replication ``i`` of a run seeded with ``s`` draws from ``SeedSequence(s, spawn_key=(i,))``
(:func:`kabulsim.model.simulate.replication_seed`), and each phase of the model has its own
stream spawned from that in a fixed order. Hence:

* a replication's results depend only on (scenario, seed, i): not on the number of workers,
  the engine (serial, process pool, Dask cluster), the batch it falls in, or whether the run
  was interrupted and resumed. Tables are assembled in replication order, so they are
  identical too;
* two scenarios run with the same seed use *common random numbers*: replication ``i`` of
  each draws the same numbers in every phase, so a phase whose inputs the scenarios share
  (e.g. the northern front when only ``hvt.tip_per_h`` differs) gives identical results, and
  paired differences between the scenarios have less noise than independent runs.

:func:`run_many` is the general entry point (workers, Dask client, output folder);
:func:`run` is the serial shortcut kept for validation code; :func:`resume` finishes an
interrupted run from its output folder.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from contextlib import closing, suppress
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from kabulsim.calibration.assumptions import AssumptionSet
from kabulsim.calibration.ensemble import Ensemble
from kabulsim.experiments.batches import (
    Batch,
    BatchResult,
    plan_batches,
    run_batch,
)
from kabulsim.experiments.executors import Engine, make_engine
from kabulsim.experiments.quantiles import CountAccumulator, empty_counts
from kabulsim.experiments.store import EVENTS_SCHEMA, SERIES_SCHEMA, RunStore, scenario_hash
from kabulsim.experiments.studies import FolderError, atomic_write_text, manifest_value
from kabulsim.files import FileProblem, read_bounded
from kabulsim.limits import DEFAULT_SERIES_REPS, EVENTS_CSV_MAX, MAX_MEMBERS_BYTES
from kabulsim.outputs import of as outputs_of
from kabulsim.scenario.schema import Scenario

Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)`` (replications) after each batch."""

_NO_COUNTS = empty_counts()
"""What an in-memory run keeps of a batch's counts once they are merged (nothing)."""

ENSEMBLE_MEMBERS = "ensemble_members.json"
"""In a run folder made with an ensemble: the members the replications drew from (resume)."""


@dataclass(frozen=True)
class RunResult:
    """The tables of a run.

    ``series_quantiles`` is always in memory. ``summary`` (one row per replication, with
    ``seed`` and ``error``), ``events`` and ``series`` are in memory for a run without an
    output folder; with one they are read from it when asked for (the summary once), so
    that a run's memory does not grow with its number of replications.
    """

    scenario: Scenario
    seed: int
    reps: int
    runtime_s: float
    failed: int
    """Replications that raised (see :attr:`failures`)."""
    series_quantiles: pd.DataFrame = field(default_factory=pd.DataFrame)
    out: Path | None = None
    memory_summary: pd.DataFrame | None = field(default=None, repr=False)
    memory_events: pd.DataFrame | None = field(default=None, repr=False)
    memory_series: pd.DataFrame | None = field(default=None, repr=False)

    @cached_property
    def summary(self) -> pd.DataFrame:
        """One row per replication: the outcome columns, ``seed`` and ``error``."""
        if self.memory_summary is not None:
            return self.memory_summary
        if self.out is None:
            raise ValueError("this result has neither a summary in memory nor an output folder")
        return pd.read_parquet(self.out / "summary.parquet")

    @property
    def events(self) -> pd.DataFrame:
        """The event log: one row per event, in replication and time order."""
        if self.memory_events is not None:
            return self.memory_events
        if self.out is not None:
            return pd.read_parquet(self.out / "events.parquet")
        empty: pd.DataFrame = EVENTS_SCHEMA.empty_table().to_pandas()
        return empty

    @property
    def series(self) -> pd.DataFrame:
        """The per-replication state series (the first ``series_reps`` replications)."""
        if self.memory_series is not None:
            return self.memory_series
        if self.out is not None:
            return pd.read_parquet(self.out / "series.parquet")
        empty: pd.DataFrame = SERIES_SCHEMA.empty_table().to_pandas()
        return empty

    @property
    def failures(self) -> pd.DataFrame:
        """Replications that raised, with their seed and error."""
        return self.summary[self.summary["error"] != ""]


def versions() -> dict[str, str]:
    """Versions of kabulsim, Python and the libraries that shape the results."""
    import numpy
    import pyarrow  # type: ignore[import-untyped]
    import simpy

    from kabulsim._version import __version__

    return {
        "kabulsim": __version__,
        "python": sys.version.split()[0],
        "simpy": simpy.__version__,
        "numpy": numpy.__version__,
        "pandas": pd.__version__,
        "pyarrow": pyarrow.__version__,
    }


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _execute(
    engine: Engine,
    batches: list[Batch],
    total: int,
    done: int,
    progress: Progress | None,
    sink: Callable[[BatchResult], None],
) -> int:
    """Run ``batches`` on ``engine``, hand each result to ``sink``; return failures."""
    failed = 0
    if progress is not None:
        progress(done, total)
    with closing(engine.map(run_batch, batches)) as results:
        for result in results:
            sink(result)
            failed += result.failed
            done += result.reps
            if progress is not None:
                progress(done, total)
    return failed


def run_many(
    scenario: Scenario,
    reps: int = 100,
    seed: int = 0,
    *,
    workers: int | None = None,
    client: Any = None,
    out: str | Path | None = None,
    progress: Progress | None = None,
    batch_size: int | None = None,
    series_reps: int = DEFAULT_SERIES_REPS,
    force: bool = False,
    command: list[str] | None = None,
    ensemble: Ensemble | None = None,
    assumptions: AssumptionSet | None = None,
) -> RunResult:
    """Run ``reps`` replications of ``scenario`` on local cores or a Dask cluster.

    Args:
        scenario: the validated scenario.
        reps: number of replications (>= 1).
        seed: the run's seed (>= 0).
        workers: local worker processes; default all cores (``os.cpu_count()``); 1 runs in
            the calling process. Ignored when ``client`` is given.
        client: a ``dask.distributed.Client``: run the batches on its cluster.
        out: output folder. Without one, every table is kept in memory; with one, chunks
            are written as batches finish and the final tables assembled from them.
        progress: optional callback ``progress(done, total)`` in replications.
        batch_size: replications per task; default the engine's (50 locally, 200 on a
            Dask cluster). Results do not depend on it except through
            the chunk layout, which :func:`resume` reads back from the manifest.
        series_reps: keep the full state series of replications ``0 .. series_reps - 1``;
            the quantiles in ``series_quantiles`` cover every replication.
        force: replace a non-empty ``out`` folder.
        command: command line to record in the manifest (default ``sys.argv``).
        ensemble: carry parameter uncertainty: replication ``i`` takes the parameters of the
            member drawn for ``(seed, i)`` (:mod:`kabulsim.calibration.ensemble`), except
            those the scenario changes from the baseline. None: the scenario's values.
        assumptions: carry the assumptions' uncertainty as well: replication ``i`` draws
            every assumption from its prior for ``(seed, i)``
            (:mod:`kabulsim.calibration.assumptions`), except those the scenario changes.
            None (the default): every assumption at the scenario's value, as before.

    Raises:
        ValueError: ``reps``, ``seed``, ``workers`` or ``batch_size`` out of range.
        FolderError: ``out`` exists and is not empty and may not be replaced.
    """
    engine = make_engine(workers, client)
    if batch_size is None:
        batch_size = engine.batch_size
    batches = plan_batches(scenario, reps, seed, batch_size, series_reps, ensemble, assumptions)
    began = time.perf_counter()
    if out is None:
        results: dict[int, BatchResult] = {}
        acc = CountAccumulator()

        def keep(result: BatchResult) -> None:
            # The counts are merged as each batch arrives, while the workers run the next
            # ones (counts add up exactly in any order): the end of the run does not wait
            # for a merge of every batch. The frames are kept to be put in batch order.
            acc.add(result.counts)
            results[result.index] = replace(result, counts=_NO_COUNTS)

        _execute(engine, batches, reps, 0, progress, keep)
        ordered = [results[i] for i in range(len(batches))]
        return RunResult(
            scenario=scenario,
            seed=seed,
            reps=reps,
            runtime_s=time.perf_counter() - began,
            failed=sum(r.failed for r in ordered),
            memory_summary=pd.concat([r.summary for r in ordered], ignore_index=True),
            series_quantiles=acc.quantiles(outputs_of(scenario.theatre.places).series_variables),
            memory_events=pd.concat([r.events for r in ordered], ignore_index=True),
            memory_series=pd.concat([r.series for r in ordered], ignore_index=True),
        )
    identity = {
        "scenario_hash": scenario_hash(batches[0].scenario_json),
        "seed": seed,
        "batch_size": batch_size,
        "series_reps": series_reps,
        "ensemble_hash": ensemble_hash(batches[0].ensemble_json),
    }
    if assumptions is not None:  # only then: a run without keeps its identity and manifest
        identity["assumptions_hash"] = ensemble_hash(batches[0].assumptions_json)
    store = RunStore.create(Path(out), identity, force=force)
    store.outputs = outputs_of(scenario.theatre.places)
    if ensemble is not None:
        atomic_write_text(store.root / ENSEMBLE_MEMBERS, batches[0].ensemble_json)
    manifest: dict[str, Any] = {
        "format": 2,
        "status": "running",
        "scenario": scenario.model_dump(mode="json"),
        **identity,
        "reps": reps,
        "events_csv": reps <= EVENTS_CSV_MAX,
        "versions": versions(),
        "command": command if command is not None else list(sys.argv),
        "engine": type(engine).__name__,
        "workers": engine.workers,
        "started": _now(),
        "finished": None,
        "reps_done": 0,
        "reps_failed": 0,
        "runtime_s": None,
        "ensemble": None if ensemble is None else ensemble.record(),
    }
    if assumptions is not None:
        manifest["assumptions"] = assumptions.record()
    with store.locked():
        store.write_manifest(manifest)
        return _run_into(store, manifest, batches, engine, progress, began)


def ensemble_hash(members_json: str) -> str:
    """The SHA-256 of the members a run's batches carry (``""``: no ensemble).

    Recorded in the manifest and in every batch record (the run's identity), and compared
    with ``ensemble_members.json`` on resume: chunks drawn from other members are never mixed
    into a run.
    """
    return scenario_hash(members_json) if members_json else ""


def _resume_members(store: RunStore, manifest: dict[str, Any], expected: str) -> Ensemble | None:
    """The members a run drew from, read back and checked against its ``ensemble_hash``.

    Raises:
        FolderError: the members file is missing, a link, too large, changed since the run
            started, or present in a run without an ensemble.
    """
    path = store.root / ENSEMBLE_MEMBERS
    if not manifest.get("ensemble"):
        if expected or path.exists() or path.is_symlink():
            raise FolderError(
                f"{path}: the manifest records no ensemble but the folder has one (or an"
                " ensemble_hash); the folder was changed, so it cannot be resumed"
            )
        return None
    try:
        text = read_bounded(path, MAX_MEMBERS_BYTES).decode("utf-8")
    except FileProblem as exc:
        raise FolderError(f"{exc}; the folder cannot be resumed") from None
    except FileNotFoundError:
        raise FolderError(
            f"{path}: missing; the run drew from an ensemble, so it cannot be resumed"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FolderError(f"{path}: unreadable ({type(exc).__name__})") from None
    if ensemble_hash(text) != expected:
        raise FolderError(
            f"{path}: changed since the run started (its SHA-256 differs from the manifest's"
            " ensemble_hash); the finished batches drew from other members, so the folder"
            " cannot be resumed: run it again"
        )
    return Ensemble.from_json(text)


def _run_into(
    store: RunStore,
    manifest: dict[str, Any],
    batches: list[Batch],
    engine: Engine,
    progress: Progress | None,
    began: float,
    done_before: set[int] | None = None,
) -> RunResult:
    """Run the batches not yet verified in ``store``, then assemble the final tables.

    The manifest's status ends ``complete``, or ``interrupted`` (stopped while running
    batches: finish with :func:`resume`), or ``failed`` (the final assembly failed, e.g. a
    full disk: the chunks are kept, so :func:`resume` finishes it too).
    """
    spans = {b.index: (b.start, b.stop) for b in batches}
    store.chunks.mkdir(exist_ok=True)
    if done_before is None:
        done_before = store.verified_batches(spans)
    todo = [b for b in batches if b.index not in done_before]
    reps = int(manifest["reps"])
    done = sum(b.stop - b.start for b in batches if b.index in done_before)
    stage = "interrupted"
    try:
        _execute(engine, todo, reps, done, progress, lambda r: store.write_batch(r, spans[r.index]))
        stage = "failed"
        failed, quantiles = store.finalize(len(batches), events_csv=bool(manifest["events_csv"]))
    except BaseException:
        finished = {b.index for b in batches if store.record(b.index).exists()}
        manifest.update(
            status=stage,
            reps_done=sum(b.stop - b.start for b in batches if b.index in finished),
            runtime_s=round(time.perf_counter() - began, 3),
        )
        with suppress(OSError):  # a full disk: the status stays at its last written value
            store.write_manifest(manifest)
        raise
    runtime = time.perf_counter() - began
    manifest.update(
        status="complete",
        finished=_now(),
        reps_done=reps,
        reps_failed=failed,
        runtime_s=round(runtime, 3),
    )
    store.write_manifest(manifest)
    return RunResult(
        scenario=Scenario.model_validate(manifest["scenario"]),
        seed=int(manifest["seed"]),
        reps=reps,
        runtime_s=runtime,
        failed=failed,
        series_quantiles=quantiles,
        out=store.root,
    )


def resume(
    out: str | Path,
    *,
    workers: int | None = None,
    client: Any = None,
    progress: Progress | None = None,
    command: list[str] | None = None,
) -> RunResult:
    """Finish a run from its output folder: run only the batches without chunks.

    The scenario, seed, replications and batch size come from the folder's manifest, so the
    final tables are identical to those of an uninterrupted run.

    Raises:
        FolderError: the folder has no readable manifest, the manifest is incomplete,
            or the folder holds chunks of another run; or another process holds its lock.
    """
    store = RunStore.open(Path(out))
    manifest = store.read_manifest()
    where = store.root / "manifest.json"
    if "ensemble_hash" not in manifest:
        raise FolderError(
            f"{where}: ensemble_hash missing (written by an earlier kabulsim, which did not"
            " record the members its batches drew from); run it again instead of resuming"
        )
    try:
        scenario = Scenario.model_validate(manifest_value(manifest, "scenario", dict, where))
        identity = {
            "scenario_hash": manifest_value(manifest, "scenario_hash", str, where),
            "seed": manifest_value(manifest, "seed", int, where),
            "batch_size": manifest_value(manifest, "batch_size", int, where),
            "series_reps": manifest_value(manifest, "series_reps", int, where),
            "ensemble_hash": manifest_value(manifest, "ensemble_hash", str, where),
        }
        priors = None
        if "assumptions" in manifest:
            identity["assumptions_hash"] = manifest_value(manifest, "assumptions_hash", str, where)
            record = manifest_value(manifest, "assumptions", dict, where)
            priors = AssumptionSet.from_json(json.dumps(record["set"]))
        reps = manifest_value(manifest, "reps", int, where)
        manifest_value(manifest, "events_csv", bool, where)
        batches = plan_batches(
            scenario,
            reps,
            identity["seed"],
            identity["batch_size"],
            identity["series_reps"],
            _resume_members(store, manifest, identity["ensemble_hash"]),
            priors,
        )
        if priors is not None and ensemble_hash(batches[0].assumptions_json) != identity.get(
            "assumptions_hash"
        ):
            raise FolderError(
                f"{where}: the assumptions do not match their assumptions_hash; the manifest was"
                " changed after the run started, so the folder cannot be resumed"
            )
    except (TypeError, ValueError, KeyError) as exc:
        if isinstance(exc, FolderError):
            raise
        raise FolderError(f"{where}: not a valid run manifest ({exc}); cannot resume") from None
    if scenario_hash(batches[0].scenario_json) != identity["scenario_hash"]:
        raise FolderError(
            f"{where}: the scenario does not match its scenario_hash; the manifest was changed"
            " after the run started, so the folder cannot be resumed"
        )
    store.identity = identity
    store.outputs = outputs_of(scenario.theatre.places)
    engine = make_engine(workers, client)
    ranges = {b.index: (b.start, b.stop) for b in batches}
    # every batch is checked before the lock file is made: a refused folder is unchanged
    store.verified_batches(ranges)
    with store.locked():
        # and again under the lock, which another process may have released since
        done_before = store.verified_batches(ranges)
        manifest.setdefault("resumed", []).append(
            {
                "at": _now(),
                "command": command if command is not None else list(sys.argv),
                "engine": type(engine).__name__,
                "workers": engine.workers,
            }
        )
        manifest["status"] = "running"
        store.write_manifest(manifest)
        return _run_into(
            store, manifest, batches, engine, progress, time.perf_counter(), done_before
        )


def run(
    scenario: Scenario,
    reps: int = 100,
    seed: int = 0,
    *,
    progress: Progress | None = None,
    ensemble: Ensemble | None = None,
    assumptions: AssumptionSet | None = None,
) -> RunResult:
    """Run ``reps`` replications of ``scenario`` serially and return their tables in memory.

    The serial shortcut of :func:`run_many` (one worker, no output folder, every
    replication's series kept).

    Args:
        scenario: the validated scenario.
        reps: number of replications (>= 1).
        seed: the run's seed (>= 0).
        progress: optional callback ``progress(done, total)``.
        ensemble: parameter uncertainty (see :func:`run_many`).
        assumptions: the assumptions' uncertainty (see :func:`run_many`).
    """
    return run_many(
        scenario,
        reps,
        seed,
        workers=1,
        progress=progress,
        series_reps=max(reps, 0),
        ensemble=ensemble,
        assumptions=assumptions,
    )
