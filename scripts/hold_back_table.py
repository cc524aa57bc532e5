"""The hold-back rows of docs/scenarios.md: the baseline and the four hold-back files.

Runs each with the same seed and replications (like ``kabulsim run``: parameters from the
baseline's calibrated ensemble unless ``--ensemble none``) and prints one Markdown row per
scenario: the median entry date and the share of entries against orders, the median vacuum,
the shares with factional fighting and a Taliban return, the mean civilian deaths in Kabul
from looting and from factional fighting, the median date order returns, the share of holds
that last to the Interim Authority, who holds the city then, and the median control breadth
at that date.

    python scripts/hold_back_table.py --reps 100 --seed 2001
"""

from __future__ import annotations

import argparse
import math
from datetime import timedelta
from pathlib import Path

import pandas as pd

import kabulsim
from kabulsim.analysis.survival import censored_median
from kabulsim.calibration import ensemble
from kabulsim.scenario import Scenario, load_scenario
from kabulsim.tables import to_datetime

ROOT = Path(__file__).resolve().parents[1]
NAMES = (
    "baseline",
    "hold_back",
    "hold_back_until_interim",
    "hold_back_early_force",
    "hold_back_poor_discipline",
)


def _day(summary: pd.DataFrame, scenario: Scenario, column: str) -> str:
    """The median date of a time column over all replications (censored ones count late)."""
    days = censored_median(summary, scenario, column).value
    if math.isinf(days):
        return "not reached"
    return (scenario.start + timedelta(days=days)).strftime("%d %b")


def _share(values: pd.Series) -> str:
    return f"{values.astype(bool).mean():.0%}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=100)
    parser.add_argument("--seed", type=int, default=2001)
    parser.add_argument("--ensemble", default="baseline", help="FILE|baseline|none")
    args = parser.parse_args()
    ens = ensemble.resolve(args.ensemble)
    print(
        "| scenario | entry | against orders | vacuum h | factional fighting | Taliban return"
        " | looting deaths (mean) | factional deaths (mean) | order restored"
        " | entry after 22 Dec | holder on 22 Dec | breadth on 22 Dec |"
    )
    print("|---|" + "---|" * 11)
    for name in NAMES:
        sc = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
        s = kabulsim.run(sc, args.reps, args.seed, ensemble=ens).summary
        entry = to_datetime(s["alliance_enters_kabul"])
        interim = to_datetime(s["interim_authority"])
        late = ((entry >= interim) | entry.isna()).mean()
        holders = s["holder_at_interim"].replace("", "none").value_counts(normalize=True)
        holder_text = ", ".join(f"{k} {v:.0%}" for k, v in holders.items())
        print(
            f"| `{name}` | {_day(s, sc, 'alliance_enters_kabul')}"
            f" | {_share(s['entry_despite_orders'])}"
            f" | {s['vacuum_h'].astype(float).median():.0f}"
            f" | {_share(s['factional_fighting'])} | {_share(s['taliban_reentered'])}"
            f" | {s['civilians_looting'].astype(float).mean():.1f}"
            f" | {s['civilians_factional'].astype(float).mean():.1f}"
            f" | {_day(s, sc, 'order_restored')} | {late:.0%} | {holder_text}"
            f" | {s['control_breadth_interim'].astype(float).median():.2f} |"
        )
    print(f"\n{args.reps} replications, seed {args.seed}, parameters from", end=" ")
    print(ensemble.describe_record(None if ens is None else ens.record()))


if __name__ == "__main__":
    main()
