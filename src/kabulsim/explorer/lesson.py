"""Lessons: a question, the decision a student takes, and its consequences as cases.

A lesson (:data:`LESSONS`) is a question of ``docs/teaching.md`` with the decision that turns
it into a choice: menus whose options are scenario inputs that exist (a scenario file of
``scenarios/`` and dotted-path values). Every combination of the options is a *case*,
computed in advance with the same seed and replications, so replication ``i`` of every case
drew the same random numbers and the same parameter set (common random numbers): the
consequences of two choices are a like-for-like pair. The first combination is the
*reference*, the record's case.

For each case :func:`run_lesson` keeps what the "you decide" panel shows:

* *story cards* (:mod:`kabulsim.analysis.story`): the replications at the 5th, 50th and 95th
  percentiles of the alliance's date of entry in the reference case, told under every case;
  the part of the story every case shares (before the decision bites) is told once;
* *quantile dotplots* (Fernandes et al., CHI 2018): :data:`DOTS` quantiles of each headline
  outcome, a replication where it is missing counted at the end, as the stories rank them;
* *hypothetical outcomes* (Hullman et al., PLoS ONE 2015): the headline outcomes of every
  replication, so that the page steps through the pairs one at a time.

Nothing here draws; :mod:`kabulsim.explorer.lesson_page` writes the panel.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from kabulsim.analysis.intervals import quantile_dots
from kabulsim.analysis.story import (
    DEFAULT_OUTCOME,
    DEFAULT_QUANTILES,
    Story,
    pick,
    sort_key,
    tell,
    when,
)
from kabulsim.analysis.sweep import with_values
from kabulsim.calibration.ensemble import DEFAULT, EnsembleSpec, resolve
from kabulsim.experiments.runner import run_many
from kabulsim.outputs import HEADLINE_OUTCOMES, OUTCOME_BY_NAME
from kabulsim.scenario import load_scenario
from kabulsim.scenario.schema import Scenario
from kabulsim.timebase import KABUL

SCENARIOS = Path("scenarios")
"""Where a lesson's scenario files are looked for (the repository's folder)."""

DOTS = 20
"""Dots in a quantile dotplot: each is 5% of the replications."""

HEADLINE = HEADLINE_OUTCOMES
"""The outcomes the panel shows as dotplots and hypothetical outcomes."""

SHARES = ("entry_despite_orders", "factional_fighting", "taliban_reentered")
"""Yes/no outcomes the panel gives as shares of replications."""


@dataclass(frozen=True)
class Option:
    """One option of a menu: a scenario file (or the case's so far) and values it sets."""

    label: str
    file: str | None = None
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Menu:
    """One decision: its question and its options (the first is the record's)."""

    label: str
    options: tuple[Option, ...]


@dataclass(frozen=True)
class Lesson:
    """A lesson's page: its question, the decision as menus, and the questions for the class."""

    name: str
    title: str
    question: str
    menus: tuple[Menu, ...]
    asks: tuple[str, ...]
    """Questions the class answers from the page."""
    note: str = ""
    """What the options assume (shown under the menus)."""
    family: tuple[str, ...] = ("baseline.yaml",)
    """Scenario files of the explorer below the panel."""


_HOLD = "hold_back.yaml"
LESSONS: dict[str, Lesson] = {
    "hold-back": Lesson(
        "hold-back",
        "You decide: the alliance at the gates of Kabul",
        "The foreign governments asked the alliance to invest Kabul and not seize it. What"
        " would holding back have cost, and to whom?",
        (
            Menu(
                "At the gates, the alliance",
                (
                    Option(
                        "pauses as in 2001 (a declared 3-day pause, soon broken)", "baseline.yaml"
                    ),
                    Option("enters at once", "baseline.yaml", {"alliance.hold_back_h": 0.0}),
                    Option("holds for a day", _HOLD, {"alliance.hold_back_h": 24.0}),
                    Option("holds for a week", _HOLD, {"alliance.hold_back_h": 168.0}),
                    Option("holds for two weeks", _HOLD),
                    Option(
                        "holds until the Interim Authority (22 Dec)", "hold_back_until_interim.yaml"
                    ),
                ),
            ),
            Menu(
                "International troops",
                (
                    Option("arrive as in 2001 (22 Dec)"),
                    Option(
                        "arrive early (20 Nov)",
                        None,
                        {"political.force_arrives": "2001-11-20T12:00:00+04:30"},
                    ),
                ),
            ),
        ),
        (
            "Before choosing: what do you expect a city that nobody holds to see, and who"
            " would move into it?",
            "Take the median pair (the middle card). On what date do the two stories part, and"
            " which event makes the difference?",
            "Step through the pairs. In how many of the first twenty does holding back cost"
            " more civilian lives in Kabul than the 2001 pause? In how many fewer?",
            "Does an early international force change the cost of waiting? Through which"
            " mechanism (the card's 'Why')?",
            "How often do units go in against orders during the hold? What does that say about"
            " whether the foreign governments' preference could be carried out?",
            "Which of these results rest on assumptions (read the provenance of"
            " vacuum.clash_per_h and vacuum.factions below)?",
        ),
        note="A hold the alliance means: the options that hold take hold_back.yaml's strong"
        " pressure (alliance.pressure 0.98, above its plausible range on purpose) and good"
        " discipline (alliance.indiscipline_per_h 0.02); the length is alliance.hold_back_h or"
        " alliance.hold_until; an early force is political.force_arrives (as"
        " hold_back_early_force.yaml). Of the political track, the Bonn Agreement, Kandahar's"
        " fall, the international force and the Interim Authority act in the model;"
        " resolutions 1378 and 1386 and the opening of the Bonn talks are logged but inert.",
        family=("baseline.yaml", _HOLD, "hold_back_until_interim.yaml"),
    ),
    "air-power": Lesson(
        "air-power",
        "You decide: the air campaign",
        "How much did the air campaign, and the ground controllers who directed it, bring the"
        " fall of Kabul forward?",
        (
            Menu(
                "Strike sorties",
                (
                    Option("as in 2001", "baseline.yaml"),
                    Option("none", "no_air_campaign.yaml"),
                ),
            ),
            Menu(
                "Ground controllers with the alliance",
                (
                    Option("as in 2001"),
                    Option(
                        "none",
                        None,
                        {"air.controllers_shamali": None, "air.controllers_north": None},
                    ),
                ),
            ),
        ),
        (
            "Before choosing: by how many weeks do you expect the controllers to matter?",
            "Without strikes, what holds the front? Read the card's last lines.",
            "Compare the dotplots of the date of entry: which choice makes the date most"
            " uncertain, and why?",
        ),
        note="No sorties is no_air_campaign.yaml; no controllers sets air.controllers_<front>"
        " to null (as no_ground_controllers.yaml).",
        family=("baseline.yaml", "no_ground_controllers.yaml", "no_air_campaign.yaml"),
    ),
    "record": Lesson(
        "record",
        "You decide: what the record does not say",
        "The record gives dates, not the alliance's discipline or the Taliban's resolve. How"
        " far do the answers move with values the record leaves open?",
        (
            Menu(
                "Alliance indiscipline (calibrated, 1/h)",
                (
                    Option("the ensemble's values", "baseline.yaml"),
                    Option("low (0.02)", None, {"alliance.indiscipline_per_h": 0.02}),
                    Option("high (1.0)", None, {"alliance.indiscipline_per_h": 1.0}),
                ),
            ),
            Menu(
                "Odds the Shamali commander requires (calibrated)",
                (
                    Option("the ensemble's values"),
                    Option("lower (2)", None, {"shamali.required_odds": 2.0}),
                ),
            ),
        ),
        (
            "Which choice moves the date of entry most? Is the record's date (13 Nov) still"
            " reached?",
            "Read a card: which event does the calibrated value act on?",
            "If two values both reproduce the record, what does the model then say about the"
            " hold-back?",
        ),
        note="The first options draw each replication's calibrated values from the baseline's"
        " ensemble; the others set the value in every replication.",
    ),
}
"""The lessons ``kabulsim explorer --lesson NAME`` builds, by name."""


@dataclass(frozen=True)
class Case:
    """One combination of a lesson's options."""

    index: int
    choice: tuple[int, ...]
    """The option chosen in each menu."""
    file: str
    values: dict[str, Any]
    scenario: Scenario


def plan_cases(lesson: Lesson, folder: Path = SCENARIOS) -> list[Case]:
    """Every combination of the lesson's options as a scenario; the first is the reference.

    The case's file is the last file named by its options (menus in order), its values the
    union of theirs.

    Raises:
        ScenarioError, ValueError: a file or value that does not exist or is rejected.
    """
    cases: list[Case] = []
    loaded: dict[str, Scenario] = {}
    for combo in itertools.product(*(range(len(m.options)) for m in lesson.menus)):
        options = [m.options[i] for m, i in zip(lesson.menus, combo, strict=True)]
        file = next((o.file for o in reversed(options) if o.file), "baseline.yaml")
        values: dict[str, Any] = {}
        for o in options:
            values |= o.values
        if file not in loaded:
            loaded[file] = load_scenario(folder / file)
        scenario = with_values(loaded[file], values) if values else loaded[file]
        cases.append(Case(len(cases), tuple(combo), file, values, scenario))
    return cases


def _headline_values(summary: pd.DataFrame, start: pd.Timestamp) -> dict[str, list[Any]]:
    """Each headline outcome per replication (days since the start for a date; None: none)."""
    out: dict[str, list[Any]] = {}
    for name in HEADLINE:
        key = sort_key(summary, name)
        if OUTCOME_BY_NAME[name].kind == "time":
            key = (key - start.timestamp()) / 86400.0
        out[name] = [None if pd.isna(v) else round(float(v), 4) for v in key]
    return out


def _card(story: Story, shared: int) -> dict[str, Any]:
    """A story card: the lines after the shared beginning that a card tells, briefly."""
    return {
        "lines": [[line.date, line.brief] for line in story.lines[shared:] if line.card],
        "in_short": story.in_short,
    }


def _shared(stories: Sequence[Story]) -> int:
    n = 0
    for lines in zip(*(s.lines for s in stories), strict=False):
        if any(line.text != lines[0].text or line.date != lines[0].date for line in lines):
            break
        n += 1
    return n


def run_lesson(
    lesson: Lesson,
    reps: int = 200,
    seed: int = 0,
    *,
    workers: int | None = 1,
    ensemble: EnsembleSpec = DEFAULT,
    folder: Path = SCENARIOS,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Run every case of a lesson and keep what its panel shows (JSON-ready).

    Args:
        lesson: the lesson.
        reps: replications per case.
        seed: the seed of every case (common random numbers).
        workers: local processes per case (the tables are the same whatever the number).
        ensemble: parameter uncertainty as for ``kabulsim run`` (replication ``i`` of every
            case the same member; a value an option sets is not replaced by the member's).
        folder: where the lesson's scenario files are.
        progress: ``progress(done, total)`` in cases.

    """
    cases = plan_cases(lesson, folder)
    members = resolve(ensemble)
    summaries: list[pd.DataFrame] = []
    events: list[pd.DataFrame] = []
    series: list[pd.DataFrame] = []
    for case in cases:
        mine = None if members is None else members.without(case.values)
        result = run_many(
            case.scenario, reps, seed, workers=workers, series_reps=reps, ensemble=mine
        )
        summaries.append(result.summary.sort_values("rep", ignore_index=True))
        events.append(result.events)
        series.append(result.series)
        if progress is not None:
            progress(case.index + 1, len(cases))
    reference = summaries[0]
    start = pd.Timestamp(cases[0].scenario.start)
    picks = [pick(reference, DEFAULT_OUTCOME, q) for q in DEFAULT_QUANTILES]
    cards: list[dict[str, Any]] = []
    for p in picks:
        stories = []
        for case, summ, ev, se in zip(cases, summaries, events, series, strict=True):
            row = {str(k): v for k, v in summ[summ["rep"] == p.rep].iloc[0].items()}
            stories.append(
                tell(
                    case.scenario.name,
                    p.rep,
                    ev[ev["rep"] == p.rep].sort_values("t_h", kind="mergesort"),
                    se[se["rep"] == p.rep] if not se.empty else se,
                    row,
                    case.scenario.start,
                )
            )
        shared = _shared(stories)
        cards.append(
            {
                "rep": p.rep,
                "quantile": p.quantile,
                "shared": [
                    [line.date, line.brief] for line in stories[0].lines[:shared] if line.card
                ],
                "until": stories[0].lines[shared - 1].date if shared else "",
                "cases": [_card(s, shared) for s in stories],
            }
        )
    outcomes = []
    for name in HEADLINE:
        o = OUTCOME_BY_NAME[name]
        outcomes.append({
            "name": name, "title": o.title, "kind": o.kind,
            "units": "date" if o.kind == "time" else o.units,
        })  # fmt: skip
    case_rows = []
    for case, summ in zip(cases, summaries, strict=True):
        ok = summ[summ["error"] == ""]
        values = _headline_values(summ, start)
        case_rows.append(
            {
                "choice": list(case.choice),
                "file": case.file,
                "values": {k: _json_value(v) for k, v in case.values.items()},
                "headline": values,
                "dots": {
                    name: quantile_dots(pd.Series(values[name], dtype=float), DOTS)
                    for name in HEADLINE
                },
                "shares": {
                    name: float(ok[name].astype(bool).mean()) if len(ok) else None
                    for name in SHARES
                },
                "failed": int((summ["error"] != "").sum()),
            }
        )
    horizon = (cases[0].scenario.horizon_days, when(cases[0].scenario.start, 0.0))
    return {
        "name": lesson.name,
        "title": lesson.title,
        "question": lesson.question,
        "note": lesson.note,
        "asks": list(lesson.asks),
        "menus": [
            {"label": m.label, "options": [o.label for o in m.options]} for m in lesson.menus
        ],
        "cases": case_rows,
        "cards": cards,
        "outcomes": outcomes,
        "shares": [{"name": n, "title": OUTCOME_BY_NAME[n].title} for n in SHARES],
        "reps": reps,
        "seed": seed,
        # Kabul wall clock read as UTC by the page, so every student sees Kabul time
        "start": start.tz_convert(KABUL).tz_localize(None).isoformat() + "Z",
        "horizon_days": horizon[0],
        "ensemble": None if members is None else members.record(),
    }


def _json_value(v: Any) -> Any:
    return v if v is None or isinstance(v, bool | int | float | str) else str(v)
