"""The ``kabulsim`` command: parses arguments, calls the library, presents the results.

Every command's interface (help, description, options) is declared in :mod:`kabulsim.commands`
and its parser built from that declaration by :func:`kabulsim.cli.common.add_command`; each
command's handler, in a module of its own group, calls :mod:`kabulsim.folders` or the API and
prints. Errors in the user's input (files, YAML, values) are reported as one line on
standard error with exit status 2 and no traceback.
"""

from __future__ import annotations

import argparse
import errno
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from kabulsim import __version__
from kabulsim.calibration.settings import Settings
from kabulsim.cli import present, run, scenario_cmds, study
from kabulsim.cli.common import UsageError, add_command
from kabulsim.commands import COMMANDS, PROGRAM
from kabulsim.textsafe import terminal_text


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (no usage block), exit status 2."""

    def error(self, message: str) -> NoReturn:
        """Print ``message`` as one line with a pointer to ``--help``, and exit with 2."""
        self.exit(2, f"{self.prog}: error: {terminal_text(message)} (see {self.prog} --help)\n")


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "run": run.handle_run,
    "validate": run.handle_validate,
    "params": scenario_cmds.handle_params,
    "show": scenario_cmds.handle_show,
    "schema": scenario_cmds.handle_schema,
    "sweep": study.handle_sweep,
    "sensitivity": study.handle_sensitivity,
    "compare": present.handle_compare,
    "report": present.handle_report,
    "explorer": present.handle_explorer,
    "calibrate": study.handle_calibrate,
    "story": present.handle_story,
}
"""What runs each command declared in :data:`kabulsim.commands.COMMANDS`."""

SETTINGS: dict[str, object] = {"calibrate": Settings()}
"""Per command, settings declared with the code that reads them: they give the defaults."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every declared sub-command (:mod:`kabulsim.commands`)."""
    parser: argparse.ArgumentParser = Parser(prog="kabulsim", description=PROGRAM)
    parser.add_argument("--version", action="version", version=f"kabulsim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        add_command(sub, command, HANDLERS[command.name], SETTINGS.get(command.name))
    return parser


def error_line(exc: BaseException) -> str:
    """The one line that reports a user-facing error (file or key, and what is expected)."""
    if isinstance(exc, OSError) and not isinstance(exc, ConnectionError | TimeoutError):
        where = exc.filename if exc.filename is not None else "a file"
        reason = exc.strerror or type(exc).__name__
        if exc.errno == errno.ENOSPC:
            reason += "; free some space and finish with --resume where the command offers it"
        text = f"{where}: cannot read or write ({reason})"
    elif isinstance(exc, UnicodeError):
        text = f"text that is not valid UTF-8 ({type(exc).__name__}); give UTF-8 text"
    else:
        text = str(exc)
    return terminal_text(" ".join(text.split()))


USER_ERRORS = (
    ("kabulsim.scenario.loading", "ScenarioError"),
    ("kabulsim.experiments.studies", "FolderError"),
    ("kabulsim.folders", "StudyError"),
    ("kabulsim.calibration.folder", "CalibrationFolderError"),
    ("kabulsim.calibration.abc", "CalibrationStopped"),
    ("kabulsim.calibration.abc", "SchedulerUnreachable"),
    ("kabulsim.calibration.abc", "HistoryMismatch"),
    ("kabulsim.calibration.facts", "FactsError"),
)
"""The library's errors that a user's input causes (module, class), beside OSError and the
command line's own :class:`UsageError`: each reported in one line, exit status 2."""


def user_errors() -> tuple[type[BaseException], ...]:
    """What a user's input or environment can cause: reported in one line with exit status 2.

    Any other exception is a bug and keeps its traceback. Called when an exception has
    happened: an error class defined by a module that was never imported cannot have been
    raised, so none is imported here (``--help`` must not load the scenario schema or the
    experiment machinery, which cost seconds).
    """
    errors: list[type[BaseException]] = [UsageError, OSError, UnicodeError]
    for module, name in USER_ERRORS:
        if module in sys.modules:
            errors.append(getattr(sys.modules[module], name))
    return tuple(errors)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``kabulsim`` console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status: int = args.handler(args)
    except KeyboardInterrupt:
        print("kabulsim: interrupted", file=sys.stderr)
        return 130
    except user_errors() as exc:
        print(f"kabulsim: error: {error_line(exc)}", file=sys.stderr)
        return 2
    return status
