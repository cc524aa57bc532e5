"""The quantile dotplot of the headline outcomes (issue 28: uncertainty as outcomes)."""

import numpy as np
import pandas as pd

from kabulsim.analysis.intervals import quantile_dots
from kabulsim.outputs import HEADLINE_OUTCOMES
from kabulsim.plots.dotplot import DOTS, quantile_dotplot


def _summary(vacuum: list[float | None]) -> pd.DataFrame:
    return pd.DataFrame({"vacuum_h": pd.Series(vacuum, dtype=float)})


def test_quantile_dots_stand_for_equal_shares_and_missing_is_beyond():
    assert quantile_dots(pd.Series(np.arange(100.0)), 20) == [float(5 * k + 2) for k in range(20)]
    # 30% missing: the last 6 of 20 dots fall among them
    dots = quantile_dots(pd.Series([1.0] * 70 + [np.nan] * 30), 20)
    assert dots[:14] == [1.0] * 14 and dots[14:] == [None] * 6
    assert quantile_dots(pd.Series([], dtype=float), 4) == [None] * 4


def test_each_scenario_draws_its_dots_hollow_where_missing():
    fig = quantile_dotplot(
        {"a": _summary([float(h) for h in range(40)]), "b": _summary([5.0] * 10 + [None] * 10)},
        outcomes=["vacuum_h"],
    )
    (ax,) = fig.axes
    marks = [line for line in ax.get_lines() if line.get_marker() == "o"]
    assert len(marks) == 2 * DOTS
    hollow = [m for m in marks if m.get_markerfacecolor() == "none"]
    assert len(hollow) == DOTS // 2  # b: half its replications have no vacuum
    # the stacks stay inside their rows: row b (bottom) below 1, row a (top) from 1 to 2
    ys = sorted(float(m.get_ydata()[0]) for m in marks)
    assert ys[0] >= 0 and ys[-1] < 2


def test_nothing_to_draw_is_none():
    assert quantile_dotplot({"a": pd.DataFrame({"x": [1]})}) is None
    assert set(HEADLINE_OUTCOMES) >= {"alliance_enters_kabul", "vacuum_h"}
