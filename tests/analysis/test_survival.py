"""Censored time-to-event statistics: fall-by-date, median, restricted mean."""

from __future__ import annotations

import math
from datetime import timedelta

import numpy as np
import pandas as pd
import pytest

from kabulsim.analysis.survival import (
    censored_median,
    event_days,
    fall_by_date,
    restricted_mean,
    wilson,
)
from kabulsim.scenario.schema import Scenario

SC = Scenario(horizon_days=40)


def _summary(days: list[float | None]) -> pd.DataFrame:
    start = SC.start
    times = ["" if d is None else (start + timedelta(days=d)).isoformat() for d in days]
    return pd.DataFrame({"kabul_falls": times, "error": [""] * len(days)})


def test_censored_replications_are_infinite_not_the_horizon():
    days = event_days(_summary([1.0, None, 2.5]), "kabul_falls", SC)
    assert days[0] == pytest.approx(1.0)
    assert math.isinf(days[1])
    assert days[2] == pytest.approx(2.5)


def test_fall_by_date_counts_events_by_each_date_and_stops_at_the_horizon():
    table = fall_by_date(_summary([1.5, 3.0, None, None]), SC)
    assert table["day"].iloc[-1] == pytest.approx(40.0)
    by_day = dict(zip(table["day"], table["p"], strict=True))
    assert by_day[1.0] == 0.0
    assert by_day[2.0] == 0.25
    assert by_day[3.0] == 0.5
    assert by_day[40.0] == 0.5  # the censored half never counts as fallen
    assert (table["low"] <= table["p"]).all() and (table["p"] <= table["high"]).all()
    assert np.all(np.diff(table["p"]) >= 0)


def test_failed_replications_are_dropped():
    frame = _summary([1.0, 2.0])
    frame.loc[1, "error"] = "boom"
    assert fall_by_date(frame, SC)["n"].iloc[0] == 1


def test_median_not_reached_when_half_are_censored():
    est = censored_median(_summary([1.0, 2.0, None, None, None]), SC)
    assert not est.reached and est.censored == 3
    reached = censored_median(_summary([1.0, 2.0, 3.0, 4.0, None]), SC)
    assert reached.value == pytest.approx(3.0)
    assert reached.low <= reached.value <= reached.high


def test_restricted_mean_counts_the_whole_horizon_for_censored_only():
    est = restricted_mean(_summary([2.0, None]), SC)
    assert est.value == pytest.approx((2.0 + 40.0) / 2)
    assert est.censored == 1


def test_wilson_interval_contains_the_share():
    p, lo, hi = wilson(3, 10)
    assert lo < p == 0.3 < hi
    assert all(math.isnan(x) for x in wilson(0, 0))


def test_metrics_censor_instead_of_counting_the_horizon():
    from kabulsim.analysis.outcomes import estimate, parse_metric

    cols = ("kabul_falls", "vacuum_h")
    frame = _summary([1.0, 2.0, None, None, None])
    median = estimate(frame, parse_metric("kabul_falls", cols), SC)
    assert math.isinf(median.value)  # more than half censored: not reached
    rmst = estimate(frame, parse_metric("kabul_falls:rmst", cols), SC)
    assert rmst.value == pytest.approx((1.0 + 2.0 + 3 * 40.0) / 5)
    assert "restricted to the horizon" in parse_metric("kabul_falls:rmst", cols).label
    by = parse_metric("p_fallen_by_2001-10-09", cols)
    assert by.column == "kabul_falls" and by.text == "p_fallen_by_2001-10-09"
    assert estimate(frame, by, SC).value == pytest.approx(0.4)
    with pytest.raises(ValueError, match="time column"):
        parse_metric("vacuum_h:rmst", cols)
