"""The recipes of docs/architecture.md, followed on a copy of the real package.

Each test copies ``src/kabulsim`` and ``scenarios/`` to a temporary folder, makes exactly the
edits its recipe lists (generated files included: the JSON Schema is regenerated with
``kabulsim schema --out``), runs the copy in a fresh interpreter, and counts the files that
differ from the originals: the number the recipe states.
"""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import kabulsim

SRC = Path(kabulsim.__file__).resolve().parent
ROOT = SRC.parents[1]

pytestmark = pytest.mark.slow


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "copy"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(SRC, root / "src" / "kabulsim", ignore=ignore)
    shutil.copytree(ROOT / "scenarios", root / "scenarios", ignore=ignore)
    return root


def _edit(root: Path, rel: str, old: str, new: str) -> None:
    """Replace ``old`` (found exactly once) with ``new`` in the copy's file ``rel``."""
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{rel}: the recipe's anchor {old!r} is not unique"
    path.write_text(text.replace(old, new), encoding="utf-8")


def _touched(root: Path) -> list[str]:
    """The files of the copy that are new or differ from the originals."""
    changed = []
    for base, copy in ((SRC, root / "src" / "kabulsim"), (ROOT / "scenarios", root / "scenarios")):
        for path in sorted(copy.rglob("*")):
            if path.is_dir() or "__pycache__" in path.parts:
                continue
            original = base / path.relative_to(copy)
            if not original.exists() or not filecmp.cmp(original, path, shallow=False):
                changed.append(path.relative_to(root).as_posix())
    return sorted(changed)


