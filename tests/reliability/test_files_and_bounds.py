"""Issue 22: every file read is checked, every amount of work bounded, no user file touched.

Each case runs the real command line in a child process (``python -c`` calling
``kabulsim.cli.main``) whose address space is limited to :data:`MEMORY_LIMIT`, in a fresh
current folder holding a user's file (``keep.txt``) and a copy of the baseline. The command
must exit with status 2 and one line on stderr that names the file or option (no traceback),
within :data:`DEADLINE_S` seconds, and leave the folder exactly as it was: the same entries,
bytes and modification times. Cases are grouped by the classes of defect of issue 22:
E (ensemble files), L (run folders read through links), B (work without bounds),
C (calibration inputs and folder), X (the explorer's file), S (smaller).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tests.reliability.conftest import BASELINE, ROOT, one_line

SHIPPED = ROOT / "src" / "kabulsim" / "data" / "baseline_ensemble"
MEMORY_LIMIT = 2 << 30
"""Address-space limit of the child process (2 GiB: a run of a few replications needs ~0.3)."""
DEADLINE_S = 60.0
"""Wall-clock limit of one refused command (refusals take 1-3 s; the rest is a shared machine)."""

RUN = ["run", "baseline.yaml", "--reps", "2", "--workers", "1", "--quiet", "--no-figures"]
RUN_OUT = [*RUN, "--out", "out"]
ENS = [*RUN_OUT, "--ensemble", "ens.parquet"]

_CHILD = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
from kabulsim.cli import main
try:
    status = main(sys.argv[1:])
except SystemExit as exc:
    status = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
sys.exit(status)
"""


def kabulsim(
    argv: list[str], cwd: Path, timeout: float = DEADLINE_S
) -> tuple[int, str, str, float]:
    """Run ``kabulsim ARGV`` in a child process with bounded memory; status, out, err, seconds."""
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"}
    env.pop("KABULSIM_WORKERS", None)
    began = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD.format(limit=MEMORY_LIMIT), *argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return proc.returncode, proc.stdout, proc.stderr, time.monotonic() - began


def tree(root: Path) -> dict[str, Any]:
    """Every entry under ``root``: kind, bytes (files up to 1 MB, else size) and mtime."""
    out: dict[str, Any] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            st = path.lstat()
            key = str(path.relative_to(root))
            if path.is_symlink():
                out[key] = ("link", os.readlink(path))
            elif path.is_dir():
                out[key] = ("dir", st.st_mtime_ns)
            elif st.st_size <= 1 << 20:
                out[key] = ("file", path.read_bytes(), st.st_mtime_ns)
            else:
                out[key] = ("file", st.st_size, st.st_mtime_ns)
    return out


# fixtures: ensembles ------------------------------------------------------------------------


def shipped_frame() -> pd.DataFrame:
    return pd.read_parquet(SHIPPED.with_suffix(".parquet"))


def shipped_meta() -> dict[str, Any]:
    meta: dict[str, Any] = json.loads(SHIPPED.with_suffix(".json").read_text(encoding="utf-8"))
    return meta


def ensemble(
    frame: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
    meta: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    stem: str = "ens",
) -> Callable[[Path], None]:
    """A setup writing ``STEM.parquet`` + ``STEM.json``: the shipped ensemble, changed."""

    def make(work: Path) -> None:
        table = shipped_frame()
        side = shipped_meta()
        if frame is not None:
            table = frame(table)
        if meta is not None:
            side = meta(side)
        table.to_parquet(work / f"{stem}.parquet", index=False)
        (work / f"{stem}.json").write_text(json.dumps(side), encoding="utf-8")

    return make


def _set(column: int, row: int, value: float) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def change(f: pd.DataFrame) -> pd.DataFrame:
        f.iloc[row, column] = value
        return f

    return change


def _weights(value: float) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def change(f: pd.DataFrame) -> pd.DataFrame:
        f["weight"] = value
        return f

    return change


def _other_range(m: dict[str, Any]) -> dict[str, Any]:
    m["parameters"][0]["high"] = m["parameters"][0]["high"] * 2
    return m


def _drop_first(f: pd.DataFrame) -> pd.DataFrame:
    return f.drop(columns=[f.columns[0]])


def _drop_first_meta(m: dict[str, Any]) -> dict[str, Any]:
    m["parameters"] = m["parameters"][1:]
    return m


def _add_hold_back(f: pd.DataFrame) -> pd.DataFrame:
    f.insert(0, "alliance.hold_back_h", np.linspace(0.2, 0.7, len(f)))
    return f


