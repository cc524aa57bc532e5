"""Validation of the baseline against the facts of the record, fitted and held out.

The facts are data: ``kabulsim/data/facts.yaml`` (:mod:`kabulsim.calibration.facts`). Each
fact marked ``fit`` becomes a :class:`Fact`: it names a fact of the source text, quotes the
sentence it comes from, computes a statistic over the replications of a Monte Carlo run (the
code of its kind, :data:`CHECKS`), and compares it with the file's tolerance. The validation
passes only if every fitted fact does.

The facts marked ``held_out`` were never read by the calibration. Each is scored as an
out-of-sample prediction (:func:`score_held_out`): its **PIT**, the record's place in the
predicted distribution, and whether the record lies inside the predicted central 50% and 90%
intervals (:func:`pit`). A record given as a window or a range counts as drawn uniformly over
it, so the PIT is the share of the window (or range) above each replication's value, averaged
over the replications: the expected PIT of a record uniform over its window (for a single
value, the share below it plus half the share equal to it). A PIT near 0 means the model
predicts later (or more) than the record, near 1 earlier (or fewer). An event that never
happened by the horizon counts as later than any window. The record lies inside the central
``q`` interval when ``|PIT - 0.5| <= q / 2``. A held-out fact whose column the model does
not produce is "not modelled": listed, not scored. Held-out facts never decide the exit status.

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

import math
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal

import numpy as np
import pandas as pd

from kabulsim.analysis.intervals import quantiles, time_quantiles
from kabulsim.calibration.facts import FactSet, FactSpec
from kabulsim.calibration.facts import shipped as shipped_facts
from kabulsim.outputs import OUTCOMES_DECLARED, per_place
from kabulsim.scenario.schema import Scenario
from kabulsim.tables import to_datetime
from kabulsim.timebase import KABUL


@dataclass(frozen=True)
class Check:
    """The outcome of one fact's check."""

    simulated: str
    passed: bool


STALEMATE_EXTENSION_DAYS = 183.0
"""How far past the scenario's horizon the stalemate run goes (six months)."""
STALEMATE_RUN = (
    "the scenario with no strike sorties and no ground controllers, run to its horizon"
    f" + {STALEMATE_EXTENSION_DAYS:.0f} days"
)
"""The second run of the validation, in words."""


@dataclass(frozen=True)
class Fact:
    """A fitted fact of the record with its source, tolerance and check.

    ``run`` names the run the check reads: ``"record"``, the scenario validated, or
    ``"stalemate"``, its no-air-campaign variant (:func:`stalemate_scenario`). ``spec`` is
    the fact as the facts file gives it.
    """

    key: str
    fact: str
    quote: str
    tolerance: str
    check: Callable[[pd.DataFrame, Scenario], Check]
    run: Literal["record", "stalemate"] = "record"
    spec: FactSpec | None = None


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


def _param(sc: Scenario, path: str) -> Any:
    value: Any = sc
    for part in path.split("."):
        value = getattr(value, part)
    return value


def _input_date(spec: FactSpec, summary: pd.DataFrame, sc: Scenario) -> Check:
    (path,) = spec.parameters
    day = _param(sc, path).astimezone(KABUL).date()
    assert spec.day is not None
    return Check(f"{day.isoformat()} (exogenous input)", day == spec.day)


def _input_range(spec: FactSpec, summary: pd.DataFrame, sc: Scenario) -> Check:
    values = {path: _param(sc, path) for path in spec.parameters}
    ok = all(low <= values[p] <= high for p, (low, high) in spec.parameters.items())
    return Check(" and ".join(f"{v:,}" for v in values.values()) + " (inputs)", ok)


def _median_date_within(
    summary: pd.DataFrame, col: str, low: pd.Timestamp, high: pd.Timestamp
) -> Check:
    """Pass when the median time in ``col`` lies in [low, high); fail when it never happened."""
    times, text = _time_stat(summary, col)
    if times.empty:
        return Check(text, False)
    (median,) = time_quantiles(times, (0.5,))
    return Check(text, bool(low <= median < high))


