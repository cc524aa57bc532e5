"""Summaries of a run's outcome columns, in words people read.

Each key outcome is summarised by its kind (declared in :data:`kabulsim.outputs.OUTCOMES`):

* a time (``kabul_falls``): the median date over every replication, a replication in which
  the event did not happen within the horizon counting as later (censored); "not reached"
  when it had not happened by the horizon in half the replications or more, as the README's
  tables say; the 90% range likewise; and the share of replications in which it happened;
* a duration that exists only when its event happened (``vacuum_h``): the median over the
  replications in which it happened, stated as such, with that share;
* a count or other quantity: the median and 90% range over all replications, with units;
* a true/false outcome: the share of replications, with its Wilson 95% interval;
* a label: the most common value and its share.

"Happened" is given only for events (times and durations), never for counts and shares,
whose every replication has a value.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import pandas as pd

from kabulsim.analysis import display
from kabulsim.analysis.intervals import censored_time_quantiles, quantiles, share
from kabulsim.outputs import KEY_OUTCOMES, key_outcomes, outcome
from kabulsim.places import PLACES, Place
from kabulsim.tables import to_datetime

if TYPE_CHECKING:
    from kabulsim.experiments.runner import RunResult

__all__ = ["KEY_OUTCOMES", "Outcome", "describe", "describe_table"]


@dataclass(frozen=True)
class Outcome:
    """One outcome summarised over replications, as display strings."""

    name: str
    title: str
    median: str
    low: str
    high: str
    happened: float | None
    """Share of replications in which the event happened (None: not an event)."""
    note: str = ""
    """What the median is over, when not every replication; an interval's meaning."""

    @property
    def interval(self) -> str:
        """The 90% range as one string (empty when there is none)."""
        return f"{self.low} to {self.high}" if self.low or self.high else ""


def _time(name: str, col: pd.Series) -> Outcome:
    times = to_datetime(col)
    n = max(1, len(col))
    happened = int(times.notna().sum()) / n
    med, low, high = (
        display.date(t) if t is not None else display.NOT_REACHED
        for t in censored_time_quantiles(times)
    )
    note = ""
    if happened < 1.0:
        note = f"happened in {display.percent(happened)} of runs"
        if med != display.NOT_REACHED:
            note += "; median over all runs, the others counted as later"
    if happened == 0:
        med, low, high = display.NOT_REACHED, "", ""
    return Outcome(name, display.title(name), med, low, high, happened, note)


def _quantity(name: str, col: pd.Series, event: bool) -> Outcome:
    values = pd.to_numeric(col, errors="coerce").dropna().to_numpy(dtype=float)
    present = len(values) / max(1, len(col))
    happened = present if event else None
    if values.size == 0:
        text = "did not happen" if event else "no value"
        return Outcome(name, display.title(name), text, "", "", happened)
    med, lo, hi = (float(v) for v in quantiles(values))
    note = ""
    if present < 1.0:
        which = "in which it happened" if event else "with a value"
        note = f"median over the {display.percent(present)} of runs {which}"
    return Outcome(
        name, display.title(name), display.value(name, med), display.bare(name, lo),
        display.value(name, hi), happened, note,
    )  # fmt: skip


def _flag(name: str, col: pd.Series) -> Outcome:
    p, low, high = share(int(col.astype(bool).sum()), len(col))
    note = f"95% interval {display.percent(low)} to {display.percent(high)}"
    return Outcome(name, display.title(name), f"{display.percent(p)} of runs", "", "", None, note)


def _category(name: str, col: pd.Series) -> Outcome:
    counts = col.fillna("").astype(str).value_counts(normalize=True)
    if counts.empty:
        return Outcome(name, display.title(name), "", "", "", None)
    top = str(counts.index[0]) or "(none)"
    return Outcome(
        name, display.title(name), top.replace("_", " "), "", "", None,
        f"in {display.percent(float(counts.iloc[0]))} of runs",
    )  # fmt: skip


def describe(
    summary: pd.DataFrame,
    names: tuple[str, ...] | None = None,
    places: tuple[Place, ...] = PLACES,
) -> list[Outcome]:
    """Each outcome summarised for a reader (see the module docstring).

    ``names``: the outcomes; None: the key outcomes the table has
    (:func:`kabulsim.outputs.key_outcomes`: a front a scenario declares included).
    ``places``: the theatre's places (``scenario.theatre.places``), whose labels title the
    columns of a place a scenario declares.
    """
    out: list[Outcome] = []
    for name in key_outcomes(summary.columns) if names is None else names:
        col = summary[name]
        declared = outcome(name)
        kind = declared.kind if declared is not None else None
        if kind == "time":
            found = _time(name, col)
        elif kind == "flag" or col.dtype == bool:
            found = _flag(name, col)
        elif kind == "category":
            found = _category(name, col)
        else:
            found = _quantity(name, col, event=kind == "hours")
        out.append(replace(found, title=display.title(name, places)))
    return out


def describe_table(
    summary: pd.DataFrame,
    names: tuple[str, ...] | None = None,
    places: tuple[Place, ...] = PLACES,
) -> pd.DataFrame:
    """:func:`describe` as a table: outcome (title), median, 90% range, happened, note, column."""
    return pd.DataFrame(
        [
            {"outcome": o.title, "median": o.median, "5%": o.low, "95%": o.high,
             "happened": o.happened, "note": o.note, "column": o.name}
            for o in describe(summary, names, places)
        ]
    )  # fmt: skip


def run_summary_text(result: RunResult, parameters: str = "") -> str:
    """A few lines for the terminal: each key outcome's median and 90% range, in words.

    ``parameters`` says where the replications' parameters came from (a line of its own).
    Dates are dates, durations carry their units, and the share of runs in which an event
    happened is given for events only (:func:`describe`); the command line prints it.
    """
    rows = [("outcome", "median", "90% of runs", "")]
    outcomes = describe(result.summary, places=result.scenario.theatre.places)
    rows += [(o.title, o.median, o.interval, o.note) for o in outcomes]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = [
        f"{result.scenario.name}: {result.reps} replications, seed {result.seed},"
        f" {result.runtime_s:.1f} s",
        *([f"parameters: {parameters}"] if parameters else []),
    ]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[3]]).rstrip())
    failed = result.failed
    if failed:
        lines.append(f"{failed} replications failed; see the error column of summary.csv")
    return "\n".join(lines)
