"""``kabulsim params``: print the provenance table of a scenario's parameters."""

from __future__ import annotations

import argparse
import sys
import textwrap
from typing import TYPE_CHECKING

from kabulsim.cli.common import resolve_scenario

if TYPE_CHECKING:
    import pandas as pd


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
