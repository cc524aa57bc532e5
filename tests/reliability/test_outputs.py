"""Outputs that used to fail or mislead (issue 16, defects 1, 5, 6, 9 and 11).

* ``--force`` still replaces an earlier kabulsim result (run, study, comparison);
* a scenario name with mathtext (``$\\foo$``) or terminal escapes runs, draws and prints
  safely;
* the report is written whole or not at all;
* a date-axis sweep draws its figure;
* a value outside its plausible range warns once.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import kabulsim.report.html as html
from tests.reliability.conftest import cli, one_line

QUICK = ["--reps", "2", "--workers", "1", "--quiet"]


def test_force_replaces_an_earlier_run_study_and_comparison(workdir, capsys):
    assert cli(["run", "baseline.yaml", *QUICK, "--no-figures", "--out", "r"]) == 0
    old = json.loads((workdir / "r" / "manifest.json").read_text())["started"]
    assert cli(["run", "baseline.yaml", *QUICK, "--no-figures", "--out", "r", "--seed", "1"]) == 2
    assert cli(["run", "baseline.yaml", *QUICK, "--no-figures", "--out", "r", "--force"]) == 0
    assert (workdir / "r" / "summary.parquet").exists()
    assert json.loads((workdir / "r" / "manifest.json").read_text())["started"] >= old
    sweep = ["sweep", "baseline.yaml", "--grid", "alliance.pressure=0.5,0.6", *QUICK, "--out", "s"]
    assert cli(sweep) == 0 and cli([*sweep, "--force"]) == 0
    assert (workdir / "s" / "sweep.csv").exists()
    compare = ["compare", "baseline.yaml", "r", *QUICK, "--out", "c"]
    assert cli(compare) == 0 and cli([*compare, "--force"]) == 0
    assert (workdir / "c" / "differences.csv").exists()
    assert (workdir / "keep.txt").exists()


def test_a_mathtext_name_runs_and_draws(workdir, capsys):
    argv = ["run", "baseline.yaml", "--set", "name=$\\foo$ and $x^2$", "--reps", "3"]
    assert cli([*argv, "--workers", "1", "--out", "m"]) == 0
    out = capsys.readouterr().out
    assert "$\\foo$ and $x^2$: 3 replications" in out
    figures = {p.name for p in (workdir / "m" / "figures").iterdir()}
    assert {"timeline.png", "timeline.svg", "theatre_map.png", "animation.gif"} <= figures
    assert cli(["report", "m"]) == 0
    assert "$\\foo$" in (workdir / "m" / "report.html").read_text(encoding="utf-8")


def test_escape_sequences_in_a_name_are_printed_escaped(workdir, capsys):
    (workdir / "esc.yaml").write_text('extends: baseline.yaml\nname: "red"\n', encoding="utf-8")
    argv = ["run", "esc.yaml", "--reps", "2", "--workers", "1", "--no-figures", "--out", "e"]
    # A control character in a value is refused ...
    assert cli([*argv[:2], "--set", 'name="\\e[31mred"', *argv[2:]]) == 2
    assert "\x1b" not in capsys.readouterr().err
    # ... and one in the name of a file or folder is printed as an escape.
    weird = workdir / "o\x1b[2Jut"
    assert cli([*argv[:-1], str(weird)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "o\\x1b[2Jut" in out


def test_the_report_is_written_whole_or_not_at_all(workdir, capsys, monkeypatch):
    assert cli(["run", "baseline.yaml", *QUICK, "--no-figures", "--out", "r"]) == 0
    assert cli(["report", "r"]) == 0
    before = (workdir / "r" / "report.html").read_bytes()

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device", "r/report.html")

    monkeypatch.setattr(html, "build_report", broken)
    assert cli(["report", "r"]) == 2
    assert "No space left on device" in one_line(capsys.readouterr().err)
    assert (workdir / "r" / "report.html").read_bytes() == before
    assert not list((workdir / "r").glob(".report.html.*"))


def test_a_date_axis_sweep_draws_its_figure(workdir):
    grid = "air.sorties.1.start=2001-10-21T00:00+04:30,2001-10-31T00:00+04:30"
    argv = ["sweep", "baseline.yaml", "--grid", grid, "--outcome", "vacuum_h", *QUICK]
    assert cli([*argv, "--out", "d"]) == 0
    assert (workdir / "d" / "sweep_1.png").stat().st_size > 0
    table = (workdir / "d" / "sweep.csv").read_text(encoding="utf-8")
    assert "2001-10-21" in table and "2001-10-31" in table


def test_a_choice_axis_sweep_draws_its_figure(workdir):
    argv = ["sweep", "baseline.yaml", "--grid", "withdrawal.policy=evacuate,defend", *QUICK]
    assert cli([*argv, "--out", "p"]) == 0
    assert (workdir / "p" / "sweep_1.svg").exists()


def test_implausible_values_warn_once(workdir, capsys):
    argv = ["params", "baseline.yaml", "--set", "hvt.tip_per_h=40"]
    assert cli(argv) == 0
    err = capsys.readouterr().err
    assert err.count("warning") == 1
    assert "hvt.tip_per_h = 40 is outside its plausible range 0 to 0.2" in err
    assert cli(["params", "baseline.yaml"]) == 0
    assert "warning" not in capsys.readouterr().err


@pytest.mark.parametrize("name", ["alliance.hold_back_h", "forces.taliban_kabul"])
def test_booleans_never_pass_for_numbers_in_the_library(name):
    from pydantic import ValidationError

    from tests.helpers import scenario_with

    with pytest.raises(ValidationError):
        scenario_with(**{name: True})


def test_every_cost_parameter_has_its_bound():
    """A parameter that sets a loop count or a memory size carries the bound that limits it;
    param() refuses one declared without it."""
    from kabulsim.scenario.params import param
    from kabulsim.scenario.schema import Scenario

    marked = {}

    def walk(model, prefix=""):
        for key, info in model.model_fields.items():
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            if isinstance(info.annotation, type) and hasattr(info.annotation, "model_fields"):
                walk(info.annotation, f"{prefix}{key}.")
            elif "cost" in extra:
                marked[prefix + key] = (extra["cost"], info.metadata)

    walk(Scenario)
    expected = {"horizon_days", "series_step_h", "shamali.review_h", "shamali.retry_h"}
    assert expected | {"shamali.step_min", "shamali.max_h"} <= set(marked)
    for key, (cost, metadata) in marked.items():
        kinds = {type(m).__name__ for m in metadata}
        assert ("Ge" in kinds) if cost == "interval" else ("Le" in kinds), key
    with pytest.raises(TypeError, match="interval parameter needs a positive ge"):
        param(1.0, units="h", source="s", kind="assumption", description="d", gt=0, cost="interval")
    with pytest.raises(TypeError, match="count parameter needs an le"):
        param(1, units="n", source="s", kind="assumption", description="d", cost="count")


def test_the_dead_code_is_gone():
    import kabulsim.experiments.batches as batches

    root = Path(batches.__file__).parent
    assert not (root / "output.py").exists() and not (root / "folders.py").exists()
    assert not hasattr(batches, "EVENT_COLUMNS")
