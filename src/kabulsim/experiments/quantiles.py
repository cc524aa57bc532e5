"""Quantiles of the state series per grid time, aggregated as batches finish.

Keeping every replication's series is what makes large runs big (825 samples x 11 variables
per replication at the default 6-hour step and 206-day horizon). Instead each batch reduces
its series to *counts of rounded values*: every value is rounded to ``MANTISSA_BITS``
significant bits (relative error at most 2**-(MANTISSA_BITS + 1), about 0.05 %), and the
batch returns how many replications had each rounded value at each grid time. Counts add
up exactly, whatever the order in which batches finish, so the merged quantiles are
identical for any number of workers, any engine and after a resume; their size is bounded by
the number of distinct rounded values, not by the number of replications.
:class:`CountAccumulator` holds them as sorted packed keys and counts (dense numpy arrays);
a run folder's final assembly merges one variable and block of grid times at a time
(:meth:`kabulsim.experiments.store.RunStore.finalize`).

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
from kabulsim.outputs import INDICATORS, SERIES_VARIABLES

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

    Replications share the grid (every ``series_step_h`` hours); the variables are the
    theatre's series variables (:func:`table_variables` of the series' own ``names``; for the
    2001 theatre :data:`SERIES_VARIABLES`): the numeric state, then 0/1 indicators of the
    categorical state (who holds Kabul). With no replications the arrays are empty.
    """
    if not series:
        return np.empty(0), np.empty((0, 0, len(SERIES_VARIABLES)))
    numeric = np.stack([s.values for s in series])
    # Object arrays: compared with each category without first copying every label into a
    # fixed-width string array (five times cheaper; the same flags).
    labels = {
        var: np.array([s.labels[var] for s in series], dtype=object) for _, var, _ in INDICATORS
    }
    flags = [labels[var] == category for _, var, category in INDICATORS]
    values = np.concatenate([numeric, np.stack(flags, axis=-1).astype(np.float64)], axis=-1)
    return series[0].times, values


