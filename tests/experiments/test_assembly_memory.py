"""The final assembly holds bounded counts: the series quantiles are merged one block (a
variable over at most ``BLOCK_TIMES`` grid times) at a time, and the accumulator's size is
the number of distinct rounded values per cell, not the number of batches or replications.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from kabulsim.experiments import quantiles, run_many, store
from kabulsim.experiments.quantiles import (
    CountAccumulator,
    count_values,
    merge_counts,
    quantile_frame,
    round_bits,
)
from kabulsim.scenario import Scenario


def test_value_keys_preserve_order_and_values():
    x = np.array([-np.inf, -1e300, -3.5, -1e-300, 0.0, -0.0, 1e-300, 2.0, 7.25e5, np.inf, np.nan])
    rounded = round_bits(x)
    keys = quantiles._value_keys(rounded)
    back = quantiles._key_values(keys)
    finite = ~np.isnan(rounded)
    assert np.array_equal(back[finite].view(np.uint64), rounded[finite].view(np.uint64))
    assert np.isnan(back[~finite]).all()
    assert np.array_equal(np.argsort(keys, kind="stable"), np.argsort(rounded, kind="stable"))


def test_accumulator_size_is_bounded_by_distinct_values_not_batches():
    rng = np.random.default_rng(7)
    times = np.arange(5) * 6.0
    frame = count_values((times, rng.lognormal(0, 2, size=(40, 5, 3))))
    acc = CountAccumulator(min_pending=1)  # merge on every batch
    for _ in range(60):
        acc.add(frame)
        assert acc.rows == len(frame)  # 60 batches: still one batch's distinct values
    total = acc.result()
    assert total[["variable", "t_h", "value"]].equals(frame[["variable", "t_h", "value"]])
    assert (total["count"].to_numpy() == 60 * frame["count"].to_numpy()).all()


def test_accumulator_is_order_independent_with_negative_values_and_new_times():
    rng = np.random.default_rng(11)
    parts = [
        count_values((np.arange(4) * 6.0 + 6.0 * s, rng.normal(0, 1e3, size=(n, 4, 2))))
        for s, n in ((0, 7), (2, 3), (1, 9), (0, 1))
    ]
    one = merge_counts(parts)
    acc = CountAccumulator(min_pending=1)
    for part in reversed(parts):
        acc.add(part)
    pd.testing.assert_frame_equal(one, acc.result())
    assert one["count"].sum() == sum(p["count"].sum() for p in parts)
    assert np.array_equal(one["t_h"].unique(), np.arange(6) * 6.0)
    brute = (
        pd.concat(parts)
        .groupby(["variable", "t_h", "value"], as_index=False)["count"]
        .sum()
        .sort_values(["variable", "t_h", "value"], ignore_index=True)
    )
    pd.testing.assert_frame_equal(one, brute, check_dtype=False)
    assert (one["value"] < 0).any()


def test_finalize_merges_one_block_at_a_time(tmp_path, monkeypatch):
    held: list[tuple[set[int], set[float]]] = []

    class Recording(CountAccumulator):
        def add_arrays(self, variable, t_h, value, count):
            held[-1][0].update(np.asarray(variable).tolist())
            held[-1][1].update(np.asarray(t_h).tolist())
            super().add_arrays(variable, t_h, value, count)

        def __init__(self, *args, **kwargs):
            held.append((set(), set()))
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(store, "BLOCK_TIMES", 16)
    monkeypatch.setattr(store, "CountAccumulator", Recording)
    scenario = Scenario()
    result = run_many(scenario, 12, 3, workers=1, batch_size=4, out=tmp_path / "run")
    n_t = result.series_quantiles["t_h"].nunique()
    assert n_t > 16
    used = [h for h in held if h[0]]
    assert len(used) == len(quantiles.SERIES_VARIABLES) * math.ceil(n_t / 16)
    assert all(len(v) == 1 and len(t) <= 16 for v, t in used)
    # every counts chunk is cut into row groups of one variable and block of times
    meta = pq.read_metadata(tmp_path / "run" / "chunks" / "counts-000000.parquet")
    assert meta.num_row_groups == len(used)
    # and the quantiles equal those of all counts merged at once (the in-memory run)
    memory = run_many(scenario, 12, 3, workers=1, batch_size=4)
    pd.testing.assert_frame_equal(result.series_quantiles, memory.series_quantiles)
    on_disk = pd.read_parquet(tmp_path / "run" / "series_quantiles.parquet")
    pd.testing.assert_frame_equal(on_disk, memory.series_quantiles)
    counts = merge_counts(
        pd.read_parquet(tmp_path / "run" / "chunks" / f"counts-{i:06d}.parquet") for i in range(3)
    )
    pd.testing.assert_frame_equal(quantile_frame(counts), on_disk)


@pytest.mark.parametrize("rows", [0, 1])
def test_counts_chunk_of_few_rows(tmp_path, rows):
    frame = count_values((np.array([0.0]), np.ones((rows, 1, 2))))
    store._write_counts(frame, tmp_path / "c.parquet")
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "c.parquet"), frame)
