"""``kabulsim params``: print the provenance table of a scenario's parameters."""

from __future__ import annotations

import argparse
import sys
import textwrap
from typing import TYPE_CHECKING

from kabulsim.cli.common import SCENARIO_OR_BASELINE, add_command, opt, resolve_scenario

if TYPE_CHECKING:
    import pandas as pd


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``params`` sub-command."""
    add_command(
        sub, "params", handle, [
            SCENARIO_OR_BASELINE, "--set",
            opt("--format", choices=["terminal", "markdown", "csv"], default="terminal",
                help="output format (default: %(default)s)"),
        ],
        help="print every parameter with its value, units, range and source",
        description="Print the provenance table: every parameter of the scenario with its"
        " value, the baseline default, units, plausible range, the kind of source and the"
        " source itself (a quoted sentence, a reference, or an assumption with its reason), and"
        " for the calibrated parameters what the record does to them in the shipped ensemble"
        " (pinned, narrowed or left free, with the posterior/prior width ratio).",
    )  # fmt: skip


def render_terminal(table: pd.DataFrame, width: int = 100) -> str:
    """A plain-text rendering: one block per parameter, the source wrapped."""
    lines: list[str] = []
    for row in table.astype(str).to_dict("records"):
        changed = "" if row["value"] == row["default"] else f"   (baseline: {row['default']})"
        lines.append(f"{row['parameter']} = {row['value']} [{row['units']}]{changed}")
        if row["plausible_range"]:
            lines.append(f"    plausible: {row['plausible_range']}")
        if row.get("record"):
            lines.append(f"    calibrated against the record: {row['record']}")
        lines.extend(
            textwrap.wrap(
                f"{row['kind']}: {row['source']}",
                width=width,
                initial_indent="    ",
                subsequent_indent="      ",
            )
        )
    return "\n".join(lines)


def render_markdown(table: pd.DataFrame) -> str:
    """A GitHub-flavoured markdown table."""

    def cell(text: object) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")

    out = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
    for row in table.itertuples(index=False):
        out.append("| " + " | ".join(cell(v) for v in row) + " |")
    return "\n".join(out)


def handle(args: argparse.Namespace) -> int:
    """Print the table in the chosen format."""
    from kabulsim.calibration.identifiability import shipped_verdicts
    from kabulsim.scenario.provenance import provenance_table

    table = provenance_table(resolve_scenario(args), shipped_verdicts())
    if args.format == "csv":
        table.to_csv(sys.stdout, index=False)
    elif args.format == "markdown":
        print(render_markdown(table))
    else:
        print(render_terminal(table))
    return 0
