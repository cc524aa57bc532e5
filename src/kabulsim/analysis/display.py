"""Numbers people read: dates as dates, durations with units, titles instead of column names.

One place for how an outcome's values are written for a reader (the command line, the
report, the comparison's ``differences.md``), from its declaration in
:data:`kabulsim.outputs.OUTCOMES` (title, kind, units):

* a time is a local date and hour (``12 Nov 2001 20:28``);
* a duration is in hours, with days beside it from two days on (``135 h (5.6 days)``);
* a share of replications is a percentage (``64%``), a difference of shares is in
  percentage points;
* any other number is written in full with its units (``1,234 people``, ``0.47 (0-1)``),
  never in scientific notation.

Tables keep their raw columns (``summary.csv``, ``differences.csv``): these are the words
printed beside them.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import pandas as pd

from kabulsim.outputs import outcome
from kabulsim.places import PLACES, Place
from kabulsim.textsafe import terminal_text
from kabulsim.timebase import KABUL

NOT_REACHED = "not reached"
"""A time the event had not reached in half the replications or more (censored median)."""

DIFF_REFERENCE = datetime(2001, 10, 7, tzinfo=KABUL)
"""The origin of ``differences.csv``'s times (hours since 7 Oct 2001 00:00 Kabul time)."""


def title(name: str, places: tuple[Place, ...] = PLACES) -> str:
    """The declared title of an outcome (the name itself when it is not declared).

    ``places``: the theatre's places (``scenario.theatre.places``), whose labels title the
    columns of a place a scenario declares.
    """
    declared = outcome(name, places)
    return declared.title if declared is not None else name


def units(name: str) -> str:
    """The declared units of an outcome ("" for times, flags, categories or undeclared)."""
    declared = outcome(name)
    if declared is None or declared.kind in ("time", "flag", "category"):
        return ""
    return "h" if declared.kind == "hours" else declared.units


def number(value: float, signed: bool = False) -> str:
    """A number in full, with sensible digits and thousands separators; never 1.02e+03."""
    if value is None or not math.isfinite(value):
        return "" if value is None or math.isnan(value) else ("+" if value > 0 else "-") + "inf"
    size = abs(value)
    if size >= 100 or value == round(value):
        text = f"{value:,.0f}"
    elif size >= 10:
        text = f"{value:.1f}"
    elif size >= 1:
        text = f"{value:.2f}"
    else:
        text = f"{value:.3f}"
    if text.lstrip("-") in ("0", "0.0", "0.00", "0.000"):
        text = "0"
    return f"+{text}" if signed and not text.startswith("-") and text != "0" else text


def hours(value: float, signed: bool = False) -> str:
    """A duration in hours, with days beside it from 48 h on (``135 h (5.6 days)``)."""
    if not math.isfinite(value):
        return ""
    if value == 0:
        return "0 h"
    sign = "+" if signed and value > 0 else ""
    text = f"{sign}{value:,.0f} h" if abs(value) >= 10 else f"{sign}{value:.1f} h"
    if abs(value) >= 48:
        text += f" ({sign}{value / 24:.1f} days)"
    return text


def date(value: datetime | pd.Timestamp | None) -> str:
    """A local date and hour, ``12 Nov 2001 20:28`` ("" for a missing time)."""
    if value is None or pd.isna(value):
        return ""
    return f"{value.day} {value:%b %Y %H:%M}"


def date_from_hours(hours_since: float, origin: datetime = DIFF_REFERENCE) -> str:
    """The date ``hours_since`` hours after ``origin`` (Kabul time)."""
    if not math.isfinite(hours_since):
        return ""
    return date(origin + timedelta(hours=hours_since))


def percent(share: float) -> str:
    """A share of replications as a percentage (``64%``; ``<1%`` and ``>99%`` near the ends)."""
    if not math.isfinite(share):
        return ""
    if 0 < share < 0.005:
        return "<1%"
    if 0.995 <= share < 1:
        return ">99%"
    return f"{share:.0%}"


def points(diff: float) -> str:
    """A difference of two shares, in percentage points (``+12 points``)."""
    if not math.isfinite(diff):
        return ""
    value = diff * 100
    text = f"{value:+.0f}" if abs(value) >= 1 or value == 0 else f"{value:+.1f}"
    return f"{'0' if text in ('+0', '-0') else text} points"


def _kind(name: str) -> str:
    declared = outcome(name)
    return declared.kind if declared is not None else "number"


def bare(name: str, x: float) -> str:
    """A value of outcome ``name`` without its units (the first bound of a range)."""
    if not math.isfinite(x):
        return ""
    kind = _kind(name)
    if kind == "hours":
        return f"{x:,.0f}" if abs(x) >= 10 else f"{x:.1f}"
    if kind == "flag":
        return percent(x)
    if kind == "share" or units(name) in ("0-1", "share"):
        return f"{x:.2f}"
    if kind == "count":  # whole things; a quantile between two counts keeps one decimal
        x = round(x, 1)
        return f"{x:,.0f}" if abs(x) >= 10 or x == round(x) else f"{x:.1f}"
    return number(x)


def value(name: str, x: float) -> str:
    """A value of outcome ``name`` (not a time) with its units: ``6.0 h``, ``1,234 people``."""
    if not math.isfinite(x):
        return ""
    kind = _kind(name)
    if kind == "hours":
        return hours(x)
    unit = units(name)
    if kind == "flag" or unit == "share":
        return bare(name, x)
    if unit == "0-1":
        return f"{bare(name, x)} (0-1)"
    return f"{bare(name, x)} {unit}".rstrip()


def value_range(name: str, low: float, high: float) -> str:
    """A range of outcome ``name``'s values with the units once: ``0 to 69 people``."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return ""
    return f"{bare(name, low)} to {value(name, high)}"


def plain_number(value: float) -> str:
    """A number for the terminal in full, never in scientific notation (1,018, not 1.02e+03)."""
    size = abs(value)
    if size != size or size == float("inf"):
        return str(value)
    if size >= 100:
        return f"{value:,.0f}"
    if size >= 1:
        return f"{value:.3g}"
    return f"{value:.3f}"


def terminal_table(frame: pd.DataFrame) -> str:
    """A table for the terminal (numbers by :func:`plain_number`), control characters escaped."""
    text = frame.to_string(index=False, float_format=plain_number)
    return "\n".join(terminal_text(line) for line in text.splitlines())
