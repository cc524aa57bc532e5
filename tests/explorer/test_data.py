"""The explorer's data: the grid, the censored fall-by-date curve, reproducibility."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd
import pytest

import kabulsim
from kabulsim.analysis.sweep import parse_axis
from kabulsim.calibration import ensemble
from kabulsim.explorer import ExplorerData, plan_grid, run_family
from kabulsim.explorer.data import OWN, fall_curve
from kabulsim.tables import to_datetime

from .conftest import REPS, SEED


def test_grid_crosses_scenarios_and_values_baseline_first(family) -> None:
    axes = [
        parse_axis("alliance.hold_back_h=72,336"),
        parse_axis("air.controller_multiplier=1,2,3"),
    ]
    controls, cells = plan_grid(family, axes)
    assert [c.key for c in controls] == [
        "scenario", "alliance.hold_back_h", "air.controller_multiplier",
    ]  # fmt: skip
    # every menu starts with the scenario's own value, then the values it may be changed to
    assert controls[1].options == (OWN, "72", "336")
    assert len(cells) == 2 * 3 * 4
    assert cells[0].choice == ("baseline", OWN, OWN) and cells[0].values == {}
    assert cells[0].scenario == family[0]  # the baseline is the scenario as its file says
    assert cells[-1].choice == ("hold_back", "336", "3")
    for cell in cells:
        assert cell.scenario.name == cell.choice[0]
        own = cell.choice[1] == OWN
        expected = cell.own.alliance.hold_back_h if own else float(cell.choice[1])
        assert cell.scenario.alliance.hold_back_h == expected
        assert ("alliance.hold_back_h" in cell.values) is not own
    # the scenario's own changes survive the axis it does not vary
    assert all(c.scenario.alliance.pressure == 0.98 for c in cells if c.choice[0] == "hold_back")


def test_a_menu_at_its_default_never_overrides_the_scenario(family) -> None:
    # the defect: hold_back sets indiscipline 0.02, the menu's first value (0.2) replaced it
    axes = [parse_axis("alliance.indiscipline_per_h=0.2,0.02")]
    _controls, cells = plan_grid(family, axes)
    hold_back = next(c for c in cells if c.choice == ("hold_back", OWN))
    assert hold_back.scenario == family[1]
    assert hold_back.scenario.alliance.indiscipline_per_h == 0.02


def test_grid_rejects_bad_families(family) -> None:
    with pytest.raises(ValueError, match="names must differ"):
        plan_grid([family[0], family[0]], [])
    axis = parse_axis("alliance.hold_back_h=72,336")
    with pytest.raises(ValueError, match="varied once"):
        plan_grid(family, [axis, axis])
    with pytest.raises(ValueError, match="hold_back_h"):
        plan_grid(family, [parse_axis("alliance.hold_back_h=-1,5")])
    with pytest.raises(ValueError, match="at least one"):
        plan_grid([], [])


def _summary(entries: list[str], errors: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"alliance_enters_kabul": entries, "error": errors})


def test_fall_curve_censors_what_did_not_happen_within_the_horizon() -> None:
    sc = kabulsim.Scenario()
    start = sc.start
    end = start + timedelta(days=sc.horizon_days)

    def iso(t):
        return t.isoformat(timespec="minutes")

    entries = [
        iso(start + timedelta(days=36)),
        iso(start + timedelta(days=35)),
        "",  # no entry: censored
        iso(end + timedelta(days=2)),  # after the horizon: censored too
        iso(start + timedelta(days=40)),
        iso(start + timedelta(days=30)),  # this replication raised: left out
    ]
    errors = ["", "", "", "", "", "RuntimeError: boom"]
    curve = fall_curve(_summary(entries, errors), sc)
    assert curve["reps"].unique().tolist() == [5]
    assert curve["share"].iloc[0] == 0.0
    assert np.all(np.diff(curve["share"]) >= 0)
    # three entries within the horizon out of five replications: the curve ends at 3/5,
    # not at 1 (the two censored ones are not counted at the horizon)
    assert curve["share"].iloc[-1] == pytest.approx(3 / 5)
    assert curve["entered"].tolist() == [0, 1, 2, 3, 3]
    assert curve["date"].iloc[0] == "2001-10-07T00:00:00Z"  # Kabul wall clock
    assert curve["date"].iloc[1] == "2001-11-11T00:00:00Z"
    assert curve["date"].iloc[-1] == end.strftime("%Y-%m-%dT%H:%M:00Z")
    assert curve["date"].tolist() == sorted(curve["date"])


def test_cells_share_random_numbers_with_a_plain_run(family, explorer_data) -> None:
    d = explorer_data
    assert len(d.cells) == 6 and d.reps == REPS
    # the baseline cell is the baseline scenario run with the same seed by kabulsim.run,
    # drawing every calibrated parameter from the baseline ensemble (nothing pinned)
    plain = kabulsim.run(family[0], reps=REPS, seed=SEED).summary
    times = to_datetime(plain["alliance_enters_kabul"]).dropna().sort_values()
    curve = d.fall[d.fall["cell"] == 0]
    assert curve["share"].iloc[-1] == pytest.approx(len(times) / REPS)
    expected = times.dt.tz_localize(None).dt.strftime("%Y-%m-%dT%H:%M:%SZ").tolist()
    assert curve["date"].iloc[1 : 1 + len(times)].tolist() == expected
    # a menu set to a value pins it in every replication (the ensemble does not replace it)
    pinned = ensemble.shipped().without(["alliance.indiscipline_per_h"])
    at_02 = kabulsim.run(family[0], reps=REPS, seed=3, ensemble=pinned).summary
    times = to_datetime(at_02["alliance_enters_kabul"]).dropna().sort_values()
    expected = times.dt.tz_localize(None).dt.strftime("%Y-%m-%dT%H:%M:%SZ").tolist()
    assert d.fall[d.fall["cell"] == 1]["date"].iloc[1 : 1 + len(times)].tolist() == expected
    # views for every cell; differences for every cell but the baseline
    for frame in (d.fall, d.timeline, d.outcomes, d.map_routes, d.map_fronts):
        assert sorted(frame["cell"].unique()) == list(range(6))
    assert sorted(d.differences["cell"].unique()) == [1, 2, 3, 4, 5]
    assert set(d.exposed["parameter"]) >= {
        "alliance.indiscipline_per_h", "alliance.hold_back_h", "alliance.pressure",
    }  # fmt: skip
    assert (d.exposed["source"] != "").all()


def test_the_page_names_what_each_menu_option_means(explorer_data) -> None:
    d = explorer_data
    own = d.menus.set_index("scenario")["own"]
    assert own["hold_back"] == "0.02"
    assert own["baseline"].startswith("drawn from the ensemble")
    case = d.cells.set_index(["c0", "c1"])["case"]
    assert case[("hold_back", OWN)] == (
        "hold_back as its file says (every menu on the scenario's own value)"
    )
    assert case[("hold_back", "0.2")] == (
        "hold_back with alliance.indiscipline_per_h changed to 0.2 (the scenario's own: 0.02)"
    )
    row = d.exposed.set_index("parameter").loc["alliance.indiscipline_per_h", "values"]
    assert "hold_back 0.02" in row and "0.2, 0.02" in row


def test_hold_back_delays_the_entry_against_its_baseline(explorer_data) -> None:
    d = explorer_data
    entry = d.differences[
        (d.differences["outcome"] == "alliance_enters_kabul")
        & (d.differences["statistic"] == "median_time")
    ].set_index("cell")
    # cell 3 is hold_back as its file says (0.02); cell 4 with the baseline's discipline
    assert entry.loc[3, "diff"] > 0
    assert entry.loc[3, "diff"] > entry.loc[4, "diff"]
    # cell 5 sets the scenario's own value: the same run as cell 3
    assert entry.loc[5, "diff"] == entry.loc[3, "diff"]


def test_event_shares_are_shown_for_events_only(explorer_data) -> None:
    d = explorer_data.differences
    happened = d[(d["statistic"] == "happened") & d["shown"]]
    assert set(happened["kind"]) <= {"time"}
    assert "vacuum_h" not in set(happened["outcome"])
    assert (d["title"] != d["outcome"]).all()


def _frames(d: ExplorerData) -> list[pd.DataFrame]:
    return [d.cells, d.fall, d.timeline, d.outcomes, d.differences, d.map_routes, d.map_fronts]


def test_same_seed_same_tables_whatever_the_workers(family) -> None:
    axes = [parse_axis("alliance.hold_back_h=72,168")]
    a = run_family(family[:1], axes, reps=4, seed=5, workers=1, n_boot=50)
    b = run_family(family[:1], axes, reps=4, seed=5, workers=2, n_boot=50)
    for x, y in zip(_frames(a), _frames(b), strict=True):
        pd.testing.assert_frame_equal(x, y)
    c = run_family(family[:1], axes, reps=4, seed=6, workers=1, n_boot=50)
    assert not a.fall.equals(c.fall)


def test_progress_reaches_the_total(family) -> None:
    calls: list[tuple[int, int]] = []
    run_family(family[:1], [], reps=3, seed=0, progress=lambda d, t: calls.append((d, t)))
    assert calls[-1] == (3, 3)
    assert all(t == 3 for _, t in calls)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
