"""Sweeps and the kabulsim sensitivity analysis, through the command line and the API."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from kabulsim.analysis.outcomes import estimate, parse_metric
from kabulsim.analysis.sensitivity import Factor, plausible_factors
from kabulsim.analysis.sweep import parse_axis, with_values
from kabulsim.api import sensitivity, sweep
from kabulsim.cli import main
from kabulsim.scenario.schema import Scenario


def test_parse_axis_forms_and_errors():
    assert parse_axis("alliance.hold_back_h=0:100:3").values == (0.0, 50.0, 100.0)
    assert parse_axis("forces.taliban_kabul=1000:2000:3").values == (1000, 1500, 2000)
    assert parse_axis("withdrawal.policy=evacuate,defend").values == ("evacuate", "defend")
    with pytest.raises(ValueError, match="did you mean 'hold_back_h'"):
        parse_axis("alliance.hold_bak_h=0:1:2")
    with pytest.raises(ValueError, match="LO:HI:N"):
        parse_axis("alliance.hold_back_h=5:1:3")
    with pytest.raises(ValueError, match="expected KEY"):
        parse_axis("alliance.hold_back_h")


def test_with_values_validates():
    sc = with_values(Scenario(), {"alliance.pressure": 0.9})
    assert sc.alliance.pressure == 0.9
    with pytest.raises(ValueError, match=r"alliance\.pressure"):
        with_values(Scenario(), {"alliance.pressure": 1.5})


def test_metrics():
    summary = pd.DataFrame(
        {
            "alliance_enters_kabul": ["2001-11-13T08:00+04:30", "", "2001-11-16T08:00+04:30"],
            "atef_killed": [True, False, True],
            "vacuum_h": [1.0, 2.0, 3.0],
            "error": ["", "", ""],
        }
    )
    sc = Scenario()
    assert estimate(summary, parse_metric("vacuum_h"), sc).value == pytest.approx(2.0)
    assert estimate(summary, parse_metric("atef_killed"), sc).value == pytest.approx(2 / 3)
    by = parse_metric("alliance_enters_kabul<=2001-11-15")
    assert estimate(summary, by, sc).value == pytest.approx(1 / 3)
    # A time's metric is its median, the replication without an entry censored (later, if
    # ever), not counted at the horizon; ':rmst' is the mean restricted to the horizon.
    days = estimate(summary, parse_metric("alliance_enters_kabul"), sc).value
    assert days == pytest.approx(40 + 1 / 3)
    rmst = estimate(summary, parse_metric("alliance_enters_kabul:rmst"), sc).value
    assert rmst == pytest.approx((37 + 1 / 3 + sc.horizon_days + 40 + 1 / 3) / 3)
    with pytest.raises(ValueError, match="did you mean 'vacuum_h'"):
        parse_metric("vacum_h")


@pytest.mark.slow
def test_more_sorties_make_an_early_fall_more_likely():
    """A known monotone effect: the share of runs with Kabul taken by 15 Nov grows with
    the strike rate of the main period (non-decreasing, from none to nearly all)."""
    axis = parse_axis("air.sorties.1.strike_sorties_per_day=0:160:5")
    result = sweep(Scenario(), [axis], ["alliance_enters_kabul<=2001-11-15"], reps=40, workers=1)
    p = result.table["alliance_enters_kabul<=2001-11-15"].to_numpy()
    # Tolerance: one replication in 40 of sampling noise between neighbouring points.
    assert np.all(np.diff(p) >= -1 / 40)
    assert p[0] <= 0.05 and p[-1] >= 0.9


def test_sweep_cli_writes_table_and_figures_and_resumes(tmp_path, capsys):
    out = tmp_path / "sweep"
    args = ["sweep", "scenarios/baseline.yaml", "--grid", "alliance.hold_back_h=0:300:2",
            "--outcome", "vacuum_h", "--reps", "10", "--workers", "1",
            "--out", str(out)]  # fmt: skip
    assert main(args) == 0
    table = pd.read_csv(out / "sweep.csv")
    assert list(table["alliance.hold_back_h"]) == [0.0, 300.0]
    assert (out / "sweep_1.png").exists() and (out / "sweep_1.svg").exists()
    assert json.loads((out / "study.json").read_text())["finished"]
    # Resume: a missing point is recomputed and the table is the same.
    (out / "points" / "00001.parquet").unlink()
    assert main([*args, "--resume"]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(out / "sweep.csv"), table)
    assert main(args) == 2  # not empty, and neither --force nor --resume
    assert "not empty" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--grid", "alliance.hold_bak_h=1:2:2"], "did you mean"),
        (["--grid", "alliance.pressure=0:2:3"], "alliance.pressure"),
        (["--grid", "alliance.pressure=0:1:2", "--outcome", "nosuch"], "no summary column"),
    ],
)
def test_sweep_bad_input(tmp_path, capsys, extra, message):
    out = tmp_path / "o"
    assert main(["sweep", "scenarios/baseline.yaml", *extra, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not out.exists()


def test_plausible_factors():
    factors = plausible_factors()
    assert len(factors) >= 10
    assert all(f.high > f.low for f in factors)
    assert plausible_factors(["forces.taliban_kabul"])[0].integer
    with pytest.raises(ValueError, match="numeric"):
        plausible_factors(["withdrawal.policy"])


def test_sensitivity_on_the_model_finds_the_parameter_that_matters():
    """The HVT tip rate decides whether Atef is killed; the straggler share does not."""
    factors = [
        Factor("hvt.tip_per_h", 0.0, 0.2),
        Factor("vacuum.looting_civilians_per_day", 0.5, 10.0),
    ]
    result = sensitivity(
        Scenario(), "morris", "atef_killed", factors=factors, n=6, reps=30, workers=1
    )
    table = result.table.set_index("factor")
    assert table.index[0] == "hvt.tip_per_h"
    assert table.loc["vacuum.looting_civilians_per_day", "mu_star"] == pytest.approx(0.0)
    assert table.loc["hvt.tip_per_h", "mu_star"] > 0.3


def test_sensitivity_cli_states_the_cost(tmp_path, capsys):
    out = tmp_path / "sens"
    args = ["sensitivity", "scenarios/baseline.yaml", "--params",
            "hvt.tip_per_h,hvt.track_p", "--outcome", "atef_killed", "--n", "2",
            "--reps", "5", "--workers", "1", "--out", str(out)]  # fmt: skip
    assert main(args) == 0
    captured = capsys.readouterr()
    assert "6 parameter vectors x 5 replications = 30 replications" in captured.err
    assert (out / "indices.csv").exists() and (out / "indices.png").exists()
    assert main([*args[:-1], str(tmp_path / "x"), "--method", "sobol", "--n", "3"]) == 2
    assert "power of 2" in capsys.readouterr().err
