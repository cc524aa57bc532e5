from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kabulsim.analysis.compare import COLUMNS, compare, is_paired


def _frame(n: int, shift: float, seed: int, run_seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    noise = rng.normal(0.0, 5.0, n)
    entry = pd.Timestamp("2001-11-13T00:00+04:30") + pd.to_timedelta(noise + shift, unit="h")
    times = [t.isoformat(timespec="minutes") for t in entry]
    return pd.DataFrame(
        {
            "rep": np.arange(n),
            "seed": run_seed,
            "civilian_casualties": 500.0 + 10 * noise + shift,
            "atef_killed": rng.random(n) < 0.5,
            "alliance_enters_kabul": times,
            "vacuum_h": 5.0 + noise.clip(-4, None),
        }
    )


OUTCOMES = ("civilian_casualties", "atef_killed", "alliance_enters_kabul", "vacuum_h")


def test_known_difference_is_found() -> None:
    base = _frame(200, 0.0, seed=1)
    other = _frame(200, 24.0, seed=1)  # same noise (common random numbers), shifted by 24
    out = compare({"base": base, "late": other}, "base", outcomes=OUTCOMES, n_boot=500)
    assert list(out.columns) == COLUMNS
    row = out.set_index(["outcome", "statistic"])
    mean = row.loc[("civilian_casualties", "mean")]
    assert mean["diff"] == pytest.approx(24.0)
    assert mean["ci_low"] <= 24.0 <= mean["ci_high"]
    # 24 is clearly detected but below the 10% practical threshold (about 50)
    assert mean["changed"] and not mean["meaningful"]
    assert mean["threshold"] == pytest.approx(0.1 * mean["baseline"])
    entry = row.loc[("alliance_enters_kabul", "median_time")]
    assert entry["ci_low"] - 1 / 60 <= 24.0 <= entry["ci_high"] + 1 / 60
    assert entry["changed"] and entry["meaningful"]  # 24 h > 6 h threshold
    assert bool(out["paired"].all())


def test_identical_frames_give_zero() -> None:
    base = _frame(100, 0.0, seed=2)
    out = compare({"a": base, "b": base.copy()}, "a", outcomes=OUTCOMES, n_boot=300)
    assert (out["diff"] == 0).all()
    assert not out["changed"].any() and not out["meaningful"].any()
    assert (out["ci_low"] == 0).all() and (out["ci_high"] == 0).all()


def test_paired_versus_independent_choice() -> None:
    a = _frame(100, 0.0, seed=3)
    b = _frame(100, 0.0, seed=4)
    assert is_paired(a, b)
    assert not is_paired(a, _frame(100, 0.0, seed=4, run_seed=9))
    assert not is_paired(a, _frame(80, 0.0, seed=4))
    out = compare({"a": a, "b": _frame(80, 0.0, seed=4)}, "a", outcomes=OUTCOMES, n_boot=200)
    assert not out["paired"].any()
    # with common random numbers the paired interval is much narrower than the independent one
    shifted = _frame(100, 3.0, seed=3)
    paired = compare({"a": a, "b": shifted}, "a", outcomes=("civilian_casualties",), n_boot=500)
    indep = compare(
        {"a": a, "b": shifted}, "a", outcomes=("civilian_casualties",), n_boot=500, paired=False
    )
    width = lambda f: float((f["ci_high"] - f["ci_low"]).iloc[0])  # noqa: E731
    assert width(paired) < width(indep) / 5
    assert bool(paired["changed"].iloc[0]) and not bool(indep["changed"].iloc[0])


def test_missing_events_get_a_happened_row_and_determinism() -> None:
    base = _frame(100, 0.0, seed=5)
    other = _frame(100, 0.0, seed=5)
    other.loc[:39, "alliance_enters_kabul"] = ""
    other.loc[:39, "vacuum_h"] = np.nan
    out = compare({"base": base, "other": other}, "base", outcomes=OUTCOMES, n_boot=400)
    happened = out[(out["outcome"] == "alliance_enters_kabul") & (out["statistic"] == "happened")]
    assert len(happened) == 1
    h = happened.iloc[0]
    assert h["diff"] == pytest.approx(-0.4)
    assert h["changed"] and h["meaningful"]
    assert ((out["outcome"] == "vacuum_h") & (out["statistic"] == "happened")).sum() == 1
    again = compare({"base": base, "other": other}, "base", outcomes=OUTCOMES, n_boot=400)
    pd.testing.assert_frame_equal(out, again)
    with pytest.raises(KeyError):
        compare({"base": base}, "missing")


def test_on_simulated_runs() -> None:
    import kabulsim

    base = kabulsim.Scenario()
    tip = kabulsim.Scenario.model_validate(
        {**base.model_dump(), "hvt": {**base.hvt.model_dump(), "tip_per_h": 0.0}}
    )
    a = kabulsim.run(base, reps=40, seed=0).summary
    b = kabulsim.run(tip, reps=40, seed=0).summary
    out = compare({"base": a, "no_tip": b}, "base", n_boot=300).set_index(["outcome", "statistic"])
    assert bool(out["paired"].all())
    atef = out.loc[("atef_killed", "proportion")]
    assert atef["diff"] < 0 and atef["changed"]
    # phases before the tip are unaffected under common random numbers
    mazar = out.loc[("mazar_falls", "median_time")]
    assert mazar["diff"] == 0 and not mazar["changed"]
