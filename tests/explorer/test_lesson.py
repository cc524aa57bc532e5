"""Lessons: every choice maps to a computed case; the panel works offline in a browser."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import kabulsim
from kabulsim.analysis.story import pick
from kabulsim.calibration.ensemble import DEFAULT, resolve
from kabulsim.cli import main
from kabulsim.experiments.runner import run_many
from kabulsim.explorer.data import value_at
from kabulsim.explorer.lesson import DOTS, HEADLINE, LESSONS, plan_cases, run_lesson

from .test_page import _no_errors, _open, needs_chromium

REPS = 6


def _same(a: kabulsim.Scenario, b: kabulsim.Scenario) -> bool:
    drop = {"name", "description"}
    return a.model_dump(mode="json", exclude=drop) == b.model_dump(mode="json", exclude=drop)


@pytest.mark.parametrize("name", sorted(LESSONS))
def test_each_choice_maps_to_scenario_inputs(name: str) -> None:
    lesson = LESSONS[name]
    cases = plan_cases(lesson)
    n = 1
    for menu in lesson.menus:
        n *= len(menu.options)
    assert len(cases) == n and [c.index for c in cases] == list(range(n))
    assert len({c.choice for c in cases}) == n  # every combination once
    # the reference is the baseline as its file says
    assert cases[0].file == "baseline.yaml" and not cases[0].values
    assert _same(cases[0].scenario, kabulsim.load_scenario(Path("scenarios/baseline.yaml")))
    for case in cases:
        for menu, i in zip(lesson.menus, case.choice, strict=True):
            for path, value in menu.options[i].values.items():
                got = value_at(case.scenario, path)
                assert got == value or str(got).startswith(str(value)[:16]), (path, got, value)
    # the cases differ: no two choices run the same scenario
    dumps = [c.scenario.model_dump_json(exclude={"name", "description"}) for c in cases]
    assert len(set(dumps)) == n


def test_hold_back_choices_are_the_shipped_counterfactuals() -> None:
    cases = {c.choice: c.scenario for c in plan_cases(LESSONS["hold-back"])}
    load = kabulsim.load_scenario
    assert _same(cases[(4, 0)], load(Path("scenarios/hold_back.yaml")))
    assert _same(cases[(5, 0)], load(Path("scenarios/hold_back_until_interim.yaml")))
    assert _same(cases[(5, 1)], load(Path("scenarios/hold_back_early_force.yaml")))
    assert cases[(1, 0)].alliance.hold_back_h == 0.0
    assert cases[(2, 0)].alliance.hold_back_h == 24.0 and cases[(2, 0)].alliance.pressure == 0.98
    assert _same(
        cases[(0, 1)],
        load(
            Path("scenarios/baseline.yaml"), overrides=["political.force_arrives=2001-11-20T12:00"]
        ),
    )


@pytest.fixture(scope="module")
def hold_back() -> dict:
    return run_lesson(LESSONS["hold-back"], reps=REPS, seed=5)


def test_every_choice_is_computed(hold_back: dict) -> None:
    lesson = LESSONS["hold-back"]
    cases = plan_cases(lesson)
    assert [c["choice"] for c in hold_back["cases"]] == [list(c.choice) for c in cases]
    for row in hold_back["cases"]:
        for name in HEADLINE:
            assert len(row["headline"][name]) == REPS
            assert len(row["dots"][name]) == DOTS
        assert row["failed"] == 0
    two = [c.choice for c in cases].index((4, 0))  # holds for two weeks
    # the holds delay the entry: the two-week hold's median entry is later than 2001's
    entry = "alliance_enters_kabul"
    late = sorted(v if v is not None else 1e9 for v in hold_back["cases"][two]["headline"][entry])
    early = sorted(v if v is not None else 1e9 for v in hold_back["cases"][0]["headline"][entry])
    assert late[REPS // 2] > early[REPS // 2]
    # the headline values are the cases' own runs (replication i of the same run)
    # (the default ensemble, as kabulsim run; replication i of every case the same member)
    members = resolve(DEFAULT)
    two_weeks = run_many(cases[two].scenario, REPS, 5, workers=1, ensemble=members)
    vac = two_weeks.summary.sort_values("rep")["vacuum_h"].tolist()
    got = hold_back["cases"][two]["headline"]["vacuum_h"]
    assert [None if v != v else round(v, 4) for v in vac] == got
    # the cards: the picks of the reference, told under every case
    reference = run_many(cases[0].scenario, REPS, 5, workers=1, ensemble=members).summary
    assert [c["rep"] for c in hold_back["cards"]] == [
        pick(reference, entry, q).rep for q in (0.05, 0.5, 0.95)
    ]
    for card in hold_back["cards"]:
        assert len(card["cases"]) == len(cases)
        assert card["until"] and all(
            re.match(r"\d{1,2} [A-Z][a-z]{2}", d) for d, _ in card["shared"]
        )
        assert any("hold-back" in t for _, t in card["cases"][two]["lines"])


@needs_chromium
def test_lesson_page_offline(tmp_path: Path, capsys) -> None:
    out = tmp_path / "hold_back.html"
    status = main([
        "explorer", "--lesson", "hold-back", "--reps", str(REPS), "--seed", "5", "--workers", "1",
        "--out", str(out), "--quiet",
    ])  # fmt: skip
    assert status == 0
    capsys.readouterr()
    text = out.read_text(encoding="utf-8")
    assert out.stat().st_size < 3_000_000
    assert "You decide: the alliance at the gates of Kabul" in text
    browser = _open(out, tmp_path / "profile", 1400)
    try:
        browser.wait_for("window.lessonReady === true")
        assert browser.evaluate("document.querySelectorAll('#lesson select').length") == 2
        # choose "holds for two weeks" as a student would
        browser.evaluate(
            "(() => { const s = document.getElementById('lesson-m0'); s.value = '4';"
            " s.dispatchEvent(new Event('change')); })()"
        )
        assert browser.evaluate("document.getElementById('lesson').dataset.case") == "8"  # (4, 0)
        assert browser.evaluate("document.querySelectorAll('#lesson-cards .card').length") == 3
        cards = browser.evaluate("document.getElementById('lesson-cards').textContent")
        assert "Your choice" in cards and "until " in cards
        dots = browser.evaluate(
            "[document.querySelectorAll('#lesson-dots circle.dot.ref').length,"
            " document.querySelectorAll('#lesson-dots circle.dot.mine').length]"
        )
        assert dots == [DOTS * len(HEADLINE)] * 2
        first = browser.evaluate("document.getElementById('hop-text').textContent")
        assert first.startswith(f"Replication 0 of {REPS}")
        browser.evaluate("document.getElementById('hop-next').click()")
        second = browser.evaluate("document.getElementById('hop-text').textContent")
        assert second.startswith(f"Replication 1 of {REPS}") and second != first
        pairs = browser.evaluate("document.querySelectorAll('#lesson-hops circle.pair').length")
        assert pairs == 2 * len(HEADLINE)
        browser.evaluate("document.getElementById('hop-play').click()")
        browser.wait_for(
            "!document.getElementById('hop-text').textContent.startsWith('Replication 1 ')", 10
        )
        browser.evaluate("document.getElementById('hop-play').click()")
        # the menus of the explorer below still work
        assert browser.evaluate("Object.keys(window.explorerViews).length") >= 5
        _no_errors(browser)
    finally:
        browser.close()
    data = json.loads(re.search(r"const L = (.*?);\n", text).group(1))
    assert len(data["cases"]) == 12 and data["reps"] == REPS
