"""kabulsim: a discrete-event simulation of the 2001 offensive that took Kabul.

Public API:

* :func:`load_scenario` reads a YAML scenario into a validated :class:`Scenario`;
* :func:`simulate` runs one replication; :func:`run` runs many serially in memory, and
  :func:`run_many` on all cores or a Dask cluster, streaming results to a folder;
* :func:`validate` checks a scenario against the record; :func:`compare` gives outcome
  differences with bootstrap intervals; :func:`sweep` and :func:`sensitivity` show which
  assumptions decide the outcome; :func:`with_values` changes parameters by dotted path;
* :mod:`kabulsim.plots` draws the figures and :mod:`kabulsim.report` writes an HTML report;
* :mod:`kabulsim.combat` is the standalone attrition engine.
"""

from kabulsim.analysis.compare import compare
from kabulsim.analysis.describe import describe_table
from kabulsim.analysis.sensitivity import sensitivity
from kabulsim.analysis.sweep import parse_axis, sweep, with_values
from kabulsim.analysis.validation import validate, validate_summary
from kabulsim.experiments.runner import RunResult, run, run_many
from kabulsim.model import Replication, simulate
from kabulsim.scenario import Scenario, ScenarioError, load_scenario

__version__ = "0.1.0"

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
