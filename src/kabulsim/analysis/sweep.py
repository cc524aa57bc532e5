"""Parameter sweeps: a grid of parameter values and an outcome's response, read from tables.

A grid axis is written ``key=lo:hi:n`` (``n`` evenly spaced values from ``lo`` to ``hi``, for a
numeric parameter) or ``key=a,b,c`` (the listed values, which may be words such as
``evacuate,defend``, dates such as ``2001-10-20T12:00,null``, or numbers); several
axes make their product. Every grid point is the scenario with those values set (validated
like ``--set``) and runs the same number of replications with the same seed (common random
numbers), through the same engine as ``kabulsim run``; the running is
:func:`kabulsim.api.sweep`'s, and this module reads the points' summaries.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from kabulsim.analysis.outcomes import Metric, estimate, parse_metric
from kabulsim.limits import MAX_GRID_POINTS
from kabulsim.scenario.overrides import PathProblem, apply_override, dotted, resolve_path
from kabulsim.scenario.schema import Scenario
from kabulsim.scenario.yaml_io import parse_value


@dataclass(frozen=True)
class Axis:
    """One parameter of a grid and the values it takes."""

    path: str
    values: tuple[Any, ...]


def parse_axis(text: str) -> Axis:
    """Parse ``key=lo:hi:n`` or ``key=a,b,c`` into an axis; ValueError says what is expected."""
    key, eq, spec = text.partition("=")
    if not eq or not key.strip() or not spec.strip():
        raise ValueError(f"--grid {text}: expected KEY=LO:HI:N or KEY=A,B,C")
    try:
        target = resolve_path(tuple(key.strip().split(".")))
    except PathProblem as exc:
        raise ValueError(f"--grid {text}: {exc}") from None
    is_int = target.annotation is int
    if target.annotation in (int, float) and "," not in spec and ":" in spec:
        parts = spec.split(":")
        try:
            lo, hi, n = float(parts[0]), float(parts[1]), int(parts[2])
        except (ValueError, IndexError):
            raise ValueError(
                f"--grid {text}: expected LO:HI:N with numbers, e.g. 0:200:5"
            ) from None
        if len(parts) != 3 or not 2 <= n <= MAX_GRID_POINTS or not math.inf > hi > lo > -math.inf:
            raise ValueError(
                f"--grid {text}: expected LO:HI:N with finite LO < HI and N from 2 to"
                f" {MAX_GRID_POINTS:,}"
            )
        grid = np.linspace(lo, hi, n)
        values: tuple[Any, ...] = tuple(round(v) if is_int else float(v) for v in grid.tolist())
    else:
        values = tuple(parse_value(v.strip()) for v in spec.split(",") if v.strip())
        if not values:
            raise ValueError(f"--grid {text}: no values")
    return Axis(dotted(target.path), values)


def with_values(scenario: Scenario, values: dict[str, Any]) -> Scenario:
    """The scenario with dotted-path values set, validated; ValueError names the key."""
    data = scenario.model_dump(mode="json")
    for path, value in values.items():
        apply_override(data, resolve_path(tuple(path.split("."))).path, value)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(x) for x in err["loc"])
        raise ValueError(f"{where}: {err['msg']} (values {values})") from None


@dataclass(frozen=True)
class SweepResult:
    """A sweep's table: one row per grid point, the axes' values and each outcome's estimate."""

    axes: tuple[Axis, ...]
    metrics: tuple[Metric, ...]
    reps: int
    seed: int
    table: pd.DataFrame


def grid_points(axes: Sequence[Axis]) -> list[dict[str, Any]]:
    """The product of the axes, first axis varying slowest.

    Raises:
        ValueError: more than :data:`~kabulsim.limits.MAX_GRID_POINTS` points.
    """
    size = math.prod(len(a.values) for a in axes)
    if size > MAX_GRID_POINTS:
        raise ValueError(
            f"the grid has {size:,} points; at most {MAX_GRID_POINTS:,} (use fewer values per axis)"
        )
    return [
        dict(zip([a.path for a in axes], combo, strict=True))
        for combo in itertools.product(*(a.values for a in axes))
    ]


def sweep_scenarios(scenario: Scenario, axes: Sequence[Axis]) -> list[Scenario]:
    """The scenario at every grid point, in :func:`grid_points`' order.

    Raises:
        ValueError: no axis, too many points, or a value that is not valid.
    """
    if not axes:
        raise ValueError("a sweep needs at least one --grid axis")
    return [with_values(scenario, p) for p in grid_points(axes)]


def sweep_table(
    axes: Sequence[Axis],
    outcomes: Sequence[str],
    scenarios: Sequence[Scenario],
    summaries: Sequence[pd.DataFrame],
    reps: int,
    seed: int,
) -> SweepResult:
    """Estimate each outcome with its 95% interval at every grid point, from its summary.

    Args:
        axes: the grid's axes (see :func:`parse_axis`).
        outcomes: metrics (see :mod:`kabulsim.analysis.outcomes`).
        scenarios: the scenario at every point (:func:`sweep_scenarios`).
        summaries: each point's summary table, in the same order.
        reps: replications per point.
        seed: seed shared by every point.
    """
    metrics = tuple(parse_metric(o) for o in outcomes)
    rows = []
    for point, sc, summary in zip(grid_points(axes), scenarios, summaries, strict=True):
        row: dict[str, Any] = dict(point)
        for m in metrics:
            e = estimate(summary, m, sc)
            row[f"{m.text}"] = e.value
            row[f"{m.text} low"] = e.low
            row[f"{m.text} high"] = e.high
        row["failed"] = int((summary["error"] != "").sum())
        rows.append(row)
    return SweepResult(tuple(axes), metrics, reps, seed, pd.DataFrame(rows))
