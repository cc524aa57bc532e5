"""``kabulsim sweep`` and ``kabulsim sensitivity``: which assumptions decide the outcome."""

from __future__ import annotations

import argparse
import os
import sys
import time
from functools import partial
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
from kabulsim.limits import MAX_REPS

if TYPE_CHECKING:
    from kabulsim.analysis.sensitivity import Factor
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


def _prepare_out(args: argparse.Namespace, kind: str, config: dict[str, Any], name: str) -> Path:
    from kabulsim.experiments.studies import default_out_dir, prepare_study

    if args.resume and args.out is None:
        raise UsageError("--resume needs the --out folder of the study to continue")
    out: Path = args.out if args.out is not None else default_out_dir(f"{kind}-{name}")
    return prepare_study(out, config, force=args.force, resume=args.resume)


def _rate_estimate(scenario: Any, workers: int | None) -> float:
    """Replications per second this machine manages, from a few timed replications."""
    from kabulsim.model.simulate import simulate

    began = time.perf_counter()
    for rep in range(10):
        simulate(scenario, 0, rep)
    per_rep = (time.perf_counter() - began) / 10
    cores = workers if workers is not None else (os.cpu_count() or 1)
    return 0.9 * cores / per_rep


def _execute(
    args: argparse.Namespace, kind: str, config: dict[str, Any], out: Path, study: Any
) -> tuple[Any, float]:
    """Start the study's folder and manifest, run ``study``; return its result and start time.

    ``study`` is :func:`~kabulsim.analysis.sweep.sweep` or
    :func:`~kabulsim.analysis.sensitivity.sensitivity` with its own arguments bound; the
    arguments every study shares (replications, seed, engine, folder, progress) come from
    here. Interruptions leave the finished points for ``--resume``; a ValueError from the
    run is a usage error.
    """
    from kabulsim.experiments.studies import FolderError, write_study

    began = time.time()
    write_study(out, kind, config, began, done=False)
    stopped = f"finished points are kept in {out}; run the same command with --resume"
    try:
        with engine_session(args.scheduler, args.quiet, stopped) as (client, bar):
            result = study(
                reps=args.reps,
                seed=args.seed,
                workers=args.workers,
                client=client,
                out=out,
                progress=bar,
            )
            return result, began
    except FolderError:
        raise
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def handle_sweep(args: argparse.Namespace) -> int:
    """Run the grid, write the table and figures, print the table."""
    from kabulsim.analysis.outcomes import parse_metric
    from kabulsim.analysis.sweep import grid_points, parse_axis, sweep, with_values
    from kabulsim.calibration.ensemble import resolve
    from kabulsim.experiments.studies import folder_lock, write_study
    from kabulsim.plots.io import write_figures
    from kabulsim.plots.sensitivity import sweep_figure
    from kabulsim.scenario.overrides import PathProblem

    scenario = resolve_scenario(args, warn=False)  # the grid points are checked below
    ens = resolve_ensemble(args)
    try:
        axes = [parse_axis(text) for text in args.grid]
        outcomes = args.outcome or ["alliance_enters_kabul<=2001-11-15"]
        for o in outcomes:
            parse_metric(o)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    _once("--grid", [a.path for a in axes], "with all its values")
    members = resolve(ens, pin=[a.path for a in axes])
    config = {
        "scenario": scenario.model_dump(mode="json"),
        "grid": args.grid,
        "outcomes": outcomes,
        "reps": args.reps,
        "seed": args.seed,
        # the members as the sweep uses them: the parameters on the grid are left to it
        "ensemble": None if members is None else members.record(),
    }
    try:
        points = [with_values(scenario, point) for point in grid_points(axes)]
    except (ValueError, PathProblem) as exc:
        raise UsageError(f"--grid: {exc}") from None
    warn_implausible(*points)
    n_points = len(points)
    if n_points * args.reps > MAX_REPS:
        raise UsageError(
            f"--grid and --reps: {n_points:,} points x {args.reps:,} replications is more than"
            f" {MAX_REPS:,} replications; use fewer points or replications"
        )
    out = _prepare_out(args, "sweep", config, scenario.name)
    failures: list[FigureFailure] = []
    if not args.quiet:
        print(
            f"sweep: {n_points} grid points x {args.reps} replications ="
            f" {n_points * args.reps:,} replications",
            file=sys.stderr,
        )
    with folder_lock(out):
        result, began = _execute(
            args,
            "sweep",
            config,
            out,
            partial(sweep, scenario, axes, outcomes, ensemble=members),
        )
        write_study(out, "sweep", config, began, done=True, tables={"sweep.csv": result.table})
        draws = {
            f"sweep_{i + 1}": partial(sweep_figure, result, metric.text)
            for i, metric in enumerate(result.metrics)
        }
        write_figures(draws, out, failures)  # pictures of the finished table, last
    if not args.quiet:
        print(safe_table(result.table))
        print(f"table and figures written to {safe_text(out)}")
    if failures:
        report_figure_failures(failures, out)
        return 1
    return 1 if int(result.table["failed"].sum()) else 0


