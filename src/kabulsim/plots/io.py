"""Saving figures, and writing every figure of a run."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import pandas as pd
from matplotlib.figure import Figure

from kabulsim.files import atomic_path
from kabulsim.plots.animate import animation
from kabulsim.plots.distributions import distributions
from kabulsim.plots.fan import fan_chart
from kabulsim.plots.geo import theatre_map
from kabulsim.plots.style import plain_text
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
    with atomic_path(paths[0]) as tmp:
        fig.savefig(tmp, format="png", dpi=dpi, metadata={"Software": None})
    with atomic_path(paths[1]) as tmp:
        fig.savefig(tmp, format="svg", metadata={"Date": None})
    return paths


def run_figures(run: RunLike) -> dict[str, Figure]:
    """Every static figure of a run, by file name (without the animation)."""
    sc, summary, series = run.scenario, run.summary, run.series
    figures = {
        "timeline": timeline(summary, sc),
        "distributions": distributions(summary, sc),
        "theatre_map": theatre_map(summary, series, sc),
    }
    if not series.empty:
        figures["fan_chart"] = fan_chart(series, sc, summary)
    return figures


def write_run_figures(run: RunLike, folder: str | Path, animate: bool = True) -> list[Path]:
    """Write every figure of a run into ``folder``: PNG and SVG each, and the animation GIF.

    Args:
        run: the run (anything with ``summary``, ``series`` and ``scenario``).
        folder: output folder (created if needed).
        animate: whether to write ``animation.gif`` (needs a non-empty series).

    Returns:
        The paths written.

    """
    paths: list[Path] = []
    for name, fig in run_figures(run).items():
        paths.extend(save(fig, folder, name))
    if animate and not run.series.empty:
        paths.append(
            animation(run.series, run.summary, run.scenario, Path(folder) / "animation.gif")
        )
    return paths
