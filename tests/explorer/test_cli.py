"""``kabulsim explorer`` on the command line: warnings, defaults."""

from __future__ import annotations

from pathlib import Path

from kabulsim.analysis.sweep import with_values
from kabulsim.cli import main
from kabulsim.scenario import load_scenario
from kabulsim.scenario.provenance import implausible


def test_an_option_outside_its_plausible_range_is_run_with_a_warning(tmp_path, capsys) -> None:
    # the lesson's air.controller_multiplier=1 (plausible 1.5 to 6) said nothing before
    out = tmp_path / "lesson.html"
    status = main([
        "explorer", "scenarios/baseline.yaml", "--vary", "air.controller_multiplier=3,1",
        "--reps", "2", "--out", str(out), "--quiet", "--workers", "1",
    ])  # fmt: skip
    assert status == 0
    err = capsys.readouterr().err.splitlines()
    warned = [line for line in err if "air.controller_multiplier" in line]
    # the line `kabulsim run --set air.controller_multiplier=1` prints (one warning path)
    sc = with_values(
        load_scenario(Path("scenarios/baseline.yaml")), {"air.controller_multiplier": 1}
    )
    expected = [f"kabulsim: warning: {line}" for line in implausible(sc)]
    assert warned == expected and len(expected) == 1
    assert "3 is outside" not in "\n".join(err)
    text = out.read_text(encoding="utf-8")
    assert "air.controller_multiplier = 1 is outside its plausible range" in text


def test_the_default_replications_are_runs(capsys) -> None:
    from kabulsim.cli import build_parser
    from kabulsim.cli.run import DEFAULT_REPS

    args = build_parser().parse_args(["explorer", "scenarios/baseline.yaml"])
    assert args.reps == DEFAULT_REPS and args.seed == 0
