"""Helpers for the reliability tests: run the command line, snapshot a folder."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from kabulsim.cli import main

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline.yaml"


def cli(argv: list[str]) -> int:
    """Run ``kabulsim ARGV``; the exit status (argparse's SystemExit included)."""
    try:
        return main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)


def snapshot(root: Path) -> dict[str, object]:
    """Every entry under ``root``: file bytes, link targets, FIFOs, folders."""
    out: dict[str, object] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            key = str(path.relative_to(root))
            if path.is_symlink():
                out[key] = ("link", os.readlink(path))
            elif path.is_fifo():
                out[key] = "fifo"
            elif path.is_dir():
                out[key] = "dir"
            else:
                out[key] = path.read_bytes()
    return out


def one_line(err: str) -> str:
    """The single line of an error report (fails if there is not exactly one)."""
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0]


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A current folder holding a user's file and a copy of the baseline scenario."""
    work = tmp_path / "work"
    work.mkdir()
    (work / "keep.txt").write_text("a user's file\n", encoding="utf-8")
    shutil.copy(BASELINE, work / "baseline.yaml")
    monkeypatch.chdir(work)
    return work
