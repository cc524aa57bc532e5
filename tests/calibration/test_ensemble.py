from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kabulsim.calibration import ensemble
from kabulsim.calibration.ensemble import Ensemble, EnsembleError, build, load
from kabulsim.calibration.priors import free_parameters, with_values
from kabulsim.scenario.schema import Scenario


def _ens(n: int = 5) -> Ensemble:
    params = free_parameters()
    rng = np.random.default_rng(1)
    values = {p.path: p.sample(rng, n) for p in params}
    return build(
        values,
        np.arange(1, n + 1, dtype=float),
        {"parameters": ensemble.describe_parameters(params)},
    )


def test_at_least_eight_free_parameters_with_sensible_priors() -> None:
    params = free_parameters()
    assert len(params) >= 8
    for p in params:
        assert p.low < p.high
        assert p.low <= p.default <= p.high
        assert p.log == (p.low > 0 and p.high / p.low >= 10)


def test_shipped_ensemble_matches_the_schema() -> None:
    """Fails when the schema's calibrated parameters (names, ranges, priors) change and the
    shipped ensemble was not regenerated (the command is in its sidecar and in
    docs/calibration.md)."""
    ens = ensemble.shipped()
    assert ensemble.stale_parameters(ens) == [], ens.meta["command"]
    assert ens.weights.sum() == pytest.approx(1.0)
    assert len(ens) >= 100
    for p in free_parameters():
        col = ens.members[p.path]
        assert col.between(p.low, p.high).all()
    assert ens.meta["command"].startswith("kabulsim calibrate")


def test_stale_check_names_a_changed_range() -> None:
    ens = _ens()
    meta = json.loads(json.dumps(ens.meta))
    meta["parameters"][0]["high"] *= 2
    problems = ensemble.stale_parameters(Ensemble(ens.members, meta))
    assert len(problems) == 1 and problems[0].startswith(meta["parameters"][0]["path"])


def test_round_trip(tmp_path: Path) -> None:
    ens = _ens()
    ens.save(tmp_path / "e")
    back = load(tmp_path / "e.parquet")
    pd.testing.assert_frame_equal(back.members, ens.members)
    assert back.meta == ens.meta


def test_load_reports_missing_and_mismatched_files(tmp_path: Path) -> None:
    with pytest.raises(EnsembleError, match="no such ensemble file"):
        load(tmp_path / "missing")
    ens = _ens()
    ens.save(tmp_path / "e")
    ens.members.drop(columns=[ens.parameters[0]]).to_parquet(tmp_path / "e.parquet")
    with pytest.raises(EnsembleError, match="no column"):
        load(tmp_path / "e")


def test_member_draw_depends_only_on_seed_and_rep_and_follows_weights() -> None:
    ens = _ens()
    a = [ens.member_for(7, i) for i in range(2000)]
    assert a == [ens.member_for(7, i) for i in range(2000)]
    assert a != [ens.member_for(8, i) for i in range(2000)]
    share = np.bincount(a, minlength=5) / len(a)
    # weights 1..5 / 15; 2000 draws: sd of a share <= 0.011, allow 4 sd
    assert share == pytest.approx(np.arange(1, 6) / 15, abs=0.045)


def _get(dump: dict[str, object], path: str) -> object:
    node: object = dump
    for seg in path.split("."):
        assert isinstance(node, dict)
        node = node[seg]
    return node


def test_scenario_changes_win_over_the_ensemble() -> None:
    ens = _ens()
    p0, p1 = ens.parameters[:2]
    spec = {p.path: p for p in free_parameters()}[p0]
    mine = spec.high if spec.low == spec.default else spec.low
    out = ens.apply(with_values(Scenario(), {p0: mine}), 2).model_dump()
    assert _get(out, p0) == mine  # the scenario's change is kept
    assert _get(out, p1) == pytest.approx(float(ens.members[p1].iloc[2]))  # the member's value
