"""Differences of outcomes between scenarios, with bootstrap 95% confidence intervals.

Each scenario is compared with a baseline, outcome by outcome (scenario minus baseline):

* numeric outcomes: the difference in means and in medians (two rows);
* boolean outcomes: the difference in proportions;
* time outcomes: the difference in median time, in hours;
* for any outcome that is missing in some replications (the event did not happen: a time
  column left empty, ``vacuum_h`` without an entry), a separate row ``happened`` gives the
  difference in the share of replications in which it happened; the other statistics use
  only the replications in which it did.

**Pairing.** Runs of two scenarios with the same seed and the same replications use common
random numbers (replication ``i`` of each draws from the same streams), so their
differences are paired: the bootstrap resamples replication indices jointly. Otherwise the
two summaries are resampled independently. The choice is automatic (same single ``seed``
value and the same ``rep`` set in both) unless ``paired`` is given.

**Flags.** ``changed`` is true when the 95% percentile-bootstrap interval excludes 0.
``meaningful`` is true when ``changed`` and the absolute difference reaches the practical
threshold of the outcome (column ``threshold``):

* times (median): 6 hours;
* proportions (booleans, ``happened`` shares) and 0-1 shares (``control_breadth``,
  ``weapons_abandoned``, ``control_breadth_interim``, ``morale_shamali_end``): 0.05 absolute;
* other numeric outcomes (counts, durations in hours): 10% of the baseline's statistic,
  and at least 1 (one person, one hour, one incident).

The result is deterministic given ``seed``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from functools import partial

import numpy as np
import pandas as pd

from kabulsim.outputs import KEY_OUTCOMES, SHARE_COLUMNS, is_time
from kabulsim.tables import to_datetime

COMPARE_OUTCOMES = KEY_OUTCOMES
"""Outcomes compared by default."""

TIME_THRESHOLD_H = 6.0
PROPORTION_THRESHOLD = 0.05
RELATIVE_THRESHOLD = 0.10
MIN_ABSOLUTE_THRESHOLD = 1.0

COLUMNS = [
    "scenario",
    "outcome",
    "statistic",
    "units",
    "baseline",
    "value",
    "diff",
    "ci_low",
    "ci_high",
    "threshold",
    "changed",
    "meaningful",
    "paired",
    "n_baseline",
    "n_scenario",
]

_REFERENCE = pd.Timestamp("2001-10-07T00:00:00+04:30")

Stat = Callable[[np.ndarray], np.ndarray]
"""A statistic over the last axis of a (resamples, replications) array, NaN-aware."""


def _nanmean(x: np.ndarray) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.asarray(np.nanmean(x, axis=-1), dtype=float)


def _nanmedian(x: np.ndarray) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.asarray(np.nanmedian(x, axis=-1), dtype=float)


def _happened(x: np.ndarray) -> np.ndarray:
    return np.asarray(np.mean(np.isfinite(x), axis=-1), dtype=float)


def _kind(frame: pd.DataFrame, name: str) -> str:
    col = frame[name]
    if is_time(name) or pd.api.types.is_datetime64_any_dtype(col):
        return "time"
    if pd.api.types.is_bool_dtype(col):
        return "bool"
    return "numeric"


def _as_float(frame: pd.DataFrame, name: str, kind: str) -> np.ndarray:
    col = frame[name]
    if kind == "time":
        ts = col if pd.api.types.is_datetime64_any_dtype(col) else to_datetime(col.fillna(""))
        hours = (ts - _REFERENCE).dt.total_seconds() / 3600.0
        return np.asarray(hours, dtype=float)
    if kind == "bool":
        return np.asarray(col.astype(float), dtype=float)
    return np.asarray(pd.to_numeric(col, errors="coerce"), dtype=float)


def is_paired(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Whether two summaries come from the same seed and replications (common random numbers)."""
    if len(a) != len(b) or len(a) == 0:
        return False
    if not {"seed", "rep"} <= set(a.columns) or not {"seed", "rep"} <= set(b.columns):
        return False
    seeds = set(a["seed"].unique()) | set(b["seed"].unique())
    return len(seeds) == 1 and sorted(a["rep"]) == sorted(b["rep"])


