"""The bad-input corpus: every case is one line on stderr, exit status 2, nothing written.

Each case runs the real command line (``kabulsim.cli.main``) in a fresh current folder that
holds a user's file (``keep.txt``) and a copy of the baseline; after the command, the folder
must be byte for byte what it was (nothing deleted, nothing half-written, no output folder
created). Cases are grouped by the defect of issue 16 they cover (D1 ... D11).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.reliability.conftest import cli, one_line, snapshot

RUN = ["run", "baseline.yaml", "--reps", "2", "--workers", "1", "--quiet", "--no-figures"]
SWEEP = ["sweep", "baseline.yaml", "--reps", "2", "--workers", "1", "--quiet"]


@dataclass(frozen=True)
class Case:
    """One bad input: the command, the files it needs, what the line must say."""

    id: str
    argv: list[str]
    expect: list[str]
    files: dict[str, str | bytes] = field(default_factory=dict)
    setup: Callable[[Path], None] | None = None
    absent: list[str] = field(default_factory=list)
    """Text that must not appear in the message (a secret from a file that is not a scenario)."""


def _file(content: str | bytes, *extra: str) -> tuple[list[str], dict[str, str | bytes]]:
    return [
        "run",
        "bad.yaml",
        "--reps",
        "2",
        "--workers",
        "1",
        "--out",
        "out",
        "--quiet",
        *extra,
    ], {"bad.yaml": content}


def file_case(id: str, content: str | bytes, expect: list[str], **kw: object) -> Case:
    argv, files = _file(content)
    return Case(id, argv, expect, {**files, **kw.pop("files", {})}, **kw)  # type: ignore[arg-type]


def set_case(id: str, override: str, expect: list[str]) -> Case:
    return Case(id, [*RUN, "--out", "out", "--set", override], expect)


def _thesis(work: Path) -> None:
    (work / "thesis").mkdir()
    (work / "thesis" / "chapter1.tex").write_text("\\chapter{One}\n", encoding="utf-8")


def _mixed(work: Path) -> None:
    """A kabulsim marker next to a user's file: still not replaced."""
    (work / "mixed").mkdir()
    (work / "mixed" / "manifest.json").write_text("{}", encoding="utf-8")
    (work / "mixed" / "notes.md").write_text("mine\n", encoding="utf-8")


def _nested(work: Path) -> None:
    """A run folder with a user's file tucked into its figures/."""
    (work / "nested" / "figures").mkdir(parents=True)
    (work / "nested" / "manifest.json").write_text("{}", encoding="utf-8")
    (work / "nested" / "figures" / "Holiday Photo.JPG").write_bytes(b"\xff\xd8")


def _home(work: Path) -> None:
    (work / "home").mkdir()
    (work / "home" / "manifest.json").write_text("{}", encoding="utf-8")
    os.environ["HOME"] = str(work / "home")


def _loop(name: str) -> Callable[[Path], None]:
    def make(work: Path) -> None:
        os.symlink(name, work / name)

    return make


def _fifo(work: Path) -> None:
    os.mkfifo(work / "pipe.yaml")


def _dangling(work: Path) -> None:
    os.symlink("nowhere", work / "dangling")


