"""Numbers people read on the explorer's page (issue 21: dates, units, titles, not reached)."""

from __future__ import annotations

import re

import pandas as pd

from kabulsim.explorer.numbers import date, difference_rows, forest_rows, number


def _row(outcome, statistic, baseline, value, diff, low, high, **kw):
    from kabulsim.outputs import OUTCOME_BY_NAME

    o = OUTCOME_BY_NAME[outcome]
    return {
        "cell": 1, "outcome": outcome, "statistic": statistic, "baseline": baseline,
        "value": value, "diff": diff, "ci_low": low, "ci_high": high,
        "meaningful": kw.get("meaningful", False), "shown": kw.get("shown", True),
        "title": o.title, "kind": o.kind, "outcome_units": o.units,
    }  # fmt: skip


def test_numbers_never_in_scientific_notation() -> None:
    for v in (1.0e-3, 0.05, 1.5, 12.25, 999.0, 1_180.0, 1.02e3, 123_456.7, -7_723.0):
        text = number(v, signed=True)
        assert not re.search(r"\d[eE]", text), text
    assert number(1_180.4) == "1,180" and number(-59.0, True) == "-59" and number(0.0) == "0"
    assert date(1020.175) == "18 Nov 2001 12:10"  # hours since 7 Oct 2001 00:00 (Kabul)


def test_differences_table_for_people() -> None:
    d = pd.DataFrame([
        # the example: hours since 7 October in e-notation, column names
        _row("alliance_enters_kabul", "median_time", 884.475, 1020.175, 135.7, 117.4, 156.1,
             meaningful=True),
        _row("vacuum_h", "median", 6.03, 136.4, 130.3, 116.3, 146.6, meaningful=True),
        # the vacuum exists only with an entry: its share is not shown, but said
        _row("vacuum_h", "happened", 1.0, 0.05, -0.95, -1.0, -0.85, shown=False),
        _row("civilian_casualties", "median", 1147.0, 0.0, -1147.0, -1209.3, -1117.0),
        _row("atef_killed", "proportion", 0.75, 0.05, -0.70, -0.9, -0.5, meaningful=True),
        _row("control_breadth", "median", 0.46, 0.59, 0.13, 0.04, 0.18),
    ])  # fmt: skip
    rows = difference_rows(d).set_index("outcome")
    entry = rows.loc[
        "Alliance enters Kabul: median date, over the replications in which it happened"
    ]
    assert (entry["baseline"], entry["value"]) == ("12 Nov 2001 20:28", "18 Nov 2001 12:10")
    assert entry["difference"] == "+5.7 days [+4.9 to +6.5]" and entry["changed"] == "yes"
    vacuum = rows.loc["Vacuum in Kabul (no side in control): median"]
    assert vacuum["baseline"] == "6.0 h" and vacuum["value"] == "136 h (over 5%)"
    assert vacuum["difference"] == "+130 h [+116 to +147]"
    assert not [o for o in rows.index if "happened" in o and "Vacuum" in o]
    assert rows.loc["Civilian casualties: median", "value"] == "0 people"
    assert rows.loc["Civilian casualties: median", "difference"] == (
        "-1,147 people [-1,209 to -1,117]"
    )
    atef = rows.loc["Strike kills Atef: share of replications"]
    assert (atef["baseline"], atef["value"]) == ("75%", "5%")
    assert atef["difference"] == "-70 percentage points [-90 to -50]"
    assert rows.loc["Control breadth: median", "difference"] == "+0.13 [+0.04 to +0.18]"
    text = " ".join(rows.reset_index().astype(str).to_numpy().ravel())
    assert not re.search(r"\d[eE][+-]?\d", text)
    assert not re.search(r"alliance_enters_kabul|vacuum_h|civilian_casualties", text)


def test_a_date_reached_in_fewer_than_half_is_not_reached() -> None:
    d = pd.DataFrame([
        _row("alliance_enters_kabul", "median_time", 884.0, 4000.0, 3116.0, 3000.0, 3200.0,
             meaningful=True),
        _row("alliance_enters_kabul", "happened", 1.0, 0.05, -0.95, -1.0, -0.85,
             meaningful=True),
    ])  # fmt: skip
    rows = difference_rows(d)
    median, happened = rows.iloc[0], rows.iloc[1]
    assert median["value"] == "not reached" and median["baseline"] == "12 Nov 2001 20:00"
    assert median["difference"].startswith("none") and median["changed"] == ""
    assert happened["difference"] == "-95 percentage points [-100 to -85]"
    assert happened["changed"] == "yes"
    # the forest plot leaves the undefined difference out and keeps the share
    forest = forest_rows(d)
    assert forest["row"].tolist() == [
        "Alliance enters Kabul: share in which it happened (percentage points)"
    ]
    assert forest["diff"].tolist() == [-95.0]
