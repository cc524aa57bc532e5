"""Scenario sub-commands: ``show`` (the resolved scenario and its changes) and ``schema``."""

from __future__ import annotations

import argparse

from kabulsim.cli.common import add_command, opt, safe_lines


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the scenario sub-commands."""
    add_command(
        sub, "show", handle_show, ["scenario", "--set"],
        help="print a scenario fully resolved, and what it changes",
        description="Print the scenario with every value resolved (the file, what it extends,"
        " the --set overrides and the schema defaults) as YAML, then what differs from the"
        " file it extends and from the baseline defaults, as 'key: old -> new' lines.",
    )  # fmt: skip
    add_command(
        sub, "schema", handle_schema, [
            opt("--out", help="file to write (default: standard output)"),
        ],
        help="write the JSON Schema of the scenario format (for editors)",
        description="Write the JSON Schema of scenario files, with units and sources in the"
        " descriptions. Editors with yaml-language-server use it through the modeline"
        " '# yaml-language-server: $schema=./scenario.schema.json'.",
    )  # fmt: skip


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
