"""Writing an in-memory run's tables to a folder, and naming new output folders.

:func:`write_run` writes a finished in-memory :class:`RunResult` whole or not at all
(everything goes to a hidden sibling folder first, renamed into place at the end). Runs with
an output folder (``run_many(..., out=...)``) write chunks as they go instead; see
:mod:`kabulsim.experiments.store`.
"""

from __future__ import annotations

import json
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kabulsim.experiments.runner import RunResult, versions


def default_out_dir(scenario_name: str, root: Path = Path("runs")) -> Path:
    """A new folder under ``runs/`` named from the scenario and the current time."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in scenario_name) or "scenario"
    return root / f"{safe}-{stamp}"


def manifest(result: RunResult, argv: list[str] | None = None) -> dict[str, Any]:
    """What a run was: scenario, seed, replications, versions, command line."""
    return {
        **versions(),
        "scenario": result.scenario.model_dump(mode="json"),
        "seed": result.seed,
        "reps": result.reps,
        "failed_reps": result.failed,
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
