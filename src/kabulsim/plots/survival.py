"""The fall-by-date figure: the probability that Kabul has fallen by each date.

One step curve per scenario with its Wilson 95% band, drawn up to the horizon and no further
(beyond it nothing is known). The share at the horizon is written at the end of each curve:
the rest of that scenario's replications are censored, not "never".
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from matplotlib.figure import Figure

from kabulsim import outputs
from kabulsim.analysis.survival import fall_by_date
from kabulsim.plots.style import (
    COLORS,
    FONT,
    SERIES_CYCLE,
    date_num,
    format_date_axis,
    new_figure,
    style_axes,
)
from kabulsim.scenario.schema import Scenario


def title(column: str = "kabul_falls") -> str:
    """The figure's title: the probability of the event the curves count, by each date.

    Named from the outcome's declared title (:data:`kabulsim.outputs.OUTCOMES`), so a
    curve of Kabul falling (the Taliban no longer hold it) is never titled as the alliance
    entering, or the reverse.
    """
    if column == "kabul_falls":
        return "Probability that Kabul has fallen (the Taliban no longer hold it) by each date"
    return f"Probability by each date: {outputs.title(column)}"


TITLE = title()
"""The title of the figure of Kabul's fall."""


def fall_by_date_figure(
    summaries: Mapping[str, pd.DataFrame],
    scenarios: Mapping[str, Scenario],
    column: str = "kabul_falls",
) -> Figure:
    """Fall-by-date curves with 95% bands, one per scenario.

    Args:
        summaries: summary tables by scenario name (in legend order).
        scenarios: the scenario of each name (start and horizon).
        column: the time column whose event is counted (default: Kabul falls, i.e. the
            Taliban no longer hold the city).

    Returns:
        The figure.
    """
    fig = new_figure(8.0, 4.6)
    ax = fig.subplots()
    span = 0.0
    for i, (name, summary) in enumerate(summaries.items()):
        sc = scenarios[name]
        table = fall_by_date(summary, sc, column, step_days=0.25)
        x = [date_num(d.to_pydatetime()) for d in table["date"]]
        color = SERIES_CYCLE[i % len(SERIES_CYCLE)] if len(summaries) > 1 else COLORS["alliance"]
        ax.fill_between(x, table["low"], table["high"], step="post", color=color, alpha=0.2, lw=0)
        last = float(table["p"].iloc[-1])
        n = int(table["n"].iloc[0])
        label = f"{name}: {last:.0%} by the horizon (n={n})"
        ax.step(x, table["p"], where="post", color=color, lw=1.6, label=label)
        ax.annotate(f"{last:.0%}", (x[-1], last), xytext=(3, 0), textcoords="offset points",
                    fontsize=FONT["note"], color=color, va="center")  # fmt: skip
        span = max(span, sc.horizon_days)
    ax.set_ylim(0.0, 1.05)
    ax.set_ylabel("share of replications (95% interval)")
    format_date_axis(ax, span)
    ax.set_title(title(column), loc="left")
    # Below the axes: inside, the legend would sit on the curves' 100% line.
    ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.14), frameon=False,
              fontsize=FONT["note"], ncols=min(2, len(summaries)))  # fmt: skip
    ax.annotate("curves stop at the horizon; the remainder is censored, not 'never'",
                (1.0, 0.0), xycoords="axes fraction", xytext=(0, -30),
                textcoords="offset points", ha="right", va="top", fontsize=FONT["note"],
                color=COLORS["neutral"])  # fmt: skip
    style_axes(ax)
    return fig