def _threshold(name: str, statistic: str, base: float) -> float:
    if statistic in ("proportion", "happened") or name in SHARE_COLUMNS:
        return PROPORTION_THRESHOLD
    if statistic == "median_time":
        return TIME_THRESHOLD_H
    if not np.isfinite(base):
        return MIN_ABSOLUTE_THRESHOLD
    return max(MIN_ABSOLUTE_THRESHOLD, RELATIVE_THRESHOLD * abs(base))


def compare(
    summaries: Mapping[str, pd.DataFrame],
    baseline: str,
    outcomes: Sequence[str] = COMPARE_OUTCOMES,
    n_boot: int = 2000,
    seed: int = 0,
    paired: bool | None = None,
) -> pd.DataFrame:
    """Differences of outcomes (scenario minus baseline) with bootstrap 95% intervals.

    Args:
        summaries: summary tables by scenario name; must include ``baseline``.
        baseline: the name of the baseline summary.
        outcomes: the summary columns to compare (those missing from a table are skipped).
        n_boot: bootstrap resamples.
        seed: seed of the bootstrap (the result is deterministic given it).
        paired: force the paired (True) or independent (False) bootstrap; by default
            paired when both summaries come from the same seed and replications.

    Returns:
        One row per scenario, outcome and statistic with the columns :data:`COLUMNS`:
        ``statistic`` is ``mean``, ``median``, ``proportion``, ``median_time`` (hours) or
        ``happened`` (share of replications in which the value exists); ``baseline`` and
        ``value`` are the statistic in each summary (``median_time`` in hours since
        2001-10-07 00:00 Kabul time); ``diff``, ``ci_low``, ``ci_high`` the difference and
        its percentile-bootstrap 95% interval; ``changed`` (the interval excludes 0),
        ``meaningful`` (changed and ``|diff| >= threshold``), ``paired`` (which bootstrap).

    Raises:
        KeyError: ``baseline`` is not in ``summaries``.

    """
    if baseline not in summaries:
        raise KeyError(f"baseline {baseline!r} is not among {list(summaries)}")
    base = summaries[baseline].reset_index(drop=True)
    rows: list[dict[str, object]] = []
    for k, (name, frame) in enumerate(summaries.items()):
        if name == baseline:
            continue
        other = frame.reset_index(drop=True)
        pair = is_paired(base, other) if paired is None else paired
        if pair and len(base) != len(other):
            raise ValueError("a paired comparison needs the same number of replications")
        if pair and "rep" in base and "rep" in other:
            other = other.set_index("rep").loc[base["rep"]].reset_index()
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(k,)))
        n_a, n_b = len(base), len(other)
        idx_a = rng.integers(0, n_a, size=(n_boot, n_a)) if n_a else np.zeros((n_boot, 0), int)
        idx_b = idx_a if pair else rng.integers(0, max(1, n_b), size=(n_boot, n_b))
        for outcome in outcomes:
            if outcome not in base or outcome not in other:
                continue
            kind = _kind(base, outcome)
            a = _as_float(base, outcome, kind)
            b = _as_float(other, outcome, kind)
            stats: list[tuple[str, str, Stat]] = []
            if kind == "time":
                stats.append(("median_time", "h", _nanmedian))
            elif kind == "bool":
                stats.append(("proportion", "share", _nanmean))
            else:
                stats += [("mean", "", _nanmean), ("median", "", _nanmedian)]
            if not (np.isfinite(a).all() and np.isfinite(b).all()):
                stats.append(("happened", "share", _happened))
            for statistic, units, fn in stats:
                va, vb = float(fn(a[None, :])[0]), float(fn(b[None, :])[0])
                diff = vb - va
                boot = fn(b[idx_b]) - fn(a[idx_a])
                boot = boot[np.isfinite(boot)]
                if boot.size and np.isfinite(diff):
                    lo, hi = (float(v) for v in np.percentile(boot, [2.5, 97.5]))
                else:
                    lo = hi = float("nan")
                thr = _threshold(outcome, statistic, va)
                changed = bool(np.isfinite(lo) and (lo > 0.0 or hi < 0.0))
                rows.append(
                    {
                        "scenario": name,
                        "outcome": outcome,
                        "statistic": statistic,
                        "units": units,
                        "baseline": va,
                        "value": vb,
                        "diff": diff,
                        "ci_low": lo,
                        "ci_high": hi,
                        "threshold": thr,
                        "changed": changed,
                        "meaningful": bool(changed and abs(diff) >= thr),
                        "paired": bool(pair),
                        "n_baseline": n_a,
                        "n_scenario": n_b,
                    }
                )
    return pd.DataFrame(rows, columns=COLUMNS)


