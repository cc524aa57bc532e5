"""A third front and its city added by a scenario file alone (``fronts:``, ``cities:``), end to end.

The fixture ``tests/fixtures/third_front.yaml`` is the baseline with an invented front (a test
fixture, not a historical claim): its forces, controllers, share of the sorties, its line on the
map and the city it covers (declared under ``cities:``) are written in the file; no code names
them. It runs through ``kabulsim run``, ``report``, ``explorer`` and ``params``, the map and the
animation, with its own columns titled from its labels; a front or city missing an input, or
clashing with the theatre, is one error line.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from kabulsim import outputs
from kabulsim.analysis.describe import describe
from kabulsim.cli import main
from kabulsim.places import ROUTES
from kabulsim.plots.animate import animation
from kabulsim.plots.fan import default_variables
from kabulsim.plots.geo import theatre_map
from kabulsim.plots.timeline import phases
from kabulsim.scenario.loading import differences, load_scenario
from kabulsim.scenario.provenance import implausible
from kabulsim.scenario.schema import CityFall, Scenario

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


def test_the_city_is_declared_on_its_own_and_its_fall_takes_the_schema_defaults():
    sc = load_scenario(FIXTURE)
    place = sc.theatre.places[-1]
    assert (place.city, place.city_label, place.retreat) == (
        "third_city",
        "Third city",
        "third_road",
    )
    assert place.city_at == (69.9, 36.9)  # (longitude, latitude) from [latitude, longitude]
    assert place.points[0] == (69.55, 36.55) and place.line == "Third front"
    fall = sc.fronts["third"].fall
    assert fall is not None
    given = {"advance_h"}
    defaults = CityFall()  # the package's falling front's part: its defaults, declared once
    for name in CityFall.model_fields:
        if name not in given:
            assert getattr(fall, name) == getattr(defaults, name), name
    # without a fall: section, every input is the default
    bare = load_scenario(FIXTURE, ["fronts.third.fall.advance_h=72"])
    assert bare.fronts["third"].fall == defaults


def test_the_routes_are_data_and_the_withdrawal_reads_them():
    theatre = load_scenario(FIXTURE).theatre
    # issue 25: the pockets' routes out (Kunduz's airlift, those who refuse the terms) follow
    pockets = ("kunduz_airlift", "kunduz_onward", "kandahar_onward")
    assert theatre.routes == (
        "north",
        "tora_bora_escape",
        "third_road",
        "kandahar",
        "tora_bora",
        *pockets,
    )
    assert [r.name for r in theatre.roads] == list(theatre.routes)
    road = theatre.roads[2]
    assert (road.label, road.length_km, road.stops) == ("from Third city", None, ())
    exits = theatre.withdrawal
    assert (exits.afghan.column, exits.foreign.column) == ("to_kandahar", "to_tora_bora")
    assert exits.afghan_share == Scenario().withdrawal.kandahar_share_afghan
    assert {r.name: r.length_km for r in ROUTES if r.length_km} == {
        "kandahar": 483.0,
        "tora_bora": 152.0,
    }
    # the 2001 theatre's routes: the ledger's order (the places' retreats first: the
    # escape from the Tora Bora redoubt is one), the map's stops
    assert Scenario().theatre.routes == (
        "north",
        "tora_bora_escape",
        "kandahar",
        "tora_bora",
        *pockets,
    )


def test_titles_come_from_the_labels():
    sc = load_scenario(FIXTURE, ["cities.third_city.label=Far town", "fronts.third.label=Ridge"])
    places = sc.theatre.places
    assert outputs.title("third_city_falls", places) == "Far town falls"
    assert outputs.title("third_line_broken", places) == "Ridge line breaks"
    assert outputs.title("morale_third", places) == "Taliban morale on the third front"
    # without the theatre, a title is made from the key
    assert outputs.title("third_city_falls") == "Third city falls"
    summary = pd.DataFrame({"third_city_falls": ["2001-11-20T10:00:00+04:30", ""]})
    (row,) = describe(summary, ("third_city_falls",), places)
    assert row.title == "Far town falls"
    fig = theatre_map(scenario=sc)
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert {"Ridge front", "Far town"} <= texts


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


def test_map_and_animation_draw_the_front(third_run, tmp_path):
    sc = load_scenario(FIXTURE)
    assert outputs.map_breaks(sc.theatre.places)["Third front"] == "third_city_falls"
    summary = pd.read_parquet(third_run / "summary.parquet")
    series = pd.read_parquet(third_run / "series.parquet")
    fig = theatre_map(summary, series, sc)
    ax = fig.axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    drawn = lines["Third front (held)"]
    assert list(drawn.get_xdata()) == [69.55, 69.8, 70.05]
    # broken when its city fell in most replications (as the northern front's)
    fell = (summary["third_city_falls"].replace("", None).notna()).mean() > 0.5
    assert (drawn.get_linestyle() == ":") == fell
    assert {"Third front", "Third city"} <= {t.get_text() for t in ax.texts}
    assert "Third front broken in" in ax.get_xlabel()
    assert (third_run / "figures" / "animation.gif").is_file()
    gif = animation(series, summary, sc, tmp_path / "a.gif")
    assert gif.stat().st_size > 0


def test_params_lists_the_declared_places(capsys):
    assert main(["params", str(FIXTURE)]) == 0
    out = capsys.readouterr().out
    assert "fronts.third.taliban = 3000 [fighters]" in out
    assert "cities.third_city.label = Third city [text]" in out
    assert "fronts.third.fall.advance_h = 96.0 [h (median)]   (baseline: 72.0)" in out
    assert "fronts.third.fall.shock = 0.45 [share]\n" in out  # the default: no "(baseline"
    assert main(["params", str(FIXTURE), "--format", "csv"]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out))
    rows = table.set_index("parameter")
    assert rows.loc["fronts.third.alliance", "kind"] == "declared"
    assert rows.loc["cities.third_city.retreat", "value"] == "third_road"


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


CITY = "cities:\n  far:\n    label: Far town\n    retreat: far_road\n"
COVER = "    city: far\n"

BAD_CITIES = [
    ("unknown_city", "", COVER, "fronts.third.city = far: expected a city declared under cities:"),
    ("uncovered_city", CITY, "", "cities.far = {...}: no front covers it"),
    ("city_of_the_package", CITY.replace("far:", "mazar:"), "    city: mazar\n",
     "cities.mazar = {...}: the theatre already has a place 'mazar'"),
    ("city_named_as_a_front", CITY.replace("far:", "third:"), "    city: third\n",
     "cities.third = {...}: the theatre already has a place 'third'"),
    ("route_of_the_package", CITY.replace("far_road", "kandahar"), COVER,
     "cities.far.retreat = kandahar: that route is already the theatre's"),
    ("city_without_retreat", CITY.replace("    retreat: far_road\n", ""), COVER,
     "cities.far.retreat"),
    ("city_off_the_globe", CITY + "    at: [136.0, 69.0]\n", COVER, "cities.far.at"),
    ("fall_without_city", "", "    fall:\n      shock: 0.1\n", "fall needs a city"),
    ("city_covered_twice", CITY, COVER + "  fourth:\n    label: fourth\n    taliban: 1\n"
     "    alliance: 1\n    controllers: null\n    shares: [0, 0, 0]\n" + COVER,
     "fronts.fourth.city = far: fronts.third already covers that city"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("cities", "front", "expected"), [c[1:] for c in BAD_CITIES], ids=[c[0] for c in BAD_CITIES]
)
def test_a_bad_city_is_one_line(tmp_path, capsys, cities, front, expected):
    text = FRONT.format(base=BASELINE) + "    shares: [0, 0.1, 0.1]\n" + front + cities
    path = tmp_path / "case.yaml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(path), "--reps", "2", "--out", str(out), "--quiet"]) == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"kabulsim: error: {path}"), lines[0]
    assert expected in lines[0], lines[0]
    assert not out.exists()
