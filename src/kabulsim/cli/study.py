"""``kabulsim sweep`` and ``kabulsim sensitivity``: which assumptions decide the outcome."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kabulsim.cli.common import (
    UsageError,
    add_engine_arguments,
    add_ensemble_argument,
    add_scenario_arguments,
    positive_int,
    resolve_ensemble,
    resolve_scenario,
    safe_table,
    safe_text,
    seed_int,
    warn_implausible,
)
from kabulsim.cli.run import engine_session, report_figure_failures

if TYPE_CHECKING:
    from kabulsim.plots.io import FigureFailure


def _engine_arguments(p: argparse.ArgumentParser, default_reps: int) -> None:
    p.add_argument(
        "--reps",
        type=positive_int,
        default=default_reps,
        help=f"replications per point (default {default_reps})",
    )
    p.add_argument("--seed", type=seed_int, default=0, help="seed shared by every point")
    add_engine_arguments(p)
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help="output folder (default: a new folder under runs/); per-point results are kept"
        " there, so the same command with --resume finishes an interrupted study",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="replace an earlier kabulsim result in --out (never a folder holding other files)",
    )
    p.add_argument("--resume", action="store_true", help="continue the study already in --out")
    p.add_argument("--quiet", action="store_true", help="no progress bar and no table")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``sweep`` and ``sensitivity`` sub-commands."""
    p = sub.add_parser(
        "sweep",
        help="run a grid of parameter values and plot an outcome's response",
        description="Run the scenario at every point of a parameter grid (the product of the"
        " --grid axes) and estimate each outcome with its 95% interval. Writes sweep.csv,"
        " one response figure per outcome (PNG and SVG) and study.json into the output"
        " folder. Outcomes: a summary column (mean; for true/false columns the share; for"
        " times the median days since the start, censored beyond the horizon), COLUMN:rmst"
        " (a time's mean restricted to the horizon), COLUMN<=DATE, the probability that the"
        " event happened by that date, or p_fallen_by_DATE (Kabul has fallen by then). By"
        " default each replication takes the calibrated parameters of a member of the"
        " baseline's ensemble (replication i of every point the same member), except those on"
        " the grid, which keep the grid's values; --ensemble none runs the single values.",
        epilog="example: kabulsim sweep scenarios/baseline.yaml --grid"
        " air.sorties.1.strike_sorties_per_day=30:150:5 --outcome"
        " 'alliance_enters_kabul<=2001-11-15' --reps 200",
    )
    add_scenario_arguments(p, required=True)
    p.add_argument(
        "--grid",
        action="append",
        required=True,
        metavar="KEY=LO:HI:N",
        help="a grid axis: N values from LO to HI, or KEY=A,B,C for listed values (repeatable)",
    )
    p.add_argument(
        "--outcome",
        action="append",
        default=None,
        metavar="METRIC",
        help="outcome metric (repeatable; default: alliance_enters_kabul<=2001-11-15)",
    )
    _engine_arguments(p, default_reps=100)
    add_ensemble_argument(p)
    p.set_defaults(handler=handle_sweep)

    q = sub.add_parser(
        "sensitivity",
        help="global sensitivity analysis (Morris or Sobol') of an outcome",
        description="Vary the parameters over their plausible ranges (from the provenance"
        " table, or --range) with SALib and rank them by their effect on an outcome, with"
        " 95% confidence intervals. The number of parameter vectors and replications is"
        " printed before the run starts. Writes indices.csv, a bar chart (PNG and SVG),"
        " design.csv and study.json.",
    )
    add_scenario_arguments(q, required=True)
    q.add_argument("--method", choices=["morris", "sobol"], default="morris")
    q.add_argument(
        "--outcome",
        default="alliance_enters_kabul:rmst",
        metavar="METRIC",
        help="outcome metric (default: alliance_enters_kabul:rmst, mean days since the start"
        " restricted to the horizon)",
    )
    q.add_argument(
        "--params",
        default=None,
        metavar="A,B,...",
        help="comma-separated parameters to vary (default: 15 main assumptions; 'all' for"
        " every parameter with a plausible range)",
    )
    q.add_argument(
        "--range",
        action="append",
        default=[],
        metavar="KEY=LO:HI",
        help="range for a parameter, replacing its plausible range (repeatable)",
    )
    q.add_argument(
        "--n",
        type=positive_int,
        default=None,
        help="Morris trajectories (default 10) or Sobol' base sample, a power of 2 (default 64)",
    )
    _engine_arguments(q, default_reps=50)
    q.set_defaults(handler=handle_sensitivity)