def _once(option: str, paths: list[str], how: str) -> None:
    """Refuse a parameter named twice (one of the two would silently be dropped)."""
    twice = next((p for p in paths if paths.count(p) > 1), None)
    if twice is not None:
        raise UsageError(f"{option} {twice}: given twice; give each parameter once {how}".rstrip())


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
    from kabulsim.analysis.outcomes import parse_metric
    from kabulsim.analysis.sensitivity import (
        design_size,
        make_design,
        plausible_factors,
        sensitivity,
    )
    from kabulsim.analysis.sweep import with_values
    from kabulsim.experiments.studies import folder_lock, write_study
    from kabulsim.plots.io import write_figures
    from kabulsim.plots.sensitivity import indices_figure
    from kabulsim.scenario.overrides import PathProblem

    scenario = resolve_scenario(args)
    n = args.n if args.n is not None else (10 if args.method == "morris" else 64)
    try:
        params = None if args.params is None else [p.strip() for p in args.params.split(",")]
        factors: list[Factor] = plausible_factors(params, _parse_ranges(args.range))
        _once("--params", [f.path for f in factors], "")
        parse_metric(args.outcome)
        if len(factors) < 2:
            raise ValueError("a sensitivity analysis needs at least two parameters")
        if args.method == "sobol" and n & (n - 1):
            raise ValueError(f"--n {n}: the Sobol' base sample size must be a power of 2")
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    vectors = design_size(args.method, len(factors), n)
    total = vectors * args.reps
    if total > MAX_REPS:
        raise UsageError(
            f"--n and --reps: {vectors:,} parameter vectors x {args.reps:,} replications is more"
            f" than {MAX_REPS:,} replications; use a smaller --n or fewer replications"
        )
    try:  # every parameter vector must be a valid scenario before anything is written
        for row in make_design(args.method, factors, n, args.seed).X.tolist():
            with_values(scenario, {f.path: v for f, v in zip(factors, row, strict=True)})
    except (ValueError, PathProblem) as exc:
        raise UsageError(f"parameter ranges: {exc}") from None
    config = {
        "scenario": scenario.model_dump(mode="json"),
        "method": args.method,
        "outcome": args.outcome,
        "factors": [[f.path, f.low, f.high] for f in factors],
        "n": n,
        "reps": args.reps,
        "seed": args.seed,
    }
    out = _prepare_out(args, "sensitivity", config, scenario.name)
    if not args.quiet:
        rate = _rate_estimate(scenario, args.workers if args.scheduler is None else None)
        print(
            f"{args.method}: {len(factors)} parameters, n = {n}: {vectors:,} parameter vectors"
            f" x {args.reps} replications = {total:,} replications; about"
            f" {total / rate / 60:.1f} min at {rate:.0f} replications/s",
            file=sys.stderr,
        )
    import pandas as pd

    with folder_lock(out):
        result, began = _execute(
            args,
            "sensitivity",
            config,
            out,
            partial(sensitivity, scenario, args.method, args.outcome, factors=factors, n=n),
        )
        design = result.design
        frame = {f.path: design.X[:, j] for j, f in enumerate(design.factors)}
        tables = {
            "indices.csv": result.table,
            "design.csv": pd.DataFrame({**frame, "response": result.responses}),
        }
        write_study(out, "sensitivity", config, began, done=True, tables=tables)
        failures: list[FigureFailure] = []
        write_figures({"indices": partial(indices_figure, result)}, out, failures)
    if not args.quiet:
        print(f"{result.method} indices of {result.metric}:")
        print(safe_table(result.table))
        print(f"table and figure written to {safe_text(out)}")
    if failures:
        report_figure_failures(failures, out)
        return 1
    return 0
