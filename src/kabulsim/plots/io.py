"""Saving figures, and writing every figure of a run."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Protocol

import pandas as pd
from matplotlib.figure import Figure

from kabulsim.files import atomic_path
from kabulsim.plots.animate import animation
from kabulsim.plots.distributions import distributions
from kabulsim.plots.fan import fan_chart, fan_chart_from_quantiles
from kabulsim.plots.geo import theatre_map
from kabulsim.plots.style import plain_text
from kabulsim.plots.survival import fall_by_date_figure
from kabulsim.plots.timeline import timeline
from kabulsim.scenario.schema import Scenario


class RunLike(Protocol):
    """Anything with a run's summary, series and scenario (e.g. :class:`RunResult`)."""

    @property
    def summary(self) -> pd.DataFrame:
        """One row per replication."""

    @property
    def series(self) -> pd.DataFrame:
        """State samples per replication."""

    @property
    def scenario(self) -> Scenario:
        """The scenario that was run."""


def save(fig: Figure, folder: str | Path, name: str, dpi: float = 120.0) -> list[Path]:
    """Write ``fig`` as ``name.png`` and ``name.svg`` into ``folder`` (created if needed).

    Returns:
        The two paths written.

    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"{name}.png", out / f"{name}.svg"]
    plain_text(fig)
    try:
        with atomic_path(paths[0]) as tmp:
            fig.savefig(tmp, format="png", dpi=dpi, metadata={"Software": None})
        # The layout was computed for the PNG; the SVG keeps it (constrained layout would
        # otherwise be solved again, a large part of a figure's cost).
        fig.set_layout_engine("none")
        with atomic_path(paths[1]) as tmp:
            fig.savefig(tmp, format="svg", metadata={"Date": None})
    except BaseException:
        paths[0].unlink(missing_ok=True)  # both pictures or neither
        raise
    return paths


def _fan_chart(run: RunLike) -> Figure | None:
    quantiles = getattr(run, "series_quantiles", None)
    if quantiles is not None and not quantiles.empty:
        # The run's own aggregated table (all replications): the PNG shows the Parquet.
        return fan_chart_from_quantiles(quantiles, run.scenario, run.summary)
    if not run.series.empty:
        return fan_chart(run.series, run.scenario, run.summary)
    return None


@dataclass(frozen=True)
class RunFigure:
    """A figure drawn for every run: its file name, its caption, and how to draw it.

    ``draw`` returns None when the run lacks what the figure needs (e.g. no series).
    """

    name: str
    caption: str
    draw: Callable[[RunLike], Figure | None]


RUN_FIGURES: tuple[RunFigure, ...] = (
    RunFigure(
        "timeline",
        "Campaign timeline: median phases with their 5-95% spread over replications.",
        lambda run: timeline(run.summary, run.scenario),
    ),
    RunFigure(
        "fan_chart",
        "State over time: median with 50% and 90% bands over replications.",
        _fan_chart,
    ),
    RunFigure(
        "distributions",
        "Key outcomes over replications, with the historical record marked.",
        lambda run: distributions(run.summary, run.scenario),
    ),
    RunFigure(
        "theatre_map",
        "Theatre map (Natural Earth borders and rivers, main roads and passes) with fronts and"
        " median withdrawal flows.",
        lambda run: theatre_map(run.summary, run.series, run.scenario),
    ),
    RunFigure(
        "fall_by_date",
        "Probability that Kabul has fallen (the Taliban no longer hold it) by each date, with"
        " 95% intervals; replications in which it has not fallen by the horizon are censored.",
        lambda run: fall_by_date_figure(
            {run.scenario.name: run.summary}, {run.scenario.name: run.scenario}
        ),
    ),
)
"""The figures of a run, in the order the report shows them (``run`` and ``report`` both
draw this list)."""


def run_figures(run: RunLike) -> dict[str, Figure]:
    """Every static figure of a run (:data:`RUN_FIGURES`), by file name (no animation).

    The fan chart is drawn from the run's ``series_quantiles`` when it has them (a
    :class:`~kabulsim.experiments.runner.RunResult` or a run folder), so that the figure
    and ``series_quantiles.parquet`` agree; otherwise from its series table.
    """
    figures = {spec.name: spec.draw(run) for spec in RUN_FIGURES}
    return {name: fig for name, fig in figures.items() if fig is not None}


def run_figure_draws(run: RunLike) -> dict[str, Callable[[], Figure | None]]:
    """How to draw each figure of :data:`RUN_FIGURES` for ``run``, by file name (not drawn)."""
    return {spec.name: partial(spec.draw, run) for spec in RUN_FIGURES}


@dataclass(frozen=True)
class FigureFailure:
    """A figure that could not be drawn or written: its name and the error, in one line."""

    name: str
    reason: str

    @classmethod
    def of(cls, name: str, exc: BaseException) -> FigureFailure:
        """The failure of figure ``name`` from the exception it raised."""
        text = str(exc).splitlines()[0] if str(exc) else ""
        return cls(name, f"{type(exc).__name__}: {text}" if text else type(exc).__name__)


def write_figures(
    draws: Mapping[str, Callable[[], Figure | None]],
    folder: str | Path,
    failures: list[FigureFailure] | None = None,
) -> list[Path]:
    """Draw and save each figure (PNG and SVG), by file name.

    A figure is the picture of tables already written, so one that fails need not cost the
    others: with a ``failures`` list, a figure that raises is recorded there (name and
    error) and left absent (:func:`save` writes a file whole or not at all), and the others
    are written. Without it the first error propagates.

    Returns:
        The paths written.
    """
    paths: list[Path] = []
    for name, draw in draws.items():
        try:
            fig = draw()
            if fig is not None:
                paths.extend(save(fig, folder, name))
        except Exception as exc:
            if failures is None:
                raise
            failures.append(FigureFailure.of(name, exc))
    return paths


def write_run_figures(
    run: RunLike,
    folder: str | Path,
    animate: bool = True,
    *,
    failures: list[FigureFailure] | None = None,
) -> list[Path]:
    """Write every figure of a run into ``folder``: PNG and SVG each, and the animation GIF.

    Args:
        run: the run (anything with ``summary``, ``series`` and ``scenario``).
        folder: output folder (created if needed).
        animate: whether to write ``animation.gif`` (needs a non-empty series).
        failures: where to record the figures that fail (see :func:`write_figures`); the
            others are still written. None: the first error propagates.

    Returns:
        The paths written.

    """
    paths = write_figures(run_figure_draws(run), folder, failures)
    if animate and not run.series.empty:
        try:
            paths.append(
                animation(run.series, run.summary, run.scenario, Path(folder) / "animation.gif")
            )
        except Exception as exc:
            if failures is None:
                raise
            failures.append(FigureFailure.of("animation", exc))
    return paths
