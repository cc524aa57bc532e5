"""Figures for sweeps and sensitivity analyses: response curves, heat maps, ranked indices."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from kabulsim.analysis.sensitivity import SensitivityResult
from kabulsim.analysis.sweep import SweepResult
from kabulsim.plots.style import COLORS, SERIES_CYCLE, format_date_axis, new_figure, style_axes
from kabulsim.timebase import KABUL


def _positions(values: pd.Series) -> tuple[np.ndarray, str, list[str] | None]:
    """Where grid values go on an axis: ``(x, kind, labels)``.

    Numbers stay numbers (``kind`` "number"); dates become Matplotlib date numbers
    ("date"); anything else (a choice such as a withdrawal policy) is placed at 0, 1, 2, ...
    in order of first appearance ("category", with the labels).
    """
    numbers = pd.to_numeric(values, errors="coerce")
    if not numbers.isna().any():
        return numbers.to_numpy(dtype=float), "number", None
    try:
        dates = pd.to_datetime(values.astype(str), utc=True, format="ISO8601")
    except (ValueError, TypeError):
        dates = None
    if dates is not None and not dates.isna().any():
        import matplotlib.dates as mdates

        nums = mdates.date2num(dates.dt.tz_convert(KABUL))  # type: ignore[no-untyped-call]
        return np.asarray(nums), "date", None
    labels = list(dict.fromkeys(str(v) for v in values))
    return np.array([labels.index(str(v)) for v in values], dtype=float), "category", labels


def _label(value: object) -> str:
    return f"{value:g}" if isinstance(value, int | float) else str(value)


def sweep_figure(result: SweepResult, metric: str | None = None) -> Figure:
    """The response of one outcome to the grid.

    One axis: the estimate against the parameter with its 95% interval as a band (one line
    per value of a second axis, if any, when that axis has at most seven values). Two axes
    with more values: a heat map of the estimate.

    Args:
        result: the sweep.
        metric: which outcome (default: the first).
    """
    m = metric if metric is not None else result.metrics[0].text
    label = next(x.label for x in result.metrics if x.text == m)
    table = result.table
    x_axis = result.axes[0]
    fig = new_figure(7.5, 4.5)
    ax = fig.subplots()
    if len(result.axes) == 1 or (len(result.axes) == 2 and len(result.axes[1].values) <= 7):
        groups = [(None, table)]
        if len(result.axes) == 2:
            y_axis = result.axes[1]
            groups = [(v, table[table[y_axis.path] == v]) for v in y_axis.values]
        for i, (value, part) in enumerate(groups):
            colour = SERIES_CYCLE[i % len(SERIES_CYCLE)]
            x, kind, labels = _positions(part[x_axis.path])
            name = None if value is None else f"{result.axes[1].path} = {value}"
            ax.fill_between(
                x, part[f"{m} low"], part[f"{m} high"], color=colour, alpha=0.2, linewidth=0
            )
            ax.plot(x, part[m], marker="o", color=colour, label=name)
        if kind == "date":
            format_date_axis(ax, label=False)
        elif labels is not None:
            ax.set_xticks(np.arange(len(labels)), labels)
        if len(groups) > 1:
            ax.legend(frameon=False)
        ax.set_xlabel(x_axis.path)
        ax.set_ylabel(label)
        ax.set_title(
            f"{label} against {x_axis.path}\n(95% intervals, {result.reps} replications per point)"
        )
    else:
        y_axis = result.axes[1]
        grid = table.pivot_table(index=y_axis.path, columns=x_axis.path, values=m)
        image = ax.imshow(grid.to_numpy(dtype=float), origin="lower", aspect="auto", cmap="cividis")
        ax.set_xticks(np.arange(grid.shape[1]), [_label(v) for v in grid.columns])
        ax.set_yticks(np.arange(grid.shape[0]), [_label(v) for v in grid.index])
        ax.set_xlabel(x_axis.path)
        ax.set_ylabel(y_axis.path)
        fig.colorbar(image, ax=ax, label=label)
        ax.set_title(f"{label} over {x_axis.path} and {y_axis.path}")
    style_axes(ax)
    return fig


def indices_figure(result: SensitivityResult) -> Figure:
    """Ranked sensitivity indices with their 95% confidence intervals as a bar chart."""
    table = result.table.iloc[::-1]
    if result.method == "morris":
        cols = [("mu_star", "mu_star_conf", "mu* (mean absolute elementary effect)")]
    else:
        cols = [("ST", "ST_conf", "ST (total)"), ("S1", "S1_conf", "S1 (first order)")]
    fig = new_figure(7.5, 1.2 + 0.32 * len(table))
    ax = fig.subplots()
    y = np.arange(len(table))
    height = 0.8 / len(cols)
    for i, (col, conf, name) in enumerate(cols):
        ax.barh(
            y + (i - (len(cols) - 1) / 2) * height,
            table[col],
            height=height,
            xerr=table[conf],
            color=COLORS["alliance"] if i == 0 else COLORS["withdrawal"],
            error_kw={"elinewidth": 0.8, "capsize": 2},
            label=name,
        )
    ax.set_yticks(y, table["factor"])
    ax.set_xlabel(cols[0][2] if len(cols) == 1 else "Sobol' index")
    ax.legend(frameon=False, loc="lower right")
    ax.set_title(
        f"Sensitivity of {result.metric} ({result.method}, {len(result.design.X)} parameter"
        f" vectors x {result.reps} replications)"
    )
    style_axes(ax)
    return fig
