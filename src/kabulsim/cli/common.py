"""Arguments and helpers shared by the sub-commands."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from kabulsim.scenario import Scenario, load_scenario


class UsageError(ValueError):
    """A bad command-line value; reported as one line, exit status 2."""


def add_scenario_arguments(parser: argparse.ArgumentParser, *, required: bool) -> None:
    """Add the SCENARIO positional argument and repeatable ``--set path.to.key=value``."""
    parser.add_argument(
        "scenario",
        metavar="SCENARIO",
        nargs=None if required else "?",
        default=None,
        help="scenario YAML file" + ("" if required else " (default: the built-in baseline)"),
    )
    parser.add_argument(
        "--set",
        dest="overrides",
        metavar="KEY=VALUE",
        action="append",
        default=[],
        help="override one scenario value, e.g. --set alliance.hold_back_h=336 (repeatable)",
    )


def resolve_scenario(args: argparse.Namespace) -> Scenario:
    """Load the scenario named on the command line, with its ``--set`` overrides applied."""
    path = Path(args.scenario) if args.scenario is not None else None
    return load_scenario(path, overrides=list(args.overrides))


def _whole_number(text: str, minimum: int) -> int:
    """Parse an integer >= ``minimum``; argparse reports the error as a usage error."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a whole number >= {minimum}, got {text!r}"
        ) from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"expected a whole number >= {minimum}, got {value}")
    return value


def positive_int(text: str) -> int:
    """Argparse type: an integer >= 1."""
    return _whole_number(text, 1)


def seed_int(text: str) -> int:
    """Argparse type: a seed, an integer >= 0."""
    return _whole_number(text, 0)


def add_engine_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--workers`` and ``--scheduler``: where the replications run."""
    parser.add_argument(
        "--workers",
        type=positive_int,
        default=None,
        help=f"local worker processes (default: all cores, here {os.cpu_count()})",
    )
    parser.add_argument(
        "--scheduler",
        default=None,
        metavar="tcp://HOST:PORT",
        help="run the batches on an existing Dask distributed cluster (needs the dask extra)",
    )
