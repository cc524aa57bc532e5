"""The architecture of docs/architecture.md stays true: one-way imports, and the recipes work.

The phase and outcome recipes of docs/architecture.md are followed here once more, in-process,
on toy additions (the package itself is not changed; tests/test_recipes.py follows every
recipe on a copy of the package): a phase with its own stream and
outcome, a state variable read by name, a figure, and a counterfactual scenario file.
"""

from __future__ import annotations

import ast
import math
from pathlib import Path

import numpy as np
import pytest

import kabulsim
from kabulsim import outputs
from kabulsim.model import PHASES, Phase, build_world
from kabulsim.model.simulate import results, run_world
from kabulsim.model.world import World
from kabulsim.outputs import OUTCOMES, Outcome
from kabulsim.scenario import load_scenario
from tests.helpers import scenario_with

SRC = Path(kabulsim.__file__).resolve().parent
ROOT = SRC.parents[1]

LAYERS = (
    ("timebase", "limits", "files", "textsafe", "_version", "commands"),
    ("places",),
    ("outputs", "basemap"),
    ("scenario",),
    ("combat",),
    ("model",),
    ("tables", "calibration"),
    ("experiments",),
    ("analysis", "api"),
    ("plots",),
    ("report", "explorer"),
    ("folders",),
    ("cli",),
)
"""The layers, lowest first: a module may import its own layer and the layers below."""


def _layer(name: str) -> int:
    return next(i for i, names in enumerate(LAYERS) if name in names)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            parts = node.module.split(".")
            if parts[0] == "kabulsim" and len(parts) > 1:
                found.add(parts[1])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "kabulsim" and len(parts) > 1:
                    found.add(parts[1])
    return found


def test_imports_flow_one_way():
    wrong = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC)
        top = rel.parts[0].removesuffix(".py")
        if top in ("__init__", "__main__"):
            continue
        for imported in _imports(path):
            if imported in ("__init__",) or imported == top:
                continue
            if _layer(imported) > _layer(top):
                wrong.append(f"{rel} imports kabulsim.{imported}")
    assert wrong == []


def test_outputs_import_only_the_time_base():
    assert _imports(SRC / "outputs.py") == {"places", "timebase"}


# --- Recipe: add a phase (and its outcome) ------------------------------------------------

TOY_OUTCOME = Outcome("toy_reports", "count", "reports", "Radio reports of the entry", default=0)
"""Step 1 of 'add an outcome': the declaration (in kabulsim/outputs.py, OUTCOMES)."""

TOY_RATE = 3.0
"""Stands in for the phase's schema part (a ``param()`` in its own part of the schema)."""


def toy_reports(world: World):
    """Step 2 of 'add a phase': the process, in its own module.

    After the alliance enters Kabul, a Poisson number of radio reports follows; the phase
    draws only from its own stream and announces a milestone of its own.
    """
    rng = world.rng["toy"]
    yield world.alliance_in_city
    world.out.set("toy_reports", int(rng.poisson(TOY_RATE)))  # step 2 of 'add an outcome'
    world.log("toy", "reports")
    world.milestone("toy_reported").succeed()


TOY_PHASES = (*PHASES, Phase("toy", toy_reports))
"""Step 3 of 'add a phase': one line in kabulsim/model/phases.py, PHASES."""


def _same(a, b) -> bool:
    return a == b or (isinstance(a, float) and math.isnan(a) and math.isnan(b))


@pytest.mark.parametrize("seed", [0, 1])
def test_recipe_add_a_phase_and_an_outcome(seed):
    sc = scenario_with()
    world = build_world(sc, seed, phases=TOY_PHASES, outcomes=(*OUTCOMES, TOY_OUTCOME))
    run_world(world)
    summary, _ = results(world)
    assert list(summary)[-1] == "toy_reports"
    assert isinstance(summary["toy_reports"], int) and summary["toy_reports"] >= 0
    assert world.milestone("toy_reported").triggered
    assert any(e.phase == "toy" for e in world.recorder.events)
    # Every other outcome is what the model gives without the toy phase (own stream).
    plain = build_world(sc, seed)
    run_world(plain)
    base, _ = results(plain)
    assert all(_same(base[k], summary[k]) for k in base)


