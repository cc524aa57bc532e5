"""Nested intervals: each difference in each layer of uncertainty."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kabulsim.analysis.compare import nested_intervals, nested_table, paired_differences


def _summary(values: np.ndarray, flag: np.ndarray) -> pd.DataFrame:
    n = len(values)
    return pd.DataFrame(
        {"rep": np.arange(n), "seed": 0, "vacuum_h": values, "factional_fighting": flag}
    )


def test_the_inner_interval_lies_inside_the_outer_when_the_assumptions_add_spread() -> None:
    rng = np.random.default_rng(0)
    n = 400
    base = rng.gamma(2.0, 5.0, n)
    chance = rng.standard_normal(n)
    # the same runs (common random numbers); the second layer's assumption draw multiplies
    # the scenario's effect's spread around the same centre, so every quantile moves out
    inner = base + 100.0 + 10.0 * chance
    outer = base + 100.0 + 30.0 * chance
    flags = rng.random(n) < 0.3
    layers = {
        "record": {"base": _summary(base, flags), "s": _summary(inner, flags)},
        "assumptions": {"base": _summary(base, flags), "s": _summary(outer, ~flags)},
    }
    table = nested_intervals(
        layers, "base", outcomes=["vacuum_h", "factional_fighting"], n_boot=200
    )
    mean = table[(table["outcome"] == "vacuum_h") & (table["statistic"] == "mean")]
    rec = mean[mean["layer"] == "record"].iloc[0]
    ass = mean[mean["layer"] == "assumptions"].iloc[0]
    assert ass["runs_low"] < rec["runs_low"] < rec["runs_high"] < ass["runs_high"]
    assert rec["ci_high"] - rec["ci_low"] < ass["ci_high"] - ass["ci_low"]
    assert rec["n_pairs"] == n
    share = table[table["outcome"] == "factional_fighting"]
    assert share["runs_low"].isna().all() and share["ci_low"].notna().all()
    wide = nested_table(table)
    assert list(wide.columns[-2:]) == [
        "calibrated parameters only (the record's layer)",
        "calibrated parameters and assumptions",
    ]
    assert wide.iloc[0, -1].startswith("+") and "95% of runs" in wide.iloc[0, -1]


def test_paired_differences_leave_out_runs_where_the_event_did_not_happen() -> None:
    a = pd.DataFrame({"rep": [0, 1, 2], "vacuum_h": [1.0, np.nan, 3.0]})
    b = pd.DataFrame({"rep": [2, 1, 0], "vacuum_h": [5.0, 2.0, np.nan]})
    d = paired_differences(a, b, "vacuum_h")
    assert d.to_dict("list") == {"rep": [2], "diff": [2.0]}
