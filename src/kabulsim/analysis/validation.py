"""Validation of the baseline against the facts of the record.

Each :class:`Fact` names a fact of the source text, quotes the sentence it comes from,
computes a statistic over the replications of a Monte Carlo run, and compares it with a
written-down tolerance. The validation passes only if every fact does.

The day of entry. The source is not consistent: its infobox dates the battle 12-13 November
2001, its body puts the Shamali fight on 12 November followed by the evacuation and the
entry, while its lead says the attack began on 13 November and the entry came "the next
day" (14 November). We resolve it as **13 November 2001**: the body's sequence (fight on the
12th, evacuation that night, entry after it) and the infobox agree on it, and contemporary
reporting (the BBC's John Simpson, quoted in the source's aftermath section, entered the
city on the morning of 13 November; Kabul was reported in alliance hands on 13 November)
does too. The tolerance is wider than that day, 12 November 00:00 to 15 November 00:00 local
time, so that the lead's reading is not ruled out by the check.

The stalemate. "For two years during the Afghan Civil War the frontline had been stalemated
here": the fronts held from 1999 to October 2001 without an air campaign. That is checked on
a second run (:func:`stalemate_scenario`): the scenario with no strike sorties, no ground
controllers on any front, and its horizon extended by :data:`STALEMATE_EXTENSION_DAYS`. Every
front must hold to the scenario's own horizon in at least 90% of its replications, and the
share in which Kabul has fallen must grow by less than 3 points over the extra six months:
a stalemate that is an equilibrium, not a transient that a longer horizon would undo. The
share by the scenario's horizon is read off the same run (the model is causal: what happens
before a time does not depend on the horizon; ``tests/model/test_stalemate.py`` checks it).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import numpy as np
import pandas as pd

from kabulsim.analysis.intervals import quantiles, time_quantiles
from kabulsim.outputs import OUTCOMES_DECLARED, column, per_place
from kabulsim.scenario.schema import Scenario
from kabulsim.tables import to_datetime
from kabulsim.timebase import KABUL

# The record's columns, read from the places' data (kabulsim.places): the city whose fall
# comes first, and the fight for the front that covers Kabul.
CITY_FALLS = column("city_falls", "falls")
FIGHT_START = column("start", "capital")
FIGHT_HOURS = column("duration_h", "capital")
FIGHT_WINNER = column("winner", "capital")

ENTRY_DECISION = (
    "Entry day resolved as 13 Nov 2001: the body (fight on 12 Nov, evacuation, then entry) and"
    " the infobox (12-13 Nov) agree, and so does contemporary reporting (John Simpson entered"
    " on the morning of 13 Nov); the lead's 'the next day' after an attack on 13 Nov would give"
    " 14 Nov, so the tolerance spans 12-14 Nov."
)


@dataclass(frozen=True)
class Check:
    """The outcome of one fact's check."""

    simulated: str
    passed: bool


STALEMATE_EXTENSION_DAYS = 183.0
"""How far past the scenario's horizon the stalemate run goes (six months)."""
STALEMATE_HOLDS = 0.9
"""The least share of the stalemate run's replications in which every front holds."""
STALEMATE_DRIFT = 0.03
"""The most the share with Kabul fallen may grow over the extra six months (3 points)."""
STALEMATE_RUN = (
    "the scenario with no strike sorties and no ground controllers, run to its horizon"
    f" + {STALEMATE_EXTENSION_DAYS:.0f} days"
)
"""The second run of the validation, in words."""


@dataclass(frozen=True)
class Fact:
    """A fact of the record with its source, tolerance and check.

    ``run`` names the run the check reads: ``"record"``, the scenario validated, or
    ``"stalemate"``, its no-air-campaign variant (:func:`stalemate_scenario`).
    """

    key: str
    fact: str
    quote: str
    tolerance: str
    check: Callable[[pd.DataFrame, Scenario], Check]
    run: Literal["record", "stalemate"] = "record"


def stalemate_scenario(scenario: Scenario) -> Scenario:
    """``scenario`` without an air campaign: the run the stalemate fact reads.

    No strike sorties in any period (the periods keep their dates and shares), no ground
    controllers on any front, and the horizon extended by :data:`STALEMATE_EXTENSION_DAYS`
    (the check compares Kabul's fall by the scenario's own horizon and by the extended one).
    """
    air = scenario.air
    no_air = air.model_copy(
        update={
            "sorties": tuple(
                p.model_copy(update={"strike_sorties_per_day": 0.0}) for p in air.sorties
            ),
            **{name: None for name in type(air).model_fields if name.startswith("controllers_")},
        }
    )
    fronts = {
        name: front.model_copy(update={"controllers": None})
        for name, front in scenario.fronts.items()
    }
    return scenario.model_copy(
        update={
            "air": no_air,
            "fronts": fronts,
            "horizon_days": scenario.horizon_days + STALEMATE_EXTENSION_DAYS,
        }
    )