def frame_matrix(
    series: pd.DataFrame, numeric: Sequence[str] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`state_matrix` of a per-replication series table (``series.parquet``).

    The variables are :func:`table_variables`: the ``numeric`` state variables (None: the
    table's own numeric columns, in table order), then the indicators of the categorical
    state. Variables absent from the table are NaN (and dropped by :func:`frame_quantiles`).
    """
    names = table_numeric(series) if numeric is None else tuple(numeric)
    if series.empty:
        return np.empty(0), np.empty((0, 0, len(names) + len(INDICATORS)))
    ordered = series.sort_values(["rep", "t_h"], kind="stable")
    times = np.unique(ordered["t_h"].to_numpy(np.float64))
    n_reps = ordered["rep"].nunique()
    columns = []
    for name in names:
        present = name in ordered
        columns.append(
            ordered[name].to_numpy(np.float64) if present else np.full(len(ordered), np.nan)
        )
    for _, var, category in INDICATORS:
        if var in ordered:
            columns.append((ordered[var] == category).to_numpy(np.float64))
        else:
            columns.append(np.full(len(ordered), np.nan))
    shape = (n_reps, len(times), len(names) + len(INDICATORS))
    return times, np.stack(columns, axis=-1).reshape(shape)


def table_numeric(series: pd.DataFrame) -> tuple[str, ...]:
    """The numeric state variables of a series table, in table order.

    Its columns other than ``rep``, ``t_h``, ``time`` and the categorical state: the numeric
    state of its theatre.
    """
    skip = {"rep", "t_h", "time", *(var for _, var, _ in INDICATORS)}
    return tuple(str(c) for c in series.columns if c not in skip)


def table_variables(numeric: Sequence[str]) -> tuple[str, ...]:
    """The series variables of a theatre with the numeric state ``numeric``.

    Those, then the indicators of the categorical state (:data:`SERIES_VARIABLES` for the
    2001 theatre).
    """
    return (*numeric, *(name for name, _, _ in INDICATORS))


def frame_quantiles(series: pd.DataFrame) -> pd.DataFrame:
    """:func:`quantile_frame` of a per-replication series table (``series.parquet``).

    The same statistic as the run's ``series_quantiles.parquet``, over the replications in
    the table; only the variables the table has.
    """
    numeric = table_numeric(series)
    counts = count_values(frame_matrix(series, numeric))
    quantiles = quantile_frame(counts, table_variables(numeric))
    present = [*numeric, *(name for name, var, _ in INDICATORS if var in series)]
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
    acc = CountAccumulator()
    for part in parts:
        acc.add(part)
    return acc.result()


_SIGN = np.uint64(1 << 63)
_LOW = np.uint64((1 << _DROP) - 1)
_VALUE_BITS = 64 - _DROP
"""Bits of a rounded value's key: sign, exponent and ``MANTISSA_BITS`` mantissa bits."""
_VAR_SHIFT = 59
"""Variable index above this bit of a packed key (up to 32 variables)."""
_TIME_LIMIT = 1 << (_VAR_SHIFT - _VALUE_BITS)
"""Grid times one accumulator can hold (2**37)."""
_NAN = np.uint64(0x7FF8_0000_0000_0000)


def _value_keys(values: np.ndarray) -> np.ndarray:
    """Order-preserving unsigned keys of rounded values (any NaN becomes one key, last)."""
    values = np.asarray(values, dtype=np.float64)
    bits = np.where(np.isnan(values), _NAN, values.view(np.uint64))
    ordered = np.where(bits & _SIGN, ~bits, bits | _SIGN)
    return ordered >> np.uint64(_DROP)


def _key_values(keys: np.ndarray) -> np.ndarray:
    """The rounded values of :func:`_value_keys` (inverse for values with zero low bits)."""
    ordered = keys << np.uint64(_DROP)
    bits = np.where(ordered & _SIGN, ordered ^ _SIGN, ~(ordered | _LOW))
    return bits.view(np.float64)


class CountAccumulator:
    """Adds up count frames as batches finish, exactly and in any order.

    The counts are held as two dense numpy arrays: a packed ``uint64`` key per distinct
    (variable, grid time, rounded value), sorted, and its ``int64`` count. Adding a batch
    looks its keys up in the sorted keys (:func:`numpy.searchsorted`), adds the counts of
    those already there and inserts the new ones, so the held size is the number of
    distinct rounded values per variable and grid time (:attr:`rows`), never the number of
    batches or replications. Batches are gathered until they hold a quarter as many rows as
    the merged counts (at least ``min_pending``) and then merged together: the merging work
    stays proportional to the rows added, and the pending rows small beside the merged.
    """

    def __init__(self, min_pending: int = 1 << 16) -> None:
        self._keys = np.empty(0, np.uint64)
        self._counts = np.empty(0, np.int64)
        self._times = np.empty(0, np.float64)
        self._pending: list[tuple[np.ndarray, np.ndarray]] = []
        self._pending_rows = 0
        self._min_pending = min_pending

    @property
    def rows(self) -> int:
        """Distinct (variable, time, value) rows held, merged or pending."""
        return len(self._keys) + self._pending_rows

    @property
    def merged_rows(self) -> int:
        """Distinct (variable, time, value) rows merged so far."""
        return len(self._keys)

    def add(self, counts: pd.DataFrame) -> None:
        """Add one batch's counts (columns ``variable``, ``t_h``, ``value``, ``count``)."""
        self.add_arrays(
            counts["variable"].to_numpy(np.int64),
            counts["t_h"].to_numpy(np.float64),
            counts["value"].to_numpy(np.float64),
            counts["count"].to_numpy(np.int64),
        )

    def add_arrays(
        self, variable: np.ndarray, t_h: np.ndarray, value: np.ndarray, count: np.ndarray
    ) -> None:
        """Add counts given as four equal-length arrays."""
        if len(variable) == 0:
            return
        variable = np.asarray(variable, dtype=np.int64)
        if variable.min() < 0 or variable.max() >= 1 << (64 - _VAR_SHIFT):
            raise ValueError("variable index out of range")
        t_h = np.asarray(t_h, dtype=np.float64)
        # Every batch of a run has the same grid: look the times up in the grid held (no
        # sort of the batch's times) and extend the grid only when some are new.
        t_idx = np.searchsorted(self._times, t_h)
        known = t_idx < len(self._times)
        known[known] = self._times[t_idx[known]] == t_h[known]
        if not known.all():
            self._retime(np.union1d(self._times, t_h[~known]))
            t_idx = np.searchsorted(self._times, t_h)
        t_idx = t_idx.astype(np.uint64)
        keys = (
            (variable.astype(np.uint64) << np.uint64(_VAR_SHIFT))
            | (t_idx << np.uint64(_VALUE_BITS))
            | _value_keys(value)
        )
        self._pending.append((keys, np.asarray(count, dtype=np.int64)))
        self._pending_rows += len(keys)
        if self._pending_rows >= max(self._min_pending, len(self._keys) // 4):
            self._compact()

    def _retime(self, times: np.ndarray) -> None:
        """Re-index the held keys on a grid with more times (order is preserved)."""
        if len(times) > _TIME_LIMIT:
            raise ValueError("too many distinct grid times")
        moved = np.searchsorted(times, self._times).astype(np.uint64)
        shift = np.uint64(_VALUE_BITS)
        mask = np.uint64((1 << (_VAR_SHIFT - _VALUE_BITS)) - 1)

        def retime(keys: np.ndarray) -> np.ndarray:
            old = ((keys >> shift) & mask).astype(np.int64)
            return (keys & ~(mask << shift)) | (moved[old] << shift)

        if len(self._times):
            self._keys = retime(self._keys)
            self._pending = [(retime(k), c) for k, c in self._pending]
        self._times = times

    def _compact(self) -> None:
        if not self._pending:
            return
        keys = np.concatenate([k for k, _ in self._pending])
        counts = np.concatenate([c for _, c in self._pending])
        self._pending, self._pending_rows = [], 0
        order = np.argsort(keys, kind="stable")
        keys, counts = keys[order], counts[order]
        del order
        new = np.ones(len(keys), dtype=bool)
        new[1:] = keys[1:] != keys[:-1]
        starts = np.flatnonzero(new)
        keys, counts = keys[starts], np.add.reduceat(counts, starts)
        del new, starts
        if not len(self._keys):
            self._keys, self._counts = keys, counts
            return
        at = np.searchsorted(self._keys, keys)
        hit = at < len(self._keys)
        hit[hit] = self._keys[at[hit]] == keys[hit]
        self._counts[at[hit]] += counts[hit]  # keys are distinct: no repeated positions
        miss = ~hit
        self._keys = np.insert(self._keys, at[miss], keys[miss])
        self._counts = np.insert(self._counts, at[miss], counts[miss])

    def _arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        self._compact()
        keys = self._keys
        t_idx = (keys >> np.uint64(_VALUE_BITS)) & np.uint64(_TIME_LIMIT - 1)
        return (
            (keys >> np.uint64(_VAR_SHIFT)).astype(np.int16),
            self._times[t_idx.astype(np.int64)],
            _key_values(keys & np.uint64((1 << _VALUE_BITS) - 1)),
            self._counts,
        )

    def result(self) -> pd.DataFrame:
        """The merged counts so far, sorted by variable, time and value."""
        variable, t_h, value, count = self._arrays()
        return pd.DataFrame(
            {"variable": variable, "t_h": t_h, "value": value, "count": count.copy()}
        )

    def quantiles(self, variables: Sequence[str] = SERIES_VARIABLES) -> pd.DataFrame:
        """:func:`quantile_frame` of the merged counts (without copying them into a frame)."""
        return _sorted_quantiles(*self._arrays(), variables)


def quantile_frame(
    counts: pd.DataFrame, variables: Sequence[str] = SERIES_VARIABLES
) -> pd.DataFrame:
    """Per variable and grid time: n, mean and the 5/25/50/75/95 % quantiles.

    Columns: ``variable``, ``t_h``, ``n``, ``mean``, ``p05`` ... ``p95``; rows sorted by
    variable (in the order of ``variables``, the theatre's series variables: the counts'
    ``variable`` is a position in it) and time.
    """
    if counts.empty:
        empty = np.empty(0)
        return _sorted_quantiles(empty, empty, empty, empty, variables)
    counts = counts.sort_values(["variable", "t_h", "value"], kind="stable")
    return _sorted_quantiles(
        counts["variable"].to_numpy(),
        counts["t_h"].to_numpy(),
        counts["value"].to_numpy(),
        counts["count"].to_numpy(),
        variables,
    )


def _sorted_quantiles(
    variable: np.ndarray,
    t_h: np.ndarray,
    value: np.ndarray,
    count: np.ndarray,
    variables: Sequence[str] = SERIES_VARIABLES,
) -> pd.DataFrame:
    """:func:`quantile_frame` of counts given as arrays sorted by variable, time and value."""
    columns = ["variable", "t_h", "n", "mean", *PROB_COLUMNS]
    if len(variable) == 0:
        frame = pd.DataFrame({c: pd.Series(dtype="float64") for c in columns})
        return frame.astype({"variable": "str", "n": "int64"})
    new = np.ones(len(variable), dtype=bool)
    new[1:] = (variable[1:] != variable[:-1]) | (t_h[1:] != t_h[:-1])
    starts = np.flatnonzero(new)
    del new
    ends = np.append(starts[1:], len(variable))
    cum = np.cumsum(count)
    base = np.concatenate(([0], cum[starts[1:] - 1]))
    n = cum[ends - 1] - base
    weighted = np.add.reduceat(value * count, starts)
    out: dict[str, object] = {
        "variable": [variables[int(i)] for i in variable[starts]],
        "t_h": t_h[starts],
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
