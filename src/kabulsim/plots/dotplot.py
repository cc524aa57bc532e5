"""Uncertainty as outcomes: quantile dotplots of the headline outcomes, one row per scenario.

Each dot stands for 5% of the replications (20 dots, the quantiles at 2.5%, 7.5%, ... 97.5%;
:func:`kabulsim.analysis.intervals.quantile_dots`). Readers judge "how likely is it to be
later than ..." by counting dots, which non-specialists do better than with an interval
(Kay et al., CHI 2016; Fernandes et al., CHI 2018). Dots that fall among the replications
where the event did not happen (or the outcome has no value) are drawn hollow at the right,
under "none": a date not reached by the horizon, a vacuum that never opened.

Dots of equal value stack upward (a Wilkinson dot plot on a common grid of 40 bins per
panel), so a row's height shows where the replications pile up.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from kabulsim import outputs
from kabulsim.analysis import display
from kabulsim.analysis.intervals import quantile_dots
from kabulsim.analysis.story import sort_key
from kabulsim.plots.style import SERIES_CYCLE, new_figure, style_axes

DOTS = 20
"""Dots per scenario and outcome: each one is 5% of the replications."""
BINS = 40
"""Bins across a panel's range: dots in one bin stack."""
TITLE = "Each dot is 5% of the replications"
"""The figure's title."""


def quantile_dotplot(
    summaries: Mapping[str, pd.DataFrame],
    outcomes: Sequence[str] = outputs.HEADLINE_OUTCOMES,
) -> Figure | None:
    """Quantile dotplots of ``outcomes``: one panel each, one row of dots per scenario.

    Args:
        summaries: summary tables by scenario name (a run: one).
        outcomes: the outcomes to draw (those missing from every table are left out).

    Returns:
        The figure, or None when no table has any of the outcomes.
    """
    names = [o for o in outcomes if any(o in s.columns for s in summaries.values())]
    if not names or not summaries:
        return None
    rows = list(summaries)
    fig = new_figure(8.0, 1.0 + 0.45 * len(rows) * len(names) + 0.5 * len(names))
    axes = fig.subplots(len(names), 1, squeeze=False)[:, 0]
    for ax, name in zip(axes, names, strict=True):
        _panel(ax, name, {r: summaries[r] for r in rows})
    fig.suptitle(TITLE, fontsize=11)
    return fig


def _panel(ax: Axes, name: str, summaries: Mapping[str, pd.DataFrame]) -> None:
    time = outputs.OUTCOME_BY_NAME[name].kind == "time"
    dots = {
        row: quantile_dots(sort_key(s, name) if name in s.columns else pd.Series([], dtype=float))
        for row, s in summaries.items()
    }
    present = [v for d in dots.values() for v in d if v is not None]
    low, high = (min(present), max(present)) if present else (0.0, 1.0)
    width = (high - low) / BINS if high > low else 1.0
    none_x = high + 3 * width
    colors = list(SERIES_CYCLE)
    placed = {
        row: [none_x if v is None else low + (math.floor((v - low) / width) + 0.5) * width
              for v in values]
        for row, values in dots.items()
    }  # fmt: skip
    tallest = max(max(xs.count(x) for x in xs) for xs in placed.values())
    step = min(0.16, 0.8 / tallest)  # a stack stays inside its scenario's row
    for i, (row, xs) in enumerate(placed.items()):
        base = (len(dots) - 1 - i) * 1.0
        stack: dict[float, int] = {}
        color = colors[i % len(colors)]
        for x, v in zip(xs, dots[row], strict=True):
            k = stack.get(x, 0)
            stack[x] = k + 1
            face = "none" if v is None else color
            ax.plot(x, base + 0.12 + step * k, "o", ms=5, mfc=face, mec=color, mew=0.9)
    ax.set_yticks([(len(dots) - 1 - i) + 0.3 for i in range(len(dots))])
    ax.set_yticklabels(list(dots), fontsize=8)
    ax.set_ylim(-0.1, len(dots) + 0.2)
    ax.set_xlim(low - 2 * width, none_x + 2 * width)
    ax.axvline(high + 1.5 * width, color="#999999", lw=0.6, ls=":")
    ax.text(none_x, len(dots) + 0.05, "none", ha="center", va="top", fontsize=7, color="#555555")
    ax.xaxis.set_major_formatter(FuncFormatter(axis_formatter(name, time, high + 1.5 * width)))
    unit = "" if time else f" ({display.units(name)})" if display.units(name) else ""
    ax.set_title(display.title(name) + unit, fontsize=9, loc="left")
    ax.tick_params(axis="x", labelsize=8)
    style_axes(ax)


def axis_formatter(name: str, time: bool, edge: float) -> Callable[[float, object], str]:
    """Tick labels of an outcome's axis: dates as "12 Nov", numbers as tables write them.

    Nothing beyond ``edge`` (the "none" column).
    """

    def fmt(x: float, _pos: object = None) -> str:
        if x > edge or not np.isfinite(x):
            return ""
        if time:
            stamp = pd.Timestamp(x, unit="s", tz="UTC").tz_convert("Asia/Kabul")
            return f"{stamp.day} {stamp:%b}"
        return display.bare(name, x)

    return fmt
