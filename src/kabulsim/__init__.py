"""kabulsim: a discrete-event simulation of the 2001 offensive that took Kabul.

Public API:

* :func:`load_scenario` reads a YAML scenario into a validated :class:`Scenario`;
* :func:`simulate` runs one replication; :func:`run` runs many serially in memory, and
  :func:`run_many` on all cores or a Dask cluster, streaming results to a folder;
* parameter uncertainty: :func:`run`, :func:`validate` and :func:`sweep` draw each
  replication's parameters from the shipped baseline ensemble unless told otherwise
  (``ensemble="baseline"``, the default; ``ensemble=None`` for the scenario's single values;
  or an ensemble file), as the command line does; :func:`run_many` takes an explicit
  ensemble (None, its default: the single values), and :func:`simulate` runs one replication
  at the scenario's values;
* :func:`validate` checks a scenario against the record; :func:`compare` gives outcome
  differences with bootstrap intervals; :func:`sweep` and :func:`sensitivity` show which
  assumptions decide the outcome; :func:`with_values` changes parameters by dotted path;
* :mod:`kabulsim.plots` draws the figures and :mod:`kabulsim.report` writes an HTML report;
* :mod:`kabulsim.combat` is the standalone attrition engine.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from kabulsim._version import __version__

if TYPE_CHECKING:
    from kabulsim.analysis.compare import compare
    from kabulsim.analysis.describe import describe_table
    from kabulsim.analysis.sweep import parse_axis, with_values
    from kabulsim.analysis.validation import validate_summary
    from kabulsim.api import run, sensitivity, sweep, validate
    from kabulsim.experiments.runner import RunResult, run_many
    from kabulsim.model import Replication, simulate
    from kabulsim.scenario import Scenario, ScenarioError, load_scenario

_PUBLIC: dict[str, str] = {
    "compare": "kabulsim.analysis.compare",
    "describe_table": "kabulsim.analysis.describe",
    "sensitivity": "kabulsim.api",
    "parse_axis": "kabulsim.analysis.sweep",
    "sweep": "kabulsim.api",
    "with_values": "kabulsim.analysis.sweep",
    "validate": "kabulsim.api",
    "validate_summary": "kabulsim.analysis.validation",
    "RunResult": "kabulsim.experiments.runner",
    "run": "kabulsim.api",
    "run_many": "kabulsim.experiments.runner",
    "Replication": "kabulsim.model",
    "simulate": "kabulsim.model",
    "Scenario": "kabulsim.scenario",
    "ScenarioError": "kabulsim.scenario",
    "load_scenario": "kabulsim.scenario",
}
"""Where each name of the public API lives. ``import kabulsim`` imports none of them: a name
is imported on first use (PEP 562), so that the command line and worker processes load only
what they need (pandas, SciPy and SALib cost seconds to import)."""


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'kabulsim' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_PUBLIC])


__all__ = [
    "Replication",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "__version__",
    "compare",
    "describe_table",
    "load_scenario",
    "parse_axis",
    "run",
    "run_many",
    "sensitivity",
    "simulate",
    "sweep",
    "validate",
    "validate_summary",
    "with_values",
]
