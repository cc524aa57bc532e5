"""Historical breakpoints and kill rates derived from the CDB90 battle data.

CDB90 (the US Army Concepts Analysis Agency database of about 660 land battles, 1600-1973)
records for each side the initial strength, casualties and outcome codes, and for each
battle the duration. From its 20th-century battles this module derives three empirical
distributions used to set the combat parameters of kabulsim:

1. **Defender breakpoint**: the casualty fraction ``cas / intst`` of defenders whose outcome
   codes include ``WD`` (withdrew) or ``WL`` (withdrew with heavy losses).
2. **Attacker breakpoint**: the casualty fraction of attackers that failed, i.e. whose
   outcome codes include ``RR`` (repulse), ``WD`` or ``WL`` and whose battle is not coded
   as an attacker win (``wina != 1``). ``wina`` itself cannot identify losses in the tidy
   edition: ``enum_wina.csv`` lists ``-1`` for "attacker loss", but no battle carries it;
   the attacker-loss battles appear with an empty ``wina`` (as do the negative codes of
   the other signed variables ``aeroa``, ``surpa``, ``cea``), which cannot be told apart
   from genuinely unknown outcomes. The counts are reported in ``wina_counts``.
3. **Square-law kill rates**: the attacker's effectiveness ``defender casualties /
   (attacker initial strength * duration)`` and the defender's ``attacker casualties /
   (defender initial strength * duration)``, per day and per hour. This is the average
   square-law coefficient ``dy/dt = -b*x`` with ``x`` held at its initial value.

Filters: battles that are not duplicates (``parent`` empty in ``battles.csv``), starting
(year of ``datetime_min`` in ``battle_durations.csv``) in 1900 or later, with a known
duration ``duration2`` (days, from the active periods) clipped below at
:data:`MIN_DURATION_DAYS`; sides with positive initial strength ``intst`` and known
casualties ``cas``. Breakpoint samples need only the side concerned to be complete; the
kill-rate sample needs both sides.

All functions are pure: they take the CDB90 folder (a :class:`pathlib.Path`) or tables
read from it and return new objects. Figures derived from the data must carry the
attribution :data:`SOURCE` (tidy edition, ODC-BY) and :data:`ORIGINAL_SOURCE`.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "MIN_DURATION_DAYS",
    "MIN_START_YEAR",
    "ORIGINAL_SOURCE",
    "QUANTILES",
    "SOURCE",
    "attacker_failure_fractions",
    "battle_table",
    "dataset_version",
    "defender_withdrawal_fractions",
    "derive_calibration",
    "format_table",
    "kill_rates",
    "summarize",
    "wina_counts",
]

SOURCE = "CDB90 tidy edition, J. B. Arnold, ODC-BY"
"""Attribution required by the ODC-BY licence of the tidy edition."""
ORIGINAL_SOURCE = "original CDB90 data: US Army Concepts Analysis Agency, public domain"
"""Attribution of the original data."""

MIN_START_YEAR = 1900
"""First start year (inclusive) of the battles used."""
MIN_DURATION_DAYS = 0.05
"""Durations (days) below this (1.2 hours) are raised to it before computing kill rates."""
QUANTILES: tuple[float, ...] = (0.10, 0.25, 0.50, 0.75, 0.90)
"""Quantiles reported for every distribution (linear interpolation)."""

DEFENDER_WITHDRAWAL_CODES = frozenset({"WD", "WL"})
"""Defender outcome codes meaning the defender withdrew."""
ATTACKER_FAILURE_CODES = frozenset({"RR", "WD", "WL"})
"""Attacker outcome codes meaning the attack was repulsed or the attacker withdrew."""

_SIGNIFICANT_DIGITS = 6
_RESO_COLUMNS = ("reso1", "reso2", "reso3")


def _round(value: float) -> float:
    """Round to a fixed number of significant digits so the JSON is stable."""
    return float(f"{value:.{_SIGNIFICANT_DIGITS}g}")


def dataset_version(folder: Path) -> str:
    """Version of the CDB90 tidy edition in ``folder``.

    Args:
        folder: CDB90 folder (contains ``version.csv``).

    Returns:
        The version string, e.g. ``"9.0.3"``.

    """
    table = pd.read_csv(folder / "version.csv", dtype=str)
    return str(table["version"].iloc[0])


def _side_columns(belligerents: pd.DataFrame, attacker: int, prefix: str) -> pd.DataFrame:
    side = belligerents[belligerents["attacker"] == attacker].set_index("isqno")
    codes = side[list(_RESO_COLUMNS)].apply(
        lambda row: ",".join(sorted({str(v) for v in row if isinstance(v, str) and v})), axis=1
    )
    out = pd.DataFrame(
        {
            f"{prefix}_intst": pd.to_numeric(side["intst"], errors="coerce"),
            f"{prefix}_cas": pd.to_numeric(side["cas"], errors="coerce"),
            f"{prefix}_codes": codes.astype(str),
        },
        index=side.index,
    )
    return out


def battle_table(folder: Path) -> pd.DataFrame:
    """One row per non-duplicate battle with its start year, duration and both sides.

    The start-year and duration filters are applied here; the per-side completeness
    filters are applied by the derivation functions.

    Args:
        folder: CDB90 folder (``battles.csv``, ``belligerents.csv``,
            ``battle_durations.csv``).

    Returns:
        A DataFrame indexed by ``isqno`` with columns ``year``, ``wina``, ``duration_days``
        (``duration2``, days, clipped below at :data:`MIN_DURATION_DAYS`),
        ``duration_raw_days`` (unclipped), and for prefixes ``att`` (attacker) and ``def``
        (defender): ``*_intst`` (personnel), ``*_cas`` (personnel), ``*_codes``
        (comma-separated outcome codes).

    """
    battles = pd.read_csv(folder / "battles.csv", low_memory=False)
    durations = pd.read_csv(folder / "battle_durations.csv")
    belligerents = pd.read_csv(folder / "belligerents.csv", low_memory=False)

    battles = battles[battles["parent"].isna()]
    table = pd.DataFrame(
        {"wina": pd.to_numeric(battles["wina"], errors="coerce").to_numpy()},
        index=pd.Index(battles["isqno"].to_numpy(), name="isqno"),
    )
    dur = durations.set_index("isqno")
    year = pd.to_numeric(dur["datetime_min"].astype("string").str.slice(0, 4), errors="coerce")
    table = table.join(
        pd.DataFrame(
            {"year": year, "duration_raw_days": pd.to_numeric(dur["duration2"], errors="coerce")}
        ),
        how="inner",
    )
    table = table[(table["year"] >= MIN_START_YEAR) & (table["duration_raw_days"] > 0)]
    table["duration_days"] = table["duration_raw_days"].clip(lower=MIN_DURATION_DAYS)
    table = table.join(_side_columns(belligerents, 1, "att"), how="left")
    table = table.join(_side_columns(belligerents, 0, "def"), how="left")
    return table.sort_index()


def _complete(table: pd.DataFrame, prefix: str) -> pd.Series:
    return (
        (table[f"{prefix}_intst"] > 0)
        & table[f"{prefix}_cas"].notna()
        & (table[f"{prefix}_cas"] >= 0)
    )


def _has_code(codes: pd.Series, wanted: frozenset[str]) -> pd.Series:
    return codes.fillna("").map(lambda s: bool(set(str(s).split(",")) & wanted)).astype(bool)


def defender_withdrawal_fractions(table: pd.DataFrame) -> pd.Series:
    """Casualty fractions ``cas / intst`` of defenders that withdrew (codes WD or WL).

    Args:
        table: Output of :func:`battle_table`.

    Returns:
        The fractions (dimensionless), indexed by ``isqno``.

    """
    mask = _complete(table, "def") & _has_code(table["def_codes"], DEFENDER_WITHDRAWAL_CODES)
    sel = table[mask]
    return (sel["def_cas"] / sel["def_intst"]).rename("defender_casualty_fraction")


def attacker_failure_fractions(table: pd.DataFrame) -> pd.Series:
    """Casualty fractions ``cas / intst`` of failed attackers.

    An attacker failed if its outcome codes include RR, WD or WL and the battle is not
    coded as an attacker win (``wina != 1``).

    Args:
        table: Output of :func:`battle_table`.

    Returns:
        The fractions (dimensionless), indexed by ``isqno``.

    """
    mask = (
        _complete(table, "att")
        & _has_code(table["att_codes"], ATTACKER_FAILURE_CODES)
        & (table["wina"] != 1)
    )
    sel = table[mask]
    return (sel["att_cas"] / sel["att_intst"]).rename("attacker_casualty_fraction")


def kill_rates(table: pd.DataFrame) -> pd.DataFrame:
    """Average square-law kill rates of attacker and defender, per day.

    Args:
        table: Output of :func:`battle_table`.

    Returns:
        A DataFrame indexed by ``isqno`` with columns ``attacker_per_day`` (defender
        casualties per attacker per day) and ``defender_per_day`` (attacker casualties per
        defender per day), for battles where both sides are complete.

    """
    sel = table[_complete(table, "att") & _complete(table, "def")]
    days = sel["duration_days"]
    return pd.DataFrame(
        {
            "attacker_per_day": sel["def_cas"] / (sel["att_intst"] * days),
            "defender_per_day": sel["att_cas"] / (sel["def_intst"] * days),
        }
    )


def summarize(values: pd.Series, scale: float = 1.0) -> dict[str, float | int]:
    """Count and quantiles of a sample, rounded to 6 significant digits.

    Args:
        values: The sample (any unit).
        scale: Factor applied to the values before summarizing (e.g. ``1/24`` to turn
            per-day rates into per-hour rates).

    Returns:
        ``{"n": count, "q10": ..., "q25": ..., "median": ..., "q75": ..., "q90": ...,
        "min": ..., "max": ...}`` in the unit of ``values * scale``; quantiles are NaN-free
        (NaNs are dropped first). ``min`` and ``max`` bound what the data support.

    """
    v = np.asarray(values.dropna().to_numpy(dtype=np.float64)) * scale
    out: dict[str, float | int] = {"n": int(v.size)}
    for q in QUANTILES:
        key = "median" if q == 0.5 else f"q{round(q * 100):02d}"
        out[key] = _round(float(np.quantile(v, q))) if v.size else math.nan
    out["min"] = _round(float(v.min())) if v.size else math.nan
    out["max"] = _round(float(v.max())) if v.size else math.nan
    return out


def wina_counts(folder: Path) -> dict[str, int]:
    """Count the ``wina`` codes over non-duplicate battles (all periods).

    Args:
        folder: CDB90 folder.

    Returns:
        Counts keyed ``"1"``, ``"0"``, ``"-1"`` and ``"missing"``.

    """
    battles = pd.read_csv(folder / "battles.csv", low_memory=False)
    wina = pd.to_numeric(battles.loc[battles["parent"].isna(), "wina"], errors="coerce")
    return {
        "1": int((wina == 1).sum()),
        "0": int((wina == 0).sum()),
        "-1": int((wina == -1).sum()),
        "missing": int(wina.isna().sum()),
    }


def derive_calibration(folder: Path) -> dict[str, Any]:
    """Derive all calibration figures from the CDB90 folder.

    Args:
        folder: CDB90 folder.

    Returns:
        A JSON-serializable dict with the attribution, dataset version, filters, the
        ``wina`` code counts and the summaries ``defender_breakpoint`` and
        ``attacker_breakpoint`` (casualty fractions, dimensionless),
        ``kill_rate_attacker_per_day``, ``kill_rate_defender_per_day`` (per day) and
        ``kill_rate_attacker_per_hour``, ``kill_rate_defender_per_hour`` (per hour).

    """
    table = battle_table(folder)
    defender = defender_withdrawal_fractions(table)
    attacker = attacker_failure_fractions(table)
    rates = kill_rates(table)
    return {
        "source": SOURCE,
        "original_source": ORIGINAL_SOURCE,
        "dataset": "CDB90",
        "dataset_version": dataset_version(folder),
        "filters": {
            "duplicates": "battles with non-empty `parent` in battles.csv dropped",
            "period": f"start year (from datetime_min) >= {MIN_START_YEAR}",
            "duration": (
                "duration2 (days, from active periods) known and > 0, clipped below at "
                f"{MIN_DURATION_DAYS} days"
            ),
            "side_complete": "intst > 0 and cas known (>= 0)",
            "defender_breakpoint": (
                "defender complete; defender reso1..reso3 include WD or WL; "
                "value = defender cas / intst"
            ),
            "attacker_breakpoint": (
                "attacker complete; attacker reso1..reso3 include RR, WD or WL; "
                "wina != 1; value = attacker cas / intst"
            ),
            "kill_rates": (
                "both sides complete; attacker = defender cas / (attacker intst * duration), "
                "defender = attacker cas / (defender intst * duration); per hour = per day / 24"
            ),
        },
        "battles_after_period_and_duration_filters": len(table),
        "durations_clipped": int((table["duration_raw_days"] < MIN_DURATION_DAYS).sum()),
        "defender_fractions_above_1": int((defender > 1).sum()),
        "attacker_fractions_above_1": int((attacker > 1).sum()),
        "wina_counts": wina_counts(folder),
        "defender_breakpoint": summarize(defender),
        "attacker_breakpoint": summarize(attacker),
        "kill_rate_attacker_per_day": summarize(rates["attacker_per_day"]),
        "kill_rate_defender_per_day": summarize(rates["defender_per_day"]),
        "kill_rate_attacker_per_hour": summarize(rates["attacker_per_day"], 1 / 24),
        "kill_rate_defender_per_hour": summarize(rates["defender_per_day"], 1 / 24),
    }


SUMMARY_KEYS: tuple[tuple[str, str], ...] = (
    ("defender_breakpoint", "defender casualty fraction at withdrawal"),
    ("attacker_breakpoint", "failed attacker casualty fraction"),
    ("kill_rate_attacker_per_day", "attacker kill rate (per day)"),
    ("kill_rate_defender_per_day", "defender kill rate (per day)"),
    ("kill_rate_attacker_per_hour", "attacker kill rate (per hour)"),
    ("kill_rate_defender_per_hour", "defender kill rate (per hour)"),
)
"""Summary entries of :func:`derive_calibration` and their labels, in display order."""


def format_table(calibration: dict[str, Any]) -> str:
    """Render the summaries of a calibration dict as a plain-text table.

    Args:
        calibration: Output of :func:`derive_calibration` (or the JSON file read back).

    Returns:
        The table, one line per quantity, ending with the attribution lines.

    """
    header = f"{'quantity':<42} {'n':>4} {'q10':>9} {'q25':>9} {'median':>9} {'q75':>9} {'q90':>9}"
    lines = [header, "-" * len(header)]
    for key, label in SUMMARY_KEYS:
        s = calibration[key]
        cells = " ".join(f"{s[q]:>9.4g}" for q in ("q10", "q25", "median", "q75", "q90"))
        lines.append(f"{label:<42} {s['n']:>4} {cells}")
    lines.append("")
    lines.append(f"Source: {calibration['source']}; {calibration['original_source']}")
    lines.append(f"CDB90 version {calibration['dataset_version']}")
    return "\n".join(lines)
