"""Fan charts of the state series: the median with 50% and 90% bands over time."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from kabulsim import outputs
from kabulsim.experiments.quantiles import frame_quantiles
from kabulsim.plots import _data
from kabulsim.plots.style import (
    COLORS,
    FONT,
    date_num,
    format_date_axis,
    new_figure,
    style_axes,
)
from kabulsim.scenario.schema import Scenario

QUANTILE_COLUMNS = ("p05", "p25", "p50", "p75", "p95")
"""Quantile column names, the same as the runner's ``series_quantiles.parquet``."""
"""The quantile columns of a quantiles frame (5th, 25th, 50th, 75th, 95th percentiles)."""

NUMERIC_VARIABLES = outputs.STATE_NUMERIC

LABELS = {
    name: (label.title, label.units, COLORS[label.colour])
    for name, label in outputs.SERIES_LABELS.items()
}
"""Title, unit and colour of each series variable of the 2001 theatre (from
:mod:`kabulsim.outputs`; another place's: :func:`kabulsim.outputs.series_label`)."""


def default_variables(scenario: Scenario) -> tuple[str, ...]:
    """The variables of a run's fan chart.

    The Taliban, the alliance and the Taliban's morale on the front that covers Kabul, then
    the Taliban's morale on each front the scenario declares (``fronts:``).
    """
    theatre = scenario.theatre
    cols = outputs.per_place(outputs.STATE_DECLARED, theatre.places)
    capital = next(f.name for f in theatre.fronts if f.plays("capital"))
    keys = ("taliban_{place}", "alliance_{front}", "morale_{front}")
    own = tuple(cols[(key, capital)] for key in keys)
    return (*own, *(cols[("morale_{front}", name)] for name in scenario.fronts))


def _label(var: str, scenario: Scenario) -> tuple[str, str, str]:
    label = outputs.of(scenario.theatre.places).series_labels.get(var) or outputs.series_label(var)
    if label is None:
        return var, "", COLORS["neutral"]
    return label.title, label.units, COLORS[label.colour]


EVENT_MARKERS = tuple(
    (name, outputs.OUTCOME_BY_NAME[name].title) for name in outputs.HISTORICAL_DATES
)
"""Summary columns whose median dates are marked on fan charts: the dated record."""

MARKER_STYLES = (":", "--", "-.")


def series_quantiles(series: pd.DataFrame) -> pd.DataFrame:
    """Quantiles over replications of each series variable at each grid time.

    The result is the long *quantiles frame* that :func:`fan_chart_from_quantiles` reads:

    ============ =========================================================================
    column       meaning
    ============ =========================================================================
    ``t_h``      clock hours since ``scenario.start`` (float)
    ``variable`` a series variable: the numeric columns of the series (``taliban_shamali``
                 ... ``stragglers``) and the 0/1 indicators ``city_holder_taliban``,
                 ``city_holder_none``, ``city_holder_alliance`` (their mean is the share of
                 replications in which that side holds Kabul)
    ``n``        replications with a value at that time
    ``mean``     mean over replications
    ``p05`` ...  the 5th, 25th, 50th, 75th and 95th percentiles (inverted empirical
    ``p95``      distribution of values rounded to 10 significant bits: the same statistic
                 as the run's ``series_quantiles.parquet``,
                 :func:`kabulsim.experiments.quantiles.frame_quantiles`)
    ============ =========================================================================

    Rows are sorted by variable and time.

    Args:
        series: a series frame (one row per replication and sample time).

    """
    q = frame_quantiles(series)
    return q[["t_h", "variable", "n", "mean", *QUANTILE_COLUMNS]]


def _normalise(quantiles: pd.DataFrame) -> pd.DataFrame:
    out = quantiles
    missing = [c for c in ("t_h", "variable", *QUANTILE_COLUMNS) if c not in out]
    if missing:
        raise ValueError(f"quantiles frame lacks columns {missing}")
    return out


