from __future__ import annotations

import io
import json
import shutil
import sys
from pathlib import Path
from unittest.mock import patch

import numpy as np
import pandas as pd
import pytest

from kabulsim.cli import main
from kabulsim.experiments import resume, run, run_many
from kabulsim.experiments.batches import plan_batches, run_batch
from kabulsim.experiments.executors import PoolEngine, SerialEngine, make_engine
from kabulsim.experiments.progress import ProgressBar
from kabulsim.experiments.quantiles import (
    SERIES_VARIABLES,
    count_values,
    merge_counts,
    round_bits,
)
from kabulsim.experiments.studies import FolderError
from kabulsim.scenario import Scenario

sim = sys.modules["kabulsim.model.simulate"]  # the package re-exports simulate() as a name

REPS = 100
BATCH = 25
FINAL = (
    "summary.csv",
    "summary.parquet",
    "events.csv",
    "events.parquet",
    "series.parquet",
    "series_quantiles.parquet",
)


def assert_same(a, b) -> None:
    pd.testing.assert_frame_equal(a.summary, b.summary)
    pd.testing.assert_frame_equal(a.events, b.events)
    pd.testing.assert_frame_equal(a.series, b.series)
    pd.testing.assert_frame_equal(a.series_quantiles, b.series_quantiles)


def assert_same_files(a: Path, b: Path) -> None:
    for name in FINAL:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return Scenario()


@pytest.fixture(scope="module")
def reference(tmp_path_factory, scenario):
    """An uninterrupted 2-worker run written to disk."""
    out = tmp_path_factory.mktemp("ref") / "run"
    result = run_many(scenario, REPS, 11, workers=2, out=out, batch_size=BATCH, series_reps=60)
    return result


def test_workers_and_engines_give_identical_tables(scenario):
    serial = run_many(scenario, 60, 5, workers=1, batch_size=BATCH)
    pooled = run_many(scenario, 60, 5, workers=2, batch_size=BATCH)
    assert_same(serial, pooled)
    assert list(serial.summary["rep"]) == list(range(60))


def test_run_is_the_serial_shortcut(scenario):
    a = run(scenario, 30, 2)
    b = run_many(scenario, 30, 2, workers=2, series_reps=30)
    assert_same(a, b)
    assert a.series["rep"].nunique() == 30
    assert (a.summary["error"] == "").all()


def test_replication_depends_only_on_seed_and_rep(scenario):
    whole = run_many(scenario, 40, 9, workers=1, batch_size=40)
    cut = run_many(scenario, 40, 9, workers=1, batch_size=7)
    pd.testing.assert_frame_equal(whole.summary, cut.summary)
    pd.testing.assert_frame_equal(whole.events, cut.events)
    single = sim.simulate(scenario, 9, 17)
    assert whole.summary.loc[17, "mazar_falls"] == cut.summary.loc[17, "mazar_falls"]
    assert single.summary["taliban_killed"] == whole.summary.loc[17, "taliban_killed"]


def test_memory_and_disk_tables_agree(scenario, reference):
    memory = run_many(scenario, REPS, 11, workers=1, batch_size=BATCH, series_reps=60)
    assert_same(memory, reference)
    assert reference.series["rep"].max() == 59


def test_common_random_numbers(scenario):
    other = scenario.model_copy(
        update={"hvt": scenario.hvt.model_copy(update={"tip_per_h": scenario.hvt.tip_per_h * 4})}
    )
    a = run_many(scenario, 60, 3, workers=1)
    b = run_many(other, 60, 3, workers=1)
    pd.testing.assert_series_equal(a.summary["mazar_falls"], b.summary["mazar_falls"])
    pd.testing.assert_series_equal(a.summary["shamali_start"], b.summary["shamali_start"])
    assert not a.summary["tips"].equals(b.summary["tips"])


def test_output_folder_layout_and_manifest(reference):
    out = reference.out
    assert out is not None
    for name in (*FINAL, "manifest.json"):
        assert (out / name).is_file(), name
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["reps_done"] == REPS and manifest["reps_failed"] == 0
    assert manifest["seed"] == 11 and manifest["batch_size"] == BATCH
    assert Scenario.model_validate(manifest["scenario"]) == reference.scenario
    assert {"kabulsim", "simpy", "numpy", "pandas", "pyarrow", "python"} <= set(
        manifest["versions"]
    )
    assert manifest["started"] and manifest["finished"] and manifest["command"]
    assert len(list((out / "chunks").glob("summary-*.parquet"))) == REPS // BATCH
    summary = pd.read_csv(out / "summary.csv", keep_default_na=False)
    assert list(summary["rep"]) == list(range(REPS))


