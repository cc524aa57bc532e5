"""What the sub-commands share: the parser builder, value parsing, and how results are shown.

Every command's parser is built by :func:`add_command` from its declaration in
:mod:`kabulsim.commands` (help, description, options as typed records); the option kinds'
bounds are enforced here, by the argparse types :func:`value_type` makes of them.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kabulsim.commands import Command, Option
from kabulsim.textsafe import terminal_text

if TYPE_CHECKING:
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
        raise argparse.ArgumentTypeError(f"{expected}, got {terminal_text(repr(text))}") from None
    if not minimum <= value <= maximum:
        raise argparse.ArgumentTypeError(f"{expected}, got {value}")
    return value


def _finite_number(text: str, above: float, maximum: float) -> float:
    """Parse a finite number in (``above``, ``maximum``]; argparse reports a usage error."""
    expected = f"expected a number above {above:g} and at most {maximum:g}"
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{expected}, got {terminal_text(repr(text))}") from None
    if not (math.isfinite(value) and above < value <= maximum):
        raise argparse.ArgumentTypeError(f"{expected}, got {terminal_text(text)}")
    return value


def value_type(option: Option) -> Callable[[str], Any] | None:
    """The argparse ``type`` of a declared option's kind: it parses and enforces the bounds."""
    if option.kind == "path":
        return Path
    if option.kind not in ("int", "float"):
        return None
    if option.bounds is None:
        return int if option.kind == "int" else float
    low, high = option.bounds
    if option.kind == "int":
        return partial(_whole_number, minimum=int(low), maximum=int(high))
    return partial(_finite_number, above=low, maximum=high)


def keywords(option: Option) -> dict[str, Any]:
    """``add_argument``'s keywords for a declared option (:class:`kabulsim.commands.Option`)."""
    kw: dict[str, Any] = {"help": option.help}
    if option.kind == "flag":
        kw["action"] = "store_true"
    elif option.kind == "append":
        kw.update(action="append", default=None if option.default is None else [*option.default])
    else:
        kw["default"] = option.default
    given = {
        "type": value_type(option),
        "metavar": option.metavar,
        "choices": option.choices,
        "nargs": option.nargs,
        "dest": option.dest,
    }
    kw.update({name: value for name, value in given.items() if value is not None})
    if option.required:
        kw["required"] = True
    return kw


def add_command(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    command: Command,
    handler: Callable[[argparse.Namespace], int],
    settings: Any = None,
) -> argparse.ArgumentParser:
    """Add the sub-command declared by ``command`` (:mod:`kabulsim.commands`) and its handler.

    The options are added in their declared order, those of an exclusive group in a mutually
    exclusive group; ``settings``, a dataclass instance, gives the defaults of the options
    named like its fields.
    """
    p = sub.add_parser(
        command.name, help=command.help, description=command.description, epilog=command.epilog
    )
    groups: dict[str, argparse._MutuallyExclusiveGroup] = {}
    for option in command.options:
        target: Any = p
        if option.exclusive is not None:
            if option.exclusive not in groups:
                groups[option.exclusive] = p.add_mutually_exclusive_group()
            target = groups[option.exclusive]
        target.add_argument(*option.names.split(), **keywords(option))
    if settings is not None:  # its fields' defaults are the options' of the same names
        fields = {f.name for f in dataclasses.fields(settings)}
        keys = [option.key for option in command.options if option.key in fields]
        p.set_defaults(**{key: getattr(settings, key) for key in keys})
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
    print(f"kabulsim: warning: {terminal_text(line)}", file=sys.stderr)


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


def report_figure_failures(failures: Sequence[FigureFailure], out: Path) -> int:
    """One error line for figures that could not be drawn; returns the exit status, 1.

    The folder's tables are complete and the other figures written.
    """
    first = failures[0]
    more = f" and {len(failures) - 1} more" if len(failures) > 1 else ""
    print(
        f"kabulsim: error: figure {first.name}{more} not drawn ({terminal_text(first.reason)});"
        f" the tables in {terminal_text(out)} are complete and the other figures written",
        file=sys.stderr,
    )
    return 1
