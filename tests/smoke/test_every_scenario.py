"""The smoke tier: every shipped scenario through what users run, at the defaults (issue 21).

Marked ``smoke`` (``pytest -m smoke`` runs this tier alone, ``-m "not smoke"`` leaves it
out); part of the default run, so CI runs it. Every file in ``scenarios/`` goes through

* ``kabulsim run SCENARIO`` at its defaults (200 replications, seed 0, the baseline's
  ensemble, all cores): exit status 0, every run figure (PNG and SVG) and the animation
  written, no lock left;
* ``kabulsim compare`` against the baseline, at its defaults (2,000 bootstrap resamples):
  the README's ``compare scenarios/baseline.yaml scenarios/hold_back.yaml`` from the
  scenario files, and every other scenario from the run folders above. The two paths are
  the same runs: a test here checks that the comparison's runs from scenario files are the
  ``run`` folders' tables, row for row (same defaults, same seed), and
  ``tests/cli/test_present.py`` that a comparison of run folders gives the differences of
  one from scenario files;
* ``kabulsim report`` on every run and comparison folder;
* ``kabulsim explorer`` on every scenario at its defaults (200 replications per case, as run), and
  on the lesson's family.

No replication count is lowered: these are the defaults users meet.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from kabulsim.cli import main
from kabulsim.plots.io import RUN_FIGURES

pytestmark = pytest.mark.smoke

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
NAMES = [p.stem for p in SCENARIOS]
OTHERS = [n for n in NAMES if n != "baseline"]
COMPARISON_FIGURES = ("comparison", "fall_by_date", "differences")


def _call(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    status = main(args)
    return status, capsys.readouterr().err


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("smoke")


@pytest.fixture(scope="module")
def runs(folder: Path) -> dict[str, tuple[int, Path]]:
    """``kabulsim run`` of every scenario at its defaults: name -> (exit status, folder)."""
    out = {}
    for path in SCENARIOS:
        target = folder / "runs" / path.stem
        out[path.stem] = (main(["run", str(path), "--out", str(target), "--quiet"]), target)
    return out


def test_every_scenario_is_smoked():
    assert len(NAMES) >= 11 and "baseline" in NAMES and "no_tip" in NAMES


@pytest.mark.parametrize("name", NAMES)
def test_run_at_the_defaults(runs: dict[str, tuple[int, Path]], name: str):
    status, target = runs[name]
    assert status == 0
    summary = pd.read_parquet(target / "summary.parquet")
    assert len(summary) == 200 and (summary["error"] == "").all()
    for spec in RUN_FIGURES:
        for suffix in ("png", "svg"):
            assert (target / "figures" / f"{spec.name}.{suffix}").stat().st_size > 0
    assert (target / "figures" / "animation.gif").stat().st_size > 0
    assert list(target.rglob(".lock")) == []


@pytest.fixture(scope="module")
def readme_comparison(folder: Path) -> tuple[int, Path]:
    out = folder / "compare-readme"
    scenarios = [str(ROOT / "scenarios" / f"{name}.yaml") for name in ("baseline", "hold_back")]
    status = main(["compare", *scenarios, "--out", str(out), "--quiet"])
    return status, out


def _comparison_ok(out: Path) -> None:
    for name in COMPARISON_FIGURES:
        for suffix in ("png", "svg"):
            assert (out / f"{name}.{suffix}").stat().st_size > 0
    words = (out / "differences.md").read_text(encoding="utf-8")
    assert words.startswith("# Differences from baseline")
    assert not re.search(r"\d[eE][+-]\d", words)
    assert list(out.rglob(".lock")) == []


def test_the_readme_comparison_at_the_defaults(
    readme_comparison: tuple[int, Path], runs: dict[str, tuple[int, Path]]
):
    status, out = readme_comparison
    assert status == 0
    _comparison_ok(out)
    # The same runs as ``kabulsim run`` at its defaults: comparing run folders (below) is
    # comparing what ``compare`` runs from the scenario files.
    for name in ("baseline", "hold_back"):
        mine = pd.read_parquet(out / "runs" / name / "summary.parquet")
        theirs = pd.read_parquet(runs[name][1] / "summary.parquet")
        pd.testing.assert_frame_equal(mine, theirs)


@pytest.mark.parametrize("name", OTHERS)
def test_compare_against_the_baseline(
    runs: dict[str, tuple[int, Path]], folder: Path, name: str, capsys
):
    out = folder / f"compare-{name}"
    status, err = _call(
        ["compare", str(runs["baseline"][1]), str(runs[name][1]), "--out", str(out), "--quiet"],
        capsys,
    )
    assert status == 0, err
    _comparison_ok(out)
    status, err = _call(["report", str(out)], capsys)
    assert status == 0, err
    html = (out / "report.html").read_text(encoding="utf-8")
    assert f"kabulsim comparison: {name} against baseline" in html
    assert "could not be drawn" not in html


@pytest.mark.parametrize("name", NAMES)
def test_report_of_every_run(runs: dict[str, tuple[int, Path]], name: str, capsys):
    status, err = _call(["report", str(runs[name][1])], capsys)
    assert status == 0, err
    html = (runs[name][1] / "report.html").read_text(encoding="utf-8")
    # the run's figures and the outcomes' quantile dotplot
    assert html.count('<img src="data:image/png;base64,') == len(RUN_FIGURES) + 1
    assert "could not be drawn" not in html


def test_explorer_of_every_scenario(folder: Path, capsys):
    out = folder / "every.html"
    status, err = _call(["explorer", *map(str, SCENARIOS), "--out", str(out), "--quiet"], capsys)
    assert status == 0, err
    assert out.stat().st_size > 0


def test_explorer_of_the_lesson(folder: Path, capsys):
    """The lesson's page (docs/teaching.md), at the explorer's default replications."""
    out = folder / "lesson.html"
    status, err = _call(
        ["explorer", str(ROOT / "scenarios/baseline.yaml"), str(ROOT / "scenarios/hold_back.yaml"),
         "--vary", "alliance.indiscipline_per_h=0.2,0.02", "--out", str(out), "--quiet"],
        capsys,
    )  # fmt: skip
    assert status == 0, err
    assert out.stat().st_size > 0
