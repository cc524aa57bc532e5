"""Outcome metrics: one number (with a 95% interval) per scenario from a summary table.

A metric is named by a summary column, optionally with a date threshold:

* a numeric column (``vacuum_h``, ``civilian_casualties``): the mean over replications, with
  a normal-approximation 95% interval (mean +/- 1.96 standard errors, cut at zero for a
  quantity that cannot be negative);
* a true/false column (``atef_killed``): the share of replications, with a Wilson 95%
  interval;
* a time column (``alliance_enters_kabul``): the mean time in days since the scenario start,
  a replication in which the event did not happen counted at the horizon (right-censored,
  which biases the mean early; use a threshold metric when that matters);
* ``COLUMN<=DATE`` (or ``<``): the share of replications in which the event happened by that
  local date-time, e.g. ``alliance_enters_kabul<=2001-11-15`` is the probability that the
  alliance holds Kabul by 15 November 2001 00:00.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from kabulsim.analysis.intervals import Z95, wilson
from kabulsim.outputs import TIME_COLUMNS
from kabulsim.scenario.schema import Scenario
from kabulsim.tables import to_datetime
from kabulsim.timebase import KABUL

_THRESHOLD = re.compile(r"^\s*([a-z_]+)\s*(<=|<)\s*(\S+)\s*$")


@dataclass(frozen=True)
class Metric:
    """A parsed outcome metric."""

    text: str
    column: str
    op: str = ""
    when: datetime | None = None

    @property
    def label(self) -> str:
        """A label for tables and axes, with units."""
        if self.when is not None:
            return f"P({self.column} {self.op} {self.when:%Y-%m-%d %H:%M})"
        if self.column in TIME_COLUMNS:
            return f"{self.column} (days since start, mean)"
        return f"{self.column} (mean)"


def parse_metric(text: str, columns: Sequence[str] | None = None) -> Metric:
    """Parse ``COLUMN`` or ``COLUMN<=DATE``; raise ValueError with the expected form.

    Args:
        text: the metric.
        columns: the valid columns (default: the summary table's).
    """
    if columns is None:
        columns = summary_columns()
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
    if column not in TIME_COLUMNS:
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
    from kabulsim.model.simulate import simulate

    return ("rep", "seed", *simulate(Scenario(), 0, 0).summary, "error")


@dataclass(frozen=True)
class Estimate:
    """A metric's value over replications with its 95% interval."""

    value: float
    low: float
    high: float
    n: int


def _wilson(k: int, n: int) -> Estimate:
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan, 0)
    low, high = wilson(k, n)
    return Estimate(k / n, low, high, n)


def _mean(values: NDArray[np.float64]) -> Estimate:
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
    if metric.column in TIME_COLUMNS:
        times = to_datetime(col)
        if metric.when is not None:
            limit = pd.Timestamp(metric.when)
            hit = times.notna() & ((times <= limit) if metric.op == "<=" else (times < limit))
            return np.asarray(hit.to_numpy(), dtype=np.float64)
        start = pd.Timestamp(scenario.start)
        days = (times - start).dt.total_seconds() / 86400.0
        return np.asarray(days.fillna(scenario.horizon_days).to_numpy(), dtype=np.float64)
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
        return _wilson(int(values.sum()), int(values.size))
    return _mean(values)
