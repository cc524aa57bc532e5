"""CDB90 calibration: the committed JSON must match what the derivation gives."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pandas as pd
import pytest

from kabulsim.combat import cdb90 as cal

ROOT = Path(__file__).resolve().parents[2]
JSON_PATH = ROOT / "src" / "kabulsim" / "data" / "cdb90_calibration.json"
DOCS = ROOT / "docs" / "combat.md"


def _cdb90_folder() -> Path:
    env = os.environ.get("KABULSIM_CDB90")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "shared" / "data" / "cdb90"


@pytest.fixture(scope="module")
def committed() -> dict[str, object]:
    return dict(json.loads(JSON_PATH.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def derived() -> dict[str, object]:
    folder = _cdb90_folder()
    if not (folder / "belligerents.csv").is_file():
        pytest.skip(f"CDB90 data not found at {folder} (set KABULSIM_CDB90 to its folder)")
    return cal.derive_calibration(folder)


def test_committed_json_matches_derivation(
    committed: dict[str, object], derived: dict[str, object]
) -> None:
    # The script adds only the command it was run with.
    rest = {k: v for k, v in committed.items() if k != "command"}
    assert rest == json.loads(json.dumps(derived))


def test_committed_json_metadata(committed: dict[str, object]) -> None:
    assert committed["source"] == "CDB90 tidy edition, J. B. Arnold, ODC-BY"
    assert committed["original_source"] == (
        "original CDB90 data: US Army Concepts Analysis Agency, public domain"
    )
    assert str(committed["command"]).startswith("python scripts/calibrate_cdb90.py ")
    assert committed["dataset_version"]


def test_committed_figures_are_sane(committed: dict[str, object]) -> None:
    for key, _label in cal.SUMMARY_KEYS:
        s = committed[key]
        assert isinstance(s, dict)
        assert s["n"] > 20
        assert 0 < s["median"] < 1
        assert s["q10"] <= s["q25"] <= s["median"] <= s["q75"] <= s["q90"]
    # Rates per hour are rates per day / 24 (to the 6 significant digits stored).
    for side in ("attacker", "defender"):
        day = committed[f"kill_rate_{side}_per_day"]
        hour = committed[f"kill_rate_{side}_per_hour"]
        assert isinstance(day, dict) and isinstance(hour, dict)
        assert hour["median"] == pytest.approx(day["median"] / 24, rel=1e-5)


def test_docs_table_matches_committed_json(committed: dict[str, object]) -> None:
    text = DOCS.read_text(encoding="utf-8")
    for key, label in cal.SUMMARY_KEYS:
        s = committed[key]
        assert isinstance(s, dict)
        row = re.search(rf"^\| {re.escape(label)} \|(.*)$", text, flags=re.MULTILINE)
        assert row is not None, f"no docs table row for {label!r}"
        cells = [c.strip() for c in row.group(1).strip().strip("|").split("|")]
        assert int(cells[0]) == s["n"]
        for cell, q in zip(cells[1:], ("q10", "q25", "median", "q75", "q90"), strict=True):
            assert float(cell) == pytest.approx(s[q], rel=5e-3), (label, q)


# ---------------------------------------------------------------------------- synthetic data


def _write_synthetic(folder: Path) -> None:
    pd.DataFrame({"version": ["0.0.1"]}).to_csv(folder / "version.csv", index=False)
    # isqno: 1 ok 20th c.; 2 duplicate of 1; 3 19th century; 4 ok, short; 5 ok, no duration;
    # 6 ok, attacker repulsed; 7 attacker strength unknown.
    pd.DataFrame(
        {
            "isqno": [1, 2, 3, 4, 5, 6, 7],
            "wina": [1, 1, 1, 1, 1, None, 0],
            "parent": [None, 1, None, None, None, None, None],
        }
    ).to_csv(folder / "battles.csv", index=False)
    pd.DataFrame(
        {
            "isqno": [1, 2, 3, 4, 5, 6, 7],
            "datetime_min": [
                "1944-06-06T06:00:00",
                "1944-06-06T06:00:00",
                "1870-08-16T09:00:00",
                "1917-04-09T05:30:00",
                "1918-03-21T04:40:00",
                "1943-07-05T04:00:00",
                "1942-10-23T21:00:00",
            ],
            "duration2": [2.0, 2.0, 1.0, 0.01, None, 4.0, 1.0],
        }
    ).to_csv(folder / "battle_durations.csv", index=False)
    rows = [
        # isqno, attacker, intst, cas, reso1, reso2, reso3
        (1, 1, 10000, 1000, "PP", None, None),
        (1, 0, 5000, 500, "WD", None, None),
        (2, 1, 10000, 1000, "PP", None, None),
        (2, 0, 5000, 4000, "WD", None, None),
        (3, 1, 10000, 1000, "PP", None, None),
        (3, 0, 5000, 4000, "WL", None, None),
        (4, 1, 2000, 100, "BB", None, None),
        (4, 0, 1000, 300, "RR", "WL", None),
        (5, 1, 2000, 100, "PP", None, None),
        (5, 0, 1000, 300, "WD", None, None),
        (6, 1, 8000, 400, "RR", "WD", None),
        (6, 0, 4000, 200, "SS", None, None),
        (7, 1, None, 100, "RR", None, None),
        (7, 0, 1000, 50, "WD", None, None),
    ]
    pd.DataFrame(
        rows, columns=["isqno", "attacker", "intst", "cas", "reso1", "reso2", "reso3"]
    ).to_csv(folder / "belligerents.csv", index=False)


def test_derivation_on_synthetic_data(tmp_path: Path) -> None:
    _write_synthetic(tmp_path)
    table = cal.battle_table(tmp_path)
    # Duplicate (2), 19th century (3) and unknown duration (5) are dropped.
    assert list(table.index) == [1, 4, 6, 7]
    assert table.loc[4, "duration_days"] == cal.MIN_DURATION_DAYS
    assert table.loc[4, "duration_raw_days"] == 0.01

    defender = cal.defender_withdrawal_fractions(table)
    assert defender.to_dict() == {1: 0.1, 4: 0.3, 7: 0.05}

    attacker = cal.attacker_failure_fractions(table)
    # Battle 6 (wina empty, attacker RR+WD) counts; 7 lacks attacker strength.
    assert attacker.to_dict() == {6: 0.05}

    rates = cal.kill_rates(table)
    assert list(rates.index) == [1, 4, 6]
    assert rates.loc[1, "attacker_per_day"] == pytest.approx(500 / (10000 * 2.0))
    assert rates.loc[1, "defender_per_day"] == pytest.approx(1000 / (5000 * 2.0))
    assert rates.loc[4, "attacker_per_day"] == pytest.approx(300 / (2000 * 0.05))
    assert rates.loc[6, "defender_per_day"] == pytest.approx(400 / (4000 * 4.0))

    result = cal.derive_calibration(tmp_path)
    assert result["dataset_version"] == "0.0.1"
    assert result["source"] == cal.SOURCE
    assert result["defender_breakpoint"]["n"] == 3
    assert result["defender_breakpoint"]["median"] == 0.1
    assert result["defender_breakpoint"]["q10"] == pytest.approx(0.06)
    assert result["kill_rate_attacker_per_hour"]["median"] == pytest.approx(
        result["kill_rate_attacker_per_day"]["median"] / 24, rel=1e-5
    )
    assert result["durations_clipped"] == 1
    assert result["wina_counts"] == {"1": 4, "0": 1, "-1": 0, "missing": 1}  # 2 is a duplicate
    json.dumps(result)  # serializable
    assert "defender casualty fraction at withdrawal" in cal.format_table(result)


def test_summarize_empty_and_scaled() -> None:
    s = cal.summarize(pd.Series([1.0, 2.0, 3.0, None]), scale=0.5)
    assert s["n"] == 3 and s["median"] == 1.0
    empty = cal.summarize(pd.Series([], dtype=float))
    assert empty["n"] == 0


def test_script_writes_json(tmp_path: Path) -> None:
    import runpy
    import sys

    data = tmp_path / "cdb90"
    data.mkdir()
    _write_synthetic(data)
    out = tmp_path / "out" / "cal.json"
    argv = sys.argv
    sys.argv = ["calibrate_cdb90.py", str(data), "--out", str(out)]
    try:
        with pytest.raises(SystemExit) as exc:
            runpy.run_path(str(ROOT / "scripts" / "calibrate_cdb90.py"), run_name="__main__")
    finally:
        sys.argv = argv
    assert exc.value.code == 0
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written["defender_breakpoint"]["n"] == 3
    assert written["command"].startswith("python scripts/calibrate_cdb90.py ")