def _within(spec: FactSpec, value: float) -> bool:
    if spec.one_sided == "high":
        return value <= spec.high
    if spec.one_sided == "low":
        return value >= spec.low
    return spec.low <= value <= spec.high


def _time(spec: FactSpec, summary: pd.DataFrame, sc: Scenario) -> Check:
    assert spec.origin is not None and spec.until is not None
    low, high = pd.Timestamp(spec.origin), pd.Timestamp(spec.until)
    return _median_date_within(summary, spec.columns[0], low, high)


def _gap_values(spec: FactSpec, summary: pd.DataFrame) -> pd.Series:
    days = _gap_days(summary, spec.columns[0], spec.columns[1])
    return days * 24.0 if spec.units == "h" else days


def _gap(spec: FactSpec, summary: pd.DataFrame, sc: Scenario) -> Check:
    unit = " h" if spec.units == "h" else " d"
    med, text = _num_stat(_gap_values(spec, summary), unit)
    return Check(text, _within(spec, med))


def _value(spec: FactSpec, summary: pd.DataFrame, sc: Scenario) -> Check:
    med, text = _num_stat(summary[spec.columns[0]], f" {spec.units}")
    return Check(text, _within(spec, med))


def _holds(spec: FactSpec, summary: pd.DataFrame) -> pd.Series:
    """Whether a ``share`` fact's test holds, per replication."""
    when = spec.when
    out = pd.Series(True, index=summary.index)
    for col in spec.columns:
        values = summary[col]
        if isinstance(when, tuple):
            out &= values == when[1]
        elif when == "true":
            out &= values.astype(bool)
        elif when == "false":
            out &= ~values.astype(bool)
        elif when == "present":
            out &= values.notna() & (values != "")
        else:  # positive
            out &= pd.to_numeric(values, errors="coerce").fillna(0) > 0
    return out


def _share_of(spec: FactSpec, summary: pd.DataFrame) -> float:
    if spec.when == "false" and len(spec.columns) == 1:
        return float(1.0 - summary[spec.columns[0]].mean())  # as the check always computed it
    return float(_holds(spec, summary).mean())


def _share(spec: FactSpec, summary: pd.DataFrame, sc: Scenario) -> Check:
    share = _share_of(spec, summary)
    return Check(f"{share:.0%} of replications", share >= spec.low)


def _evacuation(spec: FactSpec, summary: pd.DataFrame, sc: Scenario) -> Check:
    evac, decided_col, broken_col, treasury_col, weapons_col = spec.columns
    evacuated = (summary[evac] != "").mean()
    decided = to_datetime(summary[decided_col])
    broken = to_datetime(summary[broken_col])
    both = decided.notna() & broken.notna()
    ordered = bool((decided[both] >= broken[both]).all())
    treasury = summary[treasury_col].mean()
    weapons, _ = _num_stat(summary[weapons_col])
    text = (
        f"evacuated {evacuated:.0%}, after the front broke: {'all' if ordered else 'NOT all'},"
        f" treasury emptied {treasury:.0%}, heavy weapons left median {weapons:.0%}"
    )
    ok = (
        evacuated >= spec.low
        and ordered
        and treasury >= spec.extra["treasury_at_least"]
        and weapons >= spec.extra["weapons_left_at_least"]
    )
    return Check(text, bool(ok))


def _routes(spec: FactSpec, summary: pd.DataFrame, sc: Scenario) -> Check:
    first, second = spec.columns
    both = ((summary[first] > 0) & (summary[second] > 0)).mean()
    k, _ = _num_stat(summary[first])
    t, _ = _num_stat(summary[second])
    text = f"both routes used in {both:.0%}; median {k:.0f} ({first}), {t:.0f} ({second})"
    return Check(text, bool(both >= spec.low and k > t))


