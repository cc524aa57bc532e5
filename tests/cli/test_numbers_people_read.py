"""Numbers people read, and one plausible-range warning path (issue 21).

Before: medians over the runs in which an event happened beside a ``happened`` column that
is meaningless for counts and shares (no_air_campaign: ``kabul_falls 2002-02-14 ... 8%``
where the README says "not reached"); differences in hours since 7 October in scientific
notation with blank units and raw column names; ``params`` printing "assumption:
assumption:"; the comparison report titled after one scenario, with the ensemble's absolute
path; plausible-range warnings from ``run`` only.
"""

from __future__ import annotations

import math
import re
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import kabulsim
from kabulsim.analysis import display
from kabulsim.analysis.compare import compare, differences_markdown, readable_differences
from kabulsim.analysis.describe import describe
from kabulsim.cli import main
from kabulsim.outputs import OUTCOME_BY_NAME

SCIENTIFIC = re.compile(r"\d[eE][+-]\d")


def _censored(summary: pd.DataFrame, share: float) -> pd.DataFrame:
    """The summary with the entry (and everything that follows it) in ``share`` of the runs."""
    out = summary.copy()
    gone = np.arange(len(out)) >= round(share * len(out))
    for name in ("alliance_enters_kabul", "kabul_falls"):
        out.loc[gone, name] = ""
    out.loc[gone, "vacuum_h"] = np.nan
    return out


def test_a_time_reached_in_few_runs_is_not_reached(baseline_run: kabulsim.RunResult):
    rows = {o.name: o for o in describe(_censored(baseline_run.summary, 0.1))}
    falls = rows["kabul_falls"]
    assert falls.median == display.NOT_REACHED  # as the README's tables say
    assert falls.happened == pytest.approx(0.1, abs=0.02)
    assert falls.note.startswith("happened in 10% of runs")
    vacuum = rows["vacuum_h"]  # a duration: the median over the runs with an entry, said so
    assert vacuum.median.endswith(" h") and "in which it happened" in vacuum.note
    assert vacuum.happened == pytest.approx(0.1, abs=0.02)
    for name in ("killed_in_city", "civilian_casualties", "control_breadth"):
        assert rows[name].happened is None  # no event share for counts and shares
    assert rows["killed_in_city"].median.endswith("people")
    assert rows["atef_killed"].median.endswith("% of runs")
    # Reached in most runs: a date, over every run.
    most = {o.name: o for o in describe(_censored(baseline_run.summary, 0.8))}
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d", most["kabul_falls"].median)


def test_the_run_summary_in_words(tmp_path: Path, capsys):
    assert main(["run", "scenarios/no_air_campaign.yaml", "--reps", "20", "--workers", "1",
                 "--no-figures", "--out", str(tmp_path / "r")]) == 0  # fmt: skip
    printed = capsys.readouterr().out
    assert "kabul_falls" not in printed and "happened" in printed
    line = next(
        x for x in printed.splitlines() if x.startswith(OUTCOME_BY_NAME["kabul_falls"].title)
    )
    assert display.NOT_REACHED in line
    killed = next(x for x in printed.splitlines() if x.startswith("Killed fighting in the city"))
    assert "people" in killed and "%" not in killed  # no event share for a count
    assert not SCIENTIFIC.search(printed)


def test_differences_in_words(baseline_run: kabulsim.RunResult, hold_back_run: kabulsim.RunResult):
    summaries = {"baseline": baseline_run.summary, "hold_back": hold_back_run.summary}
    diffs = compare(summaries, "baseline", n_boot=100)
    words = readable_differences(diffs)
    assert len(words) == len(diffs)
    assert not any(SCIENTIFIC.search(str(v)) for v in words.to_numpy().ravel())
    assert "alliance_enters_kabul" not in set(words["outcome"])
    entry = words[(words["outcome"] == "Alliance enters Kabul")].iloc[0]
    assert re.fullmatch(r"\d{1,2} Nov 2001 \d\d:\d\d", entry["baseline"])
    hours = float(diffs[diffs["outcome"] == "alliance_enters_kabul"]["diff"].iloc[0])
    assert entry["difference"].startswith(f"{hours:+,.0f} h")
    assert "where it happened" in entry["statistic"]
    killed = words[words["outcome"] == "Civilian casualties"].iloc[0]
    assert killed["difference"].endswith("people")
    flags = words[words["statistic"] == "share of runs"]
    assert flags["difference"].str.endswith("points").all()
    text = differences_markdown(diffs, "baseline", 100)
    assert text.startswith("# Differences from baseline") and "| Vacuum in Kabul" in text


