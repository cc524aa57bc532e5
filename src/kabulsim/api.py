"""The package's entry points that run the model: a run in memory, sweeps, sensitivity, validation.

:func:`kabulsim.run` is :func:`kabulsim.experiments.runner.run` with one difference: when no
ensemble is named it draws each replication's parameters from the shipped baseline ensemble
(:data:`kabulsim.calibration.ensemble.DEFAULT`), as the command line does. Ten parameters are
known from no source and many sets of them reproduce the record; an answer at one set of
values hides that. ``ensemble=None`` (or ``"none"``) gives the scenario's single values. The
engines of the experiments layer (:func:`~kabulsim.experiments.runner.run`,
:func:`~kabulsim.run_many`) take an explicit :class:`~kabulsim.calibration.ensemble.Ensemble`
or None.

:func:`sweep`, :func:`sensitivity` and :func:`validate` run their scenarios through the same
engines (:func:`~kabulsim.experiments.points.run_points`, :func:`~kabulsim.experiments.runner.run`)
and hand the tables to :mod:`kabulsim.analysis`, which reads them and never runs the model.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kabulsim.calibration.assumptions import AssumptionSpec
from kabulsim.calibration.assumptions import resolve as resolve_assumptions
from kabulsim.calibration.ensemble import DEFAULT, EnsembleSpec, resolve
from kabulsim.experiments import runner

if TYPE_CHECKING:
    import pandas as pd

    from kabulsim.analysis.sensitivity import Factor, Method, SensitivityResult
    from kabulsim.analysis.sweep import Axis, SweepResult
    from kabulsim.analysis.validation import ValidationResult
    from kabulsim.calibration.ensemble import Ensemble
    from kabulsim.calibration.facts import FactsSpec
    from kabulsim.experiments.runner import Progress, RunResult
    from kabulsim.scenario import Scenario


def run(
    scenario: Scenario,
    reps: int = 100,
    seed: int = 0,
    *,
    progress: Progress | None = None,
    ensemble: EnsembleSpec = DEFAULT,
    assumptions: AssumptionSpec = None,
) -> RunResult:
    """Run ``reps`` replications of ``scenario`` serially and return their tables in memory.

    Args:
        scenario: the validated scenario.
        reps: number of replications (>= 1).
        seed: the run's seed (>= 0).
        progress: optional callback ``progress(done, total)``.
        ensemble: the parameter ensemble: ``"baseline"`` (the default: the shipped
            calibrated ensemble), None or ``"none"`` (the scenario's single values), an
            ensemble file's path or an :class:`~kabulsim.calibration.ensemble.Ensemble`.
            Replication ``i`` takes the member drawn for ``(seed, i)``; the parameters the
            scenario changes keep the scenario's values.
        assumptions: the second layer of uncertainty: ``"declared"`` (the priors of
            :mod:`kabulsim.calibration.assumptions`), a YAML file of priors, or None (the
            default) / ``"none"``: every assumption at the scenario's value.
    """
    priors = resolve_assumptions(assumptions)
    return runner.run(
        scenario, reps, seed, progress=progress, ensemble=resolve(ensemble), assumptions=priors
    )


def sweep(
    scenario: Scenario,
    axes: Sequence[Axis],
    outcomes: Sequence[str],
    *,
    reps: int = 100,
    seed: int = 0,
    workers: int | None = None,
    client: Any = None,
    out: Path | None = None,
    progress: Progress | None = None,
    ensemble: EnsembleSpec = DEFAULT,
) -> SweepResult:
    """Run every grid point and estimate each outcome with its 95% interval.

    Args:
        scenario: the scenario the grid varies.
        axes: the grid's axes (see :func:`~kabulsim.analysis.sweep.parse_axis`).
        outcomes: metrics (see :mod:`kabulsim.analysis.outcomes`).
        reps: replications per point.
        seed: seed shared by every point.
        workers: local processes (default all cores).
        client: a ``dask.distributed.Client``.
        out: folder for per-point results; an interrupted sweep resumes from it.
        progress: ``progress(done, total)`` in replications over the whole grid.
        ensemble: parameter uncertainty (see :func:`kabulsim.experiments.points.run_points`):
            by default the shipped baseline ensemble, None (or ``"none"``) for the scenario's
            single values; a free parameter on the grid keeps the grid's value at every point,
            the baseline's value included (:meth:`~kabulsim.calibration.ensemble.Ensemble.without`).
    """
    from kabulsim.analysis.outcomes import parse_metric
    from kabulsim.analysis.sweep import sweep_scenarios, sweep_table
    from kabulsim.experiments.points import run_points

    if not axes:
        raise ValueError("a sweep needs at least one --grid axis")
    for o in outcomes:
        parse_metric(o)
    scenarios = sweep_scenarios(scenario, axes)
    members = resolve(ensemble, pin=[a.path for a in axes])
    summaries = run_points(
        scenarios, reps, seed, workers=workers, client=client, out=out, progress=progress,
        ensemble=members,
    )  # fmt: skip
    return sweep_table(axes, outcomes, scenarios, summaries, reps, seed)


def sensitivity(
    scenario: Any,
    method: Method,
    outcome: str,
    *,
    factors: Sequence[Factor] | None = None,
    n: int = 10,
    reps: int = 50,
    seed: int = 0,
    workers: int | None = None,
    client: Any = None,
    out: Any = None,
    progress: Any = None,
) -> SensitivityResult:
    """Run a Morris or Sobol' analysis of ``outcome`` over the factors' ranges.

    Each parameter vector of the design runs ``reps`` replications with the same ``seed``
    (common random numbers); the outcome metric (:mod:`kabulsim.analysis.outcomes`) reduces
    them to one response per vector.

    Args:
        scenario: the scenario whose parameters are varied.
        method: ``"morris"`` or ``"sobol"``.
        outcome: the outcome metric.
        factors: the parameters and ranges (default: the main assumptions' plausible ranges).
        n: Morris trajectories or Sobol' base sample.
        reps: replications per vector.
        seed: seed of the design and of every vector's replications.
        workers: local processes (default all cores).
        client: a ``dask.distributed.Client``.
        out: folder for per-vector results (resumable).
        progress: ``progress(done, total)`` in replications.
    """
    from kabulsim.analysis.outcomes import parse_metric
    from kabulsim.analysis.sensitivity import (
        design_scenarios,
        make_design,
        plausible_factors,
        sensitivity_result,
    )
    from kabulsim.experiments.points import run_points

    parse_metric(outcome)
    chosen = list(factors) if factors is not None else plausible_factors()
    design = make_design(method, chosen, n, seed)
    scenarios = design_scenarios(scenario, chosen, design)
    summaries = run_points(
        scenarios, reps, seed, workers=workers, client=client, out=out, progress=progress
    )
    return sensitivity_result(method, outcome, design, scenarios, summaries, reps, seed)


def validate(
    scenario: Scenario | None = None,
    reps: int = 200,
    seed: int = 0,
    ensemble: EnsembleSpec = DEFAULT,
    facts: FactsSpec = None,
    single_values: bool = True,
) -> ValidationResult:
    """Run the baseline Monte Carlo, check every fitted fact and score every held-out fact.

    Two runs with the same replications, seed and ensemble: the scenario, and its variant
    without an air campaign run six months past its horizon, which the stalemate fact reads
    (:func:`kabulsim.analysis.validation.stalemate_scenario`; skipped when no fact reads it).
    With an ensemble and ``single_values``, a third run of the scenario's single values at
    the same seed and replications scores the held-out facts once more, so that the ensemble
    and the single values can be compared on what neither was fitted to.

    Args:
        scenario: the scenario to check (default: the baseline).
        reps: replications (at least 200 for the published check).
        seed: the run's seed.
        ensemble: parameter uncertainty: each replication takes the parameters of a member
            of this calibrated ensemble (see :func:`kabulsim.run`); by default the shipped
            baseline ensemble, None (or ``"none"``) for the scenario's single values.
        facts: the facts file (a path or a loaded
            :class:`~kabulsim.calibration.facts.FactSet`; default: the shipped one).
        single_values: also score the held-out facts on the single values (with an ensemble).
    """
    from kabulsim.analysis.validation import (
        ValidationResult,
        score_held_out,
        stalemate_scenario,
        validate_summary,
    )
    from kabulsim.calibration.facts import FactSet
    from kabulsim.calibration.facts import load as load_facts
    from kabulsim.experiments.points import run_points
    from kabulsim.scenario import Scenario

    chosen = facts if isinstance(facts, FactSet) else load_facts(facts)
    sc = scenario if scenario is not None else Scenario()
    members = resolve(ensemble)

    def summary(of: Scenario, members: Ensemble | None) -> pd.DataFrame:
        # Serial, as runner.run; the checks read the summary table alone, so the
        # replications run without events and series (the same table).
        return run_points([of], reps, seed, workers=1, ensemble=members)[0]

    result = summary(sc, members)
    stalemate = None
    if any(f.kind == "stalemate" for f in chosen.used_for("fit")):
        stalemate = summary(stalemate_scenario(sc), members)
    single = None
    if members is not None and single_values and chosen.used_for("held_out"):
        single = summary(sc, None)
    return ValidationResult(
        validate_summary(result, sc, stalemate, facts=chosen),
        reps,
        seed,
        held_out=score_held_out(result, chosen),
        held_out_single=None if single is None else score_held_out(single, chosen),
        summary=result,
        summary_single=single,
    )