def test_recipe_outcome_reaches_the_tables():
    from kabulsim.tables import summary_frame

    class _Rep:  # what summary_frame reads of a Replication
        def __init__(self, summary):
            self.summary, self.rep, self.seed, self.error = summary, 0, 0, None
            self.scenario = scenario_with()

    world = build_world(scenario_with(), 0, phases=TOY_PHASES, outcomes=(*OUTCOMES, TOY_OUTCOME))
    run_world(world)
    summary, _ = results(world)
    frame = summary_frame([_Rep(summary)])  # type: ignore[list-item]
    assert frame["toy_reports"].iloc[0] == summary["toy_reports"]


# --- Recipe: add a state variable -----------------------------------------------------------


def test_recipe_state_variables_are_read_by_name():
    """Each declared variable has a reader in world.py; the series follows the declaration."""
    from kabulsim.model.world import readers

    numbers, labels = readers(outputs.PLACES)
    assert set(numbers | labels) == {v.name for v in outputs.STATE}
    assert list(numbers) == list(outputs.STATE_NUMERIC)
    world = build_world(scenario_with(), 2)
    run_world(world)
    world.book_prisoners()
    series = world.series()
    for name in outputs.STATE_NUMERIC:
        assert series.column(name)[-1] == pytest.approx(world.state()[name])


# --- Recipe: add a figure -------------------------------------------------------------------


def test_recipe_add_a_figure(baseline_run, monkeypatch):
    from matplotlib.figure import Figure

    from kabulsim.plots import io
    from kabulsim.report import build_report

    def sorties(run):
        fig = Figure()
        fig.add_subplot().hist(run.summary["sorties_flown"])
        return fig

    spec = io.RunFigure("sorties", "Strike sorties flown per replication.", sorties)
    monkeypatch.setattr(io, "RUN_FIGURES", (*io.RUN_FIGURES, spec))
    assert "sorties" in io.run_figures(baseline_run)
    html = build_report(baseline_run.summary, baseline_run.scenario)
    assert 'id="fig-sorties"' in html


# --- Recipe: add a counterfactual -------------------------------------------------------------


def test_recipe_add_a_counterfactual(tmp_path):
    text = (
        "# Teaching question: what if no tip about the convoy had reached the CIA?\n"
        "# Assumption changed: hvt.tip_per_h -> 0. Nothing else changes.\n"
        f"extends: {ROOT / 'scenarios' / 'baseline.yaml'}\n"
        "name: no_tip_example\n"
        "hvt:\n"
        "  tip_per_h: 0.0\n"
    )
    path = tmp_path / "no_tip_example.yaml"
    path.write_text(text, encoding="utf-8")
    sc = load_scenario(path)
    base = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    from kabulsim.scenario.loading import differences

    assert [k for k, _, _ in differences(base, sc)] == ["name", "hvt.tip_per_h"]
    run = kabulsim.run(sc, reps=20, seed=1)
    assert not run.summary["atef_killed"].any()
    assert (run.summary["tips"] == 0).all()
    # Inputs change, outcomes follow from the mechanisms: the rest of the run is the same.
    ref = kabulsim.run(base, reps=20, seed=1)
    assert np.array_equal(
        run.summary["alliance_enters_kabul"].to_numpy(), ref.summary["alliance_enters_kabul"]
    )


def test_state_readers_may_be_attribute_paths_or_functions():
    from kabulsim.model.world import _column, _read, _snapshot_plan

    world = build_world(scenario_with(), 0)
    assert _read("fronts.shamali.morale", world) == world.fronts["shamali"].morale
    assert _read(("kabul_afghan", "kabul_foreign"), world) == world.in_kabul
    assert _read(lambda w: w.alliance_strength * 2.0, world) == world.alliance_strength * 2.0
    numbers = {
        "a": ("kabul_afghan", "kabul_foreign"),
        "b": lambda w: w.alliance_strength * 2.0,
        "c": "fronts.shamali.morale",
    }
    read, terms, columns = _snapshot_plan(numbers, {"holder": "city_holder"})
    values = read(world)
    assert terms == 4 and values[terms:] == ("taliban",)
    assert columns == {"a": [0, 1], "b": [2], "c": [3]}
    row = np.array([[0.0, *values[:terms]]])
    at = np.array([0])
    assert _column(row, at, columns["a"])[0] == world.in_kabul
    assert _column(row, at, columns["b"])[0] == world.alliance_strength * 2.0
    # Paths only: one attrgetter call reading everything.
    read, terms, _ = _snapshot_plan({"a": ("kabul_afghan", "kabul_foreign")}, {"h": "city_holder"})
    assert read(world) == (world.kabul_afghan, world.kabul_foreign, "taliban") and terms == 2
