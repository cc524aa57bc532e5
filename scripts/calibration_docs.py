"""Write the identifiability figure and print the tables of docs/calibration.md.

Usage: python scripts/calibration_docs.py [ENSEMBLE_STEM] (default: the shipped ensemble).
Writes docs/img/calibration_prior_posterior.png and prints Markdown tables: the
identifiability table, the strongest correlations and the posterior predictive check.
"""

from __future__ import annotations

import sys
from pathlib import Path

from kabulsim.calibration import ensemble, identifiability
from kabulsim.calibration.predictive import predictive_check


def _md(frame, floatfmt: str = ".3g") -> str:  # type: ignore[no-untyped-def]
    cols = list(frame.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in frame.itertuples(index=False):
        cells = [format(v, floatfmt) if isinstance(v, float) else str(v) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    ens = ensemble.load(sys.argv[1]) if len(sys.argv) > 1 else ensemble.shipped()
    root = Path(__file__).resolve().parents[1]
    identifiability.figure(ens, root / "docs" / "img" / "calibration_prior_posterior.png")
    table = identifiability.table(ens).drop(columns=["units"])
    print(_md(table))
    print()
    print(_md(identifiability.correlations(ens), ".2f"))
    print()
    print(_md(predictive_check(ens, members=60, reps=10, seed=0)))


if __name__ == "__main__":
    main()
