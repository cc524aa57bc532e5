"""Ensemble files and run folders generated inside and outside their schema (issue 22).

Beside the scenario strategies of ``test_properties.py``: hypothesis writes ensemble tables
(member values and weights from anywhere: NaN, infinities, huge, negative, outside the
sidecar's ranges; columns dropped, renamed or added) and run folders whose manifest, batch
records and tables are damaged, replaced by other JSON or bytes, or turned into links. Each
is either refused with the reader's error (:class:`EnsembleError`, :class:`FolderError`),
whose message names the file, or read into something a run can use.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kabulsim.calibration.ensemble import EnsembleError, check_current, load
from kabulsim.experiments.runner import run_many
from kabulsim.experiments.store import RunStore
from kabulsim.experiments.studies import FolderError, read_run
from kabulsim.scenario.schema import Scenario
from tests.reliability.test_files_and_bounds import shipped_meta

META = shipped_meta()
NAMES = [p["path"] for p in META["parameters"]]

ANY_FLOAT = st.floats(allow_nan=True, allow_infinity=True, width=64)
IN_RANGE = st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0])
"""A position inside a parameter's range (0 = low, 1 = high)."""


@st.composite
def ensemble_tables(draw: st.DrawFn) -> tuple[pd.DataFrame, dict[str, Any]]:
    """A members table and its sidecar: mostly valid, with a few damaged cells or columns."""
    n = draw(st.integers(1, 30))
    frame = pd.DataFrame(
        {
            p["path"]: [p["low"] + draw(IN_RANGE) * (p["high"] - p["low"]) for _ in range(n)]
            for p in META["parameters"]
        }
    )
    frame["weight"] = [draw(st.floats(0.01, 10.0)) for _ in range(n)]
    meta = json.loads(json.dumps(META))
    for _ in range(draw(st.integers(0, 3))):
        change = draw(st.sampled_from(["cell", "weights", "drop", "rename", "add", "range"]))
        column = draw(st.sampled_from([*NAMES, "weight"]))
        if change == "cell" and column in frame:
            frame.loc[draw(st.integers(0, n - 1)), column] = draw(ANY_FLOAT)
        elif change == "weights":
            frame["weight"] = [draw(ANY_FLOAT) for _ in range(n)]
        elif change == "drop" and column in frame:
            frame = frame.drop(columns=[column])
        elif change == "rename" and column in frame:
            frame = frame.rename(columns={column: column + "_x"})
        elif change == "add":
            frame["alliance.hold_back_h"] = draw(ANY_FLOAT)
        elif change == "range":
            i = draw(st.integers(0, len(NAMES) - 1))
            meta["parameters"][i]["high"] = draw(ANY_FLOAT)
    return frame, meta


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ensemble_tables())
def test_an_ensemble_file_is_refused_or_usable(table: tuple[pd.DataFrame, dict[str, Any]]):
    frame, meta = table
    with tempfile.TemporaryDirectory() as tmp:
        stem = Path(tmp) / "ens"
        frame.to_parquet(stem.with_suffix(".parquet"), index=False)
        stem.with_suffix(".json").write_text(json.dumps(meta), encoding="utf-8")
        try:
            ens = load(stem)
            check_current(ens)
        except EnsembleError as exc:
            assert "ens." in str(exc), exc
            return
    # accepted: what a run uses is sane
    assert ens.parameters == NAMES
    values = ens.members[NAMES].to_numpy()
    assert np.all(np.isfinite(values))
    for p in META["parameters"]:
        column = ens.members[p["path"]]
        assert column.between(p["low"], p["high"]).all()
    w = ens.weights
    assert np.all(np.isfinite(w)) and np.all(w >= 0) and w.sum() > 0
    members = {ens.member_for(0, i) for i in range(20)}
    assert all(0 <= m < len(ens) and w[m] > 0 for m in members)


# run folders ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run") / "run"
    run_many(Scenario(), 4, 1, workers=1, out=out, batch_size=2, series_reps=2)
    return out


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | ANY_FLOAT.filter(math.isfinite) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)
FILES = [
    "manifest.json",
    "summary.parquet",
    "chunks/batch-000000.json",
    "chunks/summary-000000.parquet",
]


@st.composite
def damage(draw: st.DrawFn) -> list[tuple[str, str, Any]]:
    """A few changes to a finished run folder: (file, how, what)."""
    changes = []
    for _ in range(draw(st.integers(1, 3))):
        target = draw(st.sampled_from(FILES))
        how = draw(st.sampled_from(["key", "bytes", "link", "truncate"]))
        if how == "key":
            key = draw(st.sampled_from(["status", "seed", "reps", "scenario", "ensemble",
                                        "ensemble_hash", "start", "stop", "sha256"]))  # fmt: skip
            changes.append((target, how, (key, draw(JSON_VALUES))))
        elif how == "bytes":
            changes.append((target, how, draw(st.binary(max_size=64))))
        else:
            changes.append((target, how, None))
    return changes


def _apply(root: Path, changes: list[tuple[str, str, Any]]) -> None:
    for name, how, what in changes:
        path = root / name
        if path.is_symlink() or not path.exists():
            continue
        if how == "key" and path.suffix == ".json":
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except ValueError:
                continue
            if isinstance(data, dict):
                data[what[0]] = what[1]
            path.write_text(json.dumps(data), encoding="utf-8")
        elif how == "bytes":
            path.write_bytes(what)
        elif how == "link":
            path.unlink()
            os.symlink("/dev/zero", path)
        elif how == "truncate":
            path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(damage())
def test_a_damaged_run_folder_is_refused_or_read_whole(finished_run: Path, changes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "run"
        shutil.copytree(finished_run, root, symlinks=True)
        _apply(root, changes)
        try:
            run = read_run(root)
        except FolderError as exc:
            assert str(root) in str(exc), exc
        else:
            assert len(run.summary) == run.reps >= 1
        store = RunStore(root, {"seed": 1})
        try:
            done, damaged = store.check_batches({0: (0, 2), 1: (2, 4)})
        except FolderError as exc:
            assert str(root) in str(exc), exc
        else:
            assert done <= {0, 1}
            assert all(str(path).startswith(str(root)) for _, path in damaged)