def _local(y: int, m: int, d: int, h: int = 0) -> pd.Timestamp:
    return pd.Timestamp(datetime(y, m, d, h, tzinfo=KABUL))


def _fmt_t(t: pd.Timestamp) -> str:
    return "" if pd.isna(t) else t.strftime("%Y-%m-%d %H:%M")


def _time_stat(summary: pd.DataFrame, col: str) -> tuple[pd.Series, str]:
    times = to_datetime(summary[col]).dropna()
    if times.empty:
        return times, "never"
    med, low, high = (_fmt_t(t) for t in time_quantiles(times))
    share = len(times) / len(summary)
    return times, f"{med} [{low} to {high}], {share:.0%}"


def _num_stat(values: pd.Series | np.ndarray, unit: str = "") -> tuple[float, str]:
    arr = np.asarray(pd.to_numeric(pd.Series(values), errors="coerce").dropna(), dtype=float)
    if arr.size == 0:
        return float("nan"), "none"
    med, lo, hi = quantiles(arr)
    return float(med), f"{med:.3g}{unit} [{lo:.3g} to {hi:.3g}]"


def _gap_days(summary: pd.DataFrame, later: str, earlier: str) -> pd.Series:
    delta = to_datetime(summary[later]) - to_datetime(summary[earlier])
    return delta.dt.total_seconds() / 86400.0


def _bombing(summary: pd.DataFrame, sc: Scenario) -> Check:
    day = sc.air.bombing_start.astimezone(KABUL).date()
    return Check(f"{day.isoformat()} (exogenous input)", day.isoformat() == "2001-10-07")


def _city_gap(summary: pd.DataFrame, sc: Scenario) -> Check:
    med, text = _num_stat(_gap_days(summary, "alliance_enters_kabul", CITY_FALLS), " d")
    return Check(text, 2.5 <= med <= 6.0)


def _median_date_within(
    summary: pd.DataFrame, col: str, low: pd.Timestamp, high: pd.Timestamp
) -> Check:
    """Pass when the median time in ``col`` lies in [low, high); fail when it never happened."""
    times, text = _time_stat(summary, col)
    if times.empty:
        return Check(text, False)
    (median,) = time_quantiles(times, (0.5,))
    return Check(text, bool(low <= median < high))


def _fight_date(summary: pd.DataFrame, sc: Scenario) -> Check:
    return _median_date_within(summary, FIGHT_START, _local(2001, 11, 11), _local(2001, 11, 14))


def _duration(summary: pd.DataFrame, sc: Scenario) -> Check:
    med, text = _num_stat(summary[FIGHT_HOURS], " h")
    return Check(text, 1.5 <= med <= 6.0)


def _fall_back(summary: pd.DataFrame, sc: Scenario) -> Check:
    fought = summary[FIGHT_WINNER].isin(["alliance", "taliban", "none"])
    won = (summary[FIGHT_WINNER] == "alliance").mean()
    return Check(f"fight in {fought.mean():.0%}, Taliban fall back in {won:.0%}", won >= 0.9)


def _evacuation(summary: pd.DataFrame, sc: Scenario) -> Check:
    evacuated = (summary["kabul_evacuated"] != "").mean()
    decided = to_datetime(summary["evacuation_decided"])
    broken = to_datetime(summary["front_broken"])
    both = decided.notna() & broken.notna()
    ordered = bool((decided[both] >= broken[both]).all())
    treasury = summary["treasury_emptied"].mean()
    weapons, _ = _num_stat(summary["weapons_abandoned"])
    text = (
        f"evacuated {evacuated:.0%}, after the front broke: {'all' if ordered else 'NOT all'},"
        f" treasury emptied {treasury:.0%}, heavy weapons left median {weapons:.0%}"
    )
    return Check(text, evacuated >= 0.9 and ordered and treasury >= 0.8 and weapons >= 0.5)


def _entry_date(summary: pd.DataFrame, sc: Scenario) -> Check:
    return _median_date_within(
        summary, "alliance_enters_kabul", _local(2001, 11, 12), _local(2001, 11, 15)
    )


def _next_day(summary: pd.DataFrame, sc: Scenario) -> Check:
    med, text = _num_stat(_gap_days(summary, "alliance_enters_kabul", FIGHT_START), " d")
    return Check(text, 0.25 <= med <= 1.75)


def _short_pause(summary: pd.DataFrame, sc: Scenario) -> Check:
    hours = _gap_days(summary, "alliance_enters_kabul", "alliance_at_gates") * 24.0
    med, text = _num_stat(hours, " h")
    return Check(text, med <= 24.0)


