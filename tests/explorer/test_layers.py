"""The explorer shows compare's two layers of uncertainty for its scenario files."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd

import kabulsim
from kabulsim.analysis.compare import LAYER_HEADERS, nested_intervals
from kabulsim.calibration.assumptions import declared
from kabulsim.calibration.ensemble import DEFAULT, resolve
from kabulsim.experiments.runner import run_many
from kabulsim.explorer import ExplorerData, write_explorer
from kabulsim.folders.explorer import two_layers

from .conftest import REPS, SEED


def test_the_two_layers_are_compares(
    family: list[kabulsim.Scenario], explorer_data: ExplorerData, tmp_path: Path
) -> None:
    members = resolve(DEFAULT)
    priors = declared()
    table = two_layers(
        family, explorer_data.own, REPS, SEED, ensemble=members, assumptions=priors, workers=1
    )
    # what compare computes from its own runs of the two files (first layer: the ensemble;
    # second: the same runs drawing the assumptions): the explorer's first layer is the
    # family's own runs, not a second copy, and must be the same numbers
    inner = {
        sc.name: run_many(sc, REPS, SEED, workers=1, ensemble=members).summary for sc in family
    }
    outer = {
        sc.name: run_many(sc, REPS, SEED, workers=1, ensemble=members, assumptions=priors).summary
        for sc in family
    }
    expected = nested_intervals({"record": inner, "assumptions": outer}, family[0].name, seed=SEED)
    pd.testing.assert_frame_equal(table, expected)
    assert set(table["scenario"]) == {family[1].name}
    assert set(table["layer"]) == set(LAYER_HEADERS)

    page = write_explorer(dataclasses.replace(explorer_data, layers=table), tmp_path / "p.html")
    text = page.read_text(encoding="utf-8")
    assert 'id="h-layers"' in text
    assert LAYER_HEADERS["assumptions"] in text
    assert "Alliance enters Kabul" in text.split('id="h-layers"')[1].split("<details>")[0]
    # without a second layer, no section
    plain = write_explorer(explorer_data, tmp_path / "q.html").read_text(encoding="utf-8")
    assert 'id="h-layers"' not in plain
