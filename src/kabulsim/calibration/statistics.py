"""Summary statistics read off the facts of the record, and the distance between them.

Each :class:`Statistic` turns the summary rows of a few replications into one number, the
statistic the validation fact of the same key checks, and carries that fact's tolerance. Both
come from one place, the facts file (``kabulsim/data/facts.yaml``,
:mod:`kabulsim.calibration.facts`): :data:`STATISTICS` are its facts marked ``fit`` whose kind
has a statistic (:func:`statistics_of`), so a fact marked ``held_out`` is never read here.
Each statistic's standardised deviation from the record is

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
start, the Taliban's strength) are not statistics: no free parameter changes them; nor is the
stalemate, which reads a second run.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from kabulsim.calibration.facts import STATISTIC_KINDS, FactSet, FactSpec
from kabulsim.calibration.facts import shipped as shipped_facts
from kabulsim.timebase import to_hours

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


def _hours(start: datetime, when: datetime | None) -> float:
    return 0.0 if when is None else to_hours(start, when)


def _holds(spec: FactSpec, row: Row) -> bool:
    """Whether a ``share`` fact's test holds in one replication's row."""
    when = spec.when
    values = [row.get(c) for c in spec.columns]
    if isinstance(when, tuple):
        return all(v == when[1] for v in values)
    if when == "true":
        return all(bool(v) for v in values)
    if when == "false":
        return not any(bool(v) for v in values)
    if when == "present":
        return all(v is not None for v in values)
    return all((v or 0) > 0 for v in values)  # "positive"


def _share(rows: Sequence[Row], test: Callable[[Row], bool]) -> float:
    return float(np.mean([bool(test(r)) for r in rows])) if rows else math.nan


def compute(spec: FactSpec) -> Callable[[Sequence[Row], datetime], float]:
    """How the statistic of a fact of a statistic kind is computed from summary rows.

    ``time``: the median of the column in days after the window's start; ``gap``: the
    median of ``columns[0] - columns[1]`` (days or hours); ``value``: the median of the
    column; the shares: the share of rows in which the fact's test holds (``evacuation``:
    the city evacuated; ``routes``: both routes used; ``atef``: Atef killed).
    """
    cols = spec.columns
    if spec.kind == "time":
        origin = spec.origin

        def _time(rows: Sequence[Row], start: datetime) -> float:
            o = _hours(start, origin)
            return _median([(_t(r, cols[0]) - o) / 24.0 for r in rows])

        return _time
    if spec.kind == "gap":
        per = 24.0 if spec.units == "days" else 1.0

        def _gap(rows: Sequence[Row], start: datetime) -> float:
            return _median([(_t(r, cols[0]) - _t(r, cols[1])) / per for r in rows])

        return _gap
    if spec.kind == "value":
        return lambda rows, start: _median([_t(r, cols[0]) for r in rows])
    if spec.kind == "share":
        return lambda rows, start: _share(rows, lambda r: _holds(spec, r))
    if spec.kind == "evacuation":
        return lambda rows, start: _share(rows, lambda r: r.get(cols[0]) is not None)
    if spec.kind == "routes":
        return lambda rows, start: _share(
            rows, lambda r: (r.get(cols[0]) or 0) > 0 and (r.get(cols[1]) or 0) > 0
        )
    if spec.kind == "atef":
        return lambda rows, start: _share(rows, lambda r: bool(r.get(cols[0])))
    raise KeyError(f"{spec.key}: the kind {spec.kind!r} has no statistic")


def statistics_of(facts: FactSet) -> tuple[Statistic, ...]:
    """The statistics of the ``fit`` facts of a statistic kind, in the file's order.

    Only the facts marked ``fit`` are read: a held-out fact never becomes a statistic.
    """
    return tuple(
        Statistic(f.key, f.units, f.low, f.high, compute(f), f.one_sided)
        for f in facts.used_for("fit")
        if f.kind in STATISTIC_KINDS
    )


STATISTICS: tuple[Statistic, ...] = statistics_of(shipped_facts())
"""The statistics, one per ``fit`` fact of the shipped facts file that the model's
parameters can change (:data:`kabulsim.calibration.facts.STATISTIC_KINDS`)."""

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
