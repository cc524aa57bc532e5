"""The simulation clock: hours since the scenario start, and real Kabul local time.

The SimPy clock counts hours from the scenario start (by default 2001-10-07 00:00 local
time). Every output carries real timestamps too, in Kabul local time, which in 2001 was
UTC+04:30 all year (Afghanistan does not observe daylight saving time).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

KABUL = timezone(timedelta(hours=4, minutes=30), "AFT")
"""Kabul local time, UTC+04:30."""

HOURS_PER_DAY = 24.0


def to_local(start: datetime, hours: float) -> datetime:
    """Return the local Kabul time that is ``hours`` after ``start``.

    Args:
        start: scenario start, timezone-aware.
        hours: simulation clock value, hours.

    """
    return (start + timedelta(hours=hours)).astimezone(KABUL)


def to_hours(start: datetime, when: datetime) -> float:
    """Return the simulation clock value (hours since ``start``) of a timezone-aware time."""
    return (when - start).total_seconds() / 3600.0


def iso(start: datetime, hours: float | None) -> str:
    """Format a clock value as ISO 8601 local time (minute precision); empty when missing."""
    if hours is None or (isinstance(hours, float) and math.isnan(hours)):
        return ""
    return to_local(start, hours).isoformat(timespec="minutes")
