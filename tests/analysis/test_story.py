"""Stories of single replications: templates for every event kind, picks, an exact trace."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pandas as pd
import pytest

import kabulsim
from kabulsim.analysis.story import (
    TEMPLATES,
    TEMPLATES_DECLARED,
    pick,
    ranked,
    tell,
    template_for,
)
from kabulsim.cli import main
from kabulsim.experiments.runner import run_many

MODEL = Path(kabulsim.__file__).parent / "model"
SCENARIOS = sorted(Path("scenarios").glob("*.yaml"))


def _logged_kinds() -> set[str]:
    """Every kind passed to ``world.log`` in the model's code: a literal, or an f-string whose
    fields are written ``{}`` (``f"sent_{front.name}"`` -> ``sent_{}``)."""
    kinds: set[str] = set()
    for path in MODEL.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "log"
                and len(node.args) >= 2
            ):
                continue
            arg = node.args[1]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                kinds.add(arg.value)
            elif isinstance(arg, ast.JoinedStr):
                kinds.add(
                    "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in arg.values)
                )
            elif isinstance(arg, ast.Name) and arg.id == "kind":
                # political.py logs the keys of its EVENTS table
                from kabulsim.model.political import EVENTS

                kinds.update(EVENTS)
            else:  # a kind the test cannot read: make it visible
                kinds.add(f"<unreadable at {path.name}:{node.lineno}>")
    return kinds


def test_every_kind_the_code_logs_has_a_template() -> None:
    kinds = _logged_kinds()
    assert len(kinds) > 30 and "front_broken" in kinds and "sent_{}" in kinds
    declared = {re.sub(r"\{\w+\}", "{}", t.kind) for t in TEMPLATES_DECLARED}
    assert kinds - declared == set()
    # and no template for a kind the model never logs
    assert declared - kinds == set()
    # the per-place kinds expand over the theatre's places
    assert "mazar_falls" in TEMPLATES and "sent_north" in TEMPLATES
    assert "arrived_north" in TEMPLATES
    with pytest.raises(KeyError, match="no template"):
        template_for("a_kind_nobody_logs")


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_shipped_scenario_is_told(path: Path) -> None:
    sc = kabulsim.load_scenario(path)
    result = run_many(sc, 4, 11, workers=1, ensemble=None)
    events = result.events
    assert len(events)
    assert set(events["event"]) <= set(TEMPLATES)
    for rep in range(4):
        mine = events[events["rep"] == rep]
        series = result.series[result.series["rep"] == rep]
        row = result.summary[result.summary["rep"] == rep].iloc[0].to_dict()
        story = tell(sc.name, rep, mine, series, row, sc.start)
        assert story.lines
        for line in story.lines:
            assert "{" not in line.text and "nan" not in line.text.split(), line
        # dated, in order
        assert [line.t_h for line in story.lines] == sorted(line.t_h for line in story.lines)


def _summary(values: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rep": range(len(values)),
            "alliance_enters_kabul": values,
            "vacuum_h": [1.0] * len(values),
            "error": [""] * len(values),
        }
    )


def test_picks_rank_missing_last_and_ties_by_index() -> None:
    t = "2001-11-{:02d}T12:00+04:30"
    summary = _summary([t.format(20), "", t.format(13), t.format(15), "", t.format(13)])
    assert ranked(summary, "alliance_enters_kabul") == [2, 5, 3, 0, 1, 4]
    assert pick(summary, "alliance_enters_kabul", 0.0).rep == 2
    # nearest rank: floor(q (n - 1) + 1/2) over the 6 replications
    assert pick(summary, "alliance_enters_kabul", 0.5).rep == 0  # rank 3
    assert pick(summary, "alliance_enters_kabul", 0.4).rep == 3  # rank 2
    high = pick(summary, "alliance_enters_kabul", 1.0)
    assert high.rep == 4 and high.value == ""
    failed = summary.assign(error=["", "", "boom", "", "", ""])
    assert 2 not in ranked(failed, "alliance_enters_kabul")
    with pytest.raises(ValueError, match="from 0 to 1"):
        pick(summary, "alliance_enters_kabul", 1.5)
    with pytest.raises(ValueError, match="category"):
        ranked(summary.assign(kabul_held_by=""), "kabul_held_by")
    with pytest.raises(ValueError, match="unknown outcome"):
        ranked(summary, "nope")


# --- The command ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def comparison(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("story") / "cmp"
    status = main([
        "compare", "scenarios/baseline.yaml", "scenarios/hold_back.yaml", "--reps", "20",
        "--seed", "1", "--workers", "1", "--out", str(out), "--quiet",
    ])  # fmt: skip
    assert status == 0
    return out


def _listing(folder: Path) -> dict[str, float]:
    return {str(p.relative_to(folder)): p.stat().st_mtime for p in folder.rglob("*")}


def test_paired_stories_tell_the_same_replication(comparison: Path, capsys) -> None:
    before = _listing(comparison)
    assert main(["story", str(comparison)]) == 0
    text = capsys.readouterr().out
    assert _listing(comparison) == before  # nothing written into the folder
    summary = pd.read_parquet(comparison / "runs" / "baseline" / "summary.parquet")
    heads = re.findall(r"^## Replication (\d+): the (\d+)th percentile", text, re.M)
    assert [int(p) for _, p in heads] == [5, 50, 95]
    for rep, p in heads:
        expected = pick(summary, "alliance_enters_kabul", int(p) / 100).rep
        assert int(rep) == expected
    # every pick is told under both scenarios, with the same replication index
    for rep, _ in heads:
        assert f"### baseline, replication {rep}" in text
        assert f"### hold_back, replication {rep}" in text
    # each account is dated; the entry and its mechanism are told
    lines = [line for line in text.splitlines() if line.startswith("- ")]
    assert lines and all(
        re.match(r"- \d{1,2} [A-Z][a-z]{2}( \d{4})? \d\d:\d\d: ", x) for x in lines
    )
    assert "The alliance enters Kabul" in text and "Why: " in text
    assert "Before it (at " in text and "morale 0." in text
    # ranked by the hold_back run instead: its own quantiles
    assert main(["story", str(comparison), "--by", "hold_back", "--pick", "vacuum_h:0.5"]) == 0
    other = capsys.readouterr().out
    hold = pd.read_parquet(comparison / "runs" / "hold_back" / "summary.parquet")
    rep = pick(hold, "vacuum_h", 0.5).rep
    assert f"## Replication {rep}: the 50th percentile (the median) of 'Vacuum in Kabul" in other
    assert f"### baseline, replication {rep}" in other


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["/no/such/folder"], "not a folder"),
        (["{cmp}", "--rep", "20"], "--rep 20: out of range; the run has replications 0 to 19"),
        (["{cmp}", "--rep", "-1"], "--rep -1: out of range"),
        (["{cmp}", "--pick", "nope:0.5"], "unknown outcome 'nope'"),
        (["{cmp}", "--pick", "vacuum_h:1.5"], "quantile '1.5': expected a number from 0 to 1"),
        (["{cmp}", "--pick", "vacuum_h:x"], "quantile 'x'"),
        (["{cmp}", "--pick", "kabul_held_by"], "is a category"),
        (["{cmp}", "--by", "nobody"], "--by nobody: not one of baseline, hold_back"),
    ],
)
def test_bad_input_is_one_line(comparison: Path, capsys, args: list[str], says: str) -> None:
    argv = ["story", *(a.replace("{cmp}", str(comparison)) for a in args)]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and says in captured.err, captured.err
    assert "Traceback" not in captured.err


def test_out_writes_the_same_text(comparison: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "story.md"
    assert main(["story", str(comparison), "--rep", "3", "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == capsys.readouterr().out


# --- An exact trace ---------------------------------------------------------------------

TRACE_ARGS = [
    "run", "scenarios/baseline.yaml", "--reps", "2", "--seed", "7", "--ensemble", "none",
    "--set", "horizon_days=60", "--workers", "1", "--quiet",
]  # fmt: skip
"""A small run at a fixed seed with the scenario's single values (no ensemble)."""

