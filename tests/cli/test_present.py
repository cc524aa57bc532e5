"""``kabulsim compare`` and ``kabulsim report`` end to end."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pandas as pd

from kabulsim.cli import main
from kabulsim.outputs import AFTER_CAPITAL_OUTCOMES, OUTCOME_BY_NAME


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.images: list[str] = []
        self.headings: list[str] = []
        self._in_h2 = False

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs).get("src", ""))
        self._in_h2 = tag == "h2"

    def handle_data(self, data):
        if self._in_h2:
            self.headings.append(data.strip())
            self._in_h2 = False


def test_compare_scenarios_and_report(tmp_path, capsys):
    out = tmp_path / "cmp"
    args = ["compare", "scenarios/baseline.yaml", "scenarios/hold_back.yaml", "--reps", "30",
            "--workers", "1", "--n-boot", "300", "--out", str(out)]  # fmt: skip
    assert main(args) == 0
    printed = capsys.readouterr().out
    # titles, not column names (model v3: control breadth no longer differs meaningfully)
    assert "Vacuum in Kabul" in printed and "Civilian deaths in Kabul: looting" in printed
    # the campaign after Kabul beside it, meaningful or not, with paired intervals (issue 25)
    after = printed.split("the campaign after Kabul beside it")[1].split("two layers")[0]
    for name in AFTER_CAPITAL_OUTCOMES:
        assert OUTCOME_BY_NAME[name].title in after, name
    diffs = pd.read_csv(out / "differences.csv")
    rows = diffs[diffs["outcome"].isin(AFTER_CAPITAL_OUTCOMES)]
    assert set(rows["outcome"]) == set(AFTER_CAPITAL_OUTCOMES) and rows["paired"].all()
    vacuum = diffs[(diffs["outcome"] == "vacuum_h") & (diffs["statistic"] == "mean")].iloc[0]
    assert vacuum["paired"] and vacuum["meaningful"] and vacuum["ci_low"] > 0
    assert (out / "comparison.png").exists()
    assert json.loads((out / "comparison.json").read_text())["baseline"] == "baseline"
    assert main(["report", str(out)]) == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    parser = _Images()
    parser.feed(html)
    # figures embedded as data, PNG (the hypothetical-outcome view: one animated GIF)
    assert parser.images and all(
        src.startswith(("data:image/png;base64,", "data:image/gif;base64,"))
        for src in parser.images
    )
    assert sum(src.startswith("data:image/gif;base64,") for src in parser.images) == 1
    assert "http://" not in html and "https://" not in html
    assert "alliance.hold_back_h" in html  # what the scenario changes
    assert OUTCOME_BY_NAME["south_collapses"].title in html  # a key outcome, compared
    # A comparison of two runs made earlier gives the same differences.
    assert main([*args[:-1], str(tmp_path / "again")]) == 0
    again = pd.read_csv(tmp_path / "again" / "differences.csv")
    pd.testing.assert_frame_equal(again, diffs)


def test_run_folder_figures_and_report_with_validation(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", "scenarios/baseline.yaml", "--reps", "20", "--workers", "1",
                 "--out", str(out), "--quiet"]) == 0  # fmt: skip
    for name in ("timeline", "fan_chart", "distributions", "theatre_map"):
        assert (out / "figures" / f"{name}.png").exists()
        assert (out / "figures" / f"{name}.svg").exists()
    assert (out / "figures" / "animation.gif").exists()
    assert main(["report", str(out), "-o", str(tmp_path / "r.html")]) == 0
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Bombing starts on 7 Oct 2001" in html  # the baseline report carries the validation


def test_bad_inputs(tmp_path, capsys):
    assert main(["compare", "scenarios/baseline.yaml"]) == 2
    assert "at least two" in capsys.readouterr().err
    assert main(["report", str(tmp_path)]) == 2
    assert "no manifest.json" in capsys.readouterr().err
    assert main(["compare", "scenarios/baseline.yaml", "scenarios/no_tip.yaml",
                 "--baseline", "nosuch", "--out", str(tmp_path / "x")]) == 2  # fmt: skip
    assert "not one of" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