def _add_hold_back_meta(m: dict[str, Any]) -> dict[str, Any]:
    m["parameters"].insert(
        0,
        {"path": "alliance.hold_back_h", "low": 0.2, "high": 0.7, "prior": "uniform", "units": "h"},
    )
    return m


def _raw_files(table: bytes) -> Callable[[Path], None]:
    def make(work: Path) -> None:
        (work / "ens.parquet").write_bytes(table)
        (work / "ens.json").write_text(json.dumps(shipped_meta()), encoding="utf-8")

    return make


def _truncated(work: Path) -> None:
    data = SHIPPED.with_suffix(".parquet").read_bytes()
    _raw_files(data[: len(data) // 2])(work)


def _forty_million(work: Path) -> None:
    """A small file (constant columns compress to nothing) holding 40 million members."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    meta = shipped_meta()
    names = [p["path"] for p in meta["parameters"]]
    block = 1_000_000
    columns = {
        n: pa.array(np.full(block, 0.5 * (p["low"] + p["high"])))
        for n, p in zip(names, meta["parameters"], strict=True)
    }
    columns["weight"] = pa.array(np.full(block, 1.0))
    table = pa.table(columns)
    with pq.ParquetWriter(work / "ens.parquet", table.schema, compression="zstd") as writer:
        for _ in range(40):
            writer.write_table(table)
    (work / "ens.json").write_text(json.dumps(meta), encoding="utf-8")


# fixtures: folders --------------------------------------------------------------------------


def _folder_with_manifest_link(work: Path) -> None:
    (work / "oldrun").mkdir()
    os.symlink("/dev/zero", work / "oldrun" / "manifest.json")


def _finished_run(name: str, *extra: str) -> Callable[[Path], None]:
    def make(work: Path) -> None:
        status, _, err, _ = kabulsim([*RUN, "--reps", "4", "--out", name, *extra], work)
        assert status == 0, err

    return make


def _interrupted(name: str, *extra: str) -> Callable[[Path], None]:
    """A run of 4 replications in batches of 2 whose second batch is missing."""

    def make(work: Path) -> None:
        _finished_run(name, "--batch-size", "2", *extra)(work)
        root = work / name
        (root / "chunks" / "batch-000001.json").unlink()
        manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
        manifest["status"] = "interrupted"
        (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        for table in ("summary.csv", "summary.parquet", "events.parquet", "events.csv"):
            (root / table).unlink(missing_ok=True)

    return make


def _record_link(work: Path) -> None:
    _interrupted("oldrun")(work)
    record = work / "oldrun" / "chunks" / "batch-000000.json"
    record.unlink()
    os.symlink("/dev/zero", record)


def _members_changed(work: Path) -> None:
    _interrupted("oldrun")(work)
    path = work / "oldrun" / "ensemble_members.json"
    members = json.loads(path.read_text(encoding="utf-8"))
    members["weight"] = [1.0 / len(members["weight"])] * len(members["weight"])
    path.write_text(json.dumps(members), encoding="utf-8")


def _chunks_of_another_ensemble(work: Path) -> None:
    """Batch 1 of a run with another ensemble copied into an interrupted run."""
    ensemble(frame=_weights(1.0))(work)
    _interrupted("oldrun")(work)
    _finished_run("other", "--batch-size", "2", "--ensemble", "ens.parquet")(work)
    for path in (work / "other" / "chunks").glob("*-000001.*"):
        shutil.copy(path, work / "oldrun" / "chunks" / path.name)
    shutil.rmtree(work / "other")


def _run_with_outside_link(work: Path) -> None:
    _finished_run("oldrun")(work)
    (work / "oldrun" / "events.csv").unlink()
    os.symlink(work / "keep.txt", work / "oldrun" / "events.csv")


def _calibration_folder(files: dict[str, bytes]) -> Callable[[Path], None]:
    def make(work: Path) -> None:
        (work / "cal").mkdir()
        for name, data in files.items():
            (work / "cal" / name).write_bytes(data)

    return make


def _user_sqlite(work: Path) -> None:
    import sqlite3

    (work / "cal").mkdir()
    con = sqlite3.connect(work / "cal" / "abc.db")
    con.execute("create table notes (text)")
    con.execute("insert into notes values ('my own data')")
    con.commit()
    con.close()


def _kabulsim_page(work: Path) -> None:
    (work / "page.html").write_text(
        '<!DOCTYPE html><html><head><meta name="generator" content="kabulsim 0.1 explorer">'
        "</head></html>\n",
        encoding="utf-8",
    )


def _long_name(work: Path) -> None:
    (work / "long.yaml").write_text("name: " + "x" * 300_000 + "\n", encoding="utf-8")


@dataclass(frozen=True)
class Case:
    """One bad input: the command, how to prepare the folder, what the line must say."""

    id: str
    argv: list[str]
    expect: list[str]
    setup: Callable[[Path], None] | None = None
    files: dict[str, str] = field(default_factory=dict)


CAL = ["calibrate", "baseline.yaml", "--out", "cal", "--population", "4", "--reps", "1"]
CAL_SMALL = [*CAL, "--generations", "1", "--workers", "1"]
EXPLORER = ["explorer", "baseline.yaml", "--reps", "2", "--workers", "1", "--quiet"]

CASES: list[Case] = [
    # E: ensemble files are trusted as they are
    Case("E_not_parquet", ENS, ["ens.parquet", "Parquet"], _raw_files(b"not a table\n" * 10)),
    Case("E_truncated", ENS, ["ens.parquet", "Parquet"], _truncated),
    Case("E_nan_value", ENS, ["ens.parquet", "finite"], ensemble(frame=_set(0, 3, np.nan))),
    Case("E_inf_value", ENS, ["ens.parquet", "finite"], ensemble(frame=_set(1, 0, np.inf))),
    Case("E_zero_weights", ENS, ["ens.parquet", "weight"], ensemble(frame=_weights(0.0))),
    Case("E_inf_weight", ENS, ["ens.parquet", "weight"], ensemble(frame=_set(-1, 0, np.inf))),
    Case("E_negative_weight", ENS, ["ens.parquet", "weight"], ensemble(frame=_set(-1, 5, -1.0))),
    Case(
        "E_missing_column",
        ENS,
        ["ens.parquet", "air.assault_cas_factor"],
        ensemble(frame=_drop_first),
    ),
    Case(
        "E_renamed_column",
        ENS,
        ["ens.parquet", "air.assault_cas_factor"],
        ensemble(frame=lambda f: f.rename(columns={"air.assault_cas_factor": "air.cas"})),
    ),
    Case(
        "E_sidecar_parameters_not_objects",
        ENS,
        ["ens.json", "parameters"],
        ensemble(meta=lambda m: {**m, "parameters": [1, 2]}),
    ),
    Case(
        "E_sidecar_not_an_object",
        ENS,
        ["ens.json", "object"],
        ensemble(meta=lambda m: [m]),  # type: ignore[arg-type, return-value]
    ),
    Case(
        "E_column_not_calibrated",
        ENS,
        ["alliance.hold_back_h", "not calibrated"],
        ensemble(frame=_add_hold_back, meta=_add_hold_back_meta),
    ),
    Case(
        "E_other_ranges",
        ENS,
        ["ens.json", "air.assault_cas_factor", "range"],
        ensemble(meta=_other_range),
    ),
    Case(
        "E_nine_of_ten",
        ENS,
        ["ens.json", "air.assault_cas_factor", "calibrated"],
        ensemble(frame=_drop_first, meta=_drop_first_meta),
    ),
    Case(
        "E_value_outside_range",
        ENS,
        ["ens.parquet", "air.assault_cas_factor", "outside"],
        ensemble(frame=_set(0, 7, 1000.0)),
    ),
    Case("E_forty_million_members", ENS, ["ens.parquet", "members", "at most"], _forty_million),
    # resume ignores the ensemble
    Case(
        "R_members_file_changed",
        ["run", "--resume", "oldrun", "--workers", "1", "--quiet", "--no-figures"],
        ["ensemble_members.json"],
        _members_changed,
    ),
    Case(
        "R_chunks_of_another_ensemble",
        ["run", "--resume", "oldrun", "--workers", "1", "--quiet", "--no-figures"],
        ["batch-000001.json", "ensemble"],
        _chunks_of_another_ensemble,
    ),
    # L: run folders read through links
    Case(
        "L_report_manifest_link",
        ["report", "oldrun"],
        ["manifest.json", "symbolic link"],
        _folder_with_manifest_link,
    ),
    Case(
        "L_resume_record_link",
        ["run", "--resume", "oldrun", "--workers", "1", "--quiet", "--no-figures"],
        ["batch-000000.json", "symbolic link"],
        _record_link,
    ),
    Case(
        "L_compare_copies_link_target",
        ["compare", "oldrun", "baseline.yaml", "--reps", "4", "--workers", "1", "--out", "cmp"],
        ["events.csv", "symbolic link"],
        _run_with_outside_link,
    ),
    # B: work without bounds
    Case(
        "B_explorer_vary_grid",
        [
            *EXPLORER,
            "--vary",
            "alliance.hold_back_h=0:1000:10000",
            "--vary",
            "alliance.indiscipline_per_h=0.01:1:10000",
        ],
        ["--vary", "10,000"],
    ),
    Case(
        "B_explorer_replications",
        [
            "explorer",
            "baseline.yaml",
            "--reps",
            "10000000",
            "--quiet",
            "--vary",
            "alliance.hold_back_h=72,336",
        ],
        ["--reps", "10,000,000"],
    ),
    Case(
        "B_validate_members", ["validate", "baseline.yaml", "--members", "10000000"], ["--members"]
    ),
    Case(
        "B_compare_n_boot",
        ["compare", "baseline.yaml", "baseline.yaml", "--n-boot", "10000000", "--out", "cmp"],
        ["--n-boot"],
    ),
    Case("B_calibrate_population", [*CAL, "--population", "10000000"], ["--population"]),
    Case(
        "B_calibrate_population_x_reps",
        ["calibrate", "baseline.yaml", "--out", "cal", "--population", "100000", "--reps", "1000"],
        ["--population", "--reps"],
    ),
    Case("B_scenario_name_300k", [*RUN_OUT[:1], "long.yaml", *RUN_OUT[2:]], ["name"], _long_name),
    # C: calibration's inputs and folder
    Case("C_minutes_nan", [*CAL, "--minutes", "nan"], ["--minutes"]),
    Case("C_minutes_inf", [*CAL, "--minutes", "inf"], ["--minutes"]),
    Case("C_minutes_1e300", [*CAL, "--minutes", "1e300"], ["--minutes"]),
    Case("C_epsilon_nan", [*CAL, "--epsilon", "nan"], ["--epsilon"]),
    Case(
        "C_abc_db_not_pyabc",
        CAL_SMALL,
        ["abc.db"],
        _calibration_folder({"abc.db": b"not a database\n"}),
    ),
    Case("C_user_sqlite_abc_db", CAL_SMALL, ["abc.db"], _user_sqlite),
    Case(
        "C_user_ensemble_json",
        CAL_SMALL,
        ["cal", "kabulsim"],
        _calibration_folder({"ensemble.json": b'{"my": "settings"}\n'}),
    ),
    Case(
        "C_write_onto_user_file",
        [*CAL_SMALL, "--write", "mine"],
        ["--write", "mine.json"],
        files={"mine.json": '{"my": "settings"}\n'},
    ),
    # X: the explorer's file
    Case(
        "X_out_onto_user_file", [*EXPLORER, "--out", "keep.txt"], ["--out", "keep.txt", "--force"]
    ),
    Case(
        "X_force_onto_user_file",
        [*EXPLORER, "--out", "keep.txt", "--force"],
        ["--out", "keep.txt", "kabulsim"],
    ),
    Case(
        "X_out_onto_own_page_without_force",
        [*EXPLORER, "--out", "page.html"],
        ["--out", "page.html", "--force"],
        _kabulsim_page,
    ),
    # S: smaller
    Case(
        "S_grid_key_twice",
        [
            "sweep",
            "baseline.yaml",
            "--reps",
            "2",
            "--workers",
            "1",
            "--quiet",
            "--out",
            "sw",
            "--grid",
            "alliance.hold_back_h=72,168",
            "--grid",
            "alliance.hold_back_h=336,500",
        ],
        ["--grid", "alliance.hold_back_h", "twice"],
    ),
    Case(
        "S_sensitivity_params_twice",
        [
            "sensitivity",
            "baseline.yaml",
            "--params",
            "alliance.hold_back_h,alliance.hold_back_h",
            "--n",
            "2",
            "--reps",
            "2",
            "--workers",
            "1",
            "--quiet",
            "--out",
            "sens",
        ],
        ["--params", "alliance.hold_back_h", "twice"],
    ),
]


def test_the_cases_are_many_and_distinct():
    assert len(CASES) >= 30
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.fixture
def work(tmp_path: Path) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "keep.txt").write_text("a user's file\n", encoding="utf-8")
    shutil.copy(BASELINE, folder / "baseline.yaml")
    return folder


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_refused_in_one_line_quickly_with_nothing_touched(case: Case, work: Path):
    for name, text in case.files.items():
        (work / name).write_text(text, encoding="utf-8")
    if case.setup is not None:
        case.setup(work)
    before = tree(work)
    status, _, err, seconds = kabulsim(case.argv, work)
    line = one_line(err)
    assert status == 2, (status, line)
    for text in case.expect:
        assert text in line, (text, line)
    assert line.isprintable() and len(line) < 600, line
    assert tree(work) == before
    assert seconds < DEADLINE_S / 2, seconds
