"""The one interval of a proportion: its bounds contain the share exactly (issue 21).

``wilson(0, 200)`` used to return a lower bound of 1.7e-18, above the share 0, and an error
bar of ``p - low`` was then negative: matplotlib refused it and ``compare`` and ``run
scenarios/no_tip.yaml`` crashed. The property is checked exhaustively at the ends, where
rounding bit, over every n from 1 to 2,000, and by hypothesis everywhere in between.
"""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from kabulsim.analysis.intervals import share, wilson


def test_bounds_contain_the_share_at_the_ends_for_every_n_to_2000():
    for n in range(1, 2001):
        for k in sorted({0, 1, n - 1, n}):
            p, low, high = share(k, n)
            assert p == k / n
            assert 0.0 <= low <= p <= high <= 1.0, (k, n, low, p, high)
            assert p - low >= 0.0 and high - p >= 0.0  # an error bar is never negative
        assert share(0, n)[1] == 0.0  # exactly 0, not 1.7e-18
        assert share(n, n)[2] == 1.0  # exactly 1, not 1 - 1e-16


def test_the_formula_alone_rounds_past_the_share():
    """The clamp is needed: without it the lower bound at 0 of 200 lies above 0."""
    z = 1.959963984540054
    n = 200
    den = 1 + z * z / n
    raw_low = (z * z / (2 * n)) / den - z * math.sqrt(z * z / (4 * n * n)) / den
    assert raw_low != 0.0
    assert wilson(0, n)[0] == 0.0


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 2000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_bounds_contain_the_share_everywhere(kn: tuple[int, int]):
    k, n = kn
    p, low, high = share(k, n)
    assert 0.0 <= low <= p <= high <= 1.0
    assert high - low > 0.0  # an interval, never a point


def test_no_replications_and_impossible_counts():
    assert all(math.isnan(x) for x in share(0, 0))
    try:
        wilson(3, 2)
    except ValueError as exc:
        assert "0 <= k <= n" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("wilson(3, 2) accepted")


def test_censored_time_quantiles_are_the_tables_quantiles_without_censoring():
    # run's summary and compare's table give the same median date for the same runs
    import pandas as pd

    from kabulsim.analysis.intervals import censored_time_quantiles, time_quantiles

    start = pd.Timestamp("2001-11-12 00:00", tz="Asia/Kabul")
    times = pd.Series([start + pd.Timedelta(hours=h) for h in (0, 2, 13, 30, 31, 50)])
    assert censored_time_quantiles(times) == time_quantiles(times)
    assert censored_time_quantiles(times)[0] == start + pd.Timedelta(hours=21.5)
    censored = pd.concat([times, pd.Series([pd.NaT] * 5, dtype=times.dtype)])
    median, low, high = censored_time_quantiles(censored)
    assert median == start + pd.Timedelta(hours=50) and low == start + pd.Timedelta(hours=1)
    assert high is None
    assert censored_time_quantiles(pd.concat([censored, censored[-1:]]))[0] is None
