"""Scenarios: the validated schema (one part per phase) and loading from YAML files."""

from kabulsim.scenario.loading import ScenarioError, load_scenario
from kabulsim.scenario.schema import Scenario

__all__ = ["Scenario", "ScenarioError", "load_scenario"]
