"""kabulsim: a discrete-event simulation of the 2001 offensive that took Kabul.

Public API:

* :func:`load_scenario` reads a YAML scenario into a validated :class:`Scenario`;
* :func:`simulate` runs one replication; :func:`run` runs many serially in memory, and
  :func:`run_many` on all cores or a Dask cluster, streaming results to a folder;
* :mod:`kabulsim.combat` is the standalone attrition engine.
"""

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
    "load_scenario",
    "run",
    "run_many",
    "simulate",
]
