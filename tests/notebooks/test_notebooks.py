"""The teaching notebooks: committed without outputs, import only kabulsim, run top to bottom.

Every notebook is executed once in a fresh kernel with ``KABULSIM_NOTEBOOK_REPS=30`` (set in
the environment, which the kernel inherits), from the ``notebooks`` folder as the working
directory, as a user would open it.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path
from typing import Any

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
NAMES = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
REPS = "30"
_REPS_BEFORE = os.environ.get("KABULSIM_NOTEBOOK_REPS")

ALLOWED_IMPORTS = {"kabulsim", "os", "pathlib", "datetime", "pandas", "IPython", "ipywidgets"}
"""Notebooks narrate: they import kabulsim and display helpers, never model code of their own."""

MIN_FIGURES = {
    "01_baseline.ipynb": 4,
    "02_hold_back.ipynb": 5,
    "03_air_power.ipynb": 3,
    "04_what_if_lab.ipynb": 2,
    "05_what_the_record_tells_us.ipynb": 2,
    "06_campaign_after_kabul.ipynb": 3,
}

_executed: dict[str, Any] = {}


def executed(name: str) -> Any:
    """The notebook after running it (once per test session)."""
    if name not in _executed:
        nb = nbformat.read(NOTEBOOKS / name, as_version=4)
        client = nbclient.NotebookClient(
            nb,
            timeout=600,
            kernel_name="python3",
            resources={"metadata": {"path": str(NOTEBOOKS)}},
        )
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("KABULSIM_NOTEBOOK_REPS", REPS)
            client.execute()
        _executed[name] = nb
    return _executed[name]


def _code(nb: Any) -> list[str]:
    return [cell.source for cell in nb.cells if cell.cell_type == "code"]


def _python(source: str) -> str:
    """Cell source without IPython magics, so that ast can parse it."""
    return "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("%"))


def _outputs(nb: Any) -> list[dict[str, Any]]:
    return [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs]


def _text(nb: Any) -> str:
    parts = []
    for out in _outputs(nb):
        if out.get("output_type") == "stream":
            parts.append(out.get("text", ""))
        parts.append(out.get("data", {}).get("text/plain", ""))
        parts.append(out.get("data", {}).get("text/html", ""))
    return "\n".join(parts)


def test_there_are_six_notebooks() -> None:
    assert NAMES == [
        "01_baseline.ipynb",
        "02_hold_back.ipynb",
        "03_air_power.ipynb",
        "04_what_if_lab.ipynb",
        "05_what_the_record_tells_us.ipynb",
        "06_campaign_after_kabul.ipynb",
    ]


@pytest.mark.parametrize("name", NAMES)
def test_committed_without_outputs(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{name}: a code cell has outputs"
            assert cell.execution_count is None, f"{name}: a code cell has an execution count"


@pytest.mark.parametrize("name", NAMES)
def test_structure(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    markdown = [c for c in nb.cells if c.cell_type == "markdown"]
    assert len(markdown) >= len(_code(nb)) // 2, f"{name}: too little prose"
    code = "\n".join(_code(nb))
    assert 'REPS = int(os.environ.get("KABULSIM_NOTEBOOK_REPS", "400"))' in code
    for source in _code(nb):
        tree = ast.parse(_python(source))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            else:
                continue
            for module in modules:
                assert module.split(".")[0] in ALLOWED_IMPORTS, f"{name} imports {module}"
        assert "simpy" not in source


@pytest.mark.parametrize("name", NAMES)
def test_runs_and_draws(name: str) -> None:
    nb = executed(name)
    outputs = _outputs(nb)
    errors = [out for out in outputs if out.get("output_type") == "error"]
    assert not errors
    assert f"{REPS} replications per scenario" in _text(nb), "REPS did not reach the kernel"
    figures = [out for out in outputs if "image/png" in out.get("data", {})]
    assert len(figures) >= MIN_FIGURES[name], f"{name}: {len(figures)} figures"


def test_baseline_notebook_content() -> None:
    text = _text(executed("01_baseline.ipynb"))
    assert "Mazar-i-Sharif falls about five days before Kabul" in text  # the validation table
    assert "calibrated" in text  # the provenance table
    assert "alliance_enters_kabul" in text  # the outcome table


def test_hold_back_notebook_content() -> None:
    text = _text(executed("02_hold_back.ipynb"))
    assert "alliance.hold_back_h" in text
    assert "control_breadth" in text and "vacuum_h" in text
    assert "meaningful" in text
    # did holding back change the south? (issue 25): the south beside Kabul, paired
    assert "south collapsed before the Interim Authority" in text
    assert "kandahar_falls" in text and "tora_bora_escaped" in text


def test_air_power_notebook_content() -> None:
    text = _text(executed("03_air_power.ipynb"))
    assert "both (2001)" in text and "none" in text
    assert "p_fallen_by_2001-11-15" in text and "kabul_falls" in text


def test_record_notebook_content() -> None:
    text = _text(executed("05_what_the_record_tells_us.ipynb"))
    assert "width_ratio" in text and "left free" in text  # the identifiability table
    assert "fixed values" in text and "ensemble" in text  # the counterfactuals both ways


def test_campaign_after_kabul_notebook_content() -> None:
    text = _text(executed("06_campaign_after_kabul.ipynb"))
    assert "kunduz_falls" in text and "tora_bora_ends" in text  # the four places' dates
    assert "held-out facts inside their predicted 50% intervals" in text  # the coverage line
    assert "independent only:" in text
    assert "no airlift" in text and "blocking force" in text  # the two counterfactuals
    assert "fitted facts pass at 30 replications" in text


def test_what_if_lab_has_one_change_cell() -> None:
    nb = executed("04_what_if_lab.ipynb")
    changes = [s for s in _code(nb) if "CHANGE HERE" in s and "CHANGE = {" in s]
    assert len(changes) == 1
    assert "north.shock" in _text(nb)


@pytest.mark.parametrize("name", NAMES)
def test_nothing_written_next_to_notebooks(name: str) -> None:
    executed(name)
    leftovers = {p.name for p in NOTEBOOKS.iterdir()} - set(NAMES) - {".ipynb_checkpoints"}
    assert not leftovers, f"running the notebooks wrote {sorted(leftovers)}"
    assert os.environ.get("KABULSIM_NOTEBOOK_REPS") == _REPS_BEFORE, "the environment leaked"
