from __future__ import annotations

from pathlib import Path

import pytest

import kabulsim
from kabulsim.analysis.sweep import parse_axis
from kabulsim.explorer import ExplorerData, run_family, write_explorer

REPS = 6
SEED = 3
"""Replications per case: enough to draw every view, small enough for CI."""


@pytest.fixture(scope="session")
def family() -> list[kabulsim.Scenario]:
    return [
        kabulsim.load_scenario(Path("scenarios/baseline.yaml")),
        kabulsim.load_scenario(Path("scenarios/hold_back.yaml")),
    ]


@pytest.fixture(scope="session")
def explorer_data(family: list[kabulsim.Scenario]) -> ExplorerData:
    axes = [parse_axis("alliance.indiscipline_per_h=0.2,0.02")]
    return run_family(family, axes, reps=REPS, seed=SEED)


@pytest.fixture(scope="session")
def explorer_page(explorer_data: ExplorerData, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_explorer(explorer_data, tmp_path_factory.mktemp("explorer") / "family.html")
