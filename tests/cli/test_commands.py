"""The kabulsim command: run, params and validate end to end (in process)."""

from __future__ import annotations

import io

import pandas as pd

from kabulsim.cli import main
from kabulsim.outputs import TIME_COLUMNS
from kabulsim.scenario.provenance import provenance_table

SPEC_COLUMNS = [
    "mazar_falls", "shamali_start", "shamali_duration_h", "shamali_winner",
    "evacuation_decided", "kabul_evacuated", "alliance_enters_kabul", "vacuum_h",
    "killed_in_city", "atef_killed", "atef_strike_time", "to_kandahar", "to_tora_bora",
    "stragglers", "vengeance_incidents", "taliban_killed", "alliance_killed",
    "civilian_casualties", "treasury_emptied", "weapons_abandoned", "control_breadth",
]  # fmt: skip


def test_run_prints_a_summary_and_writes_tables(tmp_path, capsys):
    out = tmp_path / "run"
    status = main(
        ["run", "scenarios/baseline.yaml", "--reps", "8", "--seed", "1", "--out", str(out)]
    )
    assert status == 0
    printed = capsys.readouterr().out
    assert "Alliance enters Kabul" in printed and "Nov 2001" in printed  # titles and dates
    summary = pd.read_csv(out / "summary.csv", keep_default_na=False)
    assert len(summary) == 8
    assert set(SPEC_COLUMNS) <= set(summary.columns)
    for col in TIME_COLUMNS:
        filled = summary[col][summary[col] != ""]
        assert filled.str.endswith("+04:30").all(), col
    events = pd.read_csv(out / "events.csv")
    assert {"rep", "t_h", "time", "phase", "event"} <= set(events.columns)
    series = pd.read_parquet(out / "series.parquet")
    assert {"taliban_shamali", "morale_shamali", "city_holder"} <= set(series.columns)


def test_params_lists_a_source_for_every_parameter(capsys):
    table = provenance_table()
    assert len(table) > 60
    assert (table["source"].str.len() > 0).all()
    assert (table["units"].str.len() > 0).all()
    assert set(table["kind"]) <= {
        "source", "reference", "cdb90", "calibrated", "assumption", "exogenous",
    }  # fmt: skip
    assert main(["params", "--format", "csv"]) == 0
    csv = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert list(csv["parameter"]) == list(table["parameter"])
    assert main(["params", "--format", "markdown"]) == 0
    assert capsys.readouterr().out.startswith("| parameter |")


def test_calibrated_parameters_say_what_they_were_calibrated_to():
    table = provenance_table()
    calibrated = table[table["kind"] == "calibrated"]
    assert not calibrated.empty
    # The kind is its own column; each source says what the value reproduces.
    assert not calibrated["source"].str.startswith("calibrated:").any()
    assert calibrated["source"].str.contains(r"\d+ Nov|three hours").all()


def test_validate_exit_status(capsys):
    assert main(["validate", "--reps", "200"]) == 0
    assert "14 of 14 facts pass" in capsys.readouterr().out
