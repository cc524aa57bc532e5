"""Reading finished run and comparison folders back (for reports and comparisons)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from kabulsim.scenario.schema import Scenario

COMPARISON_MANIFEST = "comparison.json"


class FolderError(ValueError):
    """A folder that is not a finished kabulsim run or comparison."""


@dataclass(frozen=True)
class RunFolder:
    """A finished run read from its folder (summary in memory, series on demand)."""

    path: Path
    scenario: Scenario
    seed: int
    reps: int
    summary: pd.DataFrame

    @property
    def series(self) -> pd.DataFrame:
        """The per-replication series stored with the run (possibly empty)."""
        path = self.path / "series.parquet"
        return pd.read_parquet(path) if path.exists() else pd.DataFrame()

    @property
    def series_quantiles(self) -> pd.DataFrame:
        """The run's series quantiles over all replications (possibly empty)."""
        path = self.path / "series_quantiles.parquet"
        return pd.read_parquet(path) if path.exists() else pd.DataFrame()


def _manifest(path: Path, name: str) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads((path / name).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FolderError(f"{path}: no {name}; expected a kabulsim run folder") from None
    except (OSError, ValueError) as exc:
        raise FolderError(f"{path / name}: unreadable ({exc})") from None
    return data


def read_run(path: str | Path) -> RunFolder:
    """Read a finished run folder written by ``kabulsim run``.

    Raises:
        FolderError: no manifest, an unfinished run, or a missing summary.
    """
    root = Path(path)
    if not root.is_dir():
        raise FolderError(f"{root}: not a folder")
    manifest = _manifest(root, "manifest.json")
    if manifest.get("status") != "complete":
        raise FolderError(f"{root}: the run is not complete; finish it with --resume")
    try:
        summary = pd.read_parquet(root / "summary.parquet")
        scenario = Scenario.model_validate(manifest["scenario"])
    except (OSError, KeyError, ValueError) as exc:
        raise FolderError(f"{root}: incomplete run folder ({exc})") from None
    return RunFolder(root, scenario, int(manifest["seed"]), int(manifest["reps"]), summary)


def is_comparison(path: str | Path) -> bool:
    """Whether ``path`` is a folder written by ``kabulsim compare``."""
    return (Path(path) / COMPARISON_MANIFEST).exists()


def read_comparison(path: str | Path) -> tuple[dict[str, Any], dict[str, RunFolder]]:
    """Read a comparison folder: its manifest and each compared run (in order)."""
    root = Path(path)
    manifest = _manifest(root, COMPARISON_MANIFEST)
    runs = {name: read_run(root / "runs" / name) for name in manifest["names"]}
    return manifest, runs
