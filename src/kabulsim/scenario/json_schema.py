"""The JSON Schema of the scenario format, for editors (yaml-language-server) and checks."""

from __future__ import annotations

import json
from typing import Any

from kabulsim.scenario.schema import Scenario

SCHEMA_URI = "https://json-schema.org/draft/2020-12/schema"

DATETIME_PATTERN = (
    r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?\s*(Z|[+-]\d{2}(:?\d{2})?)?$"
)
"""Dates as the loader accepts them: seconds and offset optional (local time by default)."""


def _describe(node: Any) -> None:
    """Fold units, range and source into each parameter's description; relax date formats."""
    if isinstance(node, dict):
        if "units" in node and "source" in node:
            parts = [str(node.get("description", "")).rstrip(".") + "."]
            parts.append(f"Units: {node['units']}.")
            rng = node.get("plausible_range")
            if isinstance(rng, list) and len(rng) == 2:
                parts.append(f"Plausible range: {rng[0]:g} to {rng[1]:g}.")
            parts.append(f"Source ({node.get('source_kind', 'source')}): {node['source']}")
            node["description"] = " ".join(parts)
        if node.get("format") == "date-time":
            del node["format"]
            node["pattern"] = DATETIME_PATTERN
        for value in node.values():
            _describe(value)
    elif isinstance(node, list):
        for value in node:
            _describe(value)


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema of a scenario file, with the top-level ``extends`` key allowed."""
    schema = Scenario.model_json_schema()
    _describe(schema)
    properties = {
        "extends": {
            "type": "string",
            "title": "Extends",
            "description": "Scenario file this one builds on, relative to this file (e.g."
            " baseline.yaml). Mappings are merged key by key; lists and values replace.",
        },
        **schema["properties"],
    }
    return {
        "$schema": SCHEMA_URI,
        "$id": "scenario.schema.json",
        **{k: v for k, v in schema.items() if k != "properties"},
        "properties": properties,
    }


def scenario_json_schema_text() -> str:
    """The JSON Schema as the text committed in ``scenarios/scenario.schema.json``."""
    return json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False) + "\n"
