"""Derive attrition breakpoints and kill rates from the CDB90 battle data.

Usage:
    python scripts/calibrate_cdb90.py PATH_TO_CDB90 [--out src/kabulsim/data/cdb90_calibration.json]

Prints the derived table and writes the figures, with the filters, sample sizes,
dataset version, attribution and this command, to the JSON file. See docs/combat.md.
Figures derived from CDB90 must be attributed: "CDB90 tidy edition, J. B. Arnold, ODC-BY";
original CDB90 data: US Army Concepts Analysis Agency, public domain.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

try:
    from kabulsim.combat.cdb90 import derive_calibration, format_table
except ModuleNotFoundError:  # run from a checkout without installing the package
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from kabulsim.combat.cdb90 import derive_calibration, format_table

DEFAULT_OUT = Path("src/kabulsim/data/cdb90_calibration.json")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cdb90", type=Path, help="folder holding the CDB90 tidy-edition CSVs")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON file to write")
    args = parser.parse_args(argv)

    if not (args.cdb90 / "belligerents.csv").is_file():
        parser.error(f"{args.cdb90} does not look like the CDB90 folder (no belligerents.csv)")

    calibration = derive_calibration(args.cdb90)
    calibration["command"] = (
        f"python scripts/calibrate_cdb90.py {args.cdb90.as_posix()} --out {args.out.as_posix()}"
    )
    print(format_table(calibration))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(calibration, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
