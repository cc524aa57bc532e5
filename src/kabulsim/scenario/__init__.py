"""Scenarios: the validated schema (one part per phase) and loading from YAML files."""

from kabulsim.scenario.json_schema import scenario_json_schema
from kabulsim.scenario.loading import Resolved, ScenarioError, load_scenario, resolve
from kabulsim.scenario.schema import Scenario

__all__ = [
    "Resolved",
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "resolve",
    "scenario_json_schema",
]