def _no_resistance(summary: pd.DataFrame, sc: Scenario) -> Check:
    none = 1.0 - summary["resistance_in_city"].mean()
    return Check(f"no resistance in {none:.0%}", none >= 0.85)


def _routes(summary: pd.DataFrame, sc: Scenario) -> Check:
    both = ((summary["to_kandahar"] > 0) & (summary["to_tora_bora"] > 0)).mean()
    k, _ = _num_stat(summary["to_kandahar"])
    t, _ = _num_stat(summary["to_tora_bora"])
    text = f"both routes used in {both:.0%}; median {k:.0f} to Kandahar, {t:.0f} to Tora Bora"
    return Check(text, both >= 0.95 and k > t)


def _atef(summary: pd.DataFrame, sc: Scenario) -> Check:
    killed = summary["atef_killed"].mean()
    strike = to_datetime(summary["atef_strike_time"])
    broken = to_datetime(summary["front_broken"])
    entry = to_datetime(summary["alliance_enters_kabul"])
    hit = strike.notna()
    window = (strike[hit] >= broken[hit]) & (strike[hit] <= entry[hit] + pd.Timedelta(hours=72))
    in_window = float(window.mean()) if hit.any() else 0.0
    text = f"killed in {killed:.0%}; strike while control collapses in {in_window:.0%} of those"
    return Check(text, killed >= 0.5 and in_window >= 0.9)


def _stalemate(summary: pd.DataFrame, sc: Scenario) -> Check:
    """Every front holds to the horizon; Kabul's fall by the horizon and six months later."""
    start = pd.Timestamp(sc.start)
    extended = start + pd.Timedelta(days=sc.horizon_days)
    horizon = extended - pd.Timedelta(days=STALEMATE_EXTENSION_DAYS)
    cols = per_place(OUTCOMES_DECLARED, sc.theatre.places)
    breaks = [c for (key, _), c in cols.items() if key in ("broken", "line_broken", "city_falls")]
    holds = pd.Series(True, index=summary.index)
    for col in breaks:
        t = to_datetime(summary[col])
        holds &= ~(t.notna() & (t <= horizon))
    fallen = to_datetime(summary["kabul_falls"])
    by_horizon = float((fallen.notna() & (fallen <= horizon)).mean())
    by_extended = float((fallen.notna() & (fallen <= extended)).mean())
    held = float(holds.mean())
    drift = by_extended - by_horizon
    text = (
        f"every front holds to {_fmt_t(horizon)} in {held:.1%}; Kabul fallen by then in"
        f" {by_horizon:.1%}, by {_fmt_t(extended)} in {by_extended:.1%}"
        f" (+{100 * drift:.1f} points)"
    )
    return Check(text, held >= STALEMATE_HOLDS and drift < STALEMATE_DRIFT)


def _strength(summary: pd.DataFrame, sc: Scenario) -> Check:
    f = sc.forces
    ok = 25_000 <= f.taliban_national <= 30_000 and 2_000 <= f.brigade_055 <= 3_000
    return Check(f"{f.taliban_national:,} and {f.brigade_055:,} (inputs)", ok)


