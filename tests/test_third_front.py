"""A third front added by a scenario file alone (``fronts:``), run end to end.

The fixture ``tests/fixtures/third_front.yaml`` is the baseline with an invented front (a test
fixture, not a historical claim): its forces, controllers, share of the sorties and the city it
covers are written in the file; no code names it. It runs through ``kabulsim run``, ``report``
and ``explorer`` with its own columns, and a front missing an input is one error line.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kabulsim import outputs
from kabulsim.cli import main
from kabulsim.plots.fan import default_variables
from kabulsim.plots.timeline import phases
from kabulsim.scenario.loading import differences, load_scenario
from kabulsim.scenario.provenance import implausible
from kabulsim.scenario.schema import Scenario

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "third_front.yaml"
BASELINE = ROOT / "scenarios" / "baseline.yaml"


def test_the_fixture_declares_a_front_the_code_does_not_name():
    sc = load_scenario(FIXTURE)
    theatre = sc.theatre
    assert [f.name for f in theatre.fronts][-1] == "third"
    front = theatre.front("third")
    assert (front.taliban, front.alliance) == (3000, 4000)
    assert front.plays("falls") and front.fall is not None and front.fall.city == "third_city"
    assert front.fall.advance_h == 96.0
    assert "third_road" in theatre.routes
    names = outputs.of(theatre.places).outcome_names
    assert {"third_line_broken", "third_city_falls"} <= set(names)
    assert "third" not in " ".join(outputs.OUTCOME_NAMES)  # the 2001 theatre's columns
    # the shipped theatre's outputs are the module's (numbers and columns unchanged)
    assert outputs.of(Scenario().theatre.places).outcome_names == outputs.OUTCOME_NAMES
    assert outputs.of(Scenario().theatre.places).state == outputs.STATE


def test_a_declared_front_input_is_a_parameter_path():
    sc = load_scenario(FIXTURE, ["fronts.third.taliban=5000", "fronts.third.fall.shock=0.1"])
    assert sc.theatre.front("third").taliban == 5000
    fall = sc.theatre.front("third").fall
    assert fall is not None and fall.shock == 0.1


def test_a_declared_front_is_a_difference_and_its_ranges_are_checked():
    sc = load_scenario(FIXTURE, ["fronts.third.fall.shock=0.9"])
    changed = {key: (old, new) for key, old, new in differences(Scenario(), sc)}
    assert changed["fronts.third.taliban"] == (None, 3000)
    assert changed["fronts.third.fall.advance_h"] == (None, 96.0)
    assert "fronts.third.travel_h" not in changed  # null on both sides
    assert [line for line in implausible(sc) if line.startswith("fronts.third.fall.shock")]


@pytest.fixture(scope="module")
def third_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("third") / "run"
    status = main(["run", str(FIXTURE), "--reps", "6", "--out", str(out), "--quiet"])
    assert status == 0
    return out


def test_run_has_the_front_columns(third_run):
    summary = pd.read_parquet(third_run / "summary.parquet")
    series = pd.read_parquet(third_run / "series.parquet")
    quantiles = pd.read_parquet(third_run / "series_quantiles.parquet")
    assert (summary["error"] == "").all()
    for column in ("third_line_broken", "third_city_falls"):
        assert column in summary
    falls = summary["third_city_falls"].replace("", None).dropna()
    assert len(falls) > 0 and falls.str.startswith("2001-").all()  # ISO times, not hours
    assert summary["conservation_error"].abs().max() < 1e-6
    for column in ("taliban_third", "morale_third"):
        assert column in series
        assert column in set(quantiles["variable"])
    assert series["morale_third"].min() < 1.0
    assert series.groupby("rep")["taliban_third"].first().eq(3000).all()


def test_run_figures_show_the_front(third_run):
    figures = third_run / "figures"
    for name in ("fan_chart", "timeline", "distributions", "fall_by_date", "theatre_map"):
        assert (figures / f"{name}.png").is_file(), name
    sc = load_scenario(FIXTURE)
    assert default_variables(sc)[-1] == "morale_third"
    assert default_variables(Scenario()) == (
        "taliban_shamali",
        "alliance_shamali",
        "morale_shamali",
    )
    summary = pd.read_parquet(third_run / "summary.parquet")
    rows = [p.label for p in phases(summary, sc)]
    assert rows.index("Third city falls") == rows.index("Mazar-i-Sharif falls") + 1


def test_report_shows_the_front(third_run):
    assert main(["report", str(third_run)]) == 0
    html = (third_run / "report.html").read_text(encoding="utf-8")
    assert "Third city falls" in html


def test_explorer_shows_the_front(tmp_path):
    page = tmp_path / "page.html"
    status = main(
        [
            "explorer", str(FIXTURE), "--vary", "fronts.third.taliban=3000,9000", "--reps", "3",
            "--ensemble", "none", "--out", str(page), "--quiet",
        ]
    )  # fmt: skip
    assert status == 0
    text = page.read_text(encoding="utf-8")
    assert text.count("Third city falls") >= 2  # the timeline and the differences


FRONT = (
    "extends: {base}\nfronts:\n  third:\n    label: third\n    taliban: 10\n"
    "    alliance: 20\n    controllers: null\n"
)

BAD = [
    ("missing_input", "    shares: [0, 0.1, 0.1]\n", "fronts.third.alliance", True),
    ("shares_count", "    shares: [0, 0.1]\n", "fronts.third.shares", False),
    ("shares_sum", "    shares: [0, 0.5, 0.5]\n", "fronts.third.shares", False),
    ("city_without_fall", "    shares: [0, 0.1, 0.1]\n    city: far\n", "fronts.third", False),
    ("refilled_without_travel", "    shares: [0, 0.1, 0.1]\n    reinforced: refilled\n",
     "travel_h", False),
    ("unknown_key", "    shares: [0, 0.1, 0.1]\n    talibn: 3\n", "did you mean 'taliban'", False),
]  # fmt: skip


@pytest.mark.parametrize(
    ("rest", "expected", "drop"), [c[1:] for c in BAD], ids=[c[0] for c in BAD]
)
def test_a_front_missing_an_input_is_one_line(tmp_path, capsys, rest, expected, drop):
    text = FRONT.format(base=BASELINE) + rest
    if drop:
        text = text.replace("    alliance: 20\n", "")
    path = tmp_path / "case.yaml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(path), "--reps", "2", "--out", str(out), "--quiet"]) == 2
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert len(lines) == 1, captured.err
    assert lines[0].startswith(f"kabulsim: error: {path}"), lines[0]
    assert expected in lines[0], lines[0]
    assert not out.exists()


def test_a_front_may_not_take_a_place_of_the_theatre(tmp_path, capsys):
    path = tmp_path / "case.yaml"
    text = FRONT.format(base=BASELINE).replace("  third:", "  kabul:") + "    shares: [0, 0, 0]\n"
    path.write_text(text, encoding="utf-8")
    assert main(["run", str(path), "--reps", "2", "--out", str(tmp_path / "o"), "--quiet"]) == 2
    assert "the theatre already has a place 'kabul'" in capsys.readouterr().err