def _atef(spec: FactSpec, summary: pd.DataFrame, sc: Scenario) -> Check:
    killed_col, strike_col, broken_col, entry_col = spec.columns
    killed = summary[killed_col].mean()
    strike = to_datetime(summary[strike_col])
    broken = to_datetime(summary[broken_col])
    entry = to_datetime(summary[entry_col])
    hit = strike.notna()
    after = pd.Timedelta(hours=spec.extra["window_after_entry_h"])
    window = (strike[hit] >= broken[hit]) & (strike[hit] <= entry[hit] + after)
    in_window = float(window.mean()) if hit.any() else 0.0
    text = f"killed in {killed:.0%}; strike while control collapses in {in_window:.0%} of those"
    return Check(
        text, bool(killed >= spec.low and in_window >= spec.extra["strike_in_window_at_least"])
    )


def stalemate_shares(summary: pd.DataFrame, sc: Scenario) -> tuple[float, float, float]:
    """Of the stalemate run's replications (``sc`` is :func:`stalemate_scenario`'s scenario).

    Returns the share in which every front holds to the scenario's own horizon, and the
    shares in which Kabul has fallen by that horizon and by the extended one.
    """
    horizon, extended = _stalemate_horizons(sc)
    cols = per_place(OUTCOMES_DECLARED, sc.theatre.places)
    breaks = [c for (key, _), c in cols.items() if key in ("broken", "line_broken", "city_falls")]
    holds = pd.Series(True, index=summary.index)
    for col in breaks:
        t = to_datetime(summary[col])
        holds &= ~(t.notna() & (t <= horizon))
    fallen = to_datetime(summary["kabul_falls"])
    by_horizon = float((fallen.notna() & (fallen <= horizon)).mean())
    by_extended = float((fallen.notna() & (fallen <= extended)).mean())
    return float(holds.mean()), by_horizon, by_extended


def _stalemate_horizons(sc: Scenario) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The scenario's own horizon and the extended one, of the stalemate run's scenario."""
    extended = pd.Timestamp(sc.start) + pd.Timedelta(days=sc.horizon_days)
    return extended - pd.Timedelta(days=STALEMATE_EXTENSION_DAYS), extended


def stalemate_holds(spec: FactSpec, held: float, by_horizon: float, by_extended: float) -> bool:
    """The stalemate fact's tolerance on :func:`stalemate_shares`'s three shares."""
    return held >= spec.low and by_extended - by_horizon < spec.extra["drift_below"]


def _stalemate(spec: FactSpec, summary: pd.DataFrame, sc: Scenario) -> Check:
    """Every front holds to the horizon; Kabul's fall by the horizon and six months later."""
    held, by_horizon, by_extended = stalemate_shares(summary, sc)
    horizon, extended = _stalemate_horizons(sc)
    text = (
        f"every front holds to {_fmt_t(horizon)} in {held:.1%}; Kabul fallen by then in"
        f" {by_horizon:.1%}, by {_fmt_t(extended)} in {by_extended:.1%}"
        f" (+{100 * (by_extended - by_horizon):.1f} points)"
    )
    return Check(text, stalemate_holds(spec, held, by_horizon, by_extended))


CHECKS: dict[str, Callable[[FactSpec, pd.DataFrame, Scenario], Check]] = {
    "time": _time,
    "gap": _gap,
    "value": _value,
    "share": _share,
    "evacuation": _evacuation,
    "routes": _routes,
    "atef": _atef,
    "stalemate": _stalemate,
    "input_date": _input_date,
    "input_range": _input_range,
}
"""The check of each kind of fact (:data:`kabulsim.calibration.facts.KINDS`)."""


def fitted_facts(facts: FactSet) -> tuple[Fact, ...]:
    """The facts marked ``fit``, each with the check of its kind."""
    return tuple(
        Fact(
            f.key,
            f.fact,
            f.source,
            f.tolerance,
            partial(CHECKS[f.kind], f),
            run="stalemate" if f.kind == "stalemate" else "record",
            spec=f,
        )
        for f in facts.used_for("fit")
    )


FACTS: tuple[Fact, ...] = fitted_facts(shipped_facts())
"""The fitted facts of the shipped facts file (``kabulsim/data/facts.yaml``)."""


# ---------------------------------------------------------------------- held-out facts


