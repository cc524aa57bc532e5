"""What the sub-commands share: argument types, the options table, and how results are shown.

The options several commands take (``--reps``, ``--seed``, ``--workers``, ``--ensemble``,
``--out``, ``--force`` ...) are declared once in :data:`OPTIONS`, with their type, default
and help text; a command lists them by name, changing only what differs for it (its
default, a more precise help), and :func:`add_command` builds its parser from that list.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kabulsim.limits import DEFAULT_REPS, MAX_REPS, MAX_SEED, MAX_WORKERS
from kabulsim.textsafe import terminal_text

if TYPE_CHECKING:
    import pandas as pd

    from kabulsim.calibration.ensemble import Ensemble
    from kabulsim.experiments.progress import ProgressBar
    from kabulsim.plots.io import FigureFailure
    from kabulsim.scenario import Scenario


class UsageError(ValueError):
    """A bad command-line value; reported as one line, exit status 2."""


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

Option = tuple[str, dict[str, Any]]
"""An option: its names (``"-o --output"``, or a positional's dest) and ``add_argument``'s
keywords. In help texts argparse replaces ``%(default)s`` with the option's default."""


def opt(names: str, **keywords: Any) -> Option:
    """An option of one command, or a shared one (:data:`OPTIONS`) with keywords changed."""
    return names, keywords


ENSEMBLE_HELP = (
    "parameter uncertainty: 'baseline' (the default: the calibrated ensemble shipped with"
    " kabulsim, because ten parameters are known from no source and many sets of them"
    " reproduce the record), 'none' (the scenario's single values) or an ensemble file from"
    " kabulsim calibrate (STEM.parquet); replication i takes the parameters of a member drawn"
    " by weight from (seed, i), except those the scenario changes, which keep the scenario's"
    " values"
)

OPTIONS: dict[str, dict[str, Any]] = {
    "scenario": {"metavar": "SCENARIO", "help": "scenario YAML file"},
    "--set": {
        "dest": "overrides",
        "metavar": "KEY=VALUE",
        "action": "append",
        "default": [],
        "help": "override one scenario value, e.g. --set alliance.hold_back_h=336 (repeatable)",
    },
    "--reps": {
        "type": positive_int,
        "default": DEFAULT_REPS,
        "help": "replications (default %(default)s)",
    },
    "--seed": {"type": seed_int, "default": 0, "help": "the run's seed (default %(default)s)"},
    "--ensemble": {"default": None, "metavar": "FILE|baseline|none", "help": ENSEMBLE_HELP},
    "--workers": {
        "type": bounded_int(1, MAX_WORKERS),
        "default": None,
        "help": f"local worker processes (default: all cores, here {os.cpu_count()})",
    },
    "--scheduler": {
        "default": None,
        "metavar": "tcp://HOST:PORT",
        "help": "run the batches on an existing Dask distributed cluster (needs the dask extra)",
    },
    "--out": {"type": Path, "default": None, "help": "output folder"},
    "--force": {
        "action": "store_true",
        "help": "replace an earlier kabulsim result in --out (never a folder holding other files)",
    },
    "--quiet": {"action": "store_true", "help": "no progress bar and no table"},
}
"""The options several commands share, declared once: type, default and help."""

SCENARIO_OR_BASELINE = opt(
    "scenario", nargs="?", default=None, help="scenario YAML file (default: the built-in baseline)"
)
"""The SCENARIO positional where it may be left out."""


def add_command(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    handler: Callable[[argparse.Namespace], int],
    options: Sequence[str | Option],
    *,
    help: str,
    description: str,
    epilog: str | None = None,
) -> argparse.ArgumentParser:
    """Add the sub-command ``name``, its options in the order given, and its ``handler``.

    Args:
        sub: the sub-parsers of the ``kabulsim`` parser.
        name: the command's name.
        handler: what runs the command; returns the exit status.
        options: each a name in :data:`OPTIONS`, or an :func:`opt` (a shared option's
            keywords updated, or an option of this command alone); ``exclusive=GROUP``
            puts an option in a mutually exclusive group.
        help: the line in ``kabulsim --help``.
        description: the paragraph of ``kabulsim NAME --help``.
        epilog: the example below the options.
    """
    p = sub.add_parser(name, help=help, description=description, epilog=epilog)
    groups: dict[str, argparse._MutuallyExclusiveGroup] = {}
    for option in options:
        names, keywords = (option, {}) if isinstance(option, str) else option
        merged = {**OPTIONS.get(names, {}), **keywords}
        group = merged.pop("exclusive", None)
        if group is not None and group not in groups:
            groups[group] = p.add_mutually_exclusive_group()
        target = p if group is None else groups[group]
        target.add_argument(*names.split(), **merged)
    p.set_defaults(handler=handler)
    return p


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


def warning(line: str) -> None:
    """Print ``line`` as a ``kabulsim: warning:`` line on standard error."""
    print(f"kabulsim: warning: {safe_text(line)}", file=sys.stderr)


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
        warning(line)
    return lines


def resolve_ensemble(args: argparse.Namespace) -> Ensemble | None:
    """The ensemble named by ``--ensemble``: the baseline's when not given, None for 'none'."""
    from kabulsim.calibration import ensemble

    given = getattr(args, "ensemble", None)
    try:
        return ensemble.resolve(ensemble.DEFAULT if given is None else str(given))
    except ensemble.EnsembleError as exc:
        raise UsageError(f"--ensemble {exc}") from None


@contextmanager
def running(args: argparse.Namespace, stopped: str) -> Iterator[tuple[Any, ProgressBar | None]]:
    """The Dask client (or None) and the progress bar of a command that runs replications.

    The client and SIGTERM come from :func:`kabulsim.folders.engine.engine_session`; the bar
    is drawn unless ``--quiet`` or standard error is not a terminal. On an interruption the
    bar is closed and ``stopped`` (what was kept and how to finish) is printed.
    """
    from kabulsim.experiments.progress import ProgressBar
    from kabulsim.folders.engine import engine_session

    bar = ProgressBar(sys.stderr) if not args.quiet and sys.stderr.isatty() else None
    try:
        with engine_session(args.scheduler) as client:
            yield client, bar
    except KeyboardInterrupt:
        if bar is not None:
            bar.close()
            bar = None
        print(f"kabulsim: stopped; {stopped}", file=sys.stderr)
        raise
    finally:
        if bar is not None:
            bar.close()


def safe_text(text: object) -> str:
    """``text`` with every control character shown as an escape.

    Control characters, bidirectional controls and lone surrogates (from undecodable
    command-line bytes) are never sent raw to the terminal
    (:func:`kabulsim.textsafe.terminal_text`).
    """
    return terminal_text(text)


def safe_lines(text: str) -> str:
    """A text of several lines for the terminal, each line escaped (:func:`safe_text`)."""
    return "\n".join(safe_text(line) for line in text.split("\n"))


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


def report_figure_failures(failures: Sequence[FigureFailure], out: Path) -> int:
    """One error line for figures that could not be drawn; returns the exit status, 1.

    The folder's tables are complete and the other figures written.
    """
    first = failures[0]
    more = f" and {len(failures) - 1} more" if len(failures) > 1 else ""
    print(
        f"kabulsim: error: figure {first.name}{more} not drawn ({safe_text(first.reason)});"
        f" the tables in {safe_text(out)} are complete and the other figures written",
        file=sys.stderr,
    )
    return 1