def fan_chart_from_quantiles(
    quantiles: pd.DataFrame,
    scenario: Scenario,
    summary: pd.DataFrame | None = None,
    variables: Sequence[str] | None = None,
    days: float | None = None,
) -> Figure:
    """Fan chart from a quantiles frame (see :func:`series_quantiles` for the format).

    One axis per variable, sharing a date axis: the median as a line, the 50% band (25th to
    75th percentile) darker and the 90% band (5th to 95th) lighter. With ``summary``,
    dotted vertical lines mark the median dates of the fall of Mazar-i-Sharif, the Shamali
    fight and the entry into Kabul.

    Args:
        quantiles: the long quantiles frame.
        scenario: the scenario that was run (start date).
        summary: the run's summary table, for the event markers (optional).
        variables: the variables to draw, one axis each; None: :func:`default_variables`.
        days: days from the start to show (default: until ten days after the median
            entry, or the whole horizon).

    Returns:
        The figure.

    """
    q = _normalise(quantiles)
    variables = default_variables(scenario) if variables is None else variables
    fig = new_figure(8.5, 1.2 + 2.0 * len(variables))
    axes = fig.subplots(len(variables), 1, sharex=True, squeeze=False)[:, 0]
    t0 = date_num(scenario.start)
    markers: list[tuple[float, str]] = []
    entry: list[float] = []
    if summary is not None:
        for col, label in EVENT_MARKERS:
            if col in summary:
                med = _data.quantiles(_data.date_nums(summary[col]))[1]
                if np.isfinite(med):
                    markers.append((med, label))
                    if col == "alliance_enters_kabul":
                        entry.append(med)
    if days is None:
        days = min(scenario.horizon_days, entry[0] - t0 + 10.0) if entry else None
        days = days if days is not None else scenario.horizon_days
    for i, (ax, var) in enumerate(zip(axes, variables, strict=True)):
        title, unit, color = _label(var, scenario)
        part = q[q["variable"] == var].sort_values("t_h")
        x = t0 + part["t_h"].to_numpy(float) / 24.0
        if var.startswith("city_holder_") and "mean" in part:
            # a 0/1 indicator: its quantiles say nothing, its mean is the share of runs
            ax.plot(x, part["mean"], color=color, lw=1.5, label="share of replications")
            ax.set_ylim(0, 1.02)
        else:
            kw = {"color": color, "lw": 0}
            ax.fill_between(x, part["p05"], part["p95"], alpha=0.18, label="90%", **kw)
            ax.fill_between(x, part["p25"], part["p75"], alpha=0.38, label="50%", **kw)
            ax.plot(x, part["p50"], color=color, lw=1.5, label="median")
        ax.set_title(title, loc="left", fontsize=FONT["label"])
        ax.set_ylabel(unit)
        ax.set_ylim(bottom=0)
        for (xm, label), dash in zip(markers, MARKER_STYLES, strict=False):
            ax.axvline(xm, color=COLORS["record"], lw=0.9, ls=dash, label=f"median: {label}")
        style_axes(ax)
        if i == 0:
            ax.legend(loc="lower left", frameon=False, ncols=2)
    axes[-1].set_xlim(t0, t0 + days)
    format_date_axis(axes[-1], days)
    fig.suptitle(
        "State over time: median, 50% and 90% bands over replications",
        fontsize=FONT["title"],
    )
    return fig


def fan_chart(
    series: pd.DataFrame,
    scenario: Scenario,
    summary: pd.DataFrame | None = None,
    variables: Sequence[str] | None = None,
    days: float | None = None,
) -> Figure:
    """Fan chart of a series frame: median with 50% and 90% bands per variable.

    Computes :func:`series_quantiles` and draws :func:`fan_chart_from_quantiles`.

    Args:
        series: the run's series frame (one row per replication and sample time).
        scenario: the scenario that was run.
        summary: the run's summary table, for the event markers (optional).
        variables: the variables to draw, one axis each; None: :func:`default_variables`.
        days: days from the start to show (default: see :func:`fan_chart_from_quantiles`).

    Returns:
        The figure.

    """
    return fan_chart_from_quantiles(series_quantiles(series), scenario, summary, variables, days)