def pit(values: np.ndarray, low: float, high: float) -> float:
    """The record's place in the distribution of ``values`` (a record uniform over [low, high]).

    Each value ``x`` contributes the share of [low, high] at or above it (1 below the range,
    0 above it; ``+inf``, an event that never happened, contributes 0); for ``low == high``
    the share of values below the record plus half the share equal to it. NaN when there is
    no value.
    """
    x = np.asarray(values, dtype=float)
    if x.size == 0:
        return math.nan
    if high > low:
        return float(np.mean(np.clip((high - x) / (high - low), 0.0, 1.0)))
    return float(np.mean(x < low) + 0.5 * np.mean(x == low))


def inside(p: float, level: float) -> bool:
    """Whether a PIT lies inside the central ``level`` interval (``|p - 0.5| <= level/2``)."""
    return bool(abs(p - 0.5) <= level / 2.0 + 1e-12)


def predicted_values(spec: FactSpec, summary: pd.DataFrame) -> np.ndarray | None:
    """Each replication's value of a scored fact in its record's units (None: not modelled).

    ``time``: days after the window's start (``+inf`` when it never happened); ``gap``,
    ``value``: the column (missing values dropped); ``share``: 1 when the test holds, else 0.
    """
    if any(c not in summary.columns for c in spec.columns):
        return None
    if spec.kind == "time":
        assert spec.origin is not None
        t = to_datetime(summary[spec.columns[0]])
        days = (t - pd.Timestamp(spec.origin)).dt.total_seconds() / 86400.0
        return np.asarray(days.fillna(np.inf), dtype=float)
    if spec.kind == "gap":
        values = _gap_values(spec, summary)
    elif spec.kind == "value":
        values = pd.to_numeric(summary[spec.columns[0]], errors="coerce")
    else:
        return np.asarray(_holds(spec, summary), dtype=float)
    return np.asarray(values.dropna(), dtype=float)


def _fact_pit(spec: FactSpec, values: np.ndarray) -> float:
    if spec.kind == "share":  # the record: it happened (an outcome of 1)
        return pit(values, 1.0, 1.0)
    return pit(values, spec.low, spec.high)


def _predicted_text(spec: FactSpec, values: np.ndarray) -> str:
    if spec.kind == "share":
        return f"{np.mean(values):.0%} of replications"
    finite = values[np.isfinite(values)]
    never = 1.0 - finite.size / values.size if values.size else 0.0
    if finite.size == 0:
        return "never" if spec.kind == "time" else "no value"
    med, lo, hi = quantiles(finite)
    if spec.kind == "time":
        assert spec.origin is not None
        at = [
            _fmt_t(pd.Timestamp(spec.origin) + pd.Timedelta(days=float(d))) for d in (med, lo, hi)
        ]
        text = f"{at[0]} [{at[1]} to {at[2]}]"
        return text + (f", never in {never:.0%}" if never > 0 else "")
    return f"{med:,.4g} [{lo:,.4g} to {hi:,.4g}] {spec.units}".rstrip()


HELD_OUT_COLUMNS = (
    "key", "place", "fact", "record", "predicted", "pit", "in_50", "in_90", "status",
    "independent", "source",
)  # fmt: skip
"""The columns of :func:`score_held_out`'s table."""


def score_held_out(summary: pd.DataFrame, facts: FactSet | None = None) -> pd.DataFrame:
    """Score every held-out fact against a run's summary table (one row per fact).

    ``pit`` is the record's place in the predicted distribution (:func:`pit`), ``in_50`` and
    ``in_90`` whether the record lies inside the central 50% and 90% intervals; ``status`` is
    ``"scored"``, or ``"not modelled"`` (a column the model does not produce: no score) or
    ``"no value"`` (no replication has one).
    """
    chosen = shipped_facts() if facts is None else facts
    rows = []
    for spec in chosen.used_for("held_out"):
        values = predicted_values(spec, summary)
        row: dict[str, Any] = {
            "key": spec.key,
            "place": spec.place,
            "fact": spec.fact,
            "record": spec.record_text,
            "predicted": "",
            "pit": math.nan,
            "in_50": pd.NA,
            "in_90": pd.NA,
            "status": "not modelled",
            "independent": spec.independent,
            "source": f"{spec.source} ({spec.citation})" if spec.citation else spec.source,
        }
        if values is not None:
            p = _fact_pit(spec, values)
            row["predicted"] = _predicted_text(spec, values)
            if math.isnan(p):
                row["status"] = "no value"
            else:
                row.update(pit=p, in_50=inside(p, 0.5), in_90=inside(p, 0.9), status="scored")
        rows.append(row)
    table = pd.DataFrame(rows, columns=list(HELD_OUT_COLUMNS))
    return table.astype({"in_50": "boolean", "in_90": "boolean"})


