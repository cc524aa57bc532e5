"""Writing a run's tables to its output folder.

The folder is written whole or not at all: everything goes to a hidden sibling folder first,
which is renamed into place at the end.
"""

from __future__ import annotations

import json
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kabulsim.experiments.runner import RunResult


def default_out_dir(scenario_name: str, root: Path = Path("runs")) -> Path:
    """A new folder under ``runs/`` named from the scenario and the current time."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in scenario_name) or "scenario"
    return root / f"{safe}-{stamp}"


def manifest(result: RunResult, argv: list[str] | None = None) -> dict[str, Any]:
    """What a run was: scenario, seed, replications, versions, command line."""
    import numpy
    import pandas
    import simpy

    from kabulsim import __version__

    return {
        "kabulsim": __version__,
        "python": sys.version.split()[0],
        "simpy": simpy.__version__,
        "numpy": numpy.__version__,
        "pandas": pandas.__version__,
        "scenario": result.scenario.model_dump(mode="json"),
        "seed": result.seed,
        "reps": result.reps,
        "failed_reps": int(len(result.failures)),
        "command": argv if argv is not None else sys.argv,
        "runtime_s": round(result.runtime_s, 3),
        "written": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def write_run(result: RunResult, out: Path, argv: list[str] | None = None) -> Path:
    """Write the run's tables and manifest into ``out`` (which must not exist or be empty)."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise FileExistsError(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.partial"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    try:
        result.summary.to_csv(tmp / "summary.csv", index=False)
        result.events.to_csv(tmp / "events.csv", index=False)
        result.series.to_csv(tmp / "series.csv", index=False)
        (tmp / "manifest.json").write_text(
            json.dumps(manifest(result, argv), indent=2) + "\n", encoding="utf-8"
        )
        if out.exists():
            out.rmdir()
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out