# --- In words: the companion of differences.csv -------------------------------------------

READABLE_COLUMNS = [
    "scenario",
    "outcome",
    "statistic",
    "baseline",
    "scenario value",
    "difference",
    "95% interval",
    "reading",
]
"""The columns of :func:`readable_differences`."""

_STATISTIC_TEXT = {
    "median_time": "median date where it happened",
    "happened": "share of runs where it happened",
    "proportion": "share of runs",
    "mean": "mean",
    "median": "median",
}


def _happened_shares(diffs: pd.DataFrame) -> dict[tuple[str, str], tuple[float, float]]:
    """(scenario, outcome) -> (baseline's, scenario's share of runs in which it happened)."""
    rows = diffs[diffs["statistic"] == "happened"]
    return {
        (str(s), str(o)): (float(b), float(v))
        for s, o, b, v in zip(
            rows["scenario"], rows["outcome"], rows["baseline"], rows["value"], strict=True
        )
    }


def _reading(row: pd.Series) -> str:
    if bool(row["meaningful"]):
        return "meaningful"
    if bool(row["changed"]):
        return "changed, below the threshold"
    if not np.isfinite(float(row["ci_low"])):
        return "no interval"
    return "no clear change"


def readable_differences(diffs: pd.DataFrame) -> pd.DataFrame:
    """The differences table in words: titles, dates, durations and shares with units.

    Times (``median_time``, hours since 7 Oct 2001 00:00 Kabul time in the CSV) are dates,
    their differences hours (and days from two days on); shares are percentages and their
    differences percentage points; other numbers carry the outcome's units and are never in
    scientific notation. A time median is over the runs in which the event happened, and
    says so; where the event happened in half the runs or fewer it is "not reached", as
    the README's tables say, with the median of the runs in which it did beside it.
    """
    from kabulsim.analysis import display

    shares = _happened_shares(diffs)
    rows = []
    for _, r in diffs.iterrows():
        name, stat = str(r["outcome"]), str(r["statistic"])
        base, val, diff = float(r["baseline"]), float(r["value"]), float(r["diff"])
        lo, hi = float(r["ci_low"]), float(r["ci_high"])
        statistic = _STATISTIC_TEXT.get(stat, stat)
        share_b, share_s = shares.get((str(r["scenario"]), name), (1.0, 1.0))
        if stat == "median_time":

            def when(hours: float, happened: float) -> str:
                text = display.date_from_hours(hours)
                if happened <= 0.5 and text:
                    return (
                        f"{display.NOT_REACHED} ({text} in the {display.percent(happened)}"
                        " of runs in which it happened)"
                    )
                return text or display.NOT_REACHED

            cells = [when(base, share_b), when(val, share_s)]
            if share_b <= 0.5 or share_s <= 0.5:
                change, interval = f"{display.NOT_REACHED}: see the share where it happened", ""
            else:
                change = display.hours(diff, signed=True)
                interval = _interval(lo, hi, lambda x: display.hours(x, signed=True).split(" (")[0])
        elif stat in ("happened", "proportion"):
            cells = [display.percent(base), display.percent(val)]
            change = display.points(diff)
            interval = _interval(lo, hi, lambda x: display.points(x).removesuffix(" points"))
        else:
            if (str(r["scenario"]), name) in shares:
                statistic += " where it happened"
            cells = [display.value(name, base), display.value(name, val)]
            units = display.units(name)
            change = _signed(name, diff) + (f" {units}" if units and units != "0-1" else "")
            interval = _interval(lo, hi, partial(_signed, name))
        reading = "not estimable" if change.startswith(display.NOT_REACHED) else _reading(r)
        rows.append(
            [str(r["scenario"]), display.title(name), statistic, *cells, change, interval,
             reading]
        )  # fmt: skip
    return pd.DataFrame(rows, columns=READABLE_COLUMNS)


def _signed(name: str, x: float) -> str:
    from kabulsim.analysis import display

    if not np.isfinite(x):
        return ""
    text = display.bare(name, x)
    return text if text.startswith("-") or text in ("0", "0.0", "0.00") else f"+{text}"


