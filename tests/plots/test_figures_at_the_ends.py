"""Figures at 0% and 100%, and figures that fit their frame (issue 21).

Every figure that draws an interval of a share draws it from ``intervals.share``; at 0 of n
and n of n (the no_tip scenario's Atef panel, the comparison's flags) the error bars were
negative and matplotlib raised. Panel titles ran past their panels, and the fall-by-date
legend sat on the curves' 100% line.
"""

from __future__ import annotations

import pandas as pd
import pytest
from matplotlib.figure import Figure

import kabulsim
from kabulsim import outputs
from kabulsim.plots.distributions import distributions
from kabulsim.plots.harm import harm_by_cause
from kabulsim.plots.overlay import comparison_overlay
from kabulsim.plots.survival import fall_by_date_figure

FLAGS = ("atef_killed", "factional_fighting", "taliban_reentered", "entry_despite_orders")


def _all(summary: pd.DataFrame, value: bool) -> pd.DataFrame:
    out = summary.copy()
    for flag in FLAGS:
        out[flag] = value
    return out


def _error_bars(fig: Figure) -> list[float]:
    """The half-lengths of every error bar drawn (both sides)."""
    from matplotlib.collections import LineCollection

    lengths = []
    for ax in fig.axes:
        for coll in ax.collections:
            if isinstance(coll, LineCollection):
                for seg in coll.get_segments():
                    lengths.append(float(seg[-1][1] - seg[0][1]))
    return lengths


@pytest.mark.parametrize("n", [50, 60, 100, 200, 400])
@pytest.mark.parametrize("value", [False, True])
def test_shares_of_0_and_100_percent_draw(baseline_run: kabulsim.RunResult, n: int, value: bool):
    base = baseline_run.summary
    summary = _all(base.sample(n, replace=True, random_state=n).reset_index(drop=True), value)
    for fig in (
        distributions(summary, baseline_run.scenario),
        comparison_overlay({"a": summary, "b": _all(summary, not value)}),
        harm_by_cause({"a": summary, "b": _all(summary, not value)}),
    ):
        assert all(length >= 0 for length in _error_bars(fig))


def _inside(fig: Figure) -> list[str]:
    """Texts (axes titles) that run past the figure's edges once drawn."""
    fig.canvas.draw()
    box = fig.bbox
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    out = []
    for ax in fig.axes:
        for loc in ("left", "center", "right"):
            title = ax.get_title(loc=loc)
            if not title:
                continue
            artist = {"left": ax._left_title, "center": ax.title, "right": ax._right_title}[loc]
            ext = artist.get_window_extent(renderer)
            if ext.x0 < box.x0 - 1 or ext.x1 > box.x1 + 1:
                out.append(title)
            for other in fig.axes:  # nor into the next panel's title
                if other is ax or not other.get_title(loc="left"):
                    continue
                o = other._left_title.get_window_extent(renderer)
                if o.x0 > ext.x0 and abs(o.y0 - ext.y0) < 5 and ext.x1 > o.x0:
                    out.append(title)
    return out


def test_panel_titles_fit(baseline_run: kabulsim.RunResult, hold_back_run: kabulsim.RunResult):
    both = {"baseline": baseline_run.summary, "hold_back": hold_back_run.summary}
    assert _inside(distributions(hold_back_run.summary, hold_back_run.scenario)) == []
    assert _inside(comparison_overlay(both)) == []


def test_fall_by_date_legend_clear_of_the_curves_and_titled_after_its_event(
    baseline_run: kabulsim.RunResult, hold_back_run: kabulsim.RunResult
):
    both = {"baseline": baseline_run.summary, "hold_back": hold_back_run.summary}
    fig = fall_by_date_figure(both, {"baseline": baseline_run.scenario,
                                     "hold_back": hold_back_run.scenario})  # fmt: skip
    fig.canvas.draw()
    (ax,) = fig.axes
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    legend = ax.get_legend().get_window_extent(renderer)
    assert legend.y1 <= ax.get_window_extent(renderer).y0  # below the plotting area
    # The curves count Kabul falling (the Taliban no longer hold it), and the title says so,
    # in the words of the outcome's declaration, not "the alliance enters".
    falls = outputs.OUTCOME_BY_NAME["kabul_falls"].title
    assert "(the Taliban no longer hold it)" in falls
    assert "(the Taliban no longer hold it)" in ax.get_title(loc="left")
    assert "enters" not in ax.get_title(loc="left")


def test_a_late_campaigns_timeline_keeps_its_layout(baseline_run: kabulsim.RunResult):
    """no_ground_controllers (entry in December): the zoomed panel's record labels, left of
    its window, were drawn unclipped and collapsed the layout (labels cut off the figure)."""
    import warnings

    from kabulsim.plots.timeline import timeline
    from kabulsim.tables import to_datetime

    late = baseline_run.summary.copy()
    for name in outputs.TIME_COLUMNS:
        shifted = to_datetime(late[name]) + pd.Timedelta(days=21)
        late[name] = [t.isoformat() if not pd.isna(t) else "" for t in shifted]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "constrained_layout not applied"
        fig = timeline(late, baseline_run.scenario)
        fig.canvas.draw()
    for ax in fig.axes:
        for label in ax.get_yticklabels():
            assert label.get_window_extent().x0 >= 0  # inside the figure
