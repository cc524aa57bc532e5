"""Scenario sub-commands: ``show`` (the resolved scenario and its changes) and ``schema``."""

from __future__ import annotations

import argparse

from kabulsim.cli.common import safe_lines


def handle_show(args: argparse.Namespace) -> int:
    """Print the resolved scenario and its differences."""
    from kabulsim.folders.scenario import show_text

    # a name or description can hold control or bidirectional characters: escaped as `run` does
    print(safe_lines(show_text(args.scenario, args.overrides)))
    return 0


def handle_schema(args: argparse.Namespace) -> int:
    """Write the JSON Schema to a file or standard output."""
    from kabulsim.folders.scenario import write_schema
    from kabulsim.scenario.json_schema import scenario_json_schema_text

    if args.out is None:
        print(scenario_json_schema_text(), end="")
    else:
        write_schema(args.out)
    return 0
