"""The statistics of a run's summary, each implemented once.

* :func:`quantiles` — quantiles of the finite values of a sample (linear interpolation,
  ``numpy.quantile``'s default), used for the medians and 90% intervals of the outcomes in
  tables (:mod:`.describe`), validation (:mod:`.validation`) and figures.
* :func:`time_quantiles` — the same for a column of times; :func:`censored_time_quantiles`
  over every replication, a missing time counting as later than the horizon.
* :func:`wilson` — the Wilson score interval of a proportion, and :func:`share` the share
  with that interval: the one interval of a proportion that tables, validation and every
  figure use. Its bounds contain the share exactly (floating point would otherwise put the
  lower bound at 1.7e-18 for 0 of 200, above the share), so an error bar is never negative.

* :func:`quantile_dots` — the ``n`` quantiles of a quantile dotplot (Kay et al., CHI 2016;
  Fernandes et al., CHI 2018), each dot standing for ``1/n`` of the replications.

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


def censored_time_quantiles(
    times: pd.Series, probs: Sequence[float] = SPREAD
) -> list[pd.Timestamp | None]:
    """Quantiles of a time column over every replication, a missing time counting as later.

    A replication whose event did not happen within the horizon is censored: it happens
    later, if ever. The quantile ``p`` interpolates linearly between order statistics of all
    replications, as :func:`quantiles` and :func:`time_quantiles` do (so with no censoring
    these are the quantiles of the times, the same numbers as every other table); it is None
    ("not reached") when it would lean on a censored replication.
    """
    n = len(times)
    present = times.dropna().sort_values().reset_index(drop=True)
    out: list[pd.Timestamp | None] = []
    for p in probs:
        h = (n - 1) * p
        lo, hi = math.floor(h), math.ceil(h)
        if n == 0 or hi >= len(present):
            out.append(None)
            continue
        a = cast(pd.Timestamp, present.iloc[lo])
        b = cast(pd.Timestamp, present.iloc[hi])
        out.append(a + (b - a) * (h - lo))
    return out


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion ``k / n`` (95% by default).

    The bounds lie in [0, 1] and contain ``k / n`` exactly: 0 is the lower bound when
    ``k == 0`` and 1 the upper bound when ``k == n`` (where the formula's rounding would
    leave 1.7e-18 or 1 - 1e-16), and a bound that rounding puts on the wrong side of the
    share is moved onto it. Returns ``(nan, nan)`` when ``n == 0``.

    Raises:
        ValueError: ``k`` is not between 0 and ``n``.
    """
    if n == 0:
        return (math.nan, math.nan)
    if not 0 <= k <= n:
        raise ValueError(f"wilson: expected 0 <= k <= n, got k={k}, n={n}")
    p = k / n
    den = 1.0 + z * z / n
    mid = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    low = 0.0 if k == 0 else min(p, max(0.0, mid - half))
    high = 1.0 if k == n else max(p, min(1.0, mid + half))
    return (low, high)


def share(k: int, n: int) -> tuple[float, float, float]:
    """The share ``k / n`` with its Wilson 95% interval: ``(share, low, high)``.

    ``low <= share <= high`` holds exactly, so ``share - low`` and ``high - share`` (an
    error bar) are never negative. All three are nan when ``n == 0``.
    """
    if n == 0:
        return (math.nan, math.nan, math.nan)
    low, high = wilson(k, n)
    return (k / n, low, high)


def quantile_dots(values: pd.Series, n: int = 20) -> list[float | None]:
    """``n`` quantiles at (k + 1/2)/n of ``values``, for a quantile dotplot.

    Each dot stands for ``1/n`` of the replications. A missing value (the event did not
    happen, or the outcome has none) counts as beyond every present one, and a dot that falls
    among them is None.
    """
    x = np.sort(values.to_numpy(dtype=float))  # NaN sorts last
    if x.size == 0:
        return [None] * n
    out: list[float | None] = []
    for k in range(n):
        v = float(x[min(x.size - 1, math.floor((k + 0.5) / n * x.size))])
        out.append(None if math.isnan(v) else round(v, 4))
    return out
