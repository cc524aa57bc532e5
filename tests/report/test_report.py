from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import pytest

import kabulsim
from kabulsim.analysis.validation import validate_summary
from kabulsim.report import SECTIONS, build_report, scenario_changes, write_report


class _Checker(HTMLParser):
    VOID: ClassVar[set[str]] = {"meta", "img", "br", "hr", "link", "input"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.h2: list[str] = []
        self.urls: list[str] = []
        self._in_h2 = False

    def handle_starttag(self, tag, attrs):
        for key, value in attrs:
            if key in ("src", "href") and value:
                self.urls.append(value)
        if tag == "h2":
            self._in_h2 = True
            self.h2.append("")
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag == "h2":
            self._in_h2 = False
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}> with open {self.stack[-3:]}")
        else:
            self.stack.pop()

    def handle_data(self, data):
        if self._in_h2:
            self.h2[-1] += data


@pytest.fixture(scope="module")
def report_html(hold_back_run, baseline_run) -> str:
    r = hold_back_run
    return build_report(
        r.summary,
        r.scenario,
        r.series,
        validation=validate_summary(r.summary, r.scenario),
        comparison={"baseline": baseline_run.summary, "hold_back": r.summary},
        n_boot=200,
    )


def test_report_structure(report_html: str) -> None:
    checker = _Checker()
    checker.feed(report_html)
    checker.close()
    assert checker.errors == []
    assert checker.stack == []
    # the two layers of uncertainty come from a comparison folder's layers.csv: none here
    assert checker.h2 == [h for key, h in SECTIONS.items() if key != "uncertainty"]
    # timeline, fan chart, distributions, map, fall by date, the outcomes' dotplot, forest
    # plot, comparison overlay, the comparison's dotplot
    assert report_html.count('<img src="data:image/png;base64,') == 9
    assert 'id="fig-dotplot"' in report_html and 'id="fig-comparison_dotplot"' in report_html
    assert report_html.count('<img src="data:image/gif;base64,') == 1  # hypothetical outcomes
    assert all(not re.match(r"https?://", u) for u in checker.urls)
    assert "<script" not in report_html and "<link" not in report_html
    assert "alliance.hold_back_h" in report_html  # the change from the baseline
    assert report_html.count("Control breadth") >= 2  # outcomes and differences, by title
    assert 'id="fig-differences"' in report_html  # the comparison's forest plot


def test_report_without_optional_parts(baseline_run, tmp_path: Path) -> None:
    r = baseline_run
    path = write_report(tmp_path / "sub" / "r.html", r.summary, r.scenario)
    text = path.read_text(encoding="utf-8")
    # timeline, distributions, map, fall by date, dotplot: no series, no comparison
    assert text.count('<img src="data:image/png;base64,') == 5
    assert SECTIONS["validation"] not in text and SECTIONS["comparison"] not in text
    assert SECTIONS["provenance"] in text


def test_text_is_escaped(baseline_run) -> None:
    sc = kabulsim.Scenario.model_validate(
        {**kabulsim.Scenario().model_dump(), "description": "<script>alert(1)</script> & co"}
    )
    text = build_report(baseline_run.summary.head(10), sc)
    assert "<script>alert" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in text


def test_scenario_changes() -> None:
    base = kabulsim.Scenario()
    assert scenario_changes(base).empty
    changed = kabulsim.Scenario.model_validate(
        {**base.model_dump(), "hvt": {**base.hvt.model_dump(), "tip_per_h": 0.0}}
    )
    rows = scenario_changes(changed)
    assert rows.to_dict("records") == [
        {"parameter": "hvt.tip_per_h", "baseline": "0.04", "scenario": "0"}
    ]


CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed")
def test_report_renders_in_chromium(report_html: str, tmp_path: Path) -> None:
    import numpy as np
    from PIL import Image

    page = tmp_path / "report.html"
    page.write_text(report_html, encoding="utf-8")
    shot = tmp_path / "shot.png"
    subprocess.run(
        [
            str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={shot}", "--window-size=1200,3000", page.as_uri(),
        ],
        check=True, timeout=60, capture_output=True,
    )  # fmt: skip
    with Image.open(shot) as im:
        pixels = np.asarray(im.convert("L"), dtype=float)
    assert pixels.std() > 5  # not blank
    assert shutil.which(str(CHROMIUM))


def test_scenario_changes_are_the_differences_that_show_prints() -> None:
    from kabulsim.scenario.loading import differences

    base = kabulsim.Scenario()
    data = base.model_dump()
    data["air"]["sorties"][1]["north_share"] = 0.2
    changed = kabulsim.Scenario.model_validate(data)
    rows = scenario_changes(changed)
    assert list(rows["parameter"]) == [key for key, _, _ in differences(base, changed)]
    assert rows.to_dict("records") == [
        {
            "parameter": "air.sorties.1.north_share",
            "baseline": f"{base.air.sorties[1].north_share:g}",
            "scenario": "0.2",
        }
    ]


def test_report_shows_the_differences_compare_wrote(
    baseline_run: kabulsim.RunResult, hold_back_run: kabulsim.RunResult, monkeypatch
) -> None:

    import kabulsim.report.html as report_html

    def recompute(*args, **kwargs):
        raise AssertionError("the report recomputed the comparison")

    summaries = {"baseline": baseline_run.summary, "hold_back": hold_back_run.summary}
    written = report_html.compare(summaries, "baseline", outcomes=["vacuum_h"], n_boot=50)
    written.loc[written["statistic"] == "mean", "diff"] = 4321.0
    monkeypatch.setattr(report_html, "compare", recompute)
    text = build_report(
        hold_back_run.summary,
        hold_back_run.scenario,
        comparison={"baseline": baseline_run.summary, "hold_back": hold_back_run.summary},
        differences=written,
    )
    assert ">+4,321 h<" in text  # the written difference, in words
    assert "Vacuum in Kabul" in text
