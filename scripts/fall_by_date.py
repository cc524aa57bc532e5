"""Fall-by-date table and figure for the counterfactual library (README, docs/campaign.md).

Runs every scenario in ``scenarios/`` (except the hold-back files, which another part of the
documentation covers) with the same seed and replications, prints a Markdown table (median
date Kabul falls with its 95% interval, the probability that it has fallen by three dates,
and what held it where it did not fall) and writes ``docs/img/fall_by_date.png``.

Like ``kabulsim run``, each replication takes its parameters from the baseline's calibrated
ensemble unless ``--ensemble none`` (the schema's single values) or another file is given.

    python scripts/fall_by_date.py --reps 200 --seed 0
"""

from __future__ import annotations

import argparse
from datetime import timedelta
from pathlib import Path

import kabulsim
from kabulsim.analysis.outcomes import estimate, parse_metric
from kabulsim.analysis.survival import censored_median
from kabulsim.calibration import ensemble
from kabulsim.plots.io import save
from kabulsim.plots.survival import fall_by_date_figure
from kabulsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
NAMES = (
    "baseline",
    "early_offensive",
    "mazar_holds",
    "no_ground_controllers",
    "taliban_defend_kabul",
    "no_air_campaign",
    "no_tip",
)
DATES = ("2001-12-01", "2002-01-01", "2002-05-01")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--ensemble", default="baseline", help="FILE|baseline|none")
    args = parser.parse_args()
    ens = ensemble.resolve(args.ensemble)
    summaries, scenarios = {}, {}
    cols = None
    rows = []
    for name in NAMES:
        sc = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
        summary = kabulsim.run(sc, args.reps, args.seed, ensemble=ens).summary
        summaries[name], scenarios[name] = summary, sc
        cols = tuple(summary.columns)
        med = censored_median(summary, sc)

        def day(x: float, sc: kabulsim.Scenario = sc) -> str:
            if x == float("inf"):
                return "not reached"
            return (sc.start + timedelta(days=x)).strftime("%d %b %Y")

        ps = [estimate(summary, parse_metric(f"p_fallen_by_{d}", cols), sc).value for d in DATES]
        held = summary["kabul_held_by"].replace("", None).dropna().value_counts()
        held_text = ", ".join(f"{k} {v / len(summary):.0%}" for k, v in held.items()) or "-"
        rows.append(
            f"| `{name}` | {day(med.value)} [{day(med.low)} to {day(med.high)}] | "
            + " | ".join(f"{p:.0%}" for p in ps)
            + f" | {held_text} |"
        )
    print(
        "| scenario | Kabul falls: median [95% interval] | "
        + " | ".join(f"P(fallen by {d})" for d in DATES)
        + " | what held it (share of runs) |"
    )
    print("|---|---|" + "---|" * len(DATES) + "---|")
    print("\n".join(rows))
    print(f"\n{args.reps} replications, seed {args.seed}, parameters from", end=" ")
    print(ensemble.describe_record(None if ens is None else ens.record()))
    shown = (
        "baseline",
        "mazar_holds",
        "no_ground_controllers",
        "taliban_defend_kabul",
        "no_air_campaign",
    )
    fig = fall_by_date_figure({n: summaries[n] for n in shown}, {n: scenarios[n] for n in shown})
    for path in save(fig, ROOT / "docs" / "img", "fall_by_date"):
        if path.suffix == ".svg":  # the README shows the PNG; keep the repository small
            path.unlink()


if __name__ == "__main__":
    main()
