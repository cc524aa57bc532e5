"""Test helpers: build scenarios from the baseline with dotted-path changes."""

from __future__ import annotations

from typing import Any

from kabulsim.scenario.schema import Scenario


def scenario_with(**changes: Any) -> Scenario:
    """The baseline with changes given as dotted paths: scenario_with(**{"air.x": 1})."""
    data = Scenario().model_dump()
    for path, value in changes.items():
        *parents, last = path.split(".")
        node = data
        for key in parents:
            node = node[key]
        node[last] = value
    return Scenario.model_validate(data)
