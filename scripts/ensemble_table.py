"""The counterfactual table with and without parameter uncertainty (README, docs/calibration.md).

Runs every scenario of the fall-by-date table twice with the same seed and replications: at
the schema's values (``--ensemble none``) and over the baseline's calibrated ensemble
(``--ensemble baseline``: replication i takes the member drawn for (seed, i); a parameter the
scenario changes keeps the scenario's value). Prints a Markdown table.

    python scripts/ensemble_table.py --reps 200 --seed 0
"""

from __future__ import annotations

import argparse
from datetime import timedelta
from pathlib import Path

from fall_by_date import NAMES  # the scenarios of the fall-by-date table (same folder)

import kabulsim
from kabulsim.analysis.outcomes import estimate, parse_metric
from kabulsim.analysis.survival import censored_median
from kabulsim.calibration import ensemble
from kabulsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]


def _cells(summary, sc) -> tuple[str, str, str]:  # type: ignore[no-untyped-def]
    med = censored_median(summary, sc)

    def day(x: float) -> str:
        if x == float("inf"):
            return "not reached"
        return (sc.start + timedelta(days=x)).strftime("%d %b")

    cols = tuple(summary.columns)
    p_dec = estimate(summary, parse_metric("p_fallen_by_2001-12-01", cols), sc).value
    killed = summary["killed_in_city"].astype(float)
    k = f"{killed.median():.0f} [{killed.quantile(0.05):.0f}-{killed.quantile(0.95):.0f}]"
    return f"{day(med.value)} [{day(med.low)}-{day(med.high)}]", f"{p_dec:.0%}", k


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    ens = ensemble.shipped()
    print(
        "| scenario | falls: median [95% CI] fixed | with uncertainty |"
        " P(by 1 Dec) fixed | with uncertainty |"
        " killed in the city, median [90%] fixed | with uncertainty |"
    )
    print("|---|---|---|---|---|---|---|")
    for name in NAMES:
        sc = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
        fixed = _cells(kabulsim.run(sc, args.reps, args.seed, ensemble=None).summary, sc)
        spread = _cells(kabulsim.run(sc, args.reps, args.seed, ensemble=ens).summary, sc)
        print(
            f"| `{name}` | {fixed[0]} | {spread[0]} | {fixed[1]} | {spread[1]} |"
            f" {fixed[2]} | {spread[2]} |"
        )


if __name__ == "__main__":
    main()