def _interval(lo: float, hi: float, fmt: Callable[[float], str]) -> str:
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return ""
    return f"{fmt(lo)} to {fmt(hi)}"


def differences_markdown(
    diffs: pd.DataFrame, baseline: str, n_boot: int, source: str = "differences.csv"
) -> str:
    """The companion text of ``differences.csv``: what its rows say, in words (Markdown)."""
    paired = bool(diffs["paired"].all()) if len(diffs) else True
    lines = [
        f"# Differences from {baseline}",
        "",
        f"Each row of `{source}` in words: scenario minus **{baseline}**, with a"
        f" {n_boot:,}-resample bootstrap 95% interval"
        + (
            " (paired: the runs share their random numbers replication by replication)."
            if paired
            else " (independent resamples: the runs do not share their random numbers)."
        ),
        "",
        "*Reading*: *meaningful* when the interval excludes 0 and the difference reaches the"
        f" practical threshold ({TIME_THRESHOLD_H:g} h for times,"
        f" {PROPORTION_THRESHOLD * 100:g} points for shares, {RELATIVE_THRESHOLD:.0%} of the"
        f" baseline and at least {MIN_ABSOLUTE_THRESHOLD:g} for counts); *changed, below the"
        " threshold* when only the first holds. Dates are Kabul time. A median date is over"
        " the runs in which the event happened; where that is half of the runs or fewer it"
        " is *not reached*, and the row 'share of runs where it happened' says how often.",
        "These are consequences of the model's stated assumptions, not findings about 2001.",
    ]
    table = readable_differences(diffs)
    for scenario, part in table.groupby("scenario", sort=False):
        lines += ["", f"## {scenario}", ""]
        cols = [c for c in READABLE_COLUMNS if c != "scenario"]
        lines.append("| " + " | ".join(cols) + " |")
        lines.append("|" + "---|" * len(cols))
        for row in part[cols].itertuples(index=False):
            lines.append("| " + " | ".join(str(v).replace("|", "\\|") for v in row) + " |")
    return "\n".join(lines) + "\n"


# --- Two layers of uncertainty: nested intervals --------------------------------------------

LAYERS = {
    "record": "calibrated parameters only (what the record constrains)",
    "assumptions": "calibrated parameters and assumptions (what only assumptions constrain)",
}
"""The layers of :func:`nested_intervals`, with the words a table or a report uses for them."""

LAYER_HEADERS = {
    "record": "calibrated parameters only (the record's layer)",
    "assumptions": "calibrated parameters and assumptions",
}
"""The layers' column headings in :func:`nested_table`."""

RUNS_LEVEL = 0.95
"""The share of runs the runs interval holds (its ends are the 2.5% and 97.5% quantiles)."""

LAYER_COLUMNS = [
    "scenario",
    "outcome",
    "statistic",
    "units",
    "layer",
    "baseline",
    "value",
    "diff",
    "ci_low",
    "ci_high",
    "runs_low",
    "runs_high",
    "n_pairs",
]


