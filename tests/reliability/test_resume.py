"""Resume verifies what it finds: chunks of another run are refused, damaged ones recomputed.

Also: a run killed with SIGKILL at any moment resumes to the same tables, a second writer is
locked out, stale temporary files are removed, and the final status is right after a
failure (issue 16, defects 2 and 6).
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from kabulsim.calibration import ensemble
from kabulsim.experiments import resume, run_many
from kabulsim.experiments.store import RunStore
from kabulsim.experiments.studies import FolderError, folder_lock
from kabulsim.scenario import Scenario
from tests.reliability.conftest import ROOT, cli, one_line

REPS, BATCH, SEED = 40, 10, 5
TABLES = ("summary.parquet", "events.parquet", "series.parquet", "series_quantiles.parquet")


def _hold_back() -> Scenario:
    data = Scenario().model_dump()
    data["name"] = "hold_back"
    data["alliance"]["hold_back_h"] = 336.0
    return Scenario.model_validate(data)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("ref") / "run"
    run_many(Scenario(), REPS, SEED, workers=1, out=out, batch_size=BATCH, series_reps=20)
    return out


@pytest.fixture(scope="module")
def reference_default(tmp_path_factory):
    """What ``kabulsim run`` makes without ``--ensemble``: the baseline's ensemble."""
    out = tmp_path_factory.mktemp("ref_default") / "run"
    members = ensemble.resolve(ensemble.DEFAULT)
    run_many(
        Scenario(), REPS, SEED, workers=1, out=out, batch_size=BATCH, series_reps=20,
        ensemble=members,
    )  # fmt: skip
    return out


def _copy(reference: Path, tmp_path: Path) -> Path:
    out = tmp_path / "run"
    shutil.copytree(reference, out)
    return out


def _same_tables(a: Path, b: Path) -> None:
    for name in TABLES:
        pd.testing.assert_frame_equal(pd.read_parquet(a / name), pd.read_parquet(b / name))


def _status(out: Path) -> str:
    return str(json.loads((out / "manifest.json").read_text())["status"])


def test_chunks_of_another_scenario_are_refused(reference, tmp_path, capsys):
    out = tmp_path / "hold"
    run_many(_hold_back(), REPS, SEED, workers=1, out=out, batch_size=BATCH, series_reps=20)
    for i in (0, 1):  # baseline chunks dropped into the hold-back folder
        for path in (reference / "chunks").glob(f"*-{i:06d}.*"):
            shutil.copy(path, out / "chunks" / path.name)
    before = (out / "summary.parquet").read_bytes()
    assert cli(["run", "--resume", str(out), "--workers", "1"]) == 2
    line = one_line(capsys.readouterr().err)
    assert "belongs to another run" in line and "scenario_hash" in line
    assert (out / "summary.parquet").read_bytes() == before


def test_chunks_of_another_seed_are_refused(reference, tmp_path):
    out = tmp_path / "other"
    run_many(Scenario(), REPS, SEED + 1, workers=1, out=out, batch_size=BATCH, series_reps=20)
    shutil.copy(reference / "chunks" / "batch-000002.json", out / "chunks" / "batch-000002.json")
    with pytest.raises(FolderError, match="its seed differs"):
        resume(out, workers=1)


