"""The facts file: its checks, the calibration's reading of it, and the held-out facts' scores.

The PIT and coverage values below were computed by hand from the toy tables (the arithmetic
is written next to each); the file's errors are each one line naming the file, the fact and
the field.
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
import yaml

from kabulsim.analysis.validation import FACTS, coverage, inside, pit, score_held_out
from kabulsim.calibration.ensemble import shipped_path
from kabulsim.calibration.facts import FactsError, load, parse, shipped
from kabulsim.calibration.statistics import STATISTICS, statistics_of
from kabulsim.cli import main
from kabulsim.folders import StudyError
from kabulsim.folders.validation import write_validation_folder
from kabulsim.timebase import KABUL

# ------------------------------------------------------------------ the file and its checks


def _shipped_data() -> dict:
    from kabulsim.calibration.facts import shipped_path as facts_path

    return yaml.safe_load(facts_path().read_text(encoding="utf-8"))


def _write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "facts.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _fact(key: str, **changes: object) -> dict:
    entry = {
        "key": key,
        "place": "kunduz",
        "use": "held_out",
        "fact": "a toy fact",
        "measures": {"kind": "time", "columns": ["toy_falls"]},
        "record": {"window": ["2001-11-23", "2001-11-27"]},
        "tolerance": "the window",
        "source": '"a sentence"',
    }
    entry.update(changes)
    return entry


BAD = {
    "bad key": (_fact("Kunduz-Falls"), "fact 'Kunduz-Falls': key: expected lower-case"),
    "bad window": (
        _fact("toy", record={"window": ["2001-11-27", "2001-11-23"]}),
        "fact 'toy': record.window: expected [from, until] with from before until",
    ),
    "unknown kind": (
        _fact("toy", measures={"kind": "median_of", "columns": ["toy_falls"]}),
        "fact 'toy': measures.kind: expected one of time, gap",
    ),
    "bad use": (_fact("toy", use="train"), "'toy': use: expected fit or held_out, not 'train'"),
    "unknown field": (_fact("toy", weight=2), "fact 'toy': weight: not a field of a fact"),
    "share out of range": (
        _fact("toy", measures={"kind": "share", "columns": ["c"], "when": "true"},
              record={"at_least": 1.5}),
        "fact 'toy': record.at_least: expected a share from 0 to below 1",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_fact_is_one_line_naming_file_fact_and_field(tmp_path: Path, case: str) -> None:
    entry, expected = BAD[case]
    path = _write(tmp_path, {"facts": [entry]})
    with pytest.raises(FactsError) as info:
        load(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    assert expected in message


def test_a_key_given_twice_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, {"facts": [_fact("toy"), _fact("toy")]})
    with pytest.raises(FactsError, match="fact 'toy': key: 'toy' appears twice"):
        load(path)


def test_a_held_out_fact_must_be_scorable(tmp_path: Path) -> None:
    entry = _fact("toy", measures={"kind": "stalemate", "columns": []}, record={"at_least": 0.9})
    with pytest.raises(FactsError, match="a held-out fact is scored"):
        load(_write(tmp_path, {"facts": [entry]}))


def test_validate_refuses_a_bad_facts_file_with_exit_2(tmp_path: Path, capsys) -> None:
    path = _write(tmp_path, {"facts": [_fact("toy", use="maybe")]})
    status = main(["validate", "--facts", str(path), "--reps", "2", "--ensemble", "none"])
    err = capsys.readouterr().err.strip()
    assert status == 2
    assert len(err.splitlines()) == 1
    assert f"{path}: fact 'toy': use: expected fit or held_out" in err


def test_the_shipped_file_is_valid_and_has_held_out_facts_from_two_places() -> None:
    facts = shipped()
    held = facts.used_for("held_out")
    independent = [f for f in held if f.independent]
    assert len(independent) >= 4
    assert len({f.place for f in independent}) >= 2
    assert all(f.source.strip() and f.citation.strip() for f in held)


# ------------------------------------------------------- the calibration reads only fit


def test_the_statistics_are_the_fit_facts_the_ensemble_was_made_for() -> None:
    sidecar = json.loads(shipped_path().with_suffix(".json").read_text(encoding="utf-8"))
    assert [s.key for s in STATISTICS] == sidecar["facts"]
    assert {s.key for s in STATISTICS} <= {f.key for f in shipped().used_for("fit")}
    assert not {s.key for s in STATISTICS} & {f.key for f in shipped().used_for("held_out")}


def test_a_held_out_fact_marked_fit_becomes_a_statistic() -> None:
    data = _shipped_data()
    keys_before = [s.key for s in statistics_of(parse(data, "facts.yaml"))]
    for entry in data["facts"]:
        if entry["key"] == "north_line_broken":
            entry["use"] = "fit"
    stats = statistics_of(parse(data, "facts.yaml"))
    assert "north_line_broken" not in keys_before
    assert [s.key for s in stats] == [*keys_before, "north_line_broken"]
    added = stats[-1]
    # the window 5 Nov 00:00 to 6 Nov 00:00: days after 5 Nov, target the middle (0.5 d).
    assert (added.low, added.high, added.target, added.scale) == (0.0, 1.0, 0.5, 0.5)
    start = datetime(2001, 10, 7, tzinfo=KABUL)
    at = (datetime(2001, 11, 5, 18, tzinfo=KABUL) - start).total_seconds() / 3600.0
    rows = [{"north_line_broken": at}, {"north_line_broken": at}, {"north_line_broken": None}]
    assert added.compute(rows, start) == pytest.approx(0.75)  # median of 0.75, 0.75, never


def test_the_fitted_facts_keep_their_order_and_number() -> None:
    assert [f.key for f in FACTS] == [f.key for f in shipped().used_for("fit")]
    assert len(FACTS) == 14


# ------------------------------------------------------------- PIT and coverage, by hand

TOY = {
    "facts": [
        _fact("toy_time"),  # window 23 Nov 00:00 to 27 Nov 00:00 (4 days)
        _fact(
            "toy_count",
            measures={"kind": "value", "columns": ["toy_count"], "units": "fighters"},
            record={"range": [150, 250]},
        ),
        _fact(
            "toy_point",
            measures={"kind": "value", "columns": ["toy_point"], "units": "sorties"},
            record={"range": [2, 2]},
        ),
        _fact(
            "toy_missing",
            measures={"kind": "time", "columns": ["not_a_column"]},
            independent=False,
            note="a column the model does not produce",
        ),
    ]
}


def _when(days: float | None) -> str:
    if days is None:
        return ""
    t = pd.Timestamp(datetime(2001, 11, 23, tzinfo=KABUL)) + pd.Timedelta(days=days)
    return t.strftime("%Y-%m-%dT%H:%M") + "+04:30"


def _toy_summary() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "toy_falls": [_when(1), _when(3), _when(5), _when(-1), _when(None)],
            "toy_count": [100, 200, 300, 400, float("nan")],
            "toy_point": [1, 2, 2, 3, 9],
        }
    )


def test_pit_by_hand() -> None:
    # window [0, 4]: 1 -> 3/4, 3 -> 1/4, 5 -> 0, -1 -> 1, never -> 0: (0.75+0.25+1)/5
    assert pit([1.0, 3.0, 5.0, -1.0, math.inf], 0.0, 4.0) == pytest.approx(0.4)
    # a single value: share below (1/4) plus half the share equal (1/2 * 2/4)
    assert pit([1.0, 2.0, 2.0, 3.0], 2.0, 2.0) == pytest.approx(0.5)
    assert math.isnan(pit([], 0.0, 1.0))
    assert inside(0.05, 0.9) and inside(0.95, 0.9) and not inside(0.04, 0.9)


def test_held_out_scores_and_coverage_on_a_toy_table() -> None:
    facts = parse(TOY, "toy.yaml")
    table = score_held_out(_toy_summary(), facts).set_index("key")
    assert table.loc["toy_time", "pit"] == pytest.approx(0.4)
    # 100 -> 1, 200 -> (250-200)/100, 300 -> 0, 400 -> 0; the missing count dropped: 1.5/4
    assert table.loc["toy_count", "pit"] == pytest.approx(0.375)
    # 1 below, 2 and 2 equal, 3 and 9 above: (1 + 0.5 * 2) / 5
    assert table.loc["toy_point", "pit"] == pytest.approx(0.4)
    assert table.loc["toy_missing", "status"] == "not modelled"
    assert math.isnan(table.loc["toy_missing", "pit"])
    assert bool(table.loc["toy_time", "in_50"]) and bool(table.loc["toy_count", "in_90"])
    cov = coverage(table.reset_index())
    assert (cov.scored, cov.in_50, cov.in_90, cov.not_modelled) == (3, 3, 3, 1)
    # |0.4-0.5| + |0.375-0.5| + |0.4-0.5| = 0.325, over 3
    assert cov.mean_distance == pytest.approx(0.325 / 3)
    assert "3 of 3 held-out facts inside their predicted 50% intervals" in cov.line()


def test_a_record_outside_every_prediction_is_outside_the_90_interval() -> None:
    facts = parse({"facts": [TOY["facts"][1]]}, "toy.yaml")
    early = pd.DataFrame({"toy_count": [10, 20, 30]})  # all below the record: PIT 1
    late = pd.DataFrame({"toy_count": [900, 950, 999]})  # all above: PIT 0
    for summary, expected in ((early, 1.0), (late, 0.0)):
        row = score_held_out(summary, facts).iloc[0]
        assert row["pit"] == expected
        assert not bool(row["in_90"]) and not bool(row["in_50"])
    assert coverage(score_held_out(late, facts)).in_90 == 0


def test_validate_lists_a_fact_it_cannot_score_as_not_modelled(tmp_path: Path, capsys) -> None:
    data = {"facts": [*_shipped_data()["facts"][:2], TOY["facts"][3]]}
    path = _write(tmp_path, data)
    status = main(
        ["validate", "--facts", str(path), "--reps", "3", "--ensemble", "none",
         "--out", str(tmp_path / "out")]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert status in (0, 1)
    assert "not modelled" in out and "toy_missing" in out
    assert "no held-out fact scored (0 not modelled)" in out  # only independent ones: none
    assert (tmp_path / "out" / "held_out.csv").is_file()
    assert (tmp_path / "out" / "fitted.csv").is_file()


def test_the_output_folder_is_never_one_holding_other_files(tmp_path: Path) -> None:
    from kabulsim.analysis.validation import ValidationResult

    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    result = ValidationResult(pd.DataFrame({"passed": [True]}), 1, 0)
    with pytest.raises(StudyError, match="not empty and not an earlier validate --out folder"):
        write_validation_folder(result, parse(TOY, "toy.yaml"), tmp_path, {})
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_the_figure_has_a_panel_per_scored_fact() -> None:
    from kabulsim.plots.held_out import held_out_figure

    fig = held_out_figure(parse(TOY, "toy.yaml"), _toy_summary(), _toy_summary())
    assert fig is not None
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 3
    assert "not modelled: toy_missing" in fig._suptitle.get_text()  # type: ignore[union-attr]