def paired_differences(a: pd.DataFrame, b: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """Replication by replication, ``b`` minus ``a`` for ``outcome`` (``rep``, ``diff``).

    Times are in hours; flags 0 or 1 (so a difference is -1, 0 or +1); a replication in
    which the outcome is missing in either run (the event did not happen) is left out.
    Both runs must share their seed and replications (common random numbers).
    """
    kind = _kind(a, outcome)
    left = pd.DataFrame({"rep": a["rep"].to_numpy(), "a": _as_float(a, outcome, kind)})
    right = pd.DataFrame({"rep": b["rep"].to_numpy(), "b": _as_float(b, outcome, kind)})
    both = left.merge(right, on="rep", how="inner")
    both["diff"] = both["b"] - both["a"]
    kept: pd.DataFrame = both.loc[np.isfinite(both["diff"]), ["rep", "diff"]]
    return kept.reset_index(drop=True)


def _runs_interval(diffs: np.ndarray) -> tuple[float, float]:
    if diffs.size == 0:
        return float("nan"), float("nan")
    tail = (1.0 - RUNS_LEVEL) / 2.0 * 100.0
    lo, hi = np.percentile(diffs, [tail, 100.0 - tail])
    return float(lo), float(hi)


def nested_intervals(
    layers: Mapping[str, Mapping[str, pd.DataFrame]],
    baseline: str,
    outcomes: Sequence[str] = COMPARE_OUTCOMES,
    n_boot: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """Each difference of :func:`compare` in each layer of uncertainty, with two intervals.

    Args:
        layers: by layer name (``record``, ``assumptions``: see :data:`LAYERS`), the
            summaries by scenario as :func:`compare` takes them. The layers' runs share their
            seed, replications and ensemble members (common random numbers); the second adds
            the assumption draws.
        baseline: the name of the baseline summary.
        outcomes: the summary columns compared.
        n_boot: bootstrap resamples.
        seed: the bootstrap's seed (the same resamples in each layer).

    Returns:
        One row per scenario, outcome, statistic and layer (:data:`LAYER_COLUMNS`):
        ``diff`` with ``ci_low``/``ci_high``, the bootstrap 95% interval of the statistic
        (the chance of a finite number of runs), and, for means, medians and dates,
        ``runs_low``/``runs_high``: the middle :data:`RUNS_LEVEL` of the runs' paired
        differences (replication ``i`` of the scenario minus replication ``i`` of the
        baseline, where the outcome exists in both), which spreads with every source of
        uncertainty the layer draws; shares have none (a run's difference is -1, 0 or 1).
        ``n_pairs`` counts those paired runs.
    """
    frames = []
    for layer, summaries in layers.items():
        diffs = compare(summaries, baseline, outcomes, n_boot=n_boot, seed=seed, paired=True)
        base = summaries[baseline]
        low, high, pairs = [], [], []
        for row in diffs.itertuples(index=False):
            if row.statistic in ("mean", "median", "median_time"):
                d = paired_differences(base, summaries[str(row.scenario)], str(row.outcome))
                lo, hi = _runs_interval(d["diff"].to_numpy(dtype=float))
                n = len(d)
            else:
                lo = hi = float("nan")
                n = min(int(str(row.n_baseline)), int(str(row.n_scenario)))
            low.append(lo)
            high.append(hi)
            pairs.append(n)
        frame = diffs.assign(layer=layer, runs_low=low, runs_high=high, n_pairs=pairs)
        frames.append(frame[LAYER_COLUMNS])
    if not frames:
        return pd.DataFrame(columns=LAYER_COLUMNS)
    return pd.concat(frames, ignore_index=True)


def nested_table(layers: pd.DataFrame) -> pd.DataFrame:
    """:func:`nested_intervals` side by side: one row per difference, a column per layer.

    Each cell is the difference with its interval in words: the runs interval where there
    is one ("95% of runs: ..."), else the bootstrap interval of the statistic.
    """
    from kabulsim.analysis import display

    keys = ["scenario", "outcome", "statistic"]
    out: dict[tuple[str, str, str], dict[str, str]] = {}
    for _, r in layers.iterrows():
        name, stat = str(r["outcome"]), str(r["statistic"])
        diff, runs = float(r["diff"]), (float(r["runs_low"]), float(r["runs_high"]))
        if stat == "median_time":
            fmt: Callable[[float], str] = lambda x: display.hours(x, signed=True).split(" (")[0]  # noqa: E731
        elif stat in ("happened", "proportion"):
            fmt = lambda x: display.points(x)  # noqa: E731
        else:
            fmt = partial(_signed, name)
        if np.isfinite(runs[0]):
            interval = f"95% of runs {_interval(*runs, fmt)}"
        else:
            ci = _interval(float(r["ci_low"]), float(r["ci_high"]), fmt)
            interval = f"bootstrap {ci}" if ci else ""
        text = fmt(diff) if np.isfinite(diff) else display.NOT_REACHED
        units = display.units(name) if stat in ("mean", "median") else ""
        if units and units != "0-1" and np.isfinite(diff):
            text += f" {units}"
        cell = f"{text} ({interval})" if interval else text
        key = (str(r["scenario"]), display.title(name), _STATISTIC_TEXT.get(stat, stat))
        out.setdefault(key, {})[str(r["layer"])] = cell
    made = [layer for layer in LAYERS if any(layer in v for v in out.values())]
    rows = [[*k, *(v.get(layer, "") for layer in made)] for k, v in out.items()]
    return pd.DataFrame(rows, columns=[*keys, *(LAYER_HEADERS[layer] for layer in made)])
