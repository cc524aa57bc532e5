"""When, not never: the probability that an event has happened by a date, with censoring.

A replication whose event (Kabul falling, say) did not happen within the horizon is
*censored*: all we know is that it happens after the horizon, if ever. Every replication of a
run shares the same horizon, so censoring is administrative and the empirical distribution
of event times is exact up to the horizon (the Kaplan-Meier estimate reduces to it). This
module turns a summary table into

* :func:`fall_by_date`: the probability that the event has happened by each date up to the
  horizon, with a Wilson 95% interval (a table, and the data of the fall-by-date figure);
* :func:`censored_median`: the median time to the event in days, with a distribution-free
  95% interval from order statistics; "not reached" (infinite) when half or more of the
  replications are censored;
* :func:`restricted_mean`: the mean time to the event restricted to the horizon (each
  censored replication counts the whole horizon), labelled as such wherever it is shown.

None of these counts a censored replication as if the event had happened at the horizon.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from kabulsim.analysis.intervals import Z95
from kabulsim.analysis.outcomes import median_estimate, wilson_estimate
from kabulsim.scenario.schema import Scenario
from kabulsim.tables import to_datetime

__all__ = [
    "CensoredEstimate",
    "censored_median",
    "event_days",
    "fall_by_date",
    "restricted_mean",
    "wilson",
]


@dataclass(frozen=True)
class CensoredEstimate:
    """A time-to-event statistic in days since the scenario start, with its 95% interval.

    ``value`` (or a bound) is ``inf`` when it lies beyond the horizon ("not reached").
    """

    value: float
    low: float
    high: float
    n: int
    censored: int
    horizon_days: float

    @property
    def reached(self) -> bool:
        """Whether the statistic lies within the horizon."""
        return math.isfinite(self.value)


def wilson(k: int, n: int) -> tuple[float, float, float]:
    """Share ``k / n`` with its Wilson 95% interval (nan when ``n`` is 0)."""
    e = wilson_estimate(k, n)
    return e.value, e.low, e.high


def event_days(summary: pd.DataFrame, column: str, scenario: Scenario) -> NDArray[np.float64]:
    """Days from the scenario start to the event in each successful replication.

    Censored replications (no event within the horizon) are ``inf``; failed replications
    (non-empty ``error``) are dropped.
    """
    ok = summary[summary["error"] == ""] if "error" in summary else summary
    times = to_datetime(ok[column])
    start = pd.Timestamp(scenario.start)
    days = (times - start).dt.total_seconds().to_numpy(dtype=np.float64) / 86400.0
    return np.where(np.isnan(days), np.inf, days)


def fall_by_date(
    summary: pd.DataFrame,
    scenario: Scenario,
    column: str = "kabul_falls",
    step_days: float = 1.0,
) -> pd.DataFrame:
    """The probability that the event in ``column`` has happened by each date.

    Args:
        summary: a run's summary table.
        scenario: the run's scenario (start and horizon).
        column: a time column of the summary.
        step_days: spacing of the dates (days), from the start to the horizon.

    Returns:
        One row per date: ``date`` (local time), ``day`` (days since start), ``p`` (share of
        replications in which the event happened by then), ``low`` and ``high`` (Wilson 95%)
        and ``n`` (replications). Dates stop at the horizon: beyond it nothing is known.
    """
    if step_days <= 0:
        raise ValueError(f"step_days must be positive, got {step_days}")
    days = np.sort(event_days(summary, column, scenario))
    n = int(days.size)
    grid = np.arange(0.0, scenario.horizon_days + 1e-9, step_days)
    counts = np.searchsorted(days, grid, side="right")
    rows = [wilson(int(k), n) for k in counts]
    start = pd.Timestamp(scenario.start)
    return pd.DataFrame(
        {
            "date": [start + pd.Timedelta(days=float(d)) for d in grid],
            "day": grid,
            "p": [r[0] for r in rows],
            "low": [r[1] for r in rows],
            "high": [r[2] for r in rows],
            "n": n,
        }
    )


def censored_median(
    summary: pd.DataFrame, scenario: Scenario, column: str = "kabul_falls"
) -> CensoredEstimate:
    """Median days to the event with a distribution-free 95% interval (order statistics).

    The interval is ``[x_(j), x_(k)]`` with ``j, k = n/2 -+ 1.96 sqrt(n)/2`` (normal
    approximation to the binomial); an order statistic beyond the horizon is ``inf``.
    """
    days = event_days(summary, column, scenario)
    e = median_estimate(days)
    censored = int(np.isinf(days).sum())
    return CensoredEstimate(e.value, e.low, e.high, e.n, censored, scenario.horizon_days)


def restricted_mean(
    summary: pd.DataFrame, scenario: Scenario, column: str = "kabul_falls"
) -> CensoredEstimate:
    """Mean of min(days to the event, horizon), with a normal 95% interval.

    This is the restricted mean survival time: finite and smooth in the inputs, so usable by
    sweeps and sensitivity analyses, but it depends on the horizon and says so in its label.
    """
    days = event_days(summary, column, scenario)
    n = int(days.size)
    censored = int(np.isinf(days).sum())
    if n == 0:
        return CensoredEstimate(math.nan, math.nan, math.nan, 0, 0, scenario.horizon_days)
    capped = np.minimum(days, scenario.horizon_days)
    mean = float(capped.mean())
    se = float(capped.std(ddof=1)) / math.sqrt(n) if n > 1 else 0.0
    return CensoredEstimate(
        mean, max(0.0, mean - Z95 * se), mean + Z95 * se, n, censored, scenario.horizon_days
    )
