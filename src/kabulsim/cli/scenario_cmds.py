"""Scenario sub-commands: ``show`` (the resolved scenario and its changes) and ``schema``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kabulsim.cli.common import UsageError, add_scenario_arguments, safe_text

if TYPE_CHECKING:
    from kabulsim.scenario.schema import Scenario


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the scenario sub-commands."""
    p = sub.add_parser(
        "show",
        help="print a scenario fully resolved, and what it changes",
        description="Print the scenario with every value resolved (the file, what it extends,"
        " the --set overrides and the schema defaults) as YAML, then what differs from the"
        " file it extends and from the baseline defaults, as 'key: old -> new' lines.",
    )
    add_scenario_arguments(p, required=True)
    p.set_defaults(handler=handle_show)

    s = sub.add_parser(
        "schema",
        help="write the JSON Schema of the scenario format (for editors)",
        description="Write the JSON Schema of scenario files, with units and sources in the"
        " descriptions. Editors with yaml-language-server use it through the modeline"
        " '# yaml-language-server: $schema=./scenario.schema.json'.",
    )
    s.add_argument(
        "--out", type=Path, default=None, help="file to write (default: standard output)"
    )
    s.set_defaults(handler=handle_schema)


def _flow(value: Any) -> str:
    """A value on one line, as it would be written in YAML."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value == "":
        return '""'
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def format_differences(title: str, old: Scenario, new: Scenario) -> list[str]:
    """A titled block of ``key: old -> new`` lines (or a note that nothing differs)."""
    from kabulsim.scenario.loading import differences

    lines = [f"# {title}:"]
    diffs = differences(old, new)
    if not diffs:
        lines.append("# (no differences)")
    lines.extend(f"{key}: {_flow(a)} -> {_flow(b)}" for key, a, b in diffs)
    return lines


def handle_show(args: argparse.Namespace) -> int:
    """Print the resolved scenario and its differences."""
    import yaml

    from kabulsim.scenario.loading import resolve
    from kabulsim.scenario.schema import Scenario

    resolved = resolve(args.scenario, list(args.overrides))
    scenario = resolved.scenario
    text = yaml.safe_dump(
        scenario.model_dump(mode="json"), sort_keys=False, allow_unicode=True, width=100
    )
    out = [text.rstrip("\n"), ""]
    if args.overrides:
        plain = resolve(args.scenario).scenario
        out += format_differences(f"changed by --set (from {args.scenario})", plain, scenario)
        out.append("")
    if resolved.extends is not None:
        parent = resolve(resolved.extends).scenario
        out += format_differences(
            f"differences from {resolved.extends} (the file it extends)", parent, scenario
        )
        out.append("")
    out += format_differences("differences from the baseline defaults", Scenario(), scenario)
    # a name or description can hold control or bidirectional characters: escaped as `run` does
    print("\n".join(safe_text(line) for line in "\n".join(out).split("\n")))
    return 0


def handle_schema(args: argparse.Namespace) -> int:
    """Write the JSON Schema to a file or standard output."""
    from kabulsim.scenario.json_schema import scenario_json_schema_text

    text = scenario_json_schema_text()
    out: Path | None = args.out
    if out is None:
        print(text, end="")
        return 0
    if out.is_dir():
        raise UsageError(f"--out {out}: is a folder; expected a file name for the JSON Schema")
    if not out.parent.is_dir():
        raise UsageError(f"--out {out}: folder {out.parent} does not exist")
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"--out {out}: cannot write ({exc.strerror})") from None
    return 0