FACTS: tuple[Fact, ...] = (
    Fact(
        "bombing_start",
        "Bombing starts on 7 Oct 2001",
        '"On 7 October ... the United States began their bombing campaign"',
        "the date, exactly",
        _bombing,
    ),
    Fact(
        "mazar_before_kabul",
        "Mazar-i-Sharif falls about five days before Kabul",
        '"Coupled with the fall of Mazar-i-Sharif five days earlier"',
        "median gap 2.5 to 6 days (9 to 13 Nov is 4 days)",
        _city_gap,
    ),
    Fact(
        "shamali_date",
        "The Shamali fight takes place on 12 Nov 2001",
        '"On 12 November, a brief battle took place on Shamali Plain"',
        "median start 11 Nov 00:00 to 14 Nov 00:00 (12 Nov +/- 1 day)",
        _fight_date,
    ),
    Fact(
        "shamali_duration",
        "The fight lasts about three hours",
        '"they fell back to Kabul following just three hours of fighting"',
        "median 1.5 to 6 h",
        _duration,
    ),
    Fact(
        "taliban_fall_back",
        "The fight ends with the Taliban falling back",
        '"they fell back to Kabul ... opening the road to the city"',
        "Taliban break in >= 90% of replications",
        _fall_back,
    ),
    Fact(
        "evacuation",
        "The Taliban evacuate Kabul, empty the treasury, leave weapons",
        '"the Taliban forces in Kabul evacuated the city, emptying the national treasury but in'
        ' their haste leaving behind weapons"',
        "evacuated >= 90%, never before the front breaks, treasury >= 80%, median >= 50% of"
        " heavy weapons left",
        _evacuation,
    ),
    Fact(
        "entry_date",
        "The alliance enters Kabul on 13 Nov 2001 (resolved)",
        '"Date: 12-13 November 2001" (infobox); "the next day ... entered Kabul" (lead)',
        "median 12 Nov 00:00 to 15 Nov 00:00. " + ENTRY_DECISION,
        _entry_date,
    ),
    Fact(
        "entry_next_day",
        "The entry comes the day after the fight began",
        '"the next day the Northern Alliance forces ... entered Kabul"',
        "median 0.25 to 1.75 days after the fight's start",
        _next_day,
    ),
    Fact(
        "short_pause",
        "The alliance's pause at the city is short-lived",
        '"Initially, the alliance held back from the city ... but this pause was short-lived"',
        "median wait at the gates <= 24 h",
        _short_pause,
    ),
    Fact(
        "no_resistance",
        "The alliance meets no resistance inside the city",
        '"entered Kabul and met no resistance inside the city"',
        "no fighting inside the city in >= 85% of replications",
        _no_resistance,
    ),
    Fact(
        "routes",
        "The Taliban and al-Qaeda withdraw toward Kandahar and Tora Bora",
        '"retreated toward Kandahar ... and Tora Bora"; "Taliban forces retreated to Kandahar'
        ' in the south"',
        "both routes used in >= 95%; more to Kandahar than to Tora Bora (median)",
        _routes,
    ),
    Fact(
        "atef",
        "Atef is killed by an airstrike while Taliban control collapses",
        "\"as the Taliban's control over Kabul was deteriorating ... An airstrike was carried"
        ' out, killing Atef"',
        "killed in >= 50%; >= 90% of strikes between the front's break and 72 h after entry",
        _atef,
    ),
    Fact(
        "stalemate",
        "Without an air campaign the fronts hold: the stalemate of 1999-2001 is an equilibrium",
        '"For two years during the Afghan Civil War the frontline had been stalemated here"',
        f"second run ({STALEMATE_RUN}): every front holds to the horizon in"
        f" >= {STALEMATE_HOLDS:.0%} of replications, and the share with Kabul fallen grows by"
        f" less than {100 * STALEMATE_DRIFT:.0f} points over the extra six months",
        _stalemate,
        run="stalemate",
    ),
    Fact(
        "strength",
        "Taliban 25,000-30,000 nationally, 2,000-3,000 in the 055 Brigade",
        '"between 25,000 and 30,000 fighters ... between 2000 and 3000 Arab fighters in Osama'
        " bin Laden's 055 Brigade\"",
        "scenario inputs within both ranges",
        _strength,
    ),
)


@dataclass(frozen=True)
class ValidationResult:
    """The validation table and whether every fact passed."""

    table: pd.DataFrame
    reps: int
    seed: int

    @property
    def passed(self) -> bool:
        """True when every fact passed."""
        return bool(self.table["passed"].all())

    def text(self, width: int = 100) -> str:
        """Each fact with its verdict, source, simulated value and tolerance, then the count."""
        lines = []
        for row in self.table.itertuples(index=False):
            lines.append(f"[{'PASS' if row.passed else 'FAIL'}] {row.fact}")
            lines += [
                textwrap.fill(
                    f"{label}: {getattr(row, label)}",
                    width=width,
                    initial_indent="    ",
                    subsequent_indent="        ",
                )
                for label in ("source", "simulated", "tolerance")
            ]
        failed = int((~self.table["passed"]).sum())
        lines.append(
            f"\n{len(self.table) - failed} of {len(self.table)} facts pass"
            + ("" if not failed else f"; {failed} FAIL")
        )
        return "\n".join(lines)


def validate_summary(
    summary: pd.DataFrame, scenario: Scenario, stalemate: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Check every fact against a run's summary table.

    Args:
        summary: the summary table of a run of ``scenario``.
        scenario: the scenario validated.
        stalemate: the summary table of a run of :func:`stalemate_scenario` of ``scenario``
            (same seed and ensemble); None leaves out the facts that read it.
    """
    rows = []
    variant = stalemate_scenario(scenario) if stalemate is not None else None
    for fact in FACTS:
        if fact.run == "stalemate":
            if stalemate is None or variant is None:
                continue
            result = fact.check(stalemate, variant)
        else:
            result = fact.check(summary, scenario)
        rows.append(
            {
                "key": fact.key,
                "fact": fact.fact,
                "source": fact.quote,
                "simulated": result.simulated,
                "tolerance": fact.tolerance,
                "passed": result.passed,
            }
        )
    return pd.DataFrame(rows)