def _run_folder(manifest: dict[str, object], name: str = "oldrun") -> Callable[[Path], None]:
    def make(work: Path) -> None:
        (work / name).mkdir()
        (work / name / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    return make


def _comparison(work: Path) -> None:
    (work / "cmp").mkdir()
    (work / "cmp" / "comparison.json").write_text("{}", encoding="utf-8")


COMPLETE_NO_SEED = {"status": "complete", "reps": 2, "scenario": {}}

CASES: list[Case] = [
    # D1: --force deletes any folder
    Case(
        "force_empty_out",
        [*RUN, "--out", "", "--force"],
        ["current folder", "--force never replaces it"],
    ),
    Case("force_dot", [*RUN, "--out", ".", "--force"], ["current folder"]),
    Case(
        "force_parent", [*RUN, "--out", "..", "--force"], ["current folder or one of its parents"]
    ),
    Case(
        "force_user_folder",
        [*RUN, "--out", "thesis", "--force"],
        ["thesis", "not a kabulsim result folder"],
        setup=_thesis,
    ),
    Case(
        "force_marker_and_user_file",
        [*RUN, "--out", "mixed", "--force"],
        ["mixed", "did not write (notes.md)"],
        setup=_mixed,
    ),
    Case(
        "force_user_file_inside",
        [*RUN, "--out", "nested", "--force"],
        ["nested", "figures/Holiday Photo.JPG"],
        setup=_nested,
    ),
    Case("force_home", [*RUN, "--out", "home", "--force"], ["home folder"], setup=_home),
    Case(
        "force_sweep_user_folder",
        [*SWEEP, "--grid", "alliance.pressure=0.5,0.6", "--out", "thesis", "--force"],
        ["not a kabulsim result folder"],
        setup=_thesis,
    ),
    Case(
        "force_compare_user_folder",
        [
            "compare",
            "baseline.yaml",
            "baseline.yaml",
            "--reps",
            "2",
            "--workers",
            "1",
            "--quiet",
            "--out",
            "thesis",
            "--force",
        ],
        ["not a kabulsim result folder"],
        setup=_thesis,
    ),
    Case("no_force_user_folder", [*RUN, "--out", "thesis"], ["folder is not empty"], setup=_thesis),
    # D2: resume trusts the folder (the manifest side; chunk corruption is in test_resume.py)
    Case(
        "resume_manifest_missing_key",
        ["run", "--resume", "oldrun"],
        ["manifest.json", "missing"],
        setup=_run_folder({"status": "running", "reps": 4}),
    ),
    Case(
        "resume_manifest_not_object",
        ["run", "--resume", "oldrun"],
        ["expected a JSON object"],
        setup=_run_folder([1, 2]),
    ),  # type: ignore[arg-type]
    Case("resume_no_manifest", ["run", "--resume", "thesis"], ["no manifest.json"], setup=_thesis),
    # D3: infinity
    set_case("set_inf", "alliance.hold_back_h=inf", ["alliance.hold_back_h", "expected a number"]),
    set_case("set_Infinity", "alliance.hold_back_h=Infinity", ["alliance.hold_back_h"]),
    set_case("set_1e400", "alliance.hold_back_h=1e400", ["alliance.hold_back_h"]),
    set_case("set_minus_inf", "alliance.hold_back_h=-.inf", ["alliance.hold_back_h"]),
    set_case("set_nan", "alliance.hold_back_h=.nan", ["alliance.hold_back_h"]),
    file_case(
        "file_inf", "alliance:\n  hold_back_h: .inf\n", ["bad.yaml:2:", "alliance.hold_back_h"]
    ),
    file_case(
        "file_1e400", "alliance:\n  hold_back_h: 1e400\n", ["bad.yaml:2:", "alliance.hold_back_h"]
    ),
    # D4: values that hang or exhaust memory
    set_case("review_h_tiny", "shamali.review_h=1e-6", ["shamali.review_h", ">= 0.5"]),
    set_case("step_min_tiny", "shamali.step_min=1e-9", ["shamali.step_min", ">= 0.1"]),
    set_case("series_step_tiny", "series_step_h=0.01", ["series_step_h", ">= 1"]),
    set_case("horizon_huge", "horizon_days=1e9", ["horizon_days", "<= 731"]),
    set_case("max_h_huge", "shamali.max_h=1e9", ["shamali.max_h", "<= 240"]),
    set_case("retry_h_tiny", "shamali.retry_h=1e-9", ["shamali.retry_h", ">= 1"]),
    Case(
        "reps_huge",
        ["run", "baseline.yaml", "--reps", "10000000000", "--out", "out"],
        ["--reps", "10,000,000"],
    ),
    Case(
        "workers_huge",
        ["run", "baseline.yaml", "--reps", "4", "--workers", "1000", "--out", "out"],
        ["--workers", "256"],
    ),
    Case("batch_size_zero", [*RUN, "--out", "out", "--batch-size", "0"], ["--batch-size"]),
    Case("series_reps_negative", [*RUN, "--out", "out", "--series-reps", "-1"], ["--series-reps"]),
    Case(
        "series_reps_huge", [*RUN, "--out", "out", "--series-reps", "1000000000"], ["--series-reps"]
    ),
    Case(
        "grid_huge",
        [*SWEEP, "--grid", "alliance.pressure=0:1:100000000", "--out", "out"],
        ["--grid", "10,000"],
    ),
    Case(
        "grid_product_huge",
        [
            *SWEEP,
            "--grid",
            "alliance.pressure=0:1:1000",
            "--grid",
            "hvt.tip_per_h=0:0.1:1000",
            "--out",
            "out",
        ],
        ["1,000,000 points"],
    ),
    Case(
        "grid_inf",
        [*SWEEP, "--grid", "alliance.hold_back_h=0:inf:3", "--out", "out"],
        ["--grid", "finite"],
    ),
    Case(
        "sensitivity_huge",
        [
            "sensitivity",
            "baseline.yaml",
            "--n",
            "10000000",
            "--reps",
            "50",
            "--out",
            "out",
            "--quiet",
        ],
        ["--n and --reps"],
    ),
    # D5: tracebacks instead of one line
    Case(
        "scenario_symlink_loop",
        ["run", "loop.yaml", "--out", "out"],
        ["loop.yaml", "symbolic link loop"],
        setup=_loop("loop.yaml"),
    ),
    file_case(
        "extends_symlink_loop",
        "extends: loop.yaml\n",
        ["loop.yaml", "symbolic link loop"],
        setup=_loop("loop.yaml"),
    ),
    file_case("raw_escape_in_file", b"name: a\x1b[31mb\n", ["bad.yaml:1:", "#x001b"]),
    file_case("nul_in_file", b"name: a\x00b\n", ["bad.yaml:1:", "#x0000"]),
    file_case("raw_c1_in_file", "name: a\u009bb\n".encode(), ["bad.yaml:1:", "#x009b"]),
    file_case("escaped_surrogate", 'name: "\\udc00"\n', ["bad.yaml:1:", "name", "lone surrogate"]),
    file_case(
        "escaped_control", 'name: "\\x1b[2J"\n', ["bad.yaml:1:", "name", "control character"]
    ),
    file_case("invalid_utf8", b"name: \xff\xfe\n", ["bad.yaml:1:", "not UTF-8"]),
    file_case("extends_nul", 'extends: "a\\0b.yaml"\n', ["extends", "control character"]),
    file_case("extends_long_name", "extends: " + "a" * 300 + ".yaml\n", ["extends:", "not found"]),
    file_case(
        "extends_fifo", "extends: pipe.yaml\n", ["pipe.yaml", "not a regular file"], setup=_fifo
    ),
    Case(
        "scenario_fifo",
        ["run", "pipe.yaml", "--out", "out"],
        ["pipe.yaml", "not a regular file"],
        setup=_fifo,
    ),
    set_case("set_raw_c1", "name=a\u009bb", ["--set", "\\x9b", "#x009b"]),
    set_case(
        "set_invalid_utf8",
        "name=a" + b"\xff".decode("utf-8", "surrogateescape"),
        ["--set", "\\udcff"],
    ),
    set_case("set_escape_in_key", "ali\x1bance.pressure=0.5", ["--set", "\\x1b"]),
    Case("seed_2_63", [*RUN, "--out", "out", "--seed", str(2**63)], ["--seed", "from 0 to"]),
    Case("seed_2_64", [*RUN, "--out", "out", "--seed", str(2**64)], ["--seed"]),
    Case(
        "scheduler_unknown_protocol",
        [*RUN, "--out", "out", "--scheduler", "ucx://127.0.0.1:1"],
        ["--scheduler", "cannot connect"],
    ),
    Case("out_under_a_file", [*RUN, "--out", "keep.txt/run"], ["keep.txt/run", "Not a directory"]),
    Case(
        "out_dangling_link",
        [*RUN, "--out", "dangling"],
        ["dangling", "symbolic link to nothing"],
        setup=_dangling,
    ),
    Case(
        "out_in_proc",
        [*RUN, "--out", "/proc/kabulsim-test/run"],
        ["/proc/kabulsim-test", "cannot read or write"],
    ),
    Case("out_is_a_file", [*RUN, "--out", "keep.txt"], ["keep.txt", "is a file"]),
    Case(
        "report_manifest_without_seed",
        ["report", "oldrun"],
        ["seed", "damaged"],
        setup=_run_folder(COMPLETE_NO_SEED),
    ),
    Case(
        "report_empty_comparison",
        ["report", "cmp"],
        ["comparison.json", "names"],
        setup=_comparison,
    ),
    Case("report_not_a_folder", ["report", "keep.txt"], ["keep.txt"]),
    Case(
        "compare_unfinished_run",
        ["compare", "oldrun", "baseline.yaml", "--out", "out"],
        ["not complete"],
        setup=_run_folder({"status": "running"}),
    ),
    # D8: extends reads any file and echoes it
    file_case(
        "extends_dotenv",
        "extends: .env\n",
        ["extends:", ".yaml or .yml"],
        files={".env": "SECRET=hunter2-do-not-print\n"},
        absent=["hunter2"],
    ),
    file_case(
        "extends_text_file",
        "extends: notes.txt\n",
        ["extends:", ".yaml or .yml"],
        files={"notes.txt": "private words\n"},
        absent=["private"],
    ),
    Case(
        "scenario_is_dotenv",
        ["run", ".env", "--out", "out"],
        [".env", "got text"],
        files={".env": "SECRET=hunter2-do-not-print\n"},
        absent=["hunter2"],
    ),
    # D9: nonsense accepted
    set_case(
        "zero_fighters_both_sides", "forces.alliance_shamali=0", ["forces.alliance_shamali", ">= 1"]
    ),
    file_case(
        "zero_fighters_file",
        "forces:\n  taliban_shamali: 0\n  alliance_shamali: 0\n",
        ["bad.yaml:3:", "forces.alliance_shamali"],
    ),
    set_case(
        "true_is_not_a_number",
        "alliance.hold_back_h=true",
        ["alliance.hold_back_h", "expected a number, got true"],
    ),
    set_case(
        "true_is_not_a_count", "forces.taliban_kabul=true", ["forces.taliban_kabul", "whole number"]
    ),
    file_case(
        "base_60_is_not_a_number",
        "alliance:\n  hold_back_h: 1:2\n",
        ["bad.yaml:2:", "alliance.hold_back_h", "'1:2'"],
    ),
    set_case("base_60_set", "alliance.hold_back_h=1:2", ["alliance.hold_back_h", "'1:2'"]),
]


def test_the_corpus_is_large():
    assert len(CASES) >= 60
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_one_line_exit_2_and_nothing_written(case, workdir, capsys, monkeypatch):
    monkeypatch.setenv("HOME", os.environ.get("HOME", "/root"))  # restored after _home
    for name, content in case.files.items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        (workdir / name).write_bytes(data)
    if case.setup is not None:
        case.setup(workdir)
    before = snapshot(workdir)
    status = cli(case.argv)
    line = one_line(capsys.readouterr().err)
    assert status == 2, line
    for text in case.expect:
        assert text in line, (text, line)
    for text in case.absent:
        assert text not in line, line
    assert all(ch.isprintable() for ch in line), repr(line)
    assert snapshot(workdir) == before
