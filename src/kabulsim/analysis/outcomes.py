"""Outcome metrics: one number (with a 95% interval) per scenario from a summary table.

A metric is named by a summary column, optionally with a date threshold:

* a numeric column (``vacuum_h``, ``civilian_casualties``): the mean over replications, with
  a normal-approximation 95% interval (mean +/- 1.96 standard errors, cut at zero for a
  quantity that cannot be negative);
* a true/false column (``atef_killed``): the share of replications, with a Wilson 95%
  interval;
* a time column (``kabul_falls``): the **median** time in days since the scenario start, with
  a distribution-free 95% interval; a replication in which the event did not happen within
  the horizon is censored (it happens later, if ever), never counted as if it had happened
  at the horizon; when half or more are censored the median is "not reached" (infinite);
* ``COLUMN:rmst``: the mean time restricted to the horizon (each censored replication counts
  the whole horizon): finite and smooth, for sweeps and sensitivity analyses, and labelled
  as depending on the horizon;
* ``COLUMN<=DATE`` (or ``<``): the share of replications in which the event happened by that
  local date-time, e.g. ``alliance_enters_kabul<=2001-11-15`` is the probability that the
  alliance holds Kabul by 15 November 2001 00:00;
* ``p_fallen_by_DATE``: shorthand for ``kabul_falls<=DATE``, the probability that Kabul has
  fallen (the Taliban no longer hold it) by that date, e.g. ``p_fallen_by_2001-12-01``.

See :mod:`kabulsim.analysis.survival` for the whole fall-by-date curve.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from kabulsim.analysis.intervals import Z95, share
from kabulsim.outputs import is_time
from kabulsim.scenario.schema import Scenario
from kabulsim.tables import to_datetime
from kabulsim.timebase import KABUL

_THRESHOLD = re.compile(r"^\s*([a-z_]+)\s*(<=|<)\s*(\S+)\s*$")
_FALLEN_BY = re.compile(r"^\s*p_fallen_by_(\S+)\s*$")
_RMST = re.compile(r"^\s*([a-z_]+)\s*:\s*rmst\s*$")


@dataclass(frozen=True)
class Metric:
    """A parsed outcome metric."""

    text: str
    column: str
    op: str = ""
    when: datetime | None = None
    rmst: bool = False
    """For a time column: the mean restricted to the horizon instead of the median."""

    @property
    def label(self) -> str:
        """A label for tables and axes, with units."""
        if self.when is not None:
            return f"P({self.column} {self.op} {self.when:%Y-%m-%d %H:%M})"
        if is_time(self.column):
            if self.rmst:
                return f"{self.column} (days since start, mean restricted to the horizon)"
            return f"{self.column} (days since start, median; censored beyond the horizon)"
        return f"{self.column} (mean)"


def parse_metric(text: str, columns: Sequence[str] | None = None) -> Metric:
    """Parse ``COLUMN`` or ``COLUMN<=DATE``; raise ValueError with the expected form.

    Args:
        text: the metric.
        columns: the valid columns (default: the summary table's).
    """
    if columns is None:
        columns = summary_columns()
    fallen = _FALLEN_BY.match(text)
    if fallen:
        return replace(parse_metric(f"kabul_falls<={fallen.group(1)}", columns), text=text)
    rmst = _RMST.match(text)
    if rmst:
        inner = parse_metric(rmst.group(1), columns)
        if not is_time(inner.column):
            raise ValueError(f"outcome {text!r}: ':rmst' needs a time column")
        return Metric(text, inner.column, rmst=True)
    match = _THRESHOLD.match(text)
    column, op, when = (match.group(1), match.group(2), match.group(3)) if match else (text, "", "")
    column = column.strip()
    if column not in columns:
        import difflib

        near = difflib.get_close_matches(column, columns, n=1)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        raise ValueError(f"outcome {text!r}: no summary column {column!r}{hint}")
    if not op:
        return Metric(text, column)
    if not is_time(column):
        raise ValueError(f"outcome {text!r}: a date threshold needs a time column")
    try:
        moment = datetime.fromisoformat(when)
    except ValueError:
        raise ValueError(
            f"outcome {text!r}: expected a date such as 2001-11-15 or 2001-11-15T12:00"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=KABUL)
    return Metric(text, column, op, moment)


@lru_cache(maxsize=1)
def summary_columns() -> tuple[str, ...]:
    """The columns of a run's summary table (from one replication of the baseline)."""
    from kabulsim.model.simulate import summarise

    return ("rep", "seed", *summarise(Scenario(), 0, 0), "error")


@dataclass(frozen=True)
class Estimate:
    """A metric's value over replications with its 95% interval."""

    value: float
    low: float
    high: float
    n: int


def wilson_estimate(k: int, n: int) -> Estimate:
    """Share ``k / n`` with its Wilson 95% interval."""
    value, low, high = share(k, n)
    return Estimate(value, low, high, n)


def mean_estimate(values: NDArray[np.float64]) -> Estimate:
    """Mean with a normal 95% interval (cut at zero for a quantity that is never negative)."""
    n = int(values.size)
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan, 0)
    mean = float(values.mean())
    se = float(values.std(ddof=1)) / math.sqrt(n) if n > 1 else 0.0
    low = mean - Z95 * se
    if values.min() >= 0.0:  # a non-negative quantity's interval stays non-negative
        low = max(0.0, low)
    return Estimate(mean, low, mean + Z95 * se, n)


def per_replication(
    summary: pd.DataFrame, metric: Metric, scenario: Scenario
) -> NDArray[np.float64]:
    """The metric's value in each replication (failed replications dropped)."""
    ok = summary[summary["error"] == ""] if "error" in summary else summary
    col = ok[metric.column]
    if is_time(metric.column):
        times = to_datetime(col)
        if metric.when is not None:
            limit = pd.Timestamp(metric.when)
            hit = times.notna() & ((times <= limit) if metric.op == "<=" else (times < limit))
            return np.asarray(hit.to_numpy(), dtype=np.float64)
        start = pd.Timestamp(scenario.start)
        days = (times - start).dt.total_seconds() / 86400.0
        # Censored (no event within the horizon): the horizon for the restricted mean,
        # infinity (later, if ever) otherwise.
        fill = scenario.horizon_days if metric.rmst else math.inf
        return np.asarray(days.fillna(fill).to_numpy(), dtype=np.float64)
    if col.dtype == bool:
        return np.asarray(col.to_numpy(), dtype=np.float64)
    values = np.asarray(pd.to_numeric(col, errors="coerce").to_numpy(), dtype=np.float64)
    return values[~np.isnan(values)]


def estimate(summary: pd.DataFrame, metric: Metric, scenario: Scenario) -> Estimate:
    """The metric over a run's replications, with its 95% interval."""
    values = per_replication(summary, metric, scenario)
    is_share = metric.when is not None or (
        metric.column in summary and summary[metric.column].dtype == bool
    )
    if is_share:
        return wilson_estimate(int(values.sum()), int(values.size))
    if is_time(metric.column) and not metric.rmst:
        return median_estimate(values)
    return mean_estimate(values)


def median_estimate(values: NDArray[np.float64]) -> Estimate:
    """Median with a distribution-free 95% interval (order statistics); inf = censored."""
    days = np.sort(values)
    n = int(days.size)
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan, 0)
    value = float(np.quantile(days, 0.5, method="inverted_cdf"))
    half = Z95 * math.sqrt(n) / 2
    j = max(0, math.floor(n / 2 - half) - 1)
    k = min(n - 1, math.ceil(n / 2 + half))
    return Estimate(value, float(days[j]), float(days[k]), n)
