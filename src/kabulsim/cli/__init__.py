"""The ``kabulsim`` command: parses arguments, calls the library, presents the results.

Each sub-command lives in its own module with a ``register(subparsers)`` function. Errors in
the user's input (files, YAML, values) are reported as one line on standard error with exit
status 2 and no traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from kabulsim import __version__
from kabulsim.cli import explorer, present, scenario_cmds, study
from kabulsim.cli import params as params_cmd
from kabulsim.cli import run as run_cmd
from kabulsim.cli import validate as validate_cmd
from kabulsim.cli.common import UsageError
from kabulsim.scenario import ScenarioError


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command registered."""
    parser = argparse.ArgumentParser(
        prog="kabulsim",
        description="Simulate the October-November 2001 offensive that took Kabul: run"
        " scenarios, validate the baseline against the record, and inspect parameters.",
    )
    parser.add_argument("--version", action="version", version=f"kabulsim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    run_cmd.register(sub)
    validate_cmd.register(sub)
    params_cmd.register(sub)
    scenario_cmds.register(sub)
    study.register(sub)
    present.register(sub)
    explorer.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``kabulsim`` console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status: int = args.handler(args)
    except (ScenarioError, UsageError) as exc:
        print(f"kabulsim: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("kabulsim: interrupted", file=sys.stderr)
        return 130
    return status
