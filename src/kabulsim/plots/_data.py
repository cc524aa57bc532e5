"""Helpers shared by the plots: reading time columns and quantiles of a summary table."""

from __future__ import annotations

import matplotlib.dates as mdates
import numpy as np
import pandas as pd

from kabulsim import outputs
from kabulsim.analysis import intervals
from kabulsim.outputs import HISTORICAL_DATES as HISTORICAL_DATES
from kabulsim.outputs import HISTORICAL_VALUES as HISTORICAL_VALUES
from kabulsim.outputs import TIME_COLUMNS as TIME_COLUMNS
from kabulsim.tables import to_datetime


def times(column: pd.Series) -> pd.Series:
    """A summary time column as timezone-aware timestamps (NaT when it did not happen)."""
    if pd.api.types.is_datetime64_any_dtype(column):
        return column
    return to_datetime(column.astype("object").where(column.notna(), ""))


def date_nums(column: pd.Series) -> np.ndarray:
    """A summary time column as matplotlib date numbers (NaN when it did not happen)."""
    ts = times(column)
    out = np.full(len(ts), np.nan)
    ok = ts.notna().to_numpy()
    if ok.any():
        utc = pd.DatetimeIndex(ts[ok]).tz_convert("UTC").tz_localize(None)
        out[ok] = mdates.date2num(utc.to_pydatetime())  # type: ignore[no-untyped-call]
    return out


def values(summary: pd.DataFrame, name: str) -> np.ndarray:
    """A summary column as floats (date numbers for time columns, 0/1 for booleans)."""
    col = summary[name]
    if outputs.is_time(name) or pd.api.types.is_datetime64_any_dtype(col):
        return date_nums(col)
    return np.asarray(pd.to_numeric(col, errors="coerce"), dtype=float)


def quantiles(x: np.ndarray, probs: tuple[float, ...] = (0.05, 0.5, 0.95)) -> np.ndarray:
    """Quantiles of the finite values of ``x`` (NaN when there are none), in ``probs`` order.

    :func:`kabulsim.analysis.intervals.quantiles`, with the figures' default order.
    """
    return intervals.quantiles(x, probs)


def is_time(summary: pd.DataFrame, name: str) -> bool:
    """Whether a summary column holds times."""
    return outputs.is_time(name) or pd.api.types.is_datetime64_any_dtype(summary[name])


def is_bool(summary: pd.DataFrame, name: str) -> bool:
    """Whether a summary column holds booleans."""
    return bool(pd.api.types.is_bool_dtype(summary[name]))