def _run(args: argparse.Namespace, write: Any, plan: Any, out: Path) -> tuple[Any, list[Any]]:
    """Run ``plan`` into ``out`` with ``write``; a ValueError from the run is a usage error."""
    from kabulsim.experiments.studies import FolderError

    failures: list[FigureFailure] = []
    stopped = f"finished points are kept in {out}; run the same command with --resume"
    try:
        with engine_session(args.scheduler, args.quiet, stopped) as (client, bar):
            result = write(
                plan, out, workers=args.workers, client=client, progress=bar, failures=failures
            )
    except FolderError:
        raise
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return result, failures


def _out(args: argparse.Namespace, kind: str, plan: Any) -> Path:
    from kabulsim.folders.sweeps import prepare_out

    return prepare_out(
        kind, plan.config, plan.scenario.name, args.out, force=args.force, resume=args.resume
    )


def handle_sweep(args: argparse.Namespace) -> int:
    """Run the grid, write the table and figures, print the table."""
    from kabulsim.folders import StudyError
    from kabulsim.folders.sweeps import plan_sweep, write_sweep

    scenario = resolve_scenario(args, warn=False)  # the grid points are checked below
    ens = resolve_ensemble(args)
    try:
        plan = plan_sweep(
            scenario, args.grid, args.outcome, reps=args.reps, seed=args.seed, ensemble=ens
        )
        warn_implausible(*plan.points)
        out = _out(args, "sweep", plan)
    except StudyError as exc:
        raise UsageError(str(exc)) from None
    if not args.quiet:
        n_points = len(plan.points)
        print(
            f"sweep: {n_points} grid points x {args.reps} replications ="
            f" {n_points * args.reps:,} replications",
            file=sys.stderr,
        )
    result, failures = _run(args, write_sweep, plan, out)
    if not args.quiet:
        print(safe_table(result.table))
        print(f"table and figures written to {safe_text(out)}")
    if failures:
        report_figure_failures(failures, out)
        return 1
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
    from kabulsim.folders import StudyError
    from kabulsim.folders.sweeps import (
        plan_sensitivity,
        replications_per_second,
        write_sensitivity,
    )

    scenario = resolve_scenario(args)
    params = None if args.params is None else [p.strip() for p in args.params.split(",")]
    ranges = _parse_ranges(args.range)
    try:
        plan = plan_sensitivity(
            scenario, args.method, args.outcome, params=params, ranges=ranges, n=args.n,
            reps=args.reps, seed=args.seed,
        )  # fmt: skip
        out = _out(args, "sensitivity", plan)
    except StudyError as exc:
        raise UsageError(str(exc)) from None
    if not args.quiet:
        rate = replications_per_second(scenario, args.workers if args.scheduler is None else None)
        print(
            f"{args.method}: {len(plan.factors)} parameters, n = {plan.n}: {plan.vectors:,}"
            f" parameter vectors x {args.reps} replications = {plan.total:,} replications;"
            f" about {plan.total / rate / 60:.1f} min at {rate:.0f} replications/s",
            file=sys.stderr,
        )
    result, failures = _run(args, write_sensitivity, plan, out)
    if not args.quiet:
        print(f"{result.method} indices of {result.metric}:")
        print(safe_table(result.table))
        print(f"table and figure written to {safe_text(out)}")
    if failures:
        report_figure_failures(failures, out)
        return 1
    return 0
