"""Did holding back change the south? The table of docs/teaching.md.

Runs the baseline and the four hold-back files with the same seed and replications (like
``kabulsim compare``: common random numbers, parameters from the baseline's calibrated
ensemble unless ``--ensemble none``, replication i of each the same member) and prints one
Markdown row per scenario: the median date the alliance enters Kabul (for scale), the
fighters who withdraw towards the southern pocket and towards the redoubt (means), the
median date the southern pocket surrenders, the share of runs in which the south has
collapsed before the Interim Authority takes office (``political.interim_authority``,
22 Dec 2001 in the baseline) and the mean number of fighters who escape from the redoubt.
Each hold-back row gives the value, its paired difference from the baseline and the
difference's 95% paired-bootstrap interval (:func:`kabulsim.analysis.compare.compare`).

    python scripts/hold_back_south.py --reps 200 --seed 2001
"""

from __future__ import annotations

import argparse

import pandas as pd

# the same five files, in the same order, as the hold-back rows of docs/scenarios.md
from hold_back_table import NAMES, ROOT

import kabulsim
from kabulsim.analysis.compare import compare, readable_differences
from kabulsim.calibration import ensemble
from kabulsim.outputs import column
from kabulsim.scenario import load_scenario
from kabulsim.tables import to_datetime

BEFORE_INTERIM = "south_before_interim"
"""The derived flag: the south collapsed before the Interim Authority took office."""

SOUTH = column("pocket_falls", "south")
TO_SOUTH = "to_kandahar"  # the withdrawal's south road (outputs.py: to_<city>)
TO_REDOUBT = "to_tora_bora"
ESCAPED = column("escaped", "redoubt")
COLUMNS = (
    ("alliance_enters_kabul", "median_time"),
    (TO_SOUTH, "mean"),
    (TO_REDOUBT, "mean"),
    (SOUTH, "median_time"),
    (BEFORE_INTERIM, "proportion"),
    (ESCAPED, "mean"),
)
HEADERS = (
    "alliance enters Kabul (median)",
    "withdrawn towards the southern pocket (mean)",
    "withdrawn towards the redoubt (mean)",
    "southern pocket surrenders (median)",
    "south collapsed before the Interim Authority",
    "escaped from the redoubt (mean)",
)


def with_flag(summary: pd.DataFrame) -> pd.DataFrame:
    """The summary with :data:`BEFORE_INTERIM` (False where the south never collapses)."""
    collapse = to_datetime(summary["south_collapses"].fillna(""))
    interim = to_datetime(summary["interim_authority"].fillna(""))
    out = summary.copy()
    out[BEFORE_INTERIM] = (collapse < interim).fillna(False).astype(bool)
    return out


def _cell(row: pd.Series, paired: bool) -> str:
    value = str(row["scenario value"])
    if not paired:
        return value
    return f"{value}: {row['difference']} ({row['95% interval'] or 'no interval'})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2001)
    parser.add_argument("--n-boot", type=int, default=2000)
    parser.add_argument("--ensemble", default="baseline", help="FILE|baseline|none")
    args = parser.parse_args()
    ens = ensemble.resolve(args.ensemble)
    summaries = {}
    for name in NAMES:
        sc = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
        summaries[name] = with_flag(kabulsim.run(sc, args.reps, args.seed, ensemble=ens).summary)
    outcomes = [c for c, _ in COLUMNS]
    diffs = compare(summaries, NAMES[0], outcomes, n_boot=args.n_boot, seed=args.seed)
    assert diffs["paired"].all()
    words = readable_differences(diffs)
    words["statistic_key"] = diffs["statistic"].to_numpy()
    words["outcome_key"] = diffs["outcome"].to_numpy()
    print("| scenario | " + " | ".join(HEADERS) + " |")
    print("|---|" + "---|" * len(HEADERS))
    first = words[words["scenario"] == NAMES[1]]
    cells = []
    for outcome, stat in COLUMNS:
        row = first[(first["outcome_key"] == outcome) & (first["statistic_key"] == stat)].iloc[0]
        cells.append(str(row["baseline"]))
    print(f"| `{NAMES[0]}` | " + " | ".join(cells) + " |")
    for name in NAMES[1:]:
        part = words[words["scenario"] == name]
        cells = []
        for outcome, stat in COLUMNS:
            row = part[(part["outcome_key"] == outcome) & (part["statistic_key"] == stat)]
            cells.append(_cell(row.iloc[0], paired=True))
        print(f"| `{name}` | " + " | ".join(cells) + " |")
    print(
        f"\n{args.reps} replications per scenario, seed {args.seed}, common random numbers;"
        f" differences from the baseline with {args.n_boot:,}-resample paired-bootstrap 95%"
        " intervals; parameters from",
        end=" ",
    )
    print(ensemble.describe_record(None if ens is None else ens.record()))
    print(
        "\nRuns in which the southern pocket falls at another time than in the baseline's run"
        " with the same random numbers, and how many of them see the Taliban retake Kabul;"
        " runs in which the south has not collapsed by the horizon:"
    )
    base = summaries[NAMES[0]]
    for name, s in summaries.items():
        moved = s[SOUTH].fillna("").astype(str) != base[SOUTH].fillna("").astype(str)
        back = s["taliban_reentered"].astype(bool)
        never = s["south_collapses"].fillna("").astype(str) == ""
        print(
            f"- `{name}`: {int(moved.sum())} of {len(s)} moved, {int((moved & back).sum())} of"
            f" them with a Taliban return ({int(back.sum())} returns in all); not collapsed:"
            f" {int(never.sum())}"
        )


if __name__ == "__main__":
    main()