def test_existing_folder_refused(scenario, reference):
    with pytest.raises(FolderError):
        run_many(scenario, 10, 0, workers=1, out=reference.out)


def test_interrupted_then_resumed_is_identical(tmp_path, scenario, reference):
    out = tmp_path / "run"

    def stop_after_two_batches(done: int, total: int) -> None:
        if done >= 2 * BATCH:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_many(
            scenario,
            REPS,
            11,
            workers=1,
            out=out,
            batch_size=BATCH,
            series_reps=60,
            progress=stop_after_two_batches,
        )
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "interrupted" and manifest["reps_done"] == 2 * BATCH
    assert not (out / "summary.csv").exists()
    seen: list[tuple[int, int]] = []
    resumed = resume(out, workers=2, progress=lambda d, t: seen.append((d, t)))
    assert seen[0] == (2 * BATCH, REPS) and seen[-1] == (REPS, REPS)
    assert_same(resumed, reference)
    assert reference.out is not None
    assert_same_files(out, reference.out)


def test_resume_after_losing_chunks(tmp_path, reference):
    assert reference.out is not None
    out = tmp_path / "copy"
    shutil.copytree(reference.out, out)
    for name in FINAL:
        (out / name).unlink()
    (out / "chunks" / "summary-000001.parquet").unlink()
    (out / "chunks" / "events-000003.parquet").unlink()
    status = main(["run", "--resume", str(out), "--workers", "2", "--quiet"])
    assert status == 0
    assert_same_files(out, reference.out)


def test_failed_replication_is_recorded(tmp_path, scenario):
    real = sim.build_world

    def flaky(sc, seed=0, rep=0):
        if rep == 3:
            raise RuntimeError("injected failure")
        return real(sc, seed, rep)

    with patch.object(sim, "build_world", flaky):
        result = run_many(scenario, 30, 4, workers=1, out=tmp_path / "run", batch_size=10)
    failures = result.failures
    assert list(failures["rep"]) == [3]
    assert failures["seed"].iloc[0] == 4
    assert "injected failure" in failures["error"].iloc[0]
    assert (result.summary["error"] == "").sum() == 29
    assert 3 not in set(result.events["rep"])
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["reps_failed"] == 1


def test_summary_streamed_from_chunks_with_failed_batches(tmp_path, scenario):
    """A batch where every replication fails has no outcome columns; one with a failure has
    missing cells. The streamed summary equals the chunks concatenated by pandas."""
    real = sim.build_world
    failing = {3, *range(10, 20)}  # one failure in batch 0; all of batch 1

    def flaky(sc, seed=0, rep=0):
        if rep in failing:
            raise RuntimeError("injected failure")
        return real(sc, seed, rep)

    with patch.object(sim, "build_world", flaky):
        on_disk = run_many(scenario, 30, 4, workers=1, out=tmp_path / "run", batch_size=10)
        in_memory = run_many(scenario, 30, 4, workers=1, batch_size=10)
    assert on_disk.failed == in_memory.failed == 11
    chunks = [
        pd.read_parquet(tmp_path / "run" / "chunks" / f"summary-{i:06d}.parquet") for i in range(3)
    ]
    assert "mazar_falls" not in chunks[1].columns
    expected = pd.concat(chunks, ignore_index=True)

    def missing_as_none(frame: pd.DataFrame) -> pd.DataFrame:  # None and NaN both mean missing
        return frame.astype(object).where(frame.notna(), None)

    pd.testing.assert_frame_equal(missing_as_none(on_disk.summary), missing_as_none(expected))
    pd.testing.assert_frame_equal(
        pd.read_csv(tmp_path / "run" / "summary.csv", keep_default_na=False),
        pd.read_csv(io.StringIO(expected.to_csv(index=False)), keep_default_na=False),
    )
    assert list(on_disk.summary.columns) == list(in_memory.summary.columns)
    assert sorted(on_disk.failures["rep"]) == sorted(failing)
    ok = in_memory.summary["error"] == ""
    pd.testing.assert_series_equal(
        on_disk.summary.loc[ok, "taliban_killed"], in_memory.summary.loc[ok, "taliban_killed"]
    )


def test_cli_exit_status_1_on_failure(tmp_path, capsys):
    real = sim.build_world

    def flaky(sc, seed=0, rep=0):
        if rep == 1:
            raise RuntimeError("injected failure")
        return real(sc, seed, rep)

    with patch.object(sim, "build_world", flaky):
        status = main(
            [
                "run",
                "scenarios/baseline.yaml",
                "--reps",
                "5",
                "--workers",
                "1",
                "--out",
                str(tmp_path / "run"),
            ]
        )
    assert status == 1
    assert "1 replications failed" in capsys.readouterr().out


