"""``kabulsim sweep`` and ``kabulsim sensitivity``: which assumptions decide the outcome."""

from __future__ import annotations

import argparse
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
    points = len(plan.points)
    result, out, failures = _run(
        args, "sweep", plan, lambda: f"sweep: {points} grid points x {args.reps} replications"
        f" = {points * args.reps:,} replications",
    )  # fmt: skip
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
        rate = replications_per_second(scenario, args.workers if args.scheduler is None else None)
        return (
            f"{args.method}: {len(plan.factors)} parameters, n = {plan.n}: {plan.vectors:,}"
            f" parameter vectors x {args.reps} replications = {plan.total:,} replications;"
            f" about {plan.total / rate / 60:.1f} min at {rate:.0f} replications/s"
        )

    result, out, failures = _run(args, "sensitivity", plan, size)
    if not args.quiet:
        print(f"{result.method} indices of {result.metric}:")
        print(terminal_table(result.table))
        print(f"table and figure written to {terminal_text(out)}")
    return report_figure_failures(failures, out) if failures else 0
