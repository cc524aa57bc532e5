"""Each kind of folder the command line writes is written the same by its library function.

A notebook calling :mod:`kabulsim.folders` gets the files and the tables ``kabulsim`` writes
for the same values (the manifests differ only in their times and the command recorded).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kabulsim.cli import main
from kabulsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
HOLD_BACK = ROOT / "scenarios" / "hold_back.yaml"
TIMING = ("runtime", "seconds", "_s")
"""Columns that hold wall-clock times, which differ between any two runs."""


def _files(folder: Path) -> set[str]:
    return {
        str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and "tmp" not in p.name
    }


def _table(path: Path) -> pd.DataFrame:
    frame = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    return frame.drop(columns=[c for c in frame.columns if any(t in c for t in TIMING)])


def assert_same_folder(python: Path, cli: Path) -> None:
    files = _files(python)
    assert files == _files(cli)
    tables = [f for f in files if f.endswith((".csv", ".parquet")) and "chunks" not in f]
    assert tables, "the folder holds no table"
    for name in tables:
        pd.testing.assert_frame_equal(_table(python / name), _table(cli / name))


def test_run_folder(tmp_path: Path) -> None:
    from kabulsim.folders.run import write_run_folder

    write_run_folder(load_scenario(BASELINE), 6, 4, tmp_path / "py", ensemble=None, workers=1)
    args = ["run", str(BASELINE), "--reps", "6", "--seed", "4", "--ensemble", "none"]
    assert main([*args, "--workers", "1", "--quiet", "--out", str(tmp_path / "cli")]) == 0
    assert_same_folder(tmp_path / "py", tmp_path / "cli")


def test_comparison_folder(tmp_path: Path) -> None:
    from kabulsim.calibration import assumptions, ensemble
    from kabulsim.experiments.studies import prepare_folder
    from kabulsim.folders.comparison import check_comparison, load_inputs, write_comparison_folder

    inputs = [str(BASELINE), str(HOLD_BACK)]
    sources = load_inputs(inputs)
    baseline = check_comparison(sources, None, reps=5, n_boot=50)
    out = prepare_folder(tmp_path / "py", force=False)
    write_comparison_folder(
        out, sources, baseline, inputs=inputs, reps=5, seed=2, n_boot=50,
        ensemble=ensemble.resolve(ensemble.DEFAULT), workers=1,
        assumptions=assumptions.resolve(assumptions.DEFAULT),  # the command line's default
    )  # fmt: skip
    args = ["compare", *inputs, "--reps", "5", "--seed", "2", "--n-boot", "50"]
    assert main([*args, "--workers", "1", "--quiet", "--out", str(tmp_path / "cli")]) == 0
    assert_same_folder(tmp_path / "py", tmp_path / "cli")


def test_sweep_folder(tmp_path: Path) -> None:
    from kabulsim.folders.sweeps import plan_sweep, prepare_out, write_sweep

    grid = ["alliance.hold_back_h=72,336"]
    plan = plan_sweep(load_scenario(BASELINE), grid, None, reps=4, seed=1, ensemble=None)
    out = prepare_out("sweep", plan.config, "baseline", tmp_path / "py", force=False, resume=False)
    write_sweep(plan, out, workers=1)
    args = ["sweep", str(BASELINE), "--grid", grid[0], "--reps", "4", "--seed", "1"]
    args += ["--ensemble", "none", "--workers", "1", "--quiet", "--out", str(tmp_path / "cli")]
    assert main(args) == 0
    assert_same_folder(tmp_path / "py", tmp_path / "cli")


def test_sensitivity_folder(tmp_path: Path) -> None:
    from kabulsim.folders.sweeps import plan_sensitivity, prepare_out, write_sensitivity

    params = ["alliance.hold_back_h", "alliance.indiscipline_per_h"]
    scenario = load_scenario(BASELINE)
    plan = plan_sensitivity(scenario, "morris", "alliance_enters_kabul:rmst", params=params, n=2,
                            reps=2, seed=5)  # fmt: skip
    out = prepare_out("sensitivity", plan.config, "b", tmp_path / "py", force=False, resume=False)
    write_sensitivity(plan, out, workers=1)
    args = ["sensitivity", str(BASELINE), "--params", ",".join(params), "--n", "2"]
    args += [
        "--reps",
        "2",
        "--seed",
        "5",
        "--workers",
        "1",
        "--quiet",
        "--out",
        str(tmp_path / "cli"),
    ]
    assert main(args) == 0
    assert_same_folder(tmp_path / "py", tmp_path / "cli")


def test_calibration_folder(tmp_path: Path) -> None:
    pytest.importorskip("pyabc")
    from kabulsim.calibration import ensemble
    from kabulsim.calibration.settings import Settings
    from kabulsim.folders.calibration import calibrate_folder, check_calibration

    settings = Settings(population=6, reps=1, generations=1, workers=1, seed=3, certificate_rows=60)
    stem = check_calibration(tmp_path / "py", None, population=6, reps=1)
    calibrate_folder(load_scenario(None), tmp_path / "py", settings, stem)
    args = ["calibrate", "--out", str(tmp_path / "cli"), "--population", "6", "--reps", "1"]
    args += ["--certificate", "60"]
    assert main([*args, "--generations", "1", "--workers", "1", "--seed", "3"]) == 0
    assert _files(tmp_path / "py") == _files(tmp_path / "cli")
    python, cli = (
        ensemble.load(tmp_path / "py" / "ensemble"),
        ensemble.load(tmp_path / "cli" / "ensemble"),
    )
    pd.testing.assert_frame_equal(python.members, cli.members)
    certificates = [(tmp_path / k / "certificate.json").read_text() for k in ("py", "cli")]
    assert certificates[0] == certificates[1]


def test_explorer_page(tmp_path: Path) -> None:
    from kabulsim.folders.explorer import plan_explorer, write_explorer_page

    vary = ["alliance.hold_back_h=72"]
    plan = plan_explorer([BASELINE], vary, out=tmp_path / "py.html", reps=3)
    write_explorer_page(plan, reps=3, seed=1, ensemble=None, workers=1)
    args = ["explorer", str(BASELINE), "--vary", vary[0], "--reps", "3", "--seed", "1"]
    args += ["--ensemble", "none", "--workers", "1", "--quiet", "--out", str(tmp_path / "cli.html")]
    assert main(args) == 0
    assert (tmp_path / "py.html").read_bytes() == (tmp_path / "cli.html").read_bytes()


def test_show_and_schema(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from kabulsim.folders.scenario import show_text, write_schema

    sets = ["alliance.hold_back_h=100"]
    assert main(["show", str(HOLD_BACK), "--set", sets[0]]) == 0
    printed = capsys.readouterr().out
    assert printed == show_text(HOLD_BACK, sets) + "\n"
    assert "alliance.hold_back_h: " in printed and "-> 100" in printed
    write_schema(tmp_path / "py.json")
    assert main(["schema", "--out", str(tmp_path / "cli.json")]) == 0
    assert (tmp_path / "py.json").read_bytes() == (tmp_path / "cli.json").read_bytes()


def test_validation_and_its_predictive_check(capsys: pytest.CaptureFixture[str]) -> None:
    from kabulsim.analysis.display import terminal_table as safe_table
    from kabulsim.api import validate
    from kabulsim.calibration import ensemble
    from kabulsim.folders.validation import predictive_table

    members = ensemble.resolve(ensemble.DEFAULT)
    assert members is not None
    scenario = load_scenario(None)
    result = validate(scenario, reps=4, seed=3, ensemble=members)
    ppc = predictive_table(scenario, members, members=2, seed=3)
    main(["validate", "--reps", "4", "--seed", "3", "--members", "2"])
    printed = capsys.readouterr().out
    assert result.text() in printed
    assert safe_table(ppc.round(3)) in printed
