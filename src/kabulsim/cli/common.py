"""Arguments and helpers shared by the sub-commands."""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from kabulsim.limits import MAX_REPS, MAX_SEED, MAX_WORKERS
from kabulsim.textsafe import terminal_text

if TYPE_CHECKING:
    import pandas as pd

    from kabulsim.calibration.ensemble import Ensemble
    from kabulsim.scenario import Scenario


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


def resolve_scenario(args: argparse.Namespace, *, warn: bool = True) -> Scenario:
    """Load the scenario named on the command line, with its ``--set`` overrides applied.

    A value outside its plausible range is accepted with one warning line on stderr
    (:func:`warn_implausible`; ``warn=False`` for a command that checks what it runs
    itself, such as a sweep's grid points).
    """
    from kabulsim.scenario import load_scenario

    path = Path(args.scenario) if args.scenario is not None else None
    scenario = load_scenario(path, overrides=list(args.overrides))
    if warn:
        warn_implausible(scenario)
    return scenario


def warn_implausible(*scenarios: Scenario) -> list[str]:
    """Print one warning line per value outside its plausible range, over all ``scenarios``.

    The one warning path of the commands (``run``, ``compare``, ``sweep``, ``explorer`` ...):
    the lines are :func:`kabulsim.scenario.provenance.implausible`'s, each printed once.

    Returns:
        The lines printed (without the ``kabulsim: warning:`` prefix).
    """
    from kabulsim.scenario.provenance import implausible

    lines = implausible(*scenarios)
    for line in lines:
        print(f"kabulsim: warning: {safe_text(line)}", file=sys.stderr)
    return lines


def safe_text(text: object) -> str:
    """``text`` with every control character shown as an escape.

    Control characters, bidirectional controls and lone surrogates (from undecodable
    command-line bytes) are never sent raw to the terminal
    (:func:`kabulsim.textsafe.terminal_text`).
    """
    return terminal_text(text)


def plain_number(value: float) -> str:
    """A number for the terminal in full, never in scientific notation (1,018, not 1.02e+03)."""
    size = abs(value)
    if size != size or size == float("inf"):
        return str(value)
    if size >= 100:
        return f"{value:,.0f}"
    if size >= 1:
        return f"{value:.3g}"
    return f"{value:.3f}"


def safe_table(frame: pd.DataFrame) -> str:
    """A table for the terminal, with control characters in any cell escaped."""
    text = frame.to_string(index=False, float_format=plain_number)
    return "\n".join(safe_text(line) for line in text.splitlines())


def _whole_number(text: str, minimum: int, maximum: int) -> int:
    """Parse an integer in [``minimum``, ``maximum``]; argparse reports a usage error."""
    expected = f"expected a whole number from {minimum} to {maximum:,}"
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{expected}, got {safe_text(repr(text))}") from None
    if not minimum <= value <= maximum:
        raise argparse.ArgumentTypeError(f"{expected}, got {value}")
    return value


def bounded_int(minimum: int, maximum: int) -> Callable[[str], int]:
    """Argparse type: an integer from ``minimum`` to ``maximum``."""
    return partial(_whole_number, minimum=minimum, maximum=maximum)


def _finite_number(text: str, above: float, maximum: float) -> float:
    """Parse a finite number in (``above``, ``maximum``]; argparse reports a usage error."""
    expected = f"expected a number above {above:g} and at most {maximum:g}"
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{expected}, got {safe_text(repr(text))}") from None
    if not (math.isfinite(value) and above < value <= maximum):
        raise argparse.ArgumentTypeError(f"{expected}, got {safe_text(text)}")
    return value


def bounded_float(above: float, maximum: float) -> Callable[[str], float]:
    """Argparse type: a finite number greater than ``above``, at most ``maximum``."""
    return partial(_finite_number, above=above, maximum=maximum)


positive_int = bounded_int(1, MAX_REPS)
"""Argparse type: an integer from 1 to :data:`~kabulsim.limits.MAX_REPS`."""

seed_int = bounded_int(0, MAX_SEED)
"""Argparse type: a seed, an integer from 0 to 2**63 - 1."""


def add_engine_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--workers`` and ``--scheduler``: where the replications run."""
    parser.add_argument(
        "--workers",
        type=bounded_int(1, MAX_WORKERS),
        default=None,
        help=f"local worker processes (default: all cores, here {os.cpu_count()})",
    )
    parser.add_argument(
        "--scheduler",
        default=None,
        metavar="tcp://HOST:PORT",
        help="run the batches on an existing Dask distributed cluster (needs the dask extra)",
    )


ENSEMBLE_HELP = (
    "parameter uncertainty: 'baseline' (the default: the calibrated ensemble shipped with"
    " kabulsim, because ten parameters are known from no source and many sets of them"
    " reproduce the record), 'none' (the scenario's single values) or an ensemble file from"
    " kabulsim calibrate (STEM.parquet); replication i takes the parameters of a member drawn"
    " by weight from (seed, i), except those the scenario changes, which keep the scenario's"
    " values"
)


def add_ensemble_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--ensemble FILE|baseline|none`` (left None when not given: the default)."""
    parser.add_argument(
        "--ensemble", default=None, metavar="FILE|baseline|none", help=ENSEMBLE_HELP
    )


def resolve_ensemble(args: argparse.Namespace) -> Ensemble | None:
    """The ensemble named by ``--ensemble``: the baseline's when not given, None for 'none'."""
    from kabulsim.calibration import ensemble

    given = getattr(args, "ensemble", None)
    try:
        return ensemble.resolve(ensemble.DEFAULT if given is None else str(given))
    except ensemble.EnsembleError as exc:
        raise UsageError(f"--ensemble {exc}") from None
