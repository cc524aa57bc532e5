"""The baseline's ensemble is the default: the command line, the API and the explorer.

A run that names no ensemble draws from the shipped one and its manifest says so;
``--ensemble none`` / ``ensemble=None`` gives the scenario's single values and records none.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import kabulsim
from kabulsim.analysis.sweep import parse_axis
from kabulsim.calibration import ensemble
from kabulsim.cli import main
from kabulsim.experiments import runner
from kabulsim.scenario.schema import Scenario

REPS = 5
FREE = "alliance.indiscipline_per_h"
"""A calibrated (free) parameter, set on sweep axes below at its baseline value."""


def _run(tmp_path: Path, name: str, *extra: str) -> dict:
    out = tmp_path / name
    args = ["run", "scenarios/baseline.yaml", "--reps", str(REPS), "--seed", "2"]
    status = main([*args, "--workers", "1", "--no-figures", "--out", str(out), *extra])
    assert status == 0
    return json.loads((out / "manifest.json").read_text())


def test_run_without_ensemble_records_the_baseline_ensemble(tmp_path: Path, capsys) -> None:
    shipped = ensemble.shipped()
    manifest = _run(tmp_path, "default")
    assert manifest["ensemble"] == shipped.record()
    assert Path(manifest["ensemble"]["source"]).name == "baseline_ensemble.parquet"
    assert (tmp_path / "default" / "ensemble_members.json").is_file()
    assert "parameters: the baseline ensemble (1,000 members)" in capsys.readouterr().out
    named = _run(tmp_path, "named", "--ensemble", "baseline")
    assert named["ensemble"] == manifest["ensemble"]


def test_ensemble_none_records_none(tmp_path: Path, capsys) -> None:
    manifest = _run(tmp_path, "none", "--ensemble", "none")
    assert manifest["ensemble"] is None
    assert not (tmp_path / "none" / "ensemble_members.json").exists()
    assert "parameters: the scenario's own values" in capsys.readouterr().out


def test_resume_still_refuses_an_ensemble_option(tmp_path: Path, capsys) -> None:
    _run(tmp_path, "r", "--quiet")
    status = main(["run", "--resume", str(tmp_path / "r"), "--ensemble", "none"])
    assert status == 2 and "--ensemble" in capsys.readouterr().err


def test_resolve_names_paths_and_objects(tmp_path: Path) -> None:
    shipped = ensemble.shipped()
    assert ensemble.resolve(None) is None and ensemble.resolve("none") is None
    assert ensemble.resolve("baseline").record() == shipped.record()
    assert ensemble.resolve(ensemble.shipped_path()).record() == shipped.record()
    assert ensemble.resolve(shipped) is shipped
    with pytest.raises(ensemble.EnsembleError):
        ensemble.resolve(tmp_path / "missing.parquet")


def test_api_run_defaults_to_the_baseline_ensemble() -> None:
    sc = Scenario()
    default = kabulsim.run(sc, REPS, 2).summary
    explicit = runner.run(sc, REPS, 2, ensemble=ensemble.shipped()).summary
    pd.testing.assert_frame_equal(default, explicit)
    fixed = runner.run(sc, REPS, 2).summary  # the engine itself stays explicit
    pd.testing.assert_frame_equal(kabulsim.run(sc, REPS, 2, ensemble=None).summary, fixed)
    pd.testing.assert_frame_equal(kabulsim.run(sc, REPS, 2, ensemble="none").summary, fixed)
    assert not default.equals(fixed)


def test_validate_defaults_to_the_baseline_ensemble() -> None:
    sc = Scenario()
    default = kabulsim.validate(sc, reps=REPS, seed=2).table
    named = kabulsim.validate(sc, reps=REPS, seed=2, ensemble=ensemble.shipped()).table
    fixed = kabulsim.validate(sc, reps=REPS, seed=2, ensemble=None).table
    pd.testing.assert_frame_equal(default, named)
    assert not default["simulated"].equals(fixed["simulated"])


def test_without_keeps_the_scenarios_value_even_at_the_baseline() -> None:
    ens = ensemble.shipped()
    member = ens.member_for(0, 0)
    assert ens.apply(Scenario(), member).alliance.indiscipline_per_h == ens.values(member)[FREE]
    pinned = ens.without([FREE, "not.a.parameter"])
    assert FREE not in pinned.parameters and len(pinned) == len(ens)
    assert pinned.member_for(0, 0) == member  # the same members are drawn
    assert pinned.apply(Scenario(), member).alliance.indiscipline_per_h == 0.2


def test_sweep_pins_its_axis_at_the_baseline_value() -> None:
    sc = Scenario()
    default_value = sc.alliance.indiscipline_per_h
    result = kabulsim.sweep(
        sc, [parse_axis(f"{FREE}={default_value}")], ["vacuum_h"], reps=REPS, seed=2, workers=1
    )
    pinned = ensemble.shipped().without([FREE])
    expected = runner.run(sc, REPS, 2, ensemble=pinned).summary["vacuum_h"].astype(float)
    assert result.table["vacuum_h"].iloc[0] == pytest.approx(expected.mean())


def test_validate_command_names_the_parameters(capsys) -> None:
    main(["validate", "--reps", "3", "--members", "2"])
    out = capsys.readouterr().out
    assert "parameters from the baseline ensemble (1,000 members)" in out
    assert "Posterior predictive check" in out
    main(["validate", "--reps", "3", "--ensemble", "none"])
    out = capsys.readouterr().out
    assert "the scenario's own values" in out and "Posterior predictive check" not in out


def test_explorer_with_and_without_the_ensemble(tmp_path: Path) -> None:
    pages = {}
    for name, extra in (("default", []), ("none", ["--ensemble", "none"])):
        out = tmp_path / f"{name}.html"
        args = ["explorer", "scenarios/baseline.yaml", "--reps", "2", "--quiet"]
        assert main([*args, "--out", str(out), *extra]) == 0
        pages[name] = out.read_text(encoding="utf-8")
    assert "the same member of the baseline ensemble (1,000 members)" in pages["default"]
    assert "own single values (no ensemble)" not in pages["default"]
    assert "own single values (no ensemble)" in pages["none"]
    assert "baseline ensemble" not in pages["none"]


def test_compare_warns_when_runs_drew_from_different_ensembles(tmp_path: Path, capsys) -> None:
    _run(tmp_path, "fixed", "--ensemble", "none", "--quiet")
    capsys.readouterr()
    args = ["compare", str(tmp_path / "fixed"), "scenarios/baseline.yaml", "--reps", str(REPS)]
    common = ["--seed", "2", "--workers", "1", "--n-boot", "50", "--quiet"]
    assert main([*args, *common, "--out", str(tmp_path / "mixed")]) == 0
    err = capsys.readouterr().err
    assert "different ensembles" in err and "the baseline ensemble (1,000 members)" in err
    same = [*args, *common, "--ensemble", "none", "--out", str(tmp_path / "same")]
    assert main(same) == 0
    assert "different ensembles" not in capsys.readouterr().err
