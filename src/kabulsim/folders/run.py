"""Run folders: the tables of a scenario's replications (or of a resumed run), then figures.

:func:`write_run_folder` runs a scenario into a folder (``manifest.json``, the summary, event
and series tables, ``chunks/`` as batches finish) and draws its figures; :func:`resume_run_folder`
finishes an interrupted one from its manifest. The figures come last and are pictures of the
tables: one that cannot be drawn is recorded in ``failures`` and left absent.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from kabulsim.limits import DEFAULT_SERIES_REPS

if TYPE_CHECKING:
    from kabulsim.calibration.ensemble import Ensemble
    from kabulsim.experiments.runner import Progress, RunResult
    from kabulsim.plots.io import FigureFailure
    from kabulsim.scenario import Scenario


def draw_run_figures(
    result: RunResult, out: Path, failures: list[FigureFailure] | None = None
) -> None:
    """The run's figures in ``out/figures`` (none when every replication failed)."""
    from kabulsim.plots.io import write_run_figures

    if result.failed < result.reps:
        write_run_figures(result, out / "figures", failures=failures)


def write_run_folder(
    scenario: Scenario,
    reps: int,
    seed: int,
    out: Path,
    *,
    ensemble: Ensemble | None,
    figures: bool = True,
    workers: int | None = None,
    client: Any = None,
    progress: Progress | None = None,
    batch_size: int | None = None,
    series_reps: int = DEFAULT_SERIES_REPS,
    force: bool = False,
    failures: list[FigureFailure] | None = None,
) -> RunResult:
    """Run ``reps`` replications of ``scenario`` into ``out``, then draw the figures.

    The arguments are :func:`kabulsim.experiments.runner.run_many`'s, with ``figures``
    (draw them) and ``failures`` (where figures that could not be drawn are recorded).
    """
    from kabulsim.experiments.runner import run_many

    result = run_many(
        scenario, reps, seed, workers=workers, client=client, out=out, progress=progress,
        batch_size=batch_size, series_reps=series_reps, force=force, ensemble=ensemble,
    )  # fmt: skip
    if figures:
        draw_run_figures(result, out, failures)
    return result


def resume_run_folder(
    out: Path,
    *,
    figures: bool = True,
    workers: int | None = None,
    client: Any = None,
    progress: Progress | None = None,
    failures: list[FigureFailure] | None = None,
) -> RunResult:
    """Finish the interrupted run in ``out`` (only its missing batches), then draw the figures."""
    from kabulsim.experiments.runner import resume

    result = resume(out, workers=workers, client=client, progress=progress)
    if figures:
        draw_run_figures(result, out, failures)
    return result


def run_summary(result: RunResult, out: Path) -> str:
    """The short summary ``kabulsim run`` prints of the run in ``out``, its ensemble named."""
    from kabulsim.analysis.describe import run_summary_text
    from kabulsim.calibration.ensemble import describe_record
    from kabulsim.experiments.studies import read_manifest

    record = read_manifest(out, "manifest.json").get("ensemble")
    return run_summary_text(result, describe_record(record if isinstance(record, dict) else None))
