"""The statistics of a run's summary, each implemented once.

* :func:`quantiles` — quantiles of the finite values of a sample (linear interpolation,
  ``numpy.quantile``'s default), used for the medians and 90% intervals of the outcomes in
  tables (:mod:`.describe`), validation (:mod:`.validation`) and figures.
* :func:`time_quantiles` — the same for a column of times.
* :func:`wilson` — the Wilson score interval of a proportion (validation, figures).

The state series' quantiles per grid time are computed once too, by counts of rounded
values that merge exactly across batches (:mod:`kabulsim.experiments.quantiles`); the
comparison's bootstrap differences live in :mod:`.compare`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import cast

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

Z95 = 1.959963984540054
"""The standard normal quantile of 97.5% (two-sided 95% intervals)."""

SPREAD = (0.5, 0.05, 0.95)
"""Median, 5th and 95th percentile: a median with its 90% interval."""


def quantiles(values: ArrayLike, probs: Sequence[float] = SPREAD) -> NDArray[np.float64]:
    """Quantiles of the finite values of ``values`` (NaN for each when there are none)."""
    x = np.asarray(values, dtype=np.float64).ravel()
    finite = x[np.isfinite(x)]
    if finite.size == 0:
        return np.full(len(probs), np.nan)
    return np.asarray(np.quantile(finite, list(probs)), dtype=np.float64)


def time_quantiles(times: pd.Series, probs: Sequence[float] = SPREAD) -> list[pd.Timestamp]:
    """Quantiles of a column of timezone-aware times (missing times dropped; NaT if none)."""
    present = times.dropna()
    if present.empty:
        return [pd.NaT] * len(probs)  # type: ignore[list-item]
    return [cast(pd.Timestamp, present.quantile(p)) for p in probs]


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion ``k / n`` (95% by default).

    Returns ``(nan, nan)`` when ``n == 0``.
    """
    if n == 0:
        return (math.nan, math.nan)
    p = k / n
    den = 1.0 + z * z / n
    mid = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return (max(0.0, mid - half), min(1.0, mid + half))
