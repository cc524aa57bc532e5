"""Sweep and sensitivity folders: check the design, enforce the limits, run, write.

A study is planned first (:func:`plan_sweep`, :func:`plan_sensitivity`): every grid point or
parameter vector is checked to be a valid scenario and the size is held to
:data:`~kabulsim.limits.MAX_REPS` before any folder is made, and the plan carries the
study's configuration (its provenance, written to ``study.json`` and compared on resume).
:func:`write_sweep` and :func:`write_sensitivity` then run the plan into a folder prepared by
:func:`prepare_out`: the tables, ``study.json`` and the figures, last.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kabulsim.folders import StudyError
from kabulsim.limits import MAX_REPS

if TYPE_CHECKING:
    from kabulsim.analysis.sensitivity import Factor, Method, SensitivityResult
    from kabulsim.analysis.sweep import Axis, SweepResult
    from kabulsim.calibration.ensemble import Ensemble
    from kabulsim.experiments.runner import Progress
    from kabulsim.plots.io import FigureFailure
    from kabulsim.scenario import Scenario

DEFAULT_OUTCOME = "alliance_enters_kabul<=2001-11-15"
"""The sweep's outcome when none is given."""


def once(option: str, paths: list[str], how: str) -> None:
    """Refuse a parameter named twice (one of the two would silently be dropped)."""
    twice = next((p for p in paths if paths.count(p) > 1), None)
    if twice is not None:
        raise StudyError(f"{option} {twice}: given twice; give each parameter once {how}".rstrip())


def prepare_out(
    kind: str, config: dict[str, Any], name: str, out: Path | None, *, force: bool, resume: bool
) -> Path:
    """The study's folder, made ready (a new one under runs/ when ``out`` is None)."""
    from kabulsim.experiments.studies import default_out_dir, prepare_study

    if resume and out is None:
        raise StudyError("--resume needs the --out folder of the study to continue")
    folder = out if out is not None else default_out_dir(f"{kind}-{name}")
    return prepare_study(folder, config, force=force, resume=resume)


@dataclass(frozen=True)
class SweepPlan:
    """A checked sweep: its axes, outcomes, ensemble members, points and provenance."""

    scenario: Scenario
    axes: list[Axis]
    outcomes: list[str]
    members: Ensemble | None
    points: list[Scenario]
    reps: int
    seed: int
    config: dict[str, Any]

    def size_text(self) -> str:
        """What the sweep runs, stated before it starts."""
        points = len(self.points)
        return (
            f"sweep: {points} grid points x {self.reps} replications"
            f" = {points * self.reps:,} replications"
        )


def plan_sweep(
    scenario: Scenario,
    grid: Sequence[str],
    outcomes: Sequence[str] | None,
    *,
    reps: int,
    seed: int,
    ensemble: Ensemble | None,
) -> SweepPlan:
    """Parse and check a grid (``KEY=LO:HI:N`` or ``KEY=A,B,C`` texts) and its outcomes.

    Raises:
        StudyError: a bad axis or outcome, a parameter twice, a point that is not a valid
            scenario, or more than :data:`~kabulsim.limits.MAX_REPS` replications.
    """
    from kabulsim.analysis.outcomes import parse_metric
    from kabulsim.analysis.sweep import grid_points, parse_axis, with_values
    from kabulsim.calibration.ensemble import resolve
    from kabulsim.scenario.overrides import PathProblem

    try:
        axes = [parse_axis(text) for text in grid]
        chosen = list(outcomes) if outcomes else [DEFAULT_OUTCOME]
        for o in chosen:
            parse_metric(o)
    except ValueError as exc:
        raise StudyError(str(exc)) from None
    once("--grid", [a.path for a in axes], "with all its values")
    members = resolve(ensemble, pin=[a.path for a in axes])
    config = {
        "scenario": scenario.model_dump(mode="json"),
        "grid": list(grid),
        "outcomes": chosen,
        "reps": reps,
        "seed": seed,
        # the members as the sweep uses them: the parameters on the grid are left to it
        "ensemble": None if members is None else members.record(),
    }
    try:
        points = [with_values(scenario, point) for point in grid_points(axes)]
    except (ValueError, PathProblem) as exc:
        raise StudyError(f"--grid: {exc}") from None
    if len(points) * reps > MAX_REPS:
        raise StudyError(
            f"--grid and --reps: {len(points):,} points x {reps:,} replications is more than"
            f" {MAX_REPS:,} replications; use fewer points or replications"
        )
    return SweepPlan(scenario, axes, chosen, members, points, reps, seed, config)


def write_sweep(
    plan: SweepPlan,
    out: Path,
    *,
    workers: int | None = None,
    client: Any = None,
    progress: Progress | None = None,
    failures: list[FigureFailure] | None = None,
) -> SweepResult:
    """Run ``plan`` into ``out``: sweep.csv, study.json, then one figure per outcome.

    Finished points are kept in ``out`` as they complete (an interrupted sweep is resumed
    with the same plan and ``prepare_out(..., resume=True)``). A figure that cannot be drawn
    is recorded in ``failures`` and left absent.
    """
    from kabulsim.api import sweep
    from kabulsim.experiments.studies import folder_lock, write_study
    from kabulsim.plots.io import write_figures
    from kabulsim.plots.sensitivity import sweep_figure

    with folder_lock(out):
        began = time.time()
        write_study(out, "sweep", plan.config, began, done=False)
        result = sweep(
            plan.scenario, plan.axes, plan.outcomes, ensemble=plan.members, reps=plan.reps,
            seed=plan.seed, workers=workers, client=client, out=out, progress=progress,
        )  # fmt: skip
        write_study(out, "sweep", plan.config, began, done=True, tables={"sweep.csv": result.table})
        draws = {
            f"sweep_{i + 1}": partial(sweep_figure, result, metric.text)
            for i, metric in enumerate(result.metrics)
        }
        write_figures(draws, out, failures if failures is not None else [])
    return result