@pytest.fixture
def baseline_yaml() -> str:
    return str(Path(__file__).resolve().parents[2] / "scenarios" / "baseline.yaml")


def test_cli_out_dir_rules(tmp_path, capsys, baseline_yaml):
    out = tmp_path / "run"
    out.mkdir()
    (out / "x.txt").write_text("x")
    args = ["run", baseline_yaml, "--reps", "5", "--workers", "1", "--out", str(out), "--quiet"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not empty" in err
    # --force replaces only an earlier kabulsim result, never a folder holding other files.
    assert main([*args, "--force"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a kabulsim result folder" in err
    assert (out / "x.txt").read_text() == "x"
    (out / "x.txt").unlink()
    assert main(args) == 0
    assert main([*args, "--force"]) == 0
    assert (out / "summary.parquet").exists()
    assert main(["run", "--resume", str(out), "--seed", "3"]) == 2
    assert main(["run", "--resume", str(tmp_path / "nothing")]) == 2
    assert main(["run", "--reps", "5"]) == 2


def test_series_quantiles_match_numpy(scenario):
    result = run_many(scenario, 40, 8, workers=1, series_reps=40)
    series = result.series
    q = result.series_quantiles
    for var in ("taliban_shamali", "morale_shamali", "stragglers"):
        for t in (0.0, 822.0, 846.0, 1440.0):
            values = round_bits(series.loc[series["t_h"] == t, var].to_numpy())
            row = q[(q["variable"] == var) & (q["t_h"] == t)].iloc[0]
            assert row["n"] == 40
            for col, p in (("p05", 0.05), ("p50", 0.5), ("p95", 0.95)):
                assert row[col] == np.quantile(values, p, method="inverted_cdf"), (var, t, col)
    held = q[(q["variable"] == "city_holder_alliance") & (q["t_h"] == 1440.0)]["mean"].iloc[0]
    assert held == (series.loc[series["t_h"] == 1440.0, "city_holder"] == "alliance").mean()
    assert set(q["variable"]) == set(SERIES_VARIABLES)


def test_round_bits_relative_error():
    x = np.random.default_rng(0).lognormal(0, 5, size=10_000)
    assert np.max(np.abs(round_bits(x) / x - 1)) <= 2.0**-11
    assert round_bits(np.array([0.0, 1.0, 5000.0]))[2] == 5000.0


def _brute_counts(times, values) -> dict[tuple[int, float, float], int]:
    """Counts of rounded values per (variable, time), one value at a time."""
    out: dict[tuple[int, float, float], int] = {}
    rounded = round_bits(values)
    n_reps, n_t, n_var = values.shape
    for r in range(n_reps):
        for t in range(n_t):
            for v in range(n_var):
                key = (v, float(times[t]), float(rounded[r, t, v]))
                out[key] = out.get(key, 0) + 1
    return out


def test_counts_and_their_merge_equal_a_brute_force_count():
    rng = np.random.default_rng(3)
    times = np.arange(7) * 6.0
    # few distinct values (ties), negative zero, and a spread of magnitudes
    parts = [rng.choice([-0.0, 0.0, 1.0, 2.5, 1e3, 1e3 + 0.1], size=(n, 7, 4)) for n in (5, 1, 9)]
    parts.append(rng.lognormal(0, 3, size=(6, 7, 4)))
    frames = [count_values((times, p)) for p in parts]
    expected = _brute_counts(times, np.concatenate(parts))
    merged = merge_counts(frames)
    got = {
        (int(v), float(t), float(x) + 0.0): int(c) for v, t, x, c in merged.itertuples(index=False)
    }
    assert got == expected
    keys = list(merged[["variable", "t_h", "value"]].itertuples(index=False))
    assert keys == sorted(keys)  # sorted by variable, time and value, no duplicates
    assert len(set(keys)) == len(keys)
    for frame, part in zip(frames, parts, strict=True):
        assert frame["count"].sum() == part.size


def test_engine_seam():
    batches = plan_batches(Scenario(), 20, 1, 10, 0)
    assert [r.index for r in SerialEngine().map(run_batch, batches)] == [0, 1]
    assert sorted(r.index for r in PoolEngine(2).map(run_batch, batches)) == [0, 1]
    assert isinstance(make_engine(1), SerialEngine)
    with pytest.raises(ValueError):
        make_engine(0)


def test_progress_bar_text():
    import io

    bar = ProgressBar(io.StringIO(), width=10)
    bar(0, 100)
    text = bar.format(50, 100, 2.0)
    assert text.startswith("[#####     ] 50/100") and "25 reps/s" in text and "ETA 00:02" in text
