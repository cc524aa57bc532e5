"""A figure that fails leaves a complete folder, one error line and no lock (issue 21).

Forced here by a figure that raises. Before, the traceback ended ``run`` after the tables
(no summary printed) and ``compare`` before its manifest: a comparison folder without a
marker, which neither ``report`` nor ``--force`` would take, with its ``.lock`` beside it.
Now the tables and the marker come first; each figure is drawn after them, one that fails
is named in one line on standard error (exit status 1) and the others are written.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kabulsim.cli import main
from kabulsim.experiments.studies import read_comparison, read_run


def _broken(*args: object, **kwargs: object) -> None:
    raise ValueError("'yerr' must not contain negative values")


def _no_locks(root: Path) -> list[Path]:
    return sorted(root.rglob(".lock"))


def test_run_with_a_failing_figure(tmp_path: Path, capsys, monkeypatch) -> None:
    from kabulsim.plots import io

    spec = io.RunFigure("broken", "A figure that fails.", _broken)
    monkeypatch.setattr(io, "RUN_FIGURES", (spec, *io.RUN_FIGURES))
    out = tmp_path / "run"
    args = ["run", "scenarios/no_tip.yaml", "--reps", "8", "--workers", "1", "--out", str(out)]
    assert main(args) == 1
    captured = capsys.readouterr()
    errors = [line for line in captured.err.splitlines() if "error" in line]
    assert errors == [
        "kabulsim: error: figure broken not drawn (ValueError: 'yerr' must not contain"
        f" negative values); the tables in {out} are complete and the other figures written"
    ]
    assert "Traceback" not in captured.err
    assert "Alliance enters Kabul" in captured.out  # the summary is still printed
    assert json.loads((out / "manifest.json").read_text())["status"] == "complete"
    assert read_run(out).reps == 8
    assert not (out / "figures" / "broken.png").exists()
    assert (out / "figures" / "distributions.png").exists()
    assert (out / "figures" / "distributions.svg").exists()
    assert _no_locks(out) == []
    assert main(["report", str(out)]) == 0  # the report names the figure it cannot draw
    assert "Figure broken could not be drawn" in (out / "report.html").read_text()
    monkeypatch.undo()
    assert main([*args, "--force", "--quiet"]) == 0  # the folder is kabulsim's to replace
    assert (out / "figures" / "fall_by_date.png").exists()


@pytest.mark.parametrize("figure", ["comparison_overlay", "forest_plot"])
def test_compare_with_a_failing_figure(tmp_path: Path, capsys, monkeypatch, figure: str) -> None:
    import kabulsim.plots.forest
    import kabulsim.plots.overlay

    module = kabulsim.plots.overlay if figure == "comparison_overlay" else kabulsim.plots.forest
    monkeypatch.setattr(module, figure, _broken)
    out = tmp_path / "cmp"
    args = ["compare", "scenarios/baseline.yaml", "scenarios/no_tip.yaml", "--reps", "8",
            "--workers", "1", "--n-boot", "50", "--out", str(out)]  # fmt: skip
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert len([line for line in err.splitlines() if "error: figure" in line]) == 1
    found = read_comparison(out)  # the marker is there: a complete comparison
    assert set(found.runs) == {"baseline", "no_tip"}
    assert found.differences is not None and len(found.differences) > 0
    assert (out / "differences.md").exists()
    assert (out / "fall_by_date.png").exists()
    assert _no_locks(out) == []
    monkeypatch.undo()
    assert main(["report", str(out)]) == 0
    assert main([*args, "--force", "--quiet"]) == 0
    for name in ("comparison", "fall_by_date", "differences"):
        assert (out / f"{name}.png").exists() and (out / f"{name}.svg").exists()


def test_a_finished_folder_holds_no_lock(tmp_path: Path) -> None:
    out = tmp_path / "run"
    assert main(["run", "scenarios/baseline.yaml", "--reps", "4", "--workers", "1", "--quiet",
                 "--no-figures", "--out", str(out)]) == 0  # fmt: skip
    assert _no_locks(out) == []
    assert main(["run", "--resume", str(out), "--quiet", "--no-figures"]) == 0
    assert _no_locks(out) == []
