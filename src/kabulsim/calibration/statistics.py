"""Summary statistics read off the facts of the record, and the distance between them.

Each :class:`Statistic` turns the summary rows of a few replications into one number, the
statistic the validation fact of the same key checks (:data:`kabulsim.analysis.validation.FACTS`),
and carries that fact's tolerance. Each statistic's standardised deviation from the record is

    z = |s - target| / scale

For a fact with a two-sided tolerance (a date within a window, a duration between two
values) the target is the middle of the window and the scale half its width; for a one-sided
fact (a share of at least ``p``, a wait of at most 24 h) the target is the best value (a share
of 1, a wait of 0) and the scale the distance from it to the tolerance's limit. So ``z <= 1``
is the test ``kabulsim validate`` applies to that fact (:func:`worst`: the largest ``z``, at
most 1 when every fact lies inside its tolerance).

The calibration's **distance** is the root mean square of the ``z`` (:func:`distance`): it
measures how far, not only whether. The largest ``z`` alone (the distance of earlier versions)
is a box: inside it nothing pulls toward the record, and the ensemble it produced sat about a
day early on the fight's date while every fact was "inside". Medians of times treat an event
that never happened as later than any that did. The two facts that are inputs (the bombing's
start, the Taliban's strength) are not statistics: no free parameter changes them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from kabulsim.outputs import column
from kabulsim.timebase import KABUL, to_hours

# The record's columns, read from the places' data (kabulsim.places): the city whose fall
# comes first, and the fight for the front that covers Kabul.
CITY_FALLS = column("city_falls", "falls")
FIGHT_START = column("start", "capital")
FIGHT_HOURS = column("duration_h", "capital")
FIGHT_WINNER = column("winner", "capital")

Row = Mapping[str, Any]
"""One replication's summary row (times as clock hours, missing times as None)."""


@dataclass(frozen=True)
class Statistic:
    """One statistic of the record: its key, units, tolerance interval and computation.

    ``low`` to ``high`` is the tolerance of the validation fact; ``one_sided`` names the limit
    that matters when the other is the best possible value (``"low"`` for "at least",
    ``"high"`` for "at most").
    """

    key: str
    units: str
    low: float
    high: float
    compute: Callable[[Sequence[Row], datetime], float]
    one_sided: str = ""

    @property
    def target(self) -> float:
        """The value the record points to: the window's middle, or the best value."""
        if self.one_sided == "low":
            return self.high
        if self.one_sided == "high":
            return self.low
        return 0.5 * (self.low + self.high)

    @property
    def scale(self) -> float:
        """The distance from the target to the tolerance's limit: the statistic's scale."""
        return (self.high - self.low) * (1.0 if self.one_sided else 0.5)

    def z(self, value: float) -> float:
        """The standardised deviation from the target (inf when the value is missing)."""
        if math.isnan(value):
            return math.inf
        return abs(value - self.target) / self.scale


def _t(row: Row, key: str) -> float:
    value = row.get(key)
    return (
        math.inf
        if value is None or (isinstance(value, float) and math.isnan(value))
        else float(value)
    )


