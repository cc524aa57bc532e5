"""Quantiles of the state series per grid time, aggregated as batches finish.

Keeping every replication's series is what makes large runs big (241 samples x 11 variables
per replication at the default 6-hour step and 60-day horizon). Instead each batch reduces
its series to *counts of rounded values*: every value is rounded to ``MANTISSA_BITS``
significant bits (relative error at most 2**-(MANTISSA_BITS + 1), about 0.05 %), and the
batch returns how many replications had each rounded value at each grid time. Counts add
up exactly, whatever the order in which batches finish, so the merged quantiles are
identical for any number of workers, any engine and after a resume; their size is bounded by
the number of distinct rounded values, not by the number of replications.

Quantiles use the inverted empirical distribution (the smallest rounded value whose
cumulative share reaches the probability, ``numpy.quantile(method="inverted_cdf")``);
``mean`` is the mean of the rounded values. The ``city_holder_*`` variables are 0/1
indicators, so their mean is the share of replications in which that side holds Kabul.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from kabulsim.model.records import Series
from kabulsim.outputs import INDICATORS, SERIES_VARIABLES, STATE_NUMERIC

__all__ = ["SERIES_VARIABLES"]

PROBS = (0.05, 0.25, 0.5, 0.75, 0.95)
PROB_COLUMNS = ("p05", "p25", "p50", "p75", "p95")
MANTISSA_BITS = 10

_DROP = 52 - MANTISSA_BITS
_HALF = np.uint64(1 << (_DROP - 1))
_MASK = np.uint64(~((1 << _DROP) - 1) & 0xFFFF_FFFF_FFFF_FFFF)


def round_bits(values: np.ndarray) -> np.ndarray:
    """Round float64 values to ``MANTISSA_BITS`` significant bits (half away from zero)."""
    values = np.asarray(values, dtype=np.float64) + 0.0  # -0.0 becomes 0.0
    bits = np.ascontiguousarray(values).view(np.uint64)
    finite = np.isfinite(values)
    rounded = np.where(finite, (bits + _HALF) & _MASK, bits)
    return rounded.view(np.float64)


def state_matrix(series: Sequence[Series]) -> tuple[np.ndarray, np.ndarray]:
    """Stack replications' series: clock times ``(n_t,)`` and values ``(n_reps, n_t, n_var)``.

    Replications share the grid (every ``series_step_h`` hours); the variables are
    :data:`SERIES_VARIABLES`: the numeric state, then 0/1 indicators of the categorical
    state (who holds Kabul), as declared in :mod:`kabulsim.outputs`. With
    no replications the arrays are empty.
    """
    if not series:
        return np.empty(0), np.empty((0, 0, len(SERIES_VARIABLES)))
    numeric = np.stack([s.values for s in series])
    labels = {var: np.array([s.labels[var] for s in series]) for _, var, _ in INDICATORS}
    flags = [labels[var] == category for _, var, category in INDICATORS]
    values = np.concatenate([numeric, np.stack(flags, axis=-1).astype(np.float64)], axis=-1)
    return series[0].times, values


def frame_matrix(series: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """:func:`state_matrix` of a per-replication series table (``series.parquet``).

    Variables absent from the table are NaN (and dropped by :func:`frame_quantiles`).
    """
    if series.empty:
        return np.empty(0), np.empty((0, 0, len(SERIES_VARIABLES)))
    ordered = series.sort_values(["rep", "t_h"], kind="stable")
    times = np.unique(ordered["t_h"].to_numpy(np.float64))
    n_reps = ordered["rep"].nunique()
    columns = []
    for name in STATE_NUMERIC:
        present = name in ordered
        columns.append(
            ordered[name].to_numpy(np.float64) if present else np.full(len(ordered), np.nan)
        )
    for _, var, category in INDICATORS:
        if var in ordered:
            columns.append((ordered[var] == category).to_numpy(np.float64))
        else:
            columns.append(np.full(len(ordered), np.nan))
    values = np.stack(columns, axis=-1).reshape(n_reps, len(times), len(SERIES_VARIABLES))
    return times, values


def frame_quantiles(series: pd.DataFrame) -> pd.DataFrame:
    """:func:`quantile_frame` of a per-replication series table (``series.parquet``).

    The same statistic as the run's ``series_quantiles.parquet``, over the replications in
    the table; only the variables the table has.
    """
    quantiles = quantile_frame(count_values(frame_matrix(series)))
    present = [name for name in STATE_NUMERIC if name in series]
    present += [name for name, var, _ in INDICATORS if var in series]
    return quantiles[quantiles["variable"].isin(present)].reset_index(drop=True)


def count_values(matrix: tuple[np.ndarray, np.ndarray]) -> pd.DataFrame:
    """Counts of rounded values per variable and grid time (a batch's contribution)."""
    times, values = matrix
    n_reps, n_t, n_var = values.shape
    if n_reps == 0:
        return empty_counts()
    # One row per (variable, time) cell holding its replications' values, sorted in place:
    # rows are in (variable, time) order, so the flat result is sorted by all three keys.
    cells = round_bits(values).transpose(2, 1, 0).reshape(n_var * n_t, n_reps)
    x = np.sort(cells, axis=1).ravel()
    bits = x.view(np.uint64)  # equal bit patterns: one group (NaN included)
    new = np.ones(len(x), dtype=bool)
    new[1:] = bits[1:] != bits[:-1]
    new[::n_reps] = True  # every cell starts a group
    starts = np.flatnonzero(new)
    counts = np.diff(np.append(starts, len(x)))
    cell = starts // n_reps
    v, t = cell // n_t, cell % n_t
    return pd.DataFrame(
        {
            "variable": v.astype(np.int16),
            "t_h": times[t],
            "value": x[starts],
            "count": counts.astype(np.int64),
        }
    )


def empty_counts() -> pd.DataFrame:
    """A counts frame with no rows."""
    return pd.DataFrame(
        {
            "variable": np.empty(0, np.int16),
            "t_h": np.empty(0),
            "value": np.empty(0),
            "count": np.empty(0, np.int64),
        }
    )


def merge_counts(parts: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Add up count frames; the result is sorted by variable, time and value."""
    frames = [p for p in parts if len(p)]
    if not frames:
        return empty_counts()
    v = np.concatenate([f["variable"].to_numpy(np.int16) for f in frames])
    t = np.concatenate([f["t_h"].to_numpy(np.float64) for f in frames])
    x = np.concatenate([f["value"].to_numpy(np.float64) for f in frames])
    c = np.concatenate([f["count"].to_numpy(np.int64) for f in frames])
    order = np.lexsort((x, t, v))
    v, t, x, c = v[order], t[order], x[order], c[order]
    bits = x.view(np.uint64)  # equal bit patterns: one group (NaN included)
    new = np.ones(len(x), dtype=bool)
    new[1:] = (v[1:] != v[:-1]) | (t[1:] != t[:-1]) | (bits[1:] != bits[:-1])
    starts = np.flatnonzero(new)
    return pd.DataFrame(
        {
            "variable": v[starts],
            "t_h": t[starts],
            "value": x[starts],
            "count": np.add.reduceat(c, starts),
        }
    )


class CountAccumulator:
    """Merges count frames as batches finish, compacting every so often to bound memory.

    A merge sorts the merged counts together with the pending batches' counts, so memory
    peaks at a few times (merged + pending) rows: compacting every 8 batches keeps that
    near the size of the merged counts, which grows only as new rounded values appear.
    """

    def __init__(self, compact_every: int = 8) -> None:
        self._merged = empty_counts()
        self._pending: list[pd.DataFrame] = []
        self._every = compact_every

    def add(self, counts: pd.DataFrame) -> None:
        """Add one batch's counts."""
        self._pending.append(counts)
        if len(self._pending) >= self._every:
            self._compact()

    def _compact(self) -> None:
        self._merged = merge_counts([self._merged, *self._pending])
        self._pending = []

    def result(self) -> pd.DataFrame:
        """The merged counts so far."""
        self._compact()
        return self._merged


def quantile_frame(counts: pd.DataFrame) -> pd.DataFrame:
    """Per variable and grid time: n, mean and the 5/25/50/75/95 % quantiles.

    Columns: ``variable``, ``t_h``, ``n``, ``mean``, ``p05`` ... ``p95``; rows sorted by
    variable (in :data:`SERIES_VARIABLES` order) and time.
    """
    columns = ["variable", "t_h", "n", "mean", *PROB_COLUMNS]
    if counts.empty:
        frame = pd.DataFrame({c: pd.Series(dtype="float64") for c in columns})
        return frame.astype({"variable": "str", "n": "int64"})
    counts = counts.sort_values(["variable", "t_h", "value"], kind="stable")
    keys = counts[["variable", "t_h"]].to_numpy()
    new = np.ones(len(counts), dtype=bool)
    new[1:] = (keys[1:] != keys[:-1]).any(axis=1)
    starts = np.flatnonzero(new)
    ends = np.append(starts[1:], len(counts))
    value = counts["value"].to_numpy()
    count = counts["count"].to_numpy()
    cum = np.cumsum(count)
    base = np.concatenate(([0], cum[starts[1:] - 1]))
    n = cum[ends - 1] - base
    weighted = np.add.reduceat(value * count, starts)
    out: dict[str, object] = {
        "variable": [SERIES_VARIABLES[int(i)] for i in counts["variable"].to_numpy()[starts]],
        "t_h": counts["t_h"].to_numpy()[starts],
        "n": n.astype(np.int64),
        "mean": weighted / n,
    }
    for name, p in zip(PROB_COLUMNS, PROBS, strict=True):
        # smallest value whose cumulative count reaches ceil(p * n) (inverted CDF)
        need = base + np.maximum(np.ceil(p * n - 1e-9), 1).astype(np.int64)
        pos = np.searchsorted(cum, need, side="left")
        out[name] = value[pos]
    frame = pd.DataFrame(out)
    return frame.astype({"variable": "str"})