@dataclass(frozen=True)
class Coverage:
    """How many scored held-out facts fall inside their predicted intervals."""

    scored: int
    in_50: int
    in_90: int
    not_modelled: int
    mean_distance: float
    """The mean of ``|PIT - 0.5|`` over the scored facts (0: every record at the median;
    0.5: every record outside every prediction)."""

    def line(self) -> str:
        """'k of n held-out facts inside their 50% intervals, k of n inside their 90%...'."""
        if self.scored == 0:
            return f"no held-out fact scored ({self.not_modelled} not modelled)"
        return (
            f"{self.in_50} of {self.scored} held-out facts inside their predicted 50% intervals,"
            f" {self.in_90} of {self.scored} inside their 90% intervals (nominal: about"
            f" {0.5 * self.scored:.1f} and {0.9 * self.scored:.1f}); mean |PIT - 0.5| ="
            f" {self.mean_distance:.3f}; {self.not_modelled} not modelled"
        )


def coverage(table: pd.DataFrame, independent_only: bool = False) -> Coverage:
    """The coverage of a :func:`score_held_out` table (only independent facts, on request)."""
    chosen = table[table["independent"].astype(bool)] if independent_only else table
    scored = chosen[chosen["status"] == "scored"]
    distance = float((scored["pit"] - 0.5).abs().mean()) if len(scored) else math.nan
    return Coverage(
        scored=len(scored),
        in_50=int(scored["in_50"].astype(bool).sum()),
        in_90=int(scored["in_90"].astype(bool).sum()),
        not_modelled=int((chosen["status"] == "not modelled").sum()),
        mean_distance=distance,
    )


@dataclass(frozen=True)
class ValidationResult:
    """The validation: the fitted facts' table, and the held-out facts' scores.

    ``held_out`` scores the held-out facts on the run validated; ``held_out_single`` on a
    run of the scenario's single values at the same seed and replications (None when the
    run validated is already that one). ``summary`` and ``summary_single`` are the runs'
    summary tables (for the figure of the predicted distributions).
    """

    table: pd.DataFrame
    reps: int
    seed: int
    held_out: pd.DataFrame | None = None
    held_out_single: pd.DataFrame | None = None
    summary: pd.DataFrame | None = field(default=None, repr=False)
    summary_single: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def passed(self) -> bool:
        """True when every fitted fact passed (the held-out facts never decide it)."""
        return bool(self.table["passed"].all())

    def text(self, width: int = 100) -> str:
        """Each fitted fact: verdict, source, simulated value and tolerance; then the count."""
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
    summary: pd.DataFrame,
    scenario: Scenario,
    stalemate: pd.DataFrame | None = None,
    facts: FactSet | None = None,
) -> pd.DataFrame:
    """Check every fitted fact against a run's summary table.

    Args:
        summary: the summary table of a run of ``scenario``.
        scenario: the scenario validated.
        stalemate: the summary table of a run of :func:`stalemate_scenario` of ``scenario``
            (same seed and ensemble); None leaves out the facts that read it.
        facts: the facts (default: the shipped file); only those marked ``fit`` are checked.
    """
    rows = []
    variant = stalemate_scenario(scenario) if stalemate is not None else None
    chosen = FACTS if facts is None else fitted_facts(facts)
    for fact in chosen:
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
