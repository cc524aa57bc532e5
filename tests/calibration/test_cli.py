from __future__ import annotations

import json
from pathlib import Path

import pytest

from kabulsim.calibration import ensemble
from kabulsim.cli import main


def test_missing_ensemble_file_is_one_line_exit_2(tmp_path: Path, capsys) -> None:
    code = main(["validate", "--reps", "1", "--ensemble", str(tmp_path / "nope.parquet")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "--ensemble" in err and "nope" in err


def test_calibrate_command_writes_a_loadable_ensemble(tmp_path: Path, capsys) -> None:
    pytest.importorskip("pyabc")
    out = tmp_path / "cal"
    args = ["calibrate", "--out", str(out), "--population", "6", "--reps", "1"]
    args += ["--generations", "1", "--workers", "1", "--seed", "3", "--certificate", "120"]
    assert main(args) == 0
    captured = capsys.readouterr()
    assert "simulations" in captured.err.splitlines()[1]  # the estimate comes first
    ens = ensemble.load(out / "ensemble")
    assert len(ens) == 6
    assert ensemble.stale_parameters(ens) == []
    meta = json.loads((out / "ensemble.json").read_text())
    assert meta["command"].startswith("kabulsim calibrate") and meta["seed"] == 3
    assert "pyabc" in meta["versions"]
    assert meta["result"]["effective_sample_size"] > 0
    # the certificate: its summary in the sidecar, the whole of it beside the ensemble
    assert meta["certificate"]["file"] == "certificate.json"
    # the stalemate constrains the calibration: the members, the moves and the table
    assert meta["result"]["constraint"]["fact"] == "stalemate"
    assert 0 < meta["result"]["constraint"]["kept"] <= meta["result"]["constraint"]["of"] == 6
    restricted = meta["certificate"]["constraint"]
    kept = meta["certificate"]["table_size"]
    assert restricted == {"fact": "stalemate", "rows_kept": kept, "rows_drawn": 120}
    assert 0 < kept < 120  # some prior draws break the stalemate without bombing
    cert = json.loads((out / "certificate.json").read_text())
    # a pseudo-record needs every fact: a prior draw whose line withdraws without a fight
    # (command.withdraw_morale is free) has no fight to date, and is not a record
    assert len(cert["ranks"]) == cert["pseudo_records"]
    assert 0.75 * kept <= cert["pseudo_records"] <= kept
    assert set(cert["record_percentiles"]) == set(meta["facts"])
    assert (out / "certificate.png").stat().st_size > 10_000
    assert "certificate:" in captured.out


def test_report_names_the_ensemble_the_run_drew_from(tmp_path: Path) -> None:
    baseline = str(Path(__file__).resolve().parents[2] / "scenarios" / "baseline.yaml")
    common = ["run", baseline, "--reps", "3", "--workers", "1", "--no-figures", "--quiet"]
    texts = {}
    for choice in ("none", "baseline"):
        out = tmp_path / choice
        assert main([*common, "--ensemble", choice, "--out", str(out)]) == 0
        assert main(["report", str(out)]) == 0
        texts[choice] = (out / "report.html").read_text(encoding="utf-8")
    assert "no parameter ensemble" in texts["none"]
    assert "drew a member of the baseline ensemble" not in texts["none"]
    assert "drew a member of the baseline ensemble (1,000 members)" in texts["baseline"]
    assert "no parameter ensemble" not in texts["baseline"]
