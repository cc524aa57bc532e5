"""Turning replication records into tables (pandas data frames) at the end of a run.

Times in the summary and the event log are ISO 8601 local Kabul time (UTC+04:30), empty when
the event did not happen within the horizon; the event log and the state series also keep the
simulation clock (``t_h``, hours since the scenario start).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

import pandas as pd

from kabulsim.model.simulate import TIME_COLUMNS, Replication
from kabulsim.timebase import KABUL, iso


def summary_frame(reps: Sequence[Replication]) -> pd.DataFrame:
    """One row per replication: the outcome columns, times as ISO 8601 local time."""
    rows: list[dict[str, Any]] = []
    for r in reps:
        start = r.scenario.start
        row: dict[str, Any] = {"rep": r.rep, "seed": r.seed}
        for key, value in r.summary.items():
            row[key] = iso(start, value) if key in TIME_COLUMNS else value
        row["error"] = r.error or ""
        rows.append(row)
    return pd.DataFrame(rows)


def events_frame(reps: Sequence[Replication]) -> pd.DataFrame:
    """The event log: one row per event, in time order within each replication."""
    rows = [
        {
            "rep": r.rep,
            "t_h": e.t_h,
            "time": iso(r.scenario.start, e.t_h),
            "phase": e.phase,
            "event": e.kind,
            "detail": e.detail,
            "value": None if math.isnan(e.value) else e.value,
        }
        for r in reps
        for e in r.events
    ]
    columns = ["rep", "t_h", "time", "phase", "event", "detail", "value"]
    return pd.DataFrame(rows, columns=columns)


def series_frame(reps: Sequence[Replication]) -> pd.DataFrame:
    """The state time series: one row per replication and sample time."""
    rows = [{"rep": r.rep, **asdict(s)} for r in reps for s in r.states]
    frame = pd.DataFrame(rows)
    if not frame.empty:
        start = reps[0].scenario.start
        frame.insert(2, "time", [iso(start, t) for t in frame["t_h"]])
    return frame


def to_datetime(column: pd.Series) -> pd.Series:
    """Parse an ISO 8601 time column of a summary table (empty strings become NaT).

    The result is always timezone-aware (Kabul local time), even when every value is empty.
    """
    parsed = pd.to_datetime(column.replace("", None), format="ISO8601")
    if getattr(parsed.dt, "tz", None) is None:
        parsed = parsed.dt.tz_localize(KABUL)
    return parsed