def test_a_median_date_of_few_runs_reads_not_reached(baseline_run: kabulsim.RunResult):
    few = _censored(baseline_run.summary, 0.08)
    diffs = compare({"baseline": baseline_run.summary, "few": few}, "baseline", n_boot=50)
    words = readable_differences(diffs)
    falls = words[(words["outcome"] == OUTCOME_BY_NAME["kabul_falls"].title)
                  & (words["statistic"] == "median date where it happened")].iloc[0]  # fmt: skip
    assert falls["scenario value"].startswith(display.NOT_REACHED)
    assert falls["difference"].startswith(display.NOT_REACHED)
    assert falls["reading"] == "not estimable"  # never "meaningful" from the few that fell


def test_display_never_scientific():
    for x in (1021.7, 1.18e3, 123456.0, 0.000123, -2200.5, 0.0, 7.0):
        assert not SCIENTIFIC.search(display.number(x))
        assert not SCIENTIFIC.search(display.hours(x))
    assert display.hours(135.0) == "135 h (5.6 days)"
    assert display.hours(6.04) == "6.0 h"
    assert display.points(0.123) == "+12 points"
    assert display.date_from_hours(24 * 36 + 20.5) == "12 Nov 2001 20:30"
    assert display.value("killed_in_city", 1234.0) == "1,234 people"
    assert display.value("vacuum_h", 3.0) == "3.0 h"
    assert math.isnan(float("nan")) and display.value("vacuum_h", float("nan")) == ""
    assert display.date(kabulsim.Scenario().start + timedelta(days=1)) == "8 Oct 2001 00:00"


def test_params_does_not_double_the_kind(capsys):
    assert main(["params"]) == 0
    printed = capsys.readouterr().out
    assert not re.search(r"\b(\w+): \1:", printed)
    assert "    assumption: " in printed  # the kind is still given, once


def test_comparison_report_title_and_no_local_paths(tmp_path: Path, capsys):
    from kabulsim.calibration.ensemble import shipped_path

    out = tmp_path / "cmp"
    args = ["compare", "scenarios/baseline.yaml", "scenarios/no_tip.yaml", "--reps", "8",
            "--workers", "1", "--n-boot", "50", "--out", str(out), "--quiet"]  # fmt: skip
    assert main(args) == 0
    assert main(["report", str(out)]) == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<h1>kabulsim comparison: no_tip against baseline</h1>" in html
    assert str(shipped_path().parent) not in html and str(Path.cwd()) not in html
    assert "the baseline ensemble (1,000 members)" in html
    assert not re.search(r"\b(\w+): \1:", html)  # the provenance table, once each
    assert 'id="fig-differences"' in html  # the comparison's own picture
    for name in ("differences.png", "differences.svg", "differences.md"):
        assert (out / name).exists()


def test_one_warning_path_for_run_compare_and_sweep(tmp_path: Path, capsys):
    line = "kabulsim: warning: air.controller_multiplier = 1 is outside its plausible range"
    assert main(["run", "scenarios/baseline.yaml", "--set", "air.controller_multiplier=1",
                 "--reps", "2", "--workers", "1",
                 "--no-figures", "--quiet", "--out", str(tmp_path / "run")]) == 0  # fmt: skip
    assert capsys.readouterr().err.count(line) == 1
    assert main(["compare", "scenarios/baseline.yaml", "scenarios/hold_back.yaml", "--reps", "2",
                 "--workers", "1", "--n-boot", "20", "--quiet",
                 "--out", str(tmp_path / "cmp")]) in (0, 1)  # fmt: skip
    err = capsys.readouterr().err
    assert err.count("kabulsim: warning: alliance.pressure = 0.98 is outside") == 1
    assert main(["sweep", "scenarios/baseline.yaml", "--grid",
                 "air.controller_multiplier=1,3", "--reps", "2", "--workers", "1", "--quiet",
                 "--out", str(tmp_path / "sweep")]) == 0  # fmt: skip
    err = capsys.readouterr().err
    assert err.count(line) == 1  # the grid point at 1 is named; 3 is in the range


def test_implausible_is_the_one_check_and_names_each_value_once():
    from kabulsim.analysis.sweep import with_values
    from kabulsim.scenario.provenance import implausible

    base = kabulsim.Scenario()
    low = with_values(base, {"air.controller_multiplier": 1.0})
    assert implausible(base) == []
    lines = implausible(base, low, low)
    assert len(lines) == 1 and lines[0].startswith("air.controller_multiplier = 1 ")


def test_terminal_tables_never_scientific():
    from kabulsim.analysis.display import terminal_table as safe_table

    frame = pd.DataFrame({"diff": [1018.3, 1.18e3, -2200.5, 0.5, 1e-6], "n": [1, 2, 3, 4, 5]})
    text = safe_table(frame)
    assert not SCIENTIFIC.search(text) and "1,018" in text and "-2,200" in text
