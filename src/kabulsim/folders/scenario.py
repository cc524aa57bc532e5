"""A scenario as ``kabulsim show`` and ``params`` print it, and the scenario format's JSON Schema.

:func:`show_text` resolves a scenario file (what it extends, the ``--set`` overrides, the
schema's defaults) and lists what each step changes; :func:`params_text` is the provenance
table of its parameters; :func:`write_schema` writes the JSON Schema editors read. Nothing
here prints.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kabulsim.folders import StudyError

if TYPE_CHECKING:
    import pandas as pd

    from kabulsim.scenario.schema import Scenario


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


def show_text(path: str | Path, overrides: Sequence[str] = ()) -> str:
    """The scenario with every value resolved, as YAML, then what differs and from what.

    The differences are listed from the file without ``overrides`` (when there are some),
    from the file it extends (when it extends one) and from the baseline defaults.

    Raises:
        ScenarioError: anything wrong with the file, what it extends, or the overrides.
    """
    import yaml

    from kabulsim.scenario.loading import resolve
    from kabulsim.scenario.schema import Scenario

    resolved = resolve(path, list(overrides))
    scenario = resolved.scenario
    text = yaml.safe_dump(
        scenario.model_dump(mode="json"), sort_keys=False, allow_unicode=True, width=100
    )
    out = [text.rstrip("\n"), ""]
    if overrides:
        plain = resolve(path).scenario
        out += [*format_differences(f"changed by --set (from {path})", plain, scenario), ""]
    if resolved.extends is not None:
        parent = resolve(resolved.extends).scenario
        title = f"differences from {resolved.extends} (the file it extends)"
        out += [*format_differences(title, parent, scenario), ""]
    out += format_differences("differences from the baseline defaults", Scenario(), scenario)
    return "\n".join(out)


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


def params_text(scenario: Scenario, format: str = "terminal") -> str:
    """Every parameter of ``scenario`` with its value, units, range and source, as text.

    Args:
        scenario: the scenario whose provenance table is written.
        format: ``terminal`` (one block per parameter), ``markdown`` (a table) or ``csv``.
    """
    from kabulsim.calibration.identifiability import shipped_verdicts
    from kabulsim.scenario.provenance import provenance_table

    table = provenance_table(scenario, shipped_verdicts())
    if format == "csv":
        text: str = table.to_csv(index=False)
        return text
    return (render_markdown(table) if format == "markdown" else render_terminal(table)) + "\n"


def write_schema(out: Path) -> None:
    """Write the scenario format's JSON Schema (units and sources in its descriptions) to ``out``.

    Raises:
        StudyError: ``out`` is a folder, its folder does not exist, or it cannot be written.
    """
    from kabulsim.scenario.json_schema import scenario_json_schema_text

    if out.is_dir():
        raise StudyError(f"--out {out}: is a folder; expected a file name for the JSON Schema")
    if not out.parent.is_dir():
        raise StudyError(f"--out {out}: folder {out.parent} does not exist")
    try:
        out.write_text(scenario_json_schema_text(), encoding="utf-8")
    except OSError as exc:
        raise StudyError(f"--out {out}: cannot write ({exc.strerror})") from None
