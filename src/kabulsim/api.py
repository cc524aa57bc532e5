"""The package's entry point for a run in memory, with the honest default for parameters.

:func:`kabulsim.run` is :func:`kabulsim.experiments.runner.run` with one difference: when no
ensemble is named it draws each replication's parameters from the shipped baseline ensemble
(:data:`kabulsim.calibration.ensemble.DEFAULT`), as the command line does. Ten parameters are
known from no source and many sets of them reproduce the record; an answer at one set of
values hides that. ``ensemble=None`` (or ``"none"``) gives the scenario's single values. The
engines of the experiments layer (:func:`~kabulsim.experiments.runner.run`,
:func:`~kabulsim.run_many`) take an explicit :class:`~kabulsim.calibration.ensemble.Ensemble`
or None.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kabulsim.calibration.ensemble import DEFAULT, EnsembleSpec, resolve
from kabulsim.experiments import runner

if TYPE_CHECKING:
    from kabulsim.experiments.runner import Progress, RunResult
    from kabulsim.scenario import Scenario


def run(
    scenario: Scenario,
    reps: int = 100,
    seed: int = 0,
    *,
    progress: Progress | None = None,
    ensemble: EnsembleSpec = DEFAULT,
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
    """
    return runner.run(scenario, reps, seed, progress=progress, ensemble=resolve(ensemble))