def _median(values: Sequence[float]) -> float:
    arr = np.asarray(values, dtype=float)
    if arr.size == 0:
        return math.nan
    finite = np.sort(arr)
    mid = finite[(arr.size - 1) // 2 : arr.size // 2 + 1]
    return float(np.mean(mid)) if np.all(np.isfinite(mid)) else math.inf


def _days_from(start: datetime, when: datetime) -> float:
    return to_hours(start, when) / 24.0


def _local(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, tzinfo=KABUL)


def _city_gap(rows: Sequence[Row], start: datetime) -> float:
    return _median([(_t(r, "alliance_enters_kabul") - _t(r, CITY_FALLS)) / 24.0 for r in rows])


def _fight_date(rows: Sequence[Row], start: datetime) -> float:
    origin = to_hours(start, _local(2001, 11, 11))
    return _median([(_t(r, FIGHT_START) - origin) / 24.0 for r in rows])


def _duration(rows: Sequence[Row], start: datetime) -> float:
    return _median([_t(r, FIGHT_HOURS) for r in rows])


def _share(rows: Sequence[Row], test: Callable[[Row], bool]) -> float:
    return float(np.mean([bool(test(r)) for r in rows])) if rows else math.nan


def _fall_back(rows: Sequence[Row], start: datetime) -> float:
    return _share(rows, lambda r: r.get(FIGHT_WINNER) == "alliance")


def _evacuation(rows: Sequence[Row], start: datetime) -> float:
    return _share(rows, lambda r: r.get("kabul_evacuated") is not None)


def _entry_date(rows: Sequence[Row], start: datetime) -> float:
    origin = to_hours(start, _local(2001, 11, 12))
    return _median([(_t(r, "alliance_enters_kabul") - origin) / 24.0 for r in rows])


def _next_day(rows: Sequence[Row], start: datetime) -> float:
    return _median([(_t(r, "alliance_enters_kabul") - _t(r, FIGHT_START)) / 24.0 for r in rows])


def _pause(rows: Sequence[Row], start: datetime) -> float:
    return _median([_t(r, "alliance_enters_kabul") - _t(r, "alliance_at_gates") for r in rows])


def _no_resistance(rows: Sequence[Row], start: datetime) -> float:
    return _share(rows, lambda r: not r.get("resistance_in_city"))


def _routes(rows: Sequence[Row], start: datetime) -> float:
    return _share(
        rows, lambda r: (r.get("to_kandahar") or 0) > 0 and (r.get("to_tora_bora") or 0) > 0
    )


def _atef(rows: Sequence[Row], start: datetime) -> float:
    return _share(rows, lambda r: bool(r.get("atef_killed")))


STATISTICS: tuple[Statistic, ...] = (
    Statistic("mazar_before_kabul", "days", 2.5, 6.0, _city_gap),
    Statistic("shamali_date", "days after 11 Nov 00:00", 0.0, 3.0, _fight_date),
    Statistic("shamali_duration", "h", 1.5, 6.0, _duration),
    Statistic("taliban_fall_back", "share", 0.9, 1.0, _fall_back, "low"),
    Statistic("evacuation", "share", 0.9, 1.0, _evacuation, "low"),
    Statistic("entry_date", "days after 12 Nov 00:00", 0.0, 3.0, _entry_date),
    Statistic("entry_next_day", "days", 0.25, 1.75, _next_day),
    Statistic("short_pause", "h", 0.0, 24.0, _pause, "high"),
    Statistic("no_resistance", "share", 0.85, 1.0, _no_resistance, "low"),
    Statistic("routes", "share", 0.95, 1.0, _routes, "low"),
    Statistic("atef", "share", 0.5, 1.0, _atef, "low"),
)
"""The statistics, one per validation fact that the model's parameters can change."""

BY_KEY: dict[str, Statistic] = {s.key: s for s in STATISTICS}


def statistics(
    rows: Sequence[Row], start: datetime, keys: Sequence[str] | None = None
) -> dict[str, float]:
    """The statistics (all, or those in ``keys``) of a set of replications' summary rows."""
    chosen = STATISTICS if keys is None else tuple(BY_KEY[k] for k in keys)
    return {s.key: s.compute(rows, start) for s in chosen}


def observed(keys: Sequence[str] | None = None) -> dict[str, float]:
    """The record: each statistic at its target."""
    chosen = STATISTICS if keys is None else tuple(BY_KEY[k] for k in keys)
    return {s.key: s.target for s in chosen}


def distance(simulated: Mapping[str, float], record: Mapping[str, float]) -> float:
    """The root mean square of the standardised deviations over the statistics ``record`` names.

    0 when every statistic is at its target; 1 when they are, on average, at the edge of
    their tolerances; infinite when one could not be computed. ``record`` only selects the
    statistics (its values are the targets, see :func:`observed`).
    """
    zs = [BY_KEY[k].z(float(simulated[k])) for k in record]
    return math.sqrt(sum(z * z for z in zs) / len(zs)) if zs else 0.0


def worst(simulated: Mapping[str, float], record: Mapping[str, float]) -> float:
    """The largest standardised deviation: at most 1 when every fact is inside its tolerance."""
    return max(BY_KEY[k].z(float(simulated[k])) for k in record)