TRACE = Path(__file__).with_name("story_trace.md")
"""The expected story of replication 0 of that run, committed as Markdown to be read.

It changes only when the model or the templates change. Then regenerate it on purpose and read
the difference before committing: ``kabulsim run scenarios/baseline.yaml --reps 2 --seed 7
--ensemble none --set horizon_days=60 --out /tmp/trace && kabulsim story /tmp/trace --rep 0 >
tests/analysis/story_trace.md``.
"""


def test_exact_trace(tmp_path: Path, capsys) -> None:
    out = tmp_path / "trace"
    assert main([*TRACE_ARGS, "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["story", str(out), "--rep", "0"]) == 0
    text = capsys.readouterr().out
    expected = TRACE.read_text(encoding="utf-8")
    if text != expected:
        import difflib

        diff = "".join(difflib.unified_diff(
            expected.splitlines(True), text.splitlines(True), "expected", "told"
        ))  # fmt: skip
        pytest.fail(f"the story changed (see TRACE's docstring):\n{diff}")
    # what the trace shows, said in words: the break dated, with the state before it
    assert re.search(
        r"^- 17 Nov 09:48: The Shamali front breaks: .* Before it \(at 17 Nov 06:00\):"
        r" 9,855 Taliban fighters on the Shamali front, their morale 0\.08",
        text,
        re.M,
    )


def test_a_run_without_series_is_told_without_the_numbers() -> None:
    sc = kabulsim.load_scenario(Path("scenarios/baseline.yaml"))
    result = run_many(sc, 1, 2, workers=1, ensemble=None, series_reps=0)
    assert result.series.empty
    row = result.summary.iloc[0].to_dict()
    story = tell(sc.name, 0, result.events, result.series, row, sc.start)
    assert not story.state_shown and story.lines
    assert not any("Before it" in line.text for line in story.lines)
    assert any(line.text.startswith("The Shamali front breaks") for line in story.lines)
