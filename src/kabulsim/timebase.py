"""The simulation clock: hours since the scenario start, and real Kabul local time.

The SimPy clock counts hours from the scenario start (by default 2001-10-07 00:00 local
time). Every output carries real timestamps too, in Kabul local time, which in 2001 was
UTC+04:30 all year (Afghanistan does not observe daylight saving time).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

import numpy as np

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


def iso_many(start: datetime, hours: Sequence[float | None] | np.ndarray) -> list[str]:
    """:func:`iso` for many clock values at once (vectorised; the same strings).

    Missing values (None or NaN) give empty strings.
    """
    h = np.array([math.nan if v is None else v for v in hours], dtype=np.float64)
    if h.size == 0:
        return []
    origin = np.datetime64(start.astimezone(KABUL).replace(tzinfo=None), "us")
    ok = np.isfinite(h)
    # timedelta(hours=h) rounds to the nearest microsecond, half to even, like rint.
    micros = np.rint(np.where(ok, h, 0.0) * 3.6e9).astype(np.int64)
    text = np.datetime_as_string(origin + micros.astype("timedelta64[us]"), unit="m")
    offset = start.astimezone(KABUL).isoformat()[-6:]
    return [
        f"{t}{offset}" if good else "" for t, good in zip(text.tolist(), ok.tolist(), strict=True)
    ]
