"""The counterfactual library: each file shows its qualitative effect over replications.

Each scenario is run for REPS replications with a fixed seed and compared with the baseline
run with the same seed. Times are compared as medians, with "never happened within the
horizon" counted as later than any date. The runs draw from the baseline's ensemble, as
every run does by default, except where a test says it checks the single values.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd
import pytest

import kabulsim
from kabulsim.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
REPS = 100
SEED = 2001

pytestmark = pytest.mark.slow


@cache
def result(name: str, fixed: bool = False) -> kabulsim.RunResult:
    """The scenario's run: across the default ensemble, or at the single values (``fixed``)."""
    sc = load_scenario(SCENARIOS / f"{name}.yaml")
    out = kabulsim.run(sc, REPS, SEED, ensemble=None if fixed else "baseline")
    assert len(out.failures) == 0, out.failures["error"].iloc[0]
    return out


def summary(name: str, fixed: bool = False) -> pd.DataFrame:
    return result(name, fixed).summary


def times(frame: pd.DataFrame, column: str) -> pd.Series:
    """Times as UTC timestamps; never-happened as +inf-like (far future)."""
    parsed = pd.to_datetime(frame[column].replace("", None), utc=True)
    return parsed.fillna(pd.Timestamp("2100-01-01", tz="UTC"))


def never(frame: pd.DataFrame, column: str) -> float:
    return float((frame[column] == "").mean())


def test_baseline_reference_points():
    base = summary("baseline")
    assert never(base, "alliance_enters_kabul") == 0.0
    assert never(base, "mazar_falls") == 0.0
    assert base["atef_killed"].mean() > 0.5


def test_no_air_campaign_front_holds():
    # At the single values: the mechanism (each line starts at the morale where two years of
    # stalemate left it, where ground pressure and recovery balance, and the commander's
    # persistent picture never gives him the odds) holds the front in >= 90%. Across the
    # ensemble too: the validation's stalemate fact and tests/model/test_stalemate.py (100%
    # at seed 0 with 200, to 31 Oct 2002; before model v3, 92% to 1 May 2002).
    cf = summary("no_air_campaign", fixed=True)
    assert never(cf, "shamali_start") >= 0.9
    assert never(cf, "alliance_enters_kabul") >= 0.9
    # The mechanism is named: the commander never judged an assault worth it.
    assert (cf["kabul_held_by"] == "front_estimate").mean() >= 0.9
    base = summary("baseline", fixed=True)
    assert cf["civilian_casualties"].median() < base["civilian_casualties"].median()


def test_hold_back_longer_vacuum_more_armed_groups_no_broader_authority():
    base, cf = summary("baseline"), summary("hold_back")
    assert cf["vacuum_h"].median() > 10 * base["vacuum_h"].median()
    # Control breadth measures the authority that holds the city in order (issue 24 d): the
    # hold-back brings more armed groups into the city, not a broader authority.
    assert cf["control_breadth"].mean() <= base["control_breadth"].mean()
    assert cf["armed_groups_max"].mean() > base["armed_groups_max"].mean() + 0.5
    assert (
        times(cf, "alliance_enters_kabul").median() > times(base, "alliance_enters_kabul").median()
    )


def test_hold_back_opens_the_city_to_factions_and_costs_civilian_lives():
    base, cf = summary("baseline"), summary("hold_back")
    assert cf["factions_entered"].mean() > base["factions_entered"].mean() + 0.5
    assert cf["factional_fighting"].mean() > base["factional_fighting"].mean() + 0.2
    assert cf["civilians_looting"].mean() > base["civilians_looting"].mean() + 1.0
    assert cf["taliban_reentered"].mean() > base["taliban_reentered"].mean()


def test_an_early_international_force_shortens_factional_fighting():
    late, early = summary("hold_back_until_interim"), summary("hold_back_early_force")
    assert early["factional_fighting_h"].mean() < late["factional_fighting_h"].mean()
    with_force = {"alliance_and_international", "international"}
    assert early["holder_at_interim"].isin(with_force).mean() > 0.9
    assert not late["holder_at_interim"].isin(with_force).any()


def test_poor_discipline_makes_a_declared_hold_back_short():
    hold, poor = summary("hold_back"), summary("hold_back_poor_discipline")
    assert poor["vacuum_h"].median() < hold["vacuum_h"].median() / 5
    assert poor["factions_entered"].mean() < hold["factions_entered"].mean()


def test_taliban_defend_kabul_fight_in_the_city():
    base, cf = summary("baseline"), summary("taliban_defend_kabul")
    assert times(cf, "kabul_falls").median() > times(base, "kabul_falls").median()
    assert cf["resistance_in_city"].mean() >= 0.9
    assert cf["killed_in_city"].median() >= 10
    assert cf["killed_in_city"].mean() > 5 * max(base["killed_in_city"].mean(), 1.0)
    assert cf["alliance_killed"].median() > base["alliance_killed"].median()


def test_no_tip_atef_never_killed_and_nothing_else_changes():
    base, cf = summary("baseline"), summary("no_tip")
    assert not cf["atef_killed"].any()
    assert (cf["tips"] == 0).all()
    # the tip touches only the strike: the same seed gives the same campaign
    for column in ("shamali_start", "front_broken", "alliance_enters_kabul"):
        assert (cf[column] == base[column]).all(), column


def test_no_ground_controllers_later_fall():
    base, cf = summary("baseline"), summary("no_ground_controllers")
    assert never(cf, "kabul_falls") <= 0.1  # later, not never: inside the horizon
    assert (
        times(cf, "alliance_enters_kabul").median() > times(base, "alliance_enters_kabul").median()
    )
    assert times(cf, "mazar_falls").median() > times(base, "mazar_falls").median()


def test_mazar_holds_north_stands_and_shamali_fight_comes_later():
    base, cf = summary("baseline"), summary("mazar_holds")
    assert never(cf, "mazar_falls") >= 0.9
    assert times(cf, "shamali_start").median() > times(base, "shamali_start").median()
    assert never(cf, "kabul_falls") <= 0.1


def test_early_offensive_assault_on_25_october_costs_more():
    base, cf = summary("baseline"), summary("early_offensive")
    events = result("early_offensive").events
    assaults = events[(events["phase"] == "shamali") & (events["event"] == "assault")]
    first = assaults.groupby("rep")["time"].min()
    assert len(first) == REPS
    first_t = pd.to_datetime(first, utc=True)
    ordered = pd.Timestamp("2001-10-25T09:00+04:30")
    # Before the order the commander attacks only on his own estimate: rare, since each line
    # starts at the stalemate's morale and his persistent picture of it did not give him the
    # odds then (model v3; 1 replication in 100 at this seed, on 23 Oct).
    assert (first_t < ordered).mean() <= 0.05
    # Ordered on 25 Oct; massing and daylight put the ordered assault (the first at or after
    # the order) within about three days.
    at = pd.to_datetime(assaults["time"], utc=True)
    after = pd.to_datetime(assaults[at >= ordered].groupby("rep")["time"].min(), utc=True)
    assert (after < ordered + pd.Timedelta(days=3)).sum() >= 0.9 * REPS
    # In this model the early assault is usually repulsed; a second one follows in November.
    # The summary's shamali_* columns describe the last assault, so count and cost are compared.
    assert cf["shamali_assaults"].mean() > base["shamali_assaults"].mean() + 0.5
    assert cf["alliance_killed"].median() > 5 * max(base["alliance_killed"].median(), 1.0)
