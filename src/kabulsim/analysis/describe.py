"""Summaries of a run's outcome columns: medians with 90% intervals, and shares."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from kabulsim.analysis.intervals import quantiles, time_quantiles
from kabulsim.outputs import KEY_OUTCOMES, TIME_COLUMNS
from kabulsim.tables import to_datetime

__all__ = ["KEY_OUTCOMES", "Outcome", "describe", "describe_table"]


@dataclass(frozen=True)
class Outcome:
    """One outcome summarised over replications."""

    name: str
    median: str
    low: str
    high: str
    happened: float
    """Share of replications in which the value exists (the event happened)."""


def _fmt_time(t: pd.Timestamp) -> str:
    return "" if pd.isna(t) else t.strftime("%Y-%m-%d %H:%M")


def describe(summary: pd.DataFrame, names: tuple[str, ...] = KEY_OUTCOMES) -> list[Outcome]:
    """Median and 90% interval (5th-95th percentile) of each outcome, as display strings."""
    out: list[Outcome] = []
    for name in names:
        col = summary[name]
        if name in TIME_COLUMNS:
            times = to_datetime(col)
            share = int(times.notna().sum()) / max(1, len(col))
            med, low, high = (_fmt_time(t) for t in time_quantiles(times))
            out.append(Outcome(name, med, low, high, share))
        elif col.dtype == bool:
            share = float(col.mean())
            out.append(Outcome(name, f"{share:.0%} of replications", "", "", 1.0))
        else:
            values = pd.to_numeric(col, errors="coerce").dropna().to_numpy(dtype=float)
            share = len(values) / max(1, len(col))
            if values.size == 0:
                out.append(Outcome(name, "", "", "", share))
                continue
            med, lo, hi = quantiles(values)
            out.append(Outcome(name, f"{med:.4g}", f"{lo:.4g}", f"{hi:.4g}", share))
    return out


def describe_table(summary: pd.DataFrame, names: tuple[str, ...] = KEY_OUTCOMES) -> pd.DataFrame:
    """:func:`describe` as a table: outcome, median, 5%, 95%, share in which it happened."""
    return pd.DataFrame(
        [
            {"outcome": o.name, "median": o.median, "5%": o.low, "95%": o.high,
             "happened": o.happened}
            for o in describe(summary, names)
        ]
    )  # fmt: skip
