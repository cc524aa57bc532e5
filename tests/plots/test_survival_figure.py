"""The fall-by-date figure: one curve per scenario, stopping at the horizon."""

from __future__ import annotations

from datetime import timedelta

import matplotlib.dates as mdates
import pandas as pd

from kabulsim.plots.survival import fall_by_date_figure
from kabulsim.scenario.schema import Scenario


def _summary(sc: Scenario, days: list[float | None]) -> pd.DataFrame:
    times = ["" if d is None else (sc.start + timedelta(days=d)).isoformat() for d in days]
    return pd.DataFrame({"kabul_falls": times, "error": [""] * len(days)})


def test_one_curve_per_scenario_ending_at_the_horizon_with_the_censored_share():
    short, long = Scenario(horizon_days=60), Scenario(horizon_days=120)
    fig = fall_by_date_figure(
        {"a": _summary(short, [35, 36, None, None]), "b": _summary(long, [80, 90, 100, 110])},
        {"a": short, "b": long},
    )
    ax = fig.axes[0]
    lines = ax.get_lines()
    assert len(lines) == 2
    end_a = mdates.num2date(lines[0].get_xdata()[-1])
    assert abs((end_a - short.start).total_seconds() / 86400 - 60) < 1e-6
    assert lines[0].get_ydata()[-1] == 0.5 and lines[1].get_ydata()[-1] == 1.0
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0].startswith("a: 50% by the horizon")