@dataclass(frozen=True)
class SensitivityPlan:
    """A checked sensitivity design: method, outcome, factors, size and provenance."""

    scenario: Scenario
    method: Method
    outcome: str
    factors: list[Factor]
    n: int
    vectors: int
    reps: int
    seed: int
    config: dict[str, Any]

    @property
    def total(self) -> int:
        """Replications the design runs."""
        return self.vectors * self.reps

    def size_text(self, rate: float) -> str:
        """What the design runs and how long it takes at ``rate`` replications per second."""
        return (
            f"{self.method}: {len(self.factors)} parameters, n = {self.n}: {self.vectors:,}"
            f" parameter vectors x {self.reps} replications = {self.total:,} replications;"
            f" about {self.total / rate / 60:.1f} min at {rate:.0f} replications/s"
        )


def plan_sensitivity(
    scenario: Scenario,
    method: Method,
    outcome: str,
    *,
    params: Sequence[str] | None = None,
    ranges: dict[str, tuple[float, float]] | None = None,
    n: int | None = None,
    reps: int = 50,
    seed: int = 0,
) -> SensitivityPlan:
    """Check a Morris or Sobol' design: its factors, outcome, size and every vector.

    Args:
        scenario: the scenario whose parameters are varied.
        method: ``"morris"`` or ``"sobol"``.
        outcome: the outcome metric (:mod:`kabulsim.analysis.outcomes`).
        params: the parameters to vary (None: the main assumptions; ``["all"]``: every
            parameter with a plausible range).
        ranges: ranges replacing the plausible ones.
        n: Morris trajectories (default 10) or Sobol' base sample (default 64).
        reps: replications per parameter vector.
        seed: the design's and the replications' seed.

    Raises:
        StudyError: a bad factor, outcome or ``n``; a parameter twice; more than
            :data:`~kabulsim.limits.MAX_REPS` replications; a vector that is not a valid
            scenario.
    """
    from kabulsim.analysis.outcomes import parse_metric
    from kabulsim.analysis.sensitivity import design_size, make_design, plausible_factors
    from kabulsim.analysis.sweep import with_values
    from kabulsim.scenario.overrides import PathProblem

    size = n if n is not None else (10 if method == "morris" else 64)
    try:
        factors = plausible_factors(None if params is None else list(params), ranges or {})
        once("--params", [f.path for f in factors], "")
        parse_metric(outcome)
        if len(factors) < 2:
            raise ValueError("a sensitivity analysis needs at least two parameters")
        if method == "sobol" and size & (size - 1):
            raise ValueError(f"--n {size}: the Sobol' base sample size must be a power of 2")
    except ValueError as exc:
        raise StudyError(str(exc)) from None
    vectors = design_size(method, len(factors), size)
    if vectors * reps > MAX_REPS:
        raise StudyError(
            f"--n and --reps: {vectors:,} parameter vectors x {reps:,} replications is more"
            f" than {MAX_REPS:,} replications; use a smaller --n or fewer replications"
        )
    try:  # every parameter vector must be a valid scenario before anything is written
        for row in make_design(method, factors, size, seed).X.tolist():
            with_values(scenario, {f.path: v for f, v in zip(factors, row, strict=True)})
    except (ValueError, PathProblem) as exc:
        raise StudyError(f"parameter ranges: {exc}") from None
    config = {
        "scenario": scenario.model_dump(mode="json"),
        "method": method,
        "outcome": outcome,
        "factors": [[f.path, f.low, f.high] for f in factors],
        "n": size,
        "reps": reps,
        "seed": seed,
    }
    return SensitivityPlan(scenario, method, outcome, factors, size, vectors, reps, seed, config)


def replications_per_second(scenario: Scenario, workers: int | None) -> float:
    """Replications per second this machine manages, from a few timed replications."""
    from kabulsim.model.simulate import summarise

    began = time.perf_counter()
    for rep in range(10):
        summarise(scenario, 0, rep)  # as the design's points run them (summaries only)
    per_rep = (time.perf_counter() - began) / 10
    cores = workers if workers is not None else (os.cpu_count() or 1)
    return 0.9 * cores / per_rep


def write_sensitivity(
    plan: SensitivityPlan,
    out: Path,
    *,
    workers: int | None = None,
    client: Any = None,
    progress: Progress | None = None,
    failures: list[FigureFailure] | None = None,
) -> SensitivityResult:
    """Run ``plan`` into ``out``: indices.csv, design.csv, study.json, then the bar chart."""
    import pandas as pd

    from kabulsim.api import sensitivity
    from kabulsim.experiments.studies import folder_lock, write_study
    from kabulsim.plots.io import write_figures
    from kabulsim.plots.sensitivity import indices_figure

    with folder_lock(out):
        began = time.time()
        write_study(out, "sensitivity", plan.config, began, done=False)
        result = sensitivity(
            plan.scenario, plan.method, plan.outcome, factors=plan.factors, n=plan.n,
            reps=plan.reps, seed=plan.seed, workers=workers, client=client, out=out,
            progress=progress,
        )  # fmt: skip
        design = result.design
        frame = {f.path: design.X[:, j] for j, f in enumerate(design.factors)}
        tables = {
            "indices.csv": result.table,
            "design.csv": pd.DataFrame({**frame, "response": result.responses}),
        }
        write_study(out, "sensitivity", plan.config, began, done=True, tables=tables)
        draws = {"indices": partial(indices_figure, result)}
        write_figures(draws, out, failures if failures is not None else [])
    return result
