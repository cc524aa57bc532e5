"""Numbers people read on the explorer's page: dates as dates, durations with units.

The differences from the baseline come from :func:`kabulsim.analysis.compare.compare` in its
units (a median time in hours since 7 October 2001, a share between 0 and 1, a count); this
module writes them for a class: a date for a median time, hours or days with the unit for a
difference of times, percentages and percentage points for shares, whole numbers with
thousands separators for counts, never scientific notation. A median time over the
replications in which an event happened is said to be so, and is "not reached" when the
event happened in fewer than half of them (half or more censored, as in the README).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

import pandas as pd

REFERENCE = datetime(2001, 10, 7)
"""Zero of compare's median times (7 October 2001, 00:00 Kabul time)."""

NOT_REACHED = "not reached"

SHORT = {
    "median_time": "median date",
    "happened": "share in which it happened",
    "median": "median",
    "proportion": "share of replications",
}
"""Statistics named briefly, for the forest plot's row labels (the table says them in full)."""

STATISTICS = {
    "median_time": "median date, over the replications in which it happened",
    "happened": "share of replications in which it happened",
    "median": "median",
    "proportion": "share of replications",
}


def number(value: float, signed: bool = False) -> str:
    """A number with thousands separators and sensible decimals, never in e-notation."""
    if not math.isfinite(value):
        return "n/a"
    sign = "+" if signed else ""
    size = abs(value)
    if size >= 100 or (size == round(size) and size >= 1):
        return f"{value:{sign},.0f}"
    if size >= 1:
        return f"{value:{sign},.1f}"
    if size == 0:
        return "0"
    return f"{value:{sign},.2f}"


def date(hours: float) -> str:
    """Hours since 7 October 2001 00:00 (Kabul) as a date, e.g. ``12 Nov 2001 20:28``."""
    when = REFERENCE + timedelta(hours=hours)
    return f"{when.day} {when:%b %Y %H:%M}"


def duration(hours: float) -> tuple[float, str]:
    """The scale of a duration: (hours per unit, unit) - days from two days up."""
    return (24.0, "days") if abs(hours) >= 48 else (1.0, "h")


def _share(value: float) -> str:
    return f"{100 * value:.0f}%"


def _points(value: float) -> str:
    return f"{100 * value:+.0f}"


def _value(stat: str, value: float, units: str, kind: str, happened: float) -> str:
    """One statistic of one case, for the table."""
    if stat == "median_time":
        if happened < 0.5 or not math.isfinite(value):
            return NOT_REACHED
        return date(value)
    if not math.isfinite(value):
        return "n/a"
    if stat in ("proportion", "happened") or (kind == "share" and units != "0-1"):
        return _share(value)
    if units == "hours":
        return f"{number(value)} h"
    if units in ("", "0-1"):
        return number(value)
    return f"{number(value)} {units}"


def _difference(stat: str, diff: float, low: float, high: float, units: str, reached: bool) -> str:
    if stat == "median_time":
        if not reached or not math.isfinite(diff):
            return "none: the date is not reached in the baseline or the case"
        k, unit = duration(max(abs(diff), abs(low), abs(high)))
        if not (math.isfinite(low) and math.isfinite(high)):
            return f"{diff / k:+.1f} {unit}"
        return f"{diff / k:+.1f} {unit} [{low / k:+.1f} to {high / k:+.1f}]"
    if not math.isfinite(diff):
        return "n/a"
    if stat in ("proportion", "happened"):
        if not (math.isfinite(low) and math.isfinite(high)):
            return f"{_points(diff)} percentage points"
        return f"{_points(diff)} percentage points [{_points(low)} to {_points(high)}]"
    unit = " h" if units == "hours" else ("" if units in ("", "0-1") else f" {units}")
    if not (math.isfinite(low) and math.isfinite(high)):
        return f"{number(diff, True)}{unit}"
    return f"{number(diff, True)}{unit} [{number(low, True)} to {number(high, True)}]"


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = frame.to_dict("records")  # type: ignore[assignment]
    return out


def difference_rows(differences: pd.DataFrame) -> pd.DataFrame:
    """The differences table as text: one row per case, outcome and statistic shown.

    Columns: ``cell``, ``order``, ``outcome`` (title and statistic), ``baseline``, ``value``,
    ``difference`` (with its 95% interval and unit) and ``changed`` ("yes" where the interval
    excludes 0 and the size matters).
    """
    columns = ["cell", "order", "outcome", "baseline", "value", "difference", "changed"]
    if differences.empty:
        return pd.DataFrame(columns=columns)
    records = _rows(differences)
    happened = {
        (r["cell"], r["outcome"]): (float(r["baseline"]), float(r["value"]))
        for r in records
        if r["statistic"] == "happened"
    }
    rows = []
    for r in records:
        if not r["shown"]:
            continue
        stat, units, kind = str(r["statistic"]), str(r["outcome_units"]), str(r["kind"])
        share_b, share_v = happened.get((r["cell"], r["outcome"]), (1.0, 1.0))
        reached = stat != "median_time" or (share_b >= 0.5 and share_v >= 0.5)
        base = _value(stat, float(r["baseline"]), units, kind, share_b)
        value = _value(stat, float(r["value"]), units, kind, share_v)
        if stat == "median" and min(share_b, share_v) < 1:
            # a median over the replications in which the outcome has a value: say so
            base += f" (over {_share(share_b)})" if share_b < 1 else ""
            value += f" (over {_share(share_v)})" if share_v < 1 else ""
        diff, low, high = float(r["diff"]), float(r["ci_low"]), float(r["ci_high"])
        rows.append(
            {
                "cell": int(r["cell"]),
                "order": 0,
                "outcome": f"{r['title']}: {STATISTICS.get(stat, stat)}",
                "baseline": base,
                "value": value,
                "difference": _difference(stat, diff, low, high, units, reached),
                "changed": "yes" if bool(r["meaningful"]) and reached else "",
            }
        )
    frame = pd.DataFrame(rows)
    frame["order"] = frame.groupby("cell").cumcount()
    return frame[columns]


def forest_rows(differences: pd.DataFrame) -> pd.DataFrame:
    """The differences as numbers in display units, for the forest plot.

    Times in hours (days from two days up), shares in percentage points, counts in their
    units; rows whose date is not reached in the baseline or the case are left out.
    """
    columns = ["cell", "order", "row", "diff", "low", "high", "text", "changed"]
    text = difference_rows(differences)
    shown = differences[differences["shown"]] if not differences.empty else differences
    out = []
    for r, t in zip(_rows(shown), _rows(text), strict=True):
        diff, low, high = float(r["diff"]), float(r["ci_low"]), float(r["ci_high"])
        if str(t["difference"]).startswith("none") or not math.isfinite(diff):
            continue
        stat = str(r["statistic"])
        if stat == "median_time":
            k, unit = duration(max(abs(diff), abs(low), abs(high)))
        elif stat in ("proportion", "happened"):
            k, unit = 0.01, "percentage points"
        else:
            k, unit = 1.0, "h" if r["outcome_units"] == "hours" else str(r["outcome_units"])
        out.append(
            {
                "cell": int(r["cell"]),
                "order": int(t["order"]),
                "row": f"{r['title']}: {SHORT.get(stat, stat)}" + (f" ({unit})" if unit else ""),
                "diff": diff / k,
                "low": low / k,
                "high": high / k,
                "text": t["difference"],
                "changed": t["changed"] or "no",
            }
        )
    return pd.DataFrame(out, columns=columns)