def _python(root: Path, *args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(root / "src")}
    done = subprocess.run(
        [sys.executable, *args], cwd=root, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _summary(root: Path, scenario: str = "scenarios/baseline.yaml", seed: int = 3) -> dict:
    code = (
        "import json, sys\n"
        "from kabulsim.model import simulate\n"
        "from kabulsim.scenario import load_scenario\n"
        f"r = simulate(load_scenario({scenario!r}), {seed}, 0)\n"
        "assert r.error is None, r.error\n"
        "s = r.series\n"
        "from kabulsim.outputs import STATE_NUMERIC\n"
        "print(json.dumps({'summary': r.summary, 'series': {n: s.column(n).tolist()"
        " for n in STATE_NUMERIC}}, default=str))\n"
    )
    return json.loads(_python(root, "-c", code))


def _regenerate_schema(root: Path) -> None:
    _python(root, "-m", "kabulsim", "schema", "--out", "scenarios/scenario.schema.json")


# --- Add an outcome (two files) ------------------------------------------------------------


def test_recipe_add_an_outcome(tmp_path):
    root = _copy(tmp_path)
    # 1. outputs.py: the declaration.
    _edit(
        root,
        "src/kabulsim/outputs.py",
        '    Outcome("tips", "count", "tips", "Tips about the convoy", "hvt", default=0),\n',
        '    Outcome("tips", "count", "tips", "Tips about the convoy", "hvt", default=0),\n'
        '    Outcome("alliance_at_end", "number", "fighters", "Alliance fighters at the end"),\n',
    )
    # 2. The phase that observes it: here a value read off the final state, so the phase's
    # close hook (aftermath's close_vacuum).
    _edit(
        root,
        "src/kabulsim/model/aftermath.py",
        '    empty = world.out.time("kabul_evacuated")\n    if empty is None:\n'
        "        return None\n    end = world.out.time",
        '    world.out.set("alliance_at_end", world.alliance_strength)\n'
        '    empty = world.out.time("kabul_evacuated")\n    if empty is None:\n'
        "        return None\n    end = world.out.time",
    )
    assert _touched(root) == ["src/kabulsim/model/aftermath.py", "src/kabulsim/outputs.py"]
    got = _summary(root)["summary"]
    ref = _summary(_copy(tmp_path / "ref"))["summary"]
    assert 0.0 < got.pop("alliance_at_end") <= 15_000.0
    assert got == ref


# --- Add a phase (four files, and outputs.py for its outcome) -------------------------------

PHASE_MODULE = '''"""Radio reports of the entry: a toy phase that follows the recipe.

Mechanism. After the alliance enters Kabul, a Poisson number of radio reports follows.
"""

from __future__ import annotations

import simpy

from kabulsim.model.world import World


def radio(world: World) -> simpy.events.ProcessGenerator:
    """Count the radio reports of the entry."""
    rng = world.rng["radio"]
    yield world.alliance_in_city
    world.out.set("radio_reports", int(rng.poisson(world.scenario.radio.reports_mean)))
    world.log("radio", "reports")
'''


def test_recipe_add_a_phase(tmp_path):
    root = _copy(tmp_path)
    schema = "src/kabulsim/scenario/schema.py"
    # 1. schema.py: its part and its field on Scenario.
    _edit(
        root,
        schema,
        "class Scenario(_Part):\n",
        "class Radio(_Part):\n"
        '    """Radio reports of the entry (a toy phase)."""\n\n'
        "    reports_mean: float = param(\n"
        '        3.0, units="reports", ge=0, plausible=(0.0, 10.0), kind="assumption",\n'
        '        source="a toy", description="Mean number of radio reports.",\n'
        "    )\n\n\n"
        "class Scenario(_Part):\n",
    )
    _edit(
        root,
        schema,
        '    vacuum: Vacuum = Field(default_factory=Vacuum, description="Who fills an empty'
        ' Kabul.")\n',
        '    vacuum: Vacuum = Field(default_factory=Vacuum, description="Who fills an empty'
        ' Kabul.")\n'
        '    radio: Radio = Field(default_factory=Radio, description="Radio reports.")\n',
    )
    # 2. model/radio.py: the process.
    (root / "src/kabulsim/model/radio.py").write_text(PHASE_MODULE, encoding="utf-8")
    # 3. model/phases.py: one line in PHASES (and its import).
    phases = "src/kabulsim/model/phases.py"
    _edit(
        root,
        phases,
        "from kabulsim.model.pressure import front_pressure\n",
        "from kabulsim.model.pressure import front_pressure\n"
        "from kabulsim.model.radio import radio\n",
    )
    _edit(
        root,
        phases,
        '    Phase("command", command),\n',
        '    Phase("command", command),\n    Phase("radio", radio),\n',
    )
    # 4. The regenerated JSON Schema.
    _regenerate_schema(root)
    # Its outcome: the outcome recipe's declaration (the process sets it).
    _edit(
        root,
        "src/kabulsim/outputs.py",
        '    Outcome("tips", "count", "tips", "Tips about the convoy", "hvt", default=0),\n',
        '    Outcome("tips", "count", "tips", "Tips about the convoy", "hvt", default=0),\n'
        '    Outcome("radio_reports", "count", "reports", "Radio reports", default=0),\n',
    )
    assert _touched(root) == [
        "scenarios/scenario.schema.json",
        "src/kabulsim/model/phases.py",
        "src/kabulsim/model/radio.py",
        "src/kabulsim/outputs.py",
        "src/kabulsim/scenario/schema.py",
    ]
    got = _summary(root)
    assert "radio" in (root / "scenarios/scenario.schema.json").read_text(encoding="utf-8")
    ref = _summary(_copy(tmp_path / "ref"))
    # Its own stream: every other outcome and series is unchanged.
    assert {k: v for k, v in got["summary"].items() if k != "radio_reports"} == ref["summary"]
    assert got["series"] == ref["series"]


# --- Add a state variable (two files) -------------------------------------------------------


def test_recipe_add_a_state_variable(tmp_path):
    root = _copy(tmp_path)
    # 1. outputs.py: the declaration.
    _edit(
        root,
        "src/kabulsim/outputs.py",
        '    StateVariable("morale_alliance", "morale (0-1)", "Alliance morale", "alliance"),\n',
        '    StateVariable("morale_alliance", "morale (0-1)", "Alliance morale", "alliance"),\n'
        '    StateVariable("on_road", "fighters", "Taliban fighters on the road", "taliban"),\n',
    )
    # 2. model/world.py: its reader (the phase that changes it already calls world.snap()).
    _edit(
        root,
        "src/kabulsim/model/world.py",
        '    "stragglers": "stragglers",\n}',
        '    "stragglers": "stragglers",\n    "on_road": "in_transit",\n}',
    )
    assert _touched(root) == ["src/kabulsim/model/world.py", "src/kabulsim/outputs.py"]
    got = _summary(root)
    assert max(got["series"]["on_road"]) > 0.0
    assert (
        got["series"]["taliban_shamali"]
        == _summary(_copy(tmp_path / "ref"))["series"]["taliban_shamali"]
    )


# --- Add a figure (two files) ---------------------------------------------------------------

FIGURE_MODULE = '''"""Strike sorties flown per replication (a figure that follows the recipe)."""

from __future__ import annotations

from matplotlib.figure import Figure


def sorties(run):
    """A histogram of the strike sorties flown."""
    fig = Figure()
    fig.add_subplot().hist(run.summary["sorties_flown"])
    return fig
'''


def test_recipe_add_a_figure(tmp_path):
    root = _copy(tmp_path)
    # 1. plots/sorties.py: the drawing function.
    (root / "src/kabulsim/plots/sorties.py").write_text(FIGURE_MODULE, encoding="utf-8")
    # 2. plots/io.py: its import and its RunFigure in RUN_FIGURES.
    io = "src/kabulsim/plots/io.py"
    _edit(
        root,
        io,
        "from kabulsim.plots.geo import theatre_map\n",
        "from kabulsim.plots.geo import theatre_map\nfrom kabulsim.plots.sorties import sorties\n",
    )
    anchor = "RUN_FIGURES: tuple[RunFigure, ...] = (\n"
    _edit(
        root,
        io,
        anchor,
        anchor + '    RunFigure("sorties", "Strike sorties flown per replication.", sorties),\n',
    )
    assert _touched(root) == ["src/kabulsim/plots/io.py", "src/kabulsim/plots/sorties.py"]
    out = tmp_path / "run"
    _python(
        root, "-m", "kabulsim", "run", "scenarios/baseline.yaml", "--reps", "4", "--quiet",
        "--ensemble", "none", "--out", str(out),
    )  # fmt: skip
    assert (out / "figures" / "sorties.png").exists()


# --- Add a counterfactual (one file) --------------------------------------------------------


def test_recipe_add_a_counterfactual(tmp_path):
    root = _copy(tmp_path)
    (root / "scenarios/no_tip_example.yaml").write_text(
        "# Teaching question: what if no tip about the convoy had reached the CIA?\n"
        "# Assumption changed: hvt.tip_per_h -> 0. Nothing else changes.\n"
        "extends: baseline.yaml\n"
        "name: no_tip_example\n"
        "hvt:\n"
        "  tip_per_h: 0.0\n",
        encoding="utf-8",
    )
    assert _touched(root) == ["scenarios/no_tip_example.yaml"]
    got = _summary(root, "scenarios/no_tip_example.yaml")["summary"]
    assert got["tips"] == 0 and got["atef_killed"] is False


# --- Add a front to the package, and its city (three files) ----------------------------------

FRONT_PLACE = """    Place(
        "herat", "front", ("front", "garrison", "falls"), "Herat", "at Herat",
        city="herat_city", city_label="Herat", retreat="herat",
    ),
)  # fmt: skip
\"\"\"The places of the 2001 theatre"""

FRONT_FORCES = """    @model_validator(mode="after")
    def _parts_fit_the_whole(self) -> Forces:"""


def test_recipe_add_a_front(tmp_path):
    root = _copy(tmp_path)
    # 1. places.py: the front, its roles, its city and the route its garrison leaves by.
    _edit(
        root,
        "src/kabulsim/places.py",
        ')  # fmt: skip\n"""The places of the 2001 theatre',
        FRONT_PLACE,
    )
    # 2. scenario/schema.py: its inputs, named after it.
    schema = "src/kabulsim/scenario/schema.py"
    _edit(
        root,
        schema,
        FRONT_FORCES,
        "    taliban_herat: int = param(\n"
        '        3_000, units="fighters", ge=0, kind="assumption", source="a test fixture",\n'
        '        description="Taliban fighters holding the Herat front.",\n    )\n'
        "    alliance_herat: int = param(\n"
        '        2_000, units="fighters", ge=0, kind="assumption", source="a test fixture",\n'
        '        description="Alliance fighters facing the Herat front.",\n    )\n\n'
        + FRONT_FORCES,
    )
    _edit(
        root,
        schema,
        '        ge=0, le=1, description="Share of strike sorties on the Mazar-i-Sharif front'
        ' (share)."\n    )\n',
        '        ge=0, le=1, description="Share of strike sorties on the Mazar-i-Sharif front'
        ' (share)."\n    )\n'
        "    herat_share: float = Field(\n"
        '        0.1, ge=0, le=1, description="Share of strike sorties on the Herat front."\n'
        "    )\n",
    )
    _edit(
        root,
        schema,
        "    civilians_per_sortie: float = param(\n",
        "    controllers_herat: LocalDatetime | None = param(\n"
        '        None, units="local time", kind="assumption", source="a test fixture",\n'
        '        description="Arrival of ground controllers on the Herat front.",\n    )\n'
        "    civilians_per_sortie: float = param(\n",
    )
    _edit(
        root,
        schema,
        '    shamali: Shamali = Field(default_factory=Shamali, description="The Shamali Plain'
        ' fight.")\n',
        '    shamali: Shamali = Field(default_factory=Shamali, description="The Shamali Plain'
        ' fight.")\n'
        '    herat: CityFall = Field(default_factory=CityFall, description="Herat falls.")\n',
    )
    # 3. The regenerated JSON Schema.
    _regenerate_schema(root)
    assert _touched(root) == [
        "scenarios/scenario.schema.json",
        "src/kabulsim/places.py",
        "src/kabulsim/scenario/schema.py",
    ]
    out = tmp_path / "run"
    _python(
        root, "-m", "kabulsim", "run", "scenarios/baseline.yaml", "--reps", "4", "--quiet",
        "--ensemble", "none", "--out", str(out),
    )  # fmt: skip
    summary = pd.read_parquet(out / "summary.parquet")
    series = pd.read_parquet(out / "series.parquet")
    for column in ("herat_line_broken", "herat_city_falls"):
        assert column in summary
    assert summary["herat_city_falls"].notna().any()
    for column in ("taliban_herat", "morale_herat"):
        assert column in series
    assert series["morale_herat"].min() < 1.0
    assert summary["conservation_error"].abs().max() < 1e-6
    assert (out / "figures").is_dir() and any((out / "figures").glob("*.png"))


# --- Add a city, with its front (one scenario file) -----------------------------------------

CITY_SCENARIO = """# A recipe example, not a historical claim: a city and the front covering it.
extends: baseline.yaml
name: city_example
cities:
  herat_city:
    label: Herat
    retreat: herat_road
    at: [34.35, 62.20]
fronts:
  herat:
    label: Herat
    taliban: 3000
    alliance: 4000
    controllers: 2001-11-01T00:00
    shares: [0.0, 0.1, 0.1]
    city: herat_city
    fall: {advance_h: 48}
"""


def test_recipe_add_a_city(tmp_path):
    root = _copy(tmp_path)
    # 1. One scenario file: the city under cities:, and the front that covers it.
    (root / "scenarios/city_example.yaml").write_text(CITY_SCENARIO, encoding="utf-8")
    assert _touched(root) == ["scenarios/city_example.yaml"]
    out = tmp_path / "run"
    _python(
        root, "-m", "kabulsim", "run", "scenarios/city_example.yaml", "--reps", "4", "--quiet",
        "--ensemble", "none", "--out", str(out),
    )  # fmt: skip
    summary = pd.read_parquet(out / "summary.parquet")
    assert (summary["error"] == "").all()
    assert summary["herat_city_falls"].replace("", None).notna().any()
    assert summary["conservation_error"].abs().max() < 1e-6  # its route is booked
    events = pd.read_parquet(out / "events.parquet")
    assert "herat_city_falls" in set(events["event"])
    assert (out / "figures" / "theatre_map.png").is_file()
