"""Studies of the assumptions: ``sweep``, ``sensitivity`` and ``calibrate``.

``sweep`` and ``sensitivity`` find which assumptions decide the outcome; ``calibrate`` finds
the parameter sets that reproduce the record.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kabulsim.cli.common import (
    UsageError,
    report_figure_failures,
    resolve_ensemble,
    resolve_scenario,
    running,
    warn_implausible,
)
from kabulsim.textsafe import terminal_text

if TYPE_CHECKING:
    from kabulsim.plots.io import FigureFailure


def _run(
    args: argparse.Namespace, kind: str, plan: Any, size: Callable[[], str]
) -> tuple[Any, Path, list[FigureFailure]]:
    """Prepare the study's folder, state its size, run ``plan``: the result, folder, failures.

    The folder is checked (and made) before the size is stated; a ValueError from the run
    is a usage error.
    """
    from kabulsim.experiments.studies import FolderError
    from kabulsim.folders.sweeps import prepare_out, write_sensitivity, write_sweep

    out = prepare_out(
        kind, plan.config, plan.scenario.name, args.out, force=args.force, resume=args.resume
    )
    if not args.quiet:
        print(size(), file=sys.stderr)
    write: Callable[..., Any] = write_sweep if kind == "sweep" else write_sensitivity
    failures: list[FigureFailure] = []
    stopped = f"finished points are kept in {out}; run the same command with --resume"
    try:
        with running(args, stopped) as (client, bar):
            result = write(
                plan, out, workers=args.workers, client=client, progress=bar, failures=failures
            )
    except FolderError:
        raise
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return result, out, failures


def handle_sweep(args: argparse.Namespace) -> int:
    """Run the grid, write the table and figures, print the table."""
    from kabulsim.analysis.display import terminal_table
    from kabulsim.folders.sweeps import plan_sweep

    scenario = resolve_scenario(args, warn=False)  # the grid points are checked below
    ens = resolve_ensemble(args)
    plan = plan_sweep(
        scenario, args.grid, args.outcome, reps=args.reps, seed=args.seed, ensemble=ens
    )
    warn_implausible(*plan.points)
    result, out, failures = _run(args, "sweep", plan, plan.size_text)
    if not args.quiet:
        print(terminal_table(result.table))
        print(f"table and figures written to {terminal_text(out)}")
    if failures:
        return report_figure_failures(failures, out)
    return 1 if int(result.table["failed"].sum()) else 0


def _parse_ranges(texts: list[str]) -> dict[str, tuple[float, float]]:
    ranges = {}
    for text in texts:
        key, eq, spec = text.partition("=")
        parts = spec.split(":")
        try:
            if not eq or len(parts) != 2:
                raise ValueError
            ranges[key.strip()] = (float(parts[0]), float(parts[1]))
        except ValueError:
            raise UsageError(f"--range {text}: expected KEY=LO:HI with numbers") from None
    return ranges


def handle_sensitivity(args: argparse.Namespace) -> int:
    """State the cost, run the design, write and print the ranked indices."""
    from kabulsim.analysis.display import terminal_table
    from kabulsim.folders.sweeps import plan_sensitivity, replications_per_second

    scenario = resolve_scenario(args)
    params = None if args.params is None else [p.strip() for p in args.params.split(",")]
    plan = plan_sensitivity(
        scenario, args.method, args.outcome, params=params, ranges=_parse_ranges(args.range),
        n=args.n, reps=args.reps, seed=args.seed,
    )  # fmt: skip

    def size() -> str:
        workers = args.workers if args.scheduler is None else None
        return plan.size_text(replications_per_second(scenario, workers))

    result, out, failures = _run(args, "sensitivity", plan, size)
    if not args.quiet:
        print(f"{result.method} indices of {result.metric}:")
        print(terminal_table(result.table))
        print(f"table and figure written to {terminal_text(out)}")
    return report_figure_failures(failures, out) if failures else 0


def handle_calibrate(args: argparse.Namespace) -> int:
    """Announce the cost, run the calibration, write the ensemble (and the certificate)."""
    from kabulsim.folders.calibration import (
        calibrate_folder,
        calibration_command,
        calibration_plan,
        check_calibration,
    )

    # before anything is created: the folder, the files named and pyabc are checked
    stem = check_calibration(
        args.out,
        args.write,
        population=args.population,
        reps=args.reps,
        certificate_rows=args.certificate_rows,
    )
    from kabulsim.calibration.abc import connect
    from kabulsim.calibration.settings import Settings

    if args.scheduler is not None:  # an unreachable cluster is refused before any work
        connect(args.scheduler).close()
    scenario = resolve_scenario(args)
    fields = [f.name for f in dataclasses.fields(Settings) if hasattr(args, f.name)]
    settings = Settings(**{name: getattr(args, name) for name in fields})
    print(calibration_plan(scenario, settings), file=sys.stderr, flush=True)
    logging.getLogger("ABC").setLevel(logging.INFO)  # pyABC's per-generation lines
    command = calibration_command(args.scenario, args.overrides, args.out, settings, args.write)
    done = calibrate_folder(
        scenario, args.out, settings, stem, command=command, show_progress=sys.stderr.isatty()
    )
    print(done.text(args.out))
    return 0