def test_a_changed_batch_size_is_refused(reference, tmp_path):
    out = _copy(reference, tmp_path)
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["batch_size"] = 8
    (out / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(FolderError, match="batch_size differs"):
        resume(out, workers=1)


def test_a_changed_scenario_in_the_manifest_is_refused(reference, tmp_path):
    out = _copy(reference, tmp_path)
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["scenario"]["alliance"]["hold_back_h"] = 336.0
    (out / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(FolderError, match="does not match its scenario_hash"):
        resume(out, workers=1)


@pytest.mark.parametrize("damage", ["flip", "truncate", "delete", "record"])
def test_damaged_chunks_are_recomputed(reference, tmp_path, damage):
    out = _copy(reference, tmp_path)
    events = out / "chunks" / "events-000001.parquet"
    summary = out / "chunks" / "summary-000003.parquet"
    if damage == "flip":  # bytes flipped in the middle of an events chunk
        data = bytearray(events.read_bytes())
        for k in range(len(data) // 2, len(data) // 2 + 16):
            data[k] ^= 0xFF
        events.write_bytes(bytes(data))
    elif damage == "truncate":
        summary.write_bytes(summary.read_bytes()[:100])
    elif damage == "delete":
        events.unlink()
    else:
        (out / "chunks" / "batch-000002.json").write_text("{not json")
    for name in TABLES:
        (out / name).unlink()
    result = resume(out, workers=1)
    assert result.failed == 0 and _status(out) == "complete"
    _same_tables(out, reference)
    assert (result.summary["vacuum_h"].dropna() >= 0).all()


def test_a_folder_in_use_is_locked(reference, tmp_path, capsys):
    out = _copy(reference, tmp_path)
    with folder_lock(out):
        assert cli(["run", "--resume", str(out), "--workers", "1"]) == 2
    assert "another kabulsim process is writing" in one_line(capsys.readouterr().err)


def test_stale_temporary_files_are_removed(reference, tmp_path):
    out = _copy(reference, tmp_path)
    stale = [out / ".summary.parquet.999999.tmp", out / "chunks" / ".events-000001.parquet.1.tmp"]
    for path in stale:
        path.write_bytes(b"x" * 1000)
    resume(out, workers=1)
    assert not any(path.exists() for path in stale)
    _same_tables(out, reference)


def test_a_failed_assembly_ends_failed_then_resumes(reference, tmp_path, monkeypatch):
    out = tmp_path / "run"

    def full_disk(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(self.root / "events.parquet"))

    with monkeypatch.context() as patch:
        patch.setattr(RunStore, "finalize", full_disk)
        with pytest.raises(OSError):
            run_many(Scenario(), REPS, SEED, workers=1, out=out, batch_size=BATCH, series_reps=20)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "failed" and manifest["reps_done"] == REPS
    resume(out, workers=1)
    assert _status(out) == "complete"
    _same_tables(out, reference)


def test_a_full_disk_is_one_line(tmp_path, capsys, monkeypatch):
    def full_disk(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(self.root / "events.parquet"))

    monkeypatch.setattr(RunStore, "finalize", full_disk)
    out = tmp_path / "run"
    argv = ["run", str(ROOT / "scenarios" / "baseline.yaml"), "--reps", "4", "--workers", "1"]
    assert cli([*argv, "--out", str(out), "--quiet"]) == 2
    line = one_line(capsys.readouterr().err)
    assert "events.parquet" in line and "No space left on device" in line and "--resume" in line
    assert _status(out) == "failed"


def _child_pids(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _start(argv: list[str]) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.Popen(
        [sys.executable, "-m", "kabulsim", *argv],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_for(condition, limit_s: float = 120.0) -> bool:
    end = time.monotonic() + limit_s
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_killing_the_parent_ends_the_workers(tmp_path):
    out = tmp_path / "run"
    argv = ["run", str(ROOT / "scenarios" / "baseline.yaml"), "--reps", "2000", "--workers", "2"]
    proc = _start([*argv, "--out", str(out), "--quiet", "--no-figures"])
    try:
        assert _wait_for(lambda: len(_child_pids(proc.pid)) >= 2), "the pool did not start"
        workers = _child_pids(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert _wait_for(lambda: not any(_alive(w) for w in workers), 10.0), workers
    finally:
        if proc.poll() is None:
            proc.kill()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("after_batches", [0, 1, 3])
def test_a_run_killed_at_any_moment_resumes_to_the_same_tables(
    reference_default, tmp_path, after_batches
):
    out = tmp_path / "run"
    argv = ["run", str(ROOT / "scenarios" / "baseline.yaml"), "--reps", str(REPS)]
    argv += ["--seed", str(SEED), "--batch-size", str(BATCH), "--series-reps", "20"]
    proc = _start([*argv, "--workers", "1", "--out", str(out), "--quiet", "--no-figures"])
    try:
        records = out / "chunks"
        assert _wait_for(
            lambda: (
                (out / "manifest.json").exists()
                and len(list(records.glob("batch-*.json"))) >= after_batches
            )
        )
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert cli(["run", "--resume", str(out), "--workers", "1", "--quiet", "--no-figures"]) == 0
    assert _status(out) == "complete"
    _same_tables(out, reference_default)
    assert not list(out.rglob("*.tmp"))


def test_force_never_replaces_a_folder_being_written(reference, tmp_path, capsys):
    out = _copy(reference, tmp_path)
    argv = ["run", str(ROOT / "scenarios" / "baseline.yaml"), "--reps", "2", "--workers", "1"]
    with folder_lock(out):
        assert cli([*argv, "--out", str(out), "--force", "--quiet"]) == 2
    assert "another kabulsim process is writing" in one_line(capsys.readouterr().err)
    _same_tables(out, reference)
