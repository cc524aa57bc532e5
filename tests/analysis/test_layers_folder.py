"""``kabulsim compare``: the two layers' files, the report's section, bad --assumptions."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from kabulsim.cli import main

NEW = (
    "layers.csv",
    "layers.md",
    "decomposition.csv",
    "decomposition_parameters.csv",
    "decomposition.png",
    "decomposition.svg",
)
OLD = ("differences.csv", "differences.md", "differences.png", "comparison.json")


def test_compare_writes_both_layers_and_the_report_shows_them(tmp_path, capsys) -> None:
    out = tmp_path / "cmp"
    args = ["compare", "scenarios/baseline.yaml", "scenarios/hold_back.yaml", "--reps", "60",
            "--workers", "1", "--n-boot", "200", "--out", str(out)]  # fmt: skip
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert (
        "calibrated parameters and assumptions" in printed and "cost: the second layer" in printed
    )
    for name in (*OLD, *NEW):
        assert (out / name).is_file(), name
    assert (out / "runs" / "hold_back+assumptions" / "summary.parquet").is_file()
    layers = pd.read_csv(out / "layers.csv")
    assert set(layers["layer"]) == {"record", "assumptions"}
    # the record's layer is the differences.csv the comparison always wrote
    diffs = pd.read_csv(out / "differences.csv")
    record = layers[layers["layer"] == "record"].reset_index(drop=True)
    assert record["diff"].to_numpy() == pytest.approx(diffs["diff"].to_numpy(), nan_ok=True)
    sources = pd.read_csv(out / "decomposition.csv")
    assert set(sources["source"]) == {"calibrated", "assumptions", "chance"}
    assert json.loads((out / "comparison.json").read_text())["assumptions"]["source"] == "declared"
    assert main(["report", str(out)]) == 0
    html = (out / "report.html").read_text()
    assert "Two layers of uncertainty" in html and "of the parameters&#x27; part" in html


def test_assumptions_none_makes_the_first_layer_only(tmp_path) -> None:
    out = tmp_path / "cmp"
    args = ["compare", "scenarios/baseline.yaml", "scenarios/no_tip.yaml", "--reps", "40",
            "--workers", "1", "--n-boot", "100", "--out", str(out), "--assumptions", "none",
            "--quiet"]  # fmt: skip
    assert main(args) == 0
    assert not (out / "runs" / "no_tip+assumptions").exists()
    assert set(pd.read_csv(out / "layers.csv")["layer"]) == {"record"}
    assert json.loads((out / "comparison.json").read_text())["assumptions"] is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("vacuum.clash_h: {low: 12, high: 720}\n", "outside the schema's plausible range"),
        ("vacuum.clash_rate: {}\n", "no such number in the schema"),
    ],
)
def test_a_bad_assumptions_file_exits_2_with_one_line(tmp_path, capsys, text, expected) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(text)
    args = ["compare", "scenarios/baseline.yaml", "scenarios/hold_back.yaml", "--reps", "5",
            "--assumptions", str(path), "--out", str(tmp_path / "cmp")]  # fmt: skip
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    errors = [line for line in err if "error" in line]
    assert len(errors) == 1 and "--assumptions" in errors[0] and expected in errors[0]
    assert not (tmp_path / "cmp").exists()
