"""Turning replication records into tables (pandas data frames) at the end of a run.

Times in the summary and the event log are ISO 8601 local Kabul time (UTC+04:30), empty when
the event did not happen within the horizon; the event log and the state series also keep the
simulation clock (``t_h``, hours since the scenario start).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from kabulsim.model.simulate import Replication
from kabulsim.outputs import of as outputs_of
from kabulsim.timebase import KABUL, iso_many


def summary_frame(reps: Sequence[Replication]) -> pd.DataFrame:
    """One row per replication: the outcome columns, times as ISO 8601 local time.

    A failed replication has an empty summary: its outcome cells are missing (NaN).
    """
    keys = list(dict.fromkeys(key for r in reps for key in r.summary))
    times = set(outputs_of(reps[0].scenario.theatre.places).time_columns) if reps else set()
    columns: dict[str, Any] = {"rep": [r.rep for r in reps], "seed": [r.seed for r in reps]}
    for key in keys:
        values = [r.summary.get(key, math.nan) for r in reps]
        if key in times:
            text = iso_many(reps[0].scenario.start, values)
            values = [t if key in r.summary else math.nan for t, r in zip(text, reps, strict=True)]
        columns[key] = values
    columns["error"] = [r.error or "" for r in reps]
    return pd.DataFrame(columns)


def to_datetime(column: pd.Series) -> pd.Series:
    """Parse an ISO 8601 time column of a summary table (empty strings become NaT).

    The result is always timezone-aware (Kabul local time), even when every value is empty.
    """
    parsed = pd.to_datetime(column.replace("", None), format="ISO8601")
    if getattr(parsed.dt, "tz", None) is None:
        parsed = parsed.dt.tz_localize(KABUL)
    return parsed
