"""Check that the model's tables are unchanged: prints one SHA-256 per scenario and table.

Runs every scenario in ``scenarios/`` (50 replications, seed 0, ``--no-figures``) with
``--ensemble none`` and with ``--ensemble baseline`` through the command line, and hashes the
contents of summary, events, series and series_quantiles (``pd.util.hash_pandas_object`` of
each frame, its column names and dtypes included). Used to check that a performance change
keeps every table identical::

    PYTHONPATH=$PWD/src python benchmarks/identity_check.py > before.txt
    ...change...
    PYTHONPATH=$PWD/src python benchmarks/identity_check.py | diff before.txt -
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

TABLES = ("summary", "events", "series", "series_quantiles")
STALE_OK = (
    "import sys, kabulsim.calibration.ensemble as e; e.check_current = lambda ens: None;"
    " from kabulsim.cli import main; sys.exit(main(sys.argv[1:]))"
)
"""The command line with the ensemble's parameter check switched off (``--stale-ensemble-ok``)."""


def frame_hash(df: pd.DataFrame) -> str:
    digest = hashlib.sha256()
    digest.update(repr(list(df.columns)).encode())
    digest.update(repr([str(t) for t in df.dtypes]).encode())
    digest.update(pd.util.hash_pandas_object(df, index=True).to_numpy().tobytes())
    return digest.hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=50)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument(
        "--stale-ensemble-ok",
        action="store_true",
        help="run the shipped ensemble even when it was made for other parameter ranges than"
        " the schema's (between a change of the priors and the recalibration: the members'"
        " values are applied as they are, so the tables can still be compared)",
    )
    parser.add_argument("scenarios", nargs="*", help="default: every scenarios/*.yaml")
    args = parser.parse_args()
    root = Path(__file__).resolve().parent.parent
    files = args.scenarios or sorted(str(p) for p in (root / "scenarios").glob("*.yaml"))
    for file in files:
        for ensemble in ("none", "baseline"):
            with tempfile.TemporaryDirectory() as folder:
                out = Path(folder) / "run"
                cmd = [sys.executable, "-m", "kabulsim"]
                if args.stale_ensemble_ok:
                    cmd = [sys.executable, "-c", STALE_OK]
                cmd += ["run", file, "--reps", str(args.reps)]
                cmd += ["--seed", "0", "--no-figures", "--quiet", "--ensemble", ensemble]
                cmd += ["--workers", str(args.workers), "--out", str(out)]
                subprocess.run(cmd, check=True, cwd=root)
                for table in TABLES:
                    df = pd.read_parquet(out / f"{table}.parquet")
                    name = Path(file).stem
                    print(f"{name} {ensemble} {table} {len(df)} {frame_hash(df)}", flush=True)


if __name__ == "__main__":
    main()
