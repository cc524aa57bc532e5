"""Scenario sub-commands: ``show`` (resolved, and its changes), ``params`` and ``schema``."""

from __future__ import annotations

import argparse

from kabulsim.cli.common import resolve_scenario
from kabulsim.textsafe import terminal_lines


def handle_show(args: argparse.Namespace) -> int:
    """Print the resolved scenario and its differences."""
    from kabulsim.folders.scenario import show_text

    # a name or description can hold control or bidirectional characters: escaped as `run` does
    print(terminal_lines(show_text(args.scenario, args.overrides)))
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


def handle_params(args: argparse.Namespace) -> int:
    """Print the provenance table in the chosen format."""
    from kabulsim.folders.scenario import params_text

    print(params_text(resolve_scenario(args), args.format), end="")
    return 0
